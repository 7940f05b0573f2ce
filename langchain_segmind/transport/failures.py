"""What a failed attempt means, and whether its request may be sent again.

`AttemptProgress` follows one attempt through HTTPX's `trace` extension (did
the request leave whole? did an answer begin?); `classify` turns whatever the
attempt raised into a `SegmindError`, retryable or not. The HTTP libraries'
exceptions are recognised by name, in httpx2 and in legacy httpx alike, so
this module needs neither import.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    error_from_response,
)
from langchain_segmind.transport.body import BodyError
from langchain_segmind.transport.deadline import Deadline

_NO_ANSWER = "Server disconnected without sending a response"


class AttemptProgress:
    """How far one attempt got, as HTTPX's `trace` extension reports it.

    Its `timeouts` dict is the request's timeout extension; it is refreshed
    from the deadline as each phase starts, so no phase outlives the call.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.timeouts = deadline.timeouts()
        self.traced = False
        self.request_sent = False
        self.status_code: int | None = None
        self.headers: dict[str, str] = {}

    def note(self, event: str, info: Mapping[str, Any]) -> None:
        """Take one trace event of httpcore."""
        request = info.get("request")
        if getattr(request, "method", None) == b"CONNECT":
            return  # a proxy tunnel's own exchange, not ours
        self.traced = True
        if event.endswith(".started"):
            self.timeouts.update(self.deadline.timeouts())
        elif event.endswith("send_request_body.complete"):
            self.request_sent = True

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """The `trace` extension of a sync request."""
        self.note(event, info)

    async def atrace(self, event: str, info: Mapping[str, Any]) -> None:
        """The `trace` extension of an async request."""
        self.note(event, info)

    def answered(self, status_code: int, headers: Mapping[str, str]) -> None:
        """Record the answer's status line and (lower-cased) headers."""
        self.status_code = status_code
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.timeouts.update(self.deadline.timeouts())


def classify(error: Exception, progress: AttemptProgress, method: str) -> SegmindError:
    """The typed error for a failed attempt, and whether it may be retried.

    A POST is sent again only when it provably never reached the server: the
    connection failed, or it broke before the request was fully written.
    Once any byte of an answer arrived, it is not, since Segmind bills every
    accepted POST. A GET (a queue poll) may always be repeated.
    """
    repeatable = method == "GET"
    status, headers = progress.status_code, progress.headers
    if isinstance(error, SegmindError):
        return error
    if _is(error, "HTTPStatusError"):
        # A user client's hook called `raise_for_status()`: the status decides.
        answer = error.response  # type: ignore[attr-defined]
        try:
            body = bytes(answer.content)  # read only if the hook read it
        except Exception:
            body = b""
        return error_from_response(answer.status_code, answer.headers, body, model="")
    if isinstance(error, BodyError):
        return _not_retried(
            SegmindResponseError(
                f"{error}; the call may have been billed, so it is not retried",
                status_code=status,
                request_id=headers.get("x-request-id"),
            ),
            repeatable,
        )
    cause = error.__cause__
    if isinstance(error, TimeoutError) or (
        _is(error, "TimeoutException")
        # httpx-aiohttp reports more than timeouts as TimeoutException
        and (not _is_aiohttp(cause) or isinstance(cause, TimeoutError))
    ):
        # Every phase was given the time left to the deadline: it has run out.
        return progress.deadline.error()
    if _is(error, "InvalidURL", "UnsupportedProtocol", "LocalProtocolError"):
        # The messages of these may quote the request; never the headers.
        return SegmindInputError(
            f"the request cannot be sent as given ({type(error).__name__}): "
            "check base_url and the headers"
        )
    description = f"{type(error).__name__}: {error}"
    if _is_aiohttp(cause):
        # httpx-aiohttp maps most of aiohttp's failures to ConnectTimeout;
        # only a failure to connect proves the request never left.
        never_sent = _has_base(cause, "ClientConnectorError")
    else:
        never_sent = _is(error, "ConnectError", "ProxyError")
    if never_sent or (progress.traced and not progress.request_sent and status is None):
        return SegmindConnectionError(f"could not reach Segmind ({description})")
    if status is not None:
        return _cut_off(status, headers, description, repeatable)
    if _is(error, "RemoteProtocolError") and not str(error).startswith(_NO_ANSWER):
        return _not_retried(
            SegmindResponseError(
                f"Segmind's answer is not valid HTTP ({description}); the call may "
                "have been billed, so it is not retried"
            ),
            repeatable,
        )
    when = (
        "after the request was sent, before an answer"
        if progress.request_sent
        else "before an answer, perhaps after the request reached Segmind"
    )
    return _not_retried(
        SegmindConnectionError(
            f"the call failed {when} ({description}); it may have been billed, "
            "so it is not retried"
        ),
        repeatable,
    )


def _cut_off(
    status: int, headers: Mapping[str, str], description: str, repeatable: bool
) -> SegmindError:
    """The status line arrived, but the body broke off."""
    if repeatable:
        return SegmindConnectionError(f"the answer was cut off ({description})")
    if status >= 400:
        # An error answer is not billed: its status decides the retry.
        return error_from_response(status, headers, b"", model="")
    return SegmindResponseError(
        f"the answer was cut off before its end ({description}); the call may "
        "have been billed, so it is not retried",
        status_code=status,
        request_id=headers.get("x-request-id"),
    )


def _not_retried(error: SegmindError, repeatable: bool) -> SegmindError:
    error.is_retryable = repeatable
    return error


def _is_aiohttp(error: BaseException | None) -> bool:
    return error is not None and type(error).__module__.startswith("aiohttp")


def _has_base(error: BaseException | None, name: str) -> bool:
    return any(base.__name__ == name for base in type(error).__mro__)


def _libraries() -> tuple[ModuleType, ...]:
    """httpx2, and legacy httpx when something has imported it."""
    return tuple(
        module for name in ("httpx2", "httpx") if (module := sys.modules.get(name))
    )


def _is(error: BaseException, *names: str) -> bool:
    """Whether `error` is one of the named HTTPX exceptions, of either library."""
    return any(
        isinstance(error, kind)
        for lib in _libraries()
        for name in names
        if isinstance(kind := getattr(lib, name, None), type)
    )
