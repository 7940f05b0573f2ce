"""HTTP answers of the emulator, independent of any socket."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """What the emulator sends back for one request.

    `reset` and `truncate` model network failures: the handler closes the
    socket abruptly, or writes fewer body bytes than `Content-Length` promises.
    `drip` writes the body one byte every `drip` seconds; `endless`
    streams a body that never ends (until the client hangs up);
    `close_after` closes the connection after answering without announcing
    it, as a server whose keep-alive timer ran out does.
    """

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: bool = False
    truncate: bool = False
    drip: float = 0.0
    endless: bool = False
    close_after: bool = False


class RequestRejectedError(Exception):
    """Raised while handling a request to answer it with an error at once."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def reason(status: int) -> str:
    """The standard reason phrase of `status`, or `"Error"` if it has none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def json_answer(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> Answer:
    """An answer whose body is `payload` encoded as JSON."""
    body = json.dumps(payload).encode()
    return Answer(status, body, JSON_TYPE, dict(headers or {}))


def text_answer(status: int, text: str) -> Answer:
    """A plain-text answer."""
    return Answer(status, text.encode(), TEXT_TYPE)


def html_page(status: int) -> str:
    """An nginx-like error page for `status`."""
    title = f"{status} {reason(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def html_answer(status: int) -> Answer:
    """An nginx-like HTML error page, as the gateway sends for a wrong method."""
    return Answer(status, html_page(status).encode(), HTML_TYPE)


def reject(status: int, message: str) -> RequestRejectedError:
    """A rejection with the gateway's usual `{"error": message}` body."""
    return RequestRejectedError(json_answer(status, {"error": message}))
