"""What a failure means: its typed error, and whether the request may have arrived.

Only the HTTP stack's failures are classified; the user's own exceptions (a
mock handler, an event hook) and a library's bug go back untouched.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import traceback
from collections.abc import Mapping
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlsplit

from langchain_segmind.catalogue.profiles import PROFILES, successor_of
from langchain_segmind.errors import (
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindContextOverflowError,
    SegmindError,
    SegmindInputError,
    SegmindInsufficientCreditsError,
    SegmindJobFailedError,
    SegmindModelRetiredError,
    SegmindNotFoundError,
    SegmindPermissionError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind.transport.deadline import Deadline
from langchain_segmind.transport.retry import RETRYABLE_STATUSES

if TYPE_CHECKING:
    from langchain_segmind.transport.queue import SegmindJob

_HTTP_STACK = ("httpx2", "httpx", "httpcore2", "httpcore", "h11", "aiohttp", "anyio")
# The modules a call's frames go through: the HTTP stack, what it calls, the
# standard library and this package. A frame of any other module is the user's
# own code (a mock handler, an event hook, a client subclass), and so is a
# frame of the standard library's mocks, debuggers and consoles.
_USERS_STDLIB = {"unittest", "doctest", "pdb", "bdb", "code"}
_STACK_MODULES = (sys.stdlib_module_names - _USERS_STDLIB) | {
    *_HTTP_STACK,
    *("httpx_aiohttp", "aiohappyeyeballs", "aiosignal", "frozenlist", "multidict"),
    *("propcache", "yarl", "sniffio", "idna", "certifi", "socksio"),
    *("h2", "hpack", "hyperframe", "brotli", "brotlicffi", "zstandard"),
    "langchain_segmind",
}
# What an answer may parse into: a small gzip body can inflate to gigabytes
# of Python objects, and a value costs memory whatever its size in bytes.
MAX_JSON_VALUES = 250_000
# A JSON string (one left open runs to the end: no byte is read twice) or a
# byte that starts a value.
_JSON_STRING_OR_VALUE = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|[{\[,]', re.DOTALL)
# Segmind's messages are a line; a longer one is cut (it is logged each retry).
MAX_MESSAGE_CHARS = 2000
_NO_ANSWER = "Server disconnected without sending a response"
# How a connection error that never left the client begins (a closed client,
# no connection free in time): the credits callback counts no request for it.
NOT_SENT = "the request was not sent"
NO_CONNECTION = f"{NOT_SENT}: the HTTP client had no connection ready in time"
# What httpx and aiohttp say when a closed client is asked to send.
_CLIENT_CLOSED = ("as the client has been closed.", "Session is closed")
# What asyncio says when a connection of another event loop (closed, or still
# open: aiohttp's, or httpcore2's on a loop running in another thread) is used;
# the last, that loop's in debug mode (`python -X dev`).
_OTHER_LOOP = (
    "Event loop is closed",
    "attached to a different loop",
    "is bound to a different event loop",
    "invoked on an event loop other than the current one",
)
# How Anthropic, OpenAI and Gemini word "the prompt is longer than the window".
_CONTEXT_OVERFLOW = re.compile(
    r"prompt is too long|maximum context length|context_length_exceeded"
    r"|exceeds the maximum number of tokens",
    re.IGNORECASE,
)
# Segmind's wording of a 406 about the balance, or of a job that ends for want
# of credits, is not documented.
_ABOUT_CREDITS = re.compile(r"credit|balance|insufficient", re.IGNORECASE)
_OUT_OF_CREDITS = re.compile(r"insufficient (credits|balance)", re.IGNORECASE)
TOP_UP_HINT = (
    "Add credits to the Segmind account (the Billing page of Segmind's "
    "console), or use a cheaper model. With min_remaining_credits set, call "
    "langchain_segmind.forget_known_balances() after topping up."
)


@dataclass(slots=True, eq=False, repr=False)
class Progress:
    """How far one attempt got: its answer's status and headers, once they came.

    `timeouts` is the request's timeout extension: the client's own
    (`client_timeouts`), bounded by the time left when the attempt and the
    body start (a default client's reads and writes only by the body's).
    """

    deadline: Deadline
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # Proven only by a connection that failed to open or never came free, or a
    # closed client.
    never_sent: bool = False
    # An https request's new connection (on a default client) that has not
    # finished its TLS handshake: nothing went to Segmind in the attempt (a
    # proxy's CONNECT, at most), since httpcore2 moves a request to a new
    # connection only before writing it (on `ConnectionNotAvailable`).
    https: bool = False
    tls_pending: bool = False
    caller_exception: BaseException | None = None  # one it handled as it called
    client_timeouts: Mapping[str, float | None] = field(init=False)
    timeouts: dict[str, float | None] = field(init=False)
    body: bytearray = field(default_factory=bytearray)  # as much as was read


# The attempt running in this context: its deadline bounds the default sync
# client's sockets, and the default clients' connections (`clients.py`) record
# on it whether their TLS handshake finished.
ATTEMPT: ContextVar[Progress | None] = ContextVar("segmind_attempt", default=None)


def error_for_exception(
    error: Exception,
    progress: Progress,
    *,
    model: str = "",
    url: str,
    method: str = "POST",
) -> SegmindError | None:
    """The typed error for what an attempt raised, or `None` if it is not ours.

    A POST broken after it may have reached Segmind is reported as possibly
    billed and never retried; one that provably never left may be (a GET, a
    poll, is retried either way). A failure to connect names the address `url`
    leads to (a stale `base_url`, say).
    """
    if isinstance(error, SegmindError):
        return error
    # A misuse (a sync hook on an async client), or a warning the caller's
    # filters raise as an error: theirs, not a failure that may have been billed.
    if isinstance(error, TypeError | Warning):
        return None
    runtime_message = str(error) if isinstance(error, RuntimeError) else ""
    closed = runtime_message.endswith(_CLIENT_CLOSED)
    other_loop = runtime_message.endswith(_OTHER_LOOP)
    if not (closed or other_loop or _from_http_stack(error)):
        return None
    if _named(error, "HTTPStatusError"):
        # A user client's hook called `raise_for_status()`: the status decides.
        answer = error.response  # type: ignore[attr-defined]
        body = answer.content if answer.is_stream_consumed else b""
        progress.headers = dict(answer.headers.items())  # redacted by `redact_key`
        return error_for_answer(answer.status_code, progress.headers, body, model=model)
    deadline, cause, status = progress.deadline, error.__cause__, progress.status_code
    billed = billed_clause(method)
    in_time = deadline.allows_wait(0.05)  # not the deadline's own timer, a bit early
    description = type(error).__name__ + (f": {error}" if str(error) else "")
    where = "Segmind at " + urlsplit(url).netloc.rpartition("@")[2]  # no credentials
    # A pool whose connections stayed busy until a POST could no longer be
    # answered (aiohttp's connect timeout covers that wait too).
    no_connection = _named(error, "PoolTimeout") or (
        _from_aiohttp(cause) and _named(cause, "ConnectionTimeoutError")
    )
    if in_time and (
        no_connection or (_named(error, "ConnectTimeout") and not _from_aiohttp(cause))
    ):
        progress.never_sent = True  # or a user client's own connect limit
        if no_connection:
            return SegmindConnectionError(f"{NO_CONNECTION} ({description})")
        return SegmindConnectionError(f"could not reach {where} ({description})")
    timed_out = isinstance(error, TimeoutError) or (
        _named(error, "TimeoutException")
        # httpx-aiohttp reports more than timeouts as TimeoutException
        and (not _from_aiohttp(cause) or isinstance(cause, TimeoutError))
    )
    if status is not None and status >= 400 and (in_time or not timed_out):
        # An error answer is not billed: its status decides (a 503 is retried),
        # also when a user client's read timeout cut its body.
        body = bytes(progress.body)
        return error_for_answer(status, progress.headers, body, model=model)
    if timed_out:
        if not in_time or deadline.timeout is None:
            return deadline.error()
        remedy = deadline.queue_remedy()
        return SegmindTimeoutError(
            f"the HTTP client's own timeouts ran out ({type(error).__name__}) before "
            f"the call's timeout={deadline.timeout:g}s; raise the client's timeouts"
            + (f". {remedy}" if remedy else "")
        )
    if other_loop:
        return SegmindConnectionError(
            "the connection belongs to another event loop (an async client "
            "used across `asyncio.run` calls?)" + billed,
            retryable=False,
        )
    if _named(error, "InvalidURL", "UnsupportedProtocol", "LocalProtocolError") or (
        isinstance(error, UnicodeEncodeError)
    ):
        return SegmindInputError(
            f"the request cannot be sent as given ({type(error).__name__}): check "
            "base_url and the headers (printable ASCII only)"
        )
    if status is not None:  # an answer began: the request went out, whatever broke
        return SegmindResponseError(
            f"the answer was cut off before its end ({description}){billed}",
            status_code=status,
            request_id=progress.headers.get("x-request-id"),
        )
    if closed:
        progress.never_sent = True  # refused before anything was written
        return SegmindConnectionError(
            f"{NOT_SENT}: the HTTP client is closed ({error})",
            retryable=False,
        )
    # httpx-aiohttp maps most aiohttp failures to ConnectTimeout; only a
    # failure to connect (or a proxy's refused tunnel) proves the request never
    # left (a write can fail after the whole request was sent, e.g. on HTTP/2).
    if progress.tls_pending or (
        _named(cause, "ClientConnectorError", "ClientHttpProxyError")
        if _from_aiohttp(cause)
        else _named(error, "ConnectError", "ProxyError")
    ):
        progress.never_sent = True
        return SegmindConnectionError(f"could not reach {where} ({description})")
    if (
        _named(error, "RemoteProtocolError") and not str(error).startswith(_NO_ANSWER)
    ) or _named(error, "ClientResponseError"):  # aiohttp's word for the same
        return SegmindResponseError(
            f"Segmind's answer is not valid HTTP ({description}){billed}"
        )
    return SegmindConnectionError(
        f"the call failed after the request may have reached Segmind, before an "
        f"answer ({description}){billed}",
        retryable=False,
    )


def billed_clause(method: str) -> str:
    """What an error adds when a request that may have arrived is not sent again.

    Only a POST is billed; a GET (a v2 poll) is retried, and adds nothing.
    """
    if method != "POST":
        return ""
    return "; the call may have been billed, so it is not retried"


def error_for_answer(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    model: str,
    url: str | None = None,
) -> SegmindError:
    """The most specific typed error for a non-2xx answer from Segmind."""
    message = _segmind_message(body)
    context: dict[str, Any] = {
        "status_code": status_code,
        "request_id": headers.get("x-request-id"),
        "body": body[:2000].decode("utf-8", errors="replace"),
    }
    if 300 <= status_code < 400:
        location = headers.get("location", "(no Location header)")
        return SegmindResponseError(
            f"Segmind answered with a redirect to {location!r}; the API key is "
            "never sent on to another address. If that address is right, set "
            "`base_url` to it.",
            **context,
        )
    if status_code == 401:
        return SegmindAuthenticationError(message, **context)
    if status_code == 403:
        return SegmindPermissionError(message, **context)
    if status_code == 404:
        return SegmindNotFoundError(
            message, hint=_not_found_hint(model, url), **context
        )
    if status_code == 410:
        suggestion = successor_of(model)
        try_next = f" Try model={suggestion!r}." if suggestion else ""
        return SegmindModelRetiredError(
            message, hint=f"Model {model!r} is retired.{try_next}", **context
        )
    if status_code == 406 and _ABOUT_CREDITS.search(message):
        return SegmindInsufficientCreditsError(message, hint=TOP_UP_HINT, **context)
    if status_code == 429:
        reset_at = parse_reset_time(headers.get("x-rate-limit-reset-at-utc"))
        hint = None  # raised at once when the reset is far off: say when it is
        if reset_at:
            utc = f"{reset_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
            hint = f"The rate limit resets at {utc}."
        return SegmindRateLimitError(message, reset_at=reset_at, hint=hint, **context)
    if status_code in (400, 413, 422) and _CONTEXT_OVERFLOW.search(context["body"]):
        return SegmindContextOverflowError(message, **context)
    if status_code == 407:  # only a proxy answers it, for a plain-http base_url
        hint = "A proxy refused its credentials: check HTTP_PROXY / ALL_PROXY."
        return SegmindBadRequestError(message, hint=hint, **context)
    if 400 <= status_code < 500:
        return SegmindBadRequestError(message, **context)
    if status_code >= 500:
        # Only these are passing failures; 501, 505... would answer the same.
        retryable = status_code in RETRYABLE_STATUSES
        return SegmindServerError(message, retryable=retryable, **context)
    return SegmindResponseError(message, **context)  # a 1xx a user's hook raised


def error_for_unreadable(
    payload: Any,
    status_code: int,
    headers: Mapping[str, str],
    job: SegmindJob | None = None,
) -> SegmindResponseError:
    """The error for a success whose JSON is no answer: Segmind's `error`, if any.

    `job`: the v2 job the answer is the result of, kept on the error.
    """
    keys = sorted(payload) if isinstance(payload, dict) else []
    error = SegmindResponseError(
        _reported(payload, "error")
        or f"Segmind's answer has no recognisable shape (keys: {keys})",
        status_code=status_code,
        request_id=headers.get("x-request-id"),
        body=json.dumps(payload, ensure_ascii=False)[:2000],
    )
    error.headers, error.job = headers, job
    return error


def error_for_failed_job(reason: str, **context: Any) -> SegmindError:
    """The error of a v2 job that failed for `reason`; `context`: `SegmindError`'s."""
    if _CONTEXT_OVERFLOW.search(reason):  # what SummarizationMiddleware catches
        return SegmindContextOverflowError(reason, **context)
    if _OUT_OF_CREDITS.search(reason):  # as a v1 call's 406 would be
        return SegmindInsufficientCreditsError(reason, hint=TOP_UP_HINT, **context)
    return SegmindJobFailedError(reason, **context)


def parse_reset_time(value: str | None) -> datetime | None:
    """Parse `x-rate-limit-reset-at-utc` (undocumented): ISO, epoch or HTTP date."""
    text = (value or "").strip()
    try:
        epoch = float(text)
    except ValueError:
        for parse in (datetime.fromisoformat, parsedate_to_datetime):
            with suppress(TypeError, ValueError, OverflowError):  # year 99999999999
                parsed = parse(text)
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return None
    if epoch > 1e11:  # past the year 5138 in seconds: milliseconds
        epoch /= 1000
    with suppress(OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(epoch, tz=UTC)
    return None


# A provider's own id ends in a date or `-latest`, and orders its words its
# own way: Anthropic's `claude-sonnet-4-5-20250929` is Segmind's `claude-4.5-sonnet`.
_DATED = re.compile(r"-(\d{4}-?\d{2}-?\d{2}|latest)$")


def _words(slug: str) -> list[str]:
    return sorted(re.split(r"[-._]", _DATED.sub("", slug.lower())))


def _not_found_hint(model: str, url: str | None) -> str | None:
    hints = []
    if model not in PROFILES:
        close = [slug for slug in PROFILES if _words(slug) == _words(model)]
        close = close or difflib.get_close_matches(model.lower(), PROFILES, n=1)
        if close:
            hints.append(f"Segmind has no model {model!r}; did you mean {close[0]!r}?")
    path = urlsplit(url or "").path
    if url and not re.search(r"/v\d+/", path):
        hints.append(
            "base_url has no /v1 segment: Segmind's API is under "
            "https://api.segmind.com/v1."
        )
    elif url and not re.search(r"/v\d+/([^/]+$|requests/)", path):
        hints.append(
            f"base_url goes on past /v1 ({url!r} was called): end it at /v1, "
            "the slug comes from `model`."
        )
    return " ".join(hints) or None


def too_many_json_values(data: bytes) -> bool:
    """Whether UTF-8 `data` parses into over `MAX_JSON_VALUES`: it costs memory."""
    if len(data) <= MAX_JSON_VALUES:  # every value takes a byte at least
        return False
    if data.count(b"{") + data.count(b"[") + data.count(b",") <= MAX_JSON_VALUES:
        return False
    # Commas and brackets inside strings (a long CSV answer) are no values.
    values = 0
    for match in _JSON_STRING_OR_VALUE.finditer(data):
        values += match[0][0] != 0x22  # not a string: `"`
        if values > MAX_JSON_VALUES:
            return True
    return False


def _segmind_message(body: bytes) -> str:
    """Segmind's human message from a JSON, HTML or plain-text body."""
    text = body[:65536].decode("utf-8", errors="replace").strip()
    if not text:
        return "(empty response body)"
    if not too_many_json_values(body):  # whatever the content type says
        with suppress(ValueError, RecursionError):
            payload = json.loads(body.decode("utf-8", errors="replace"))
            if reported := _reported(payload, "error", "message", "detail"):
                return reported[:MAX_MESSAGE_CHARS]
    return " ".join(text.split())[:300]


def _reported(payload: Any, *keys: str) -> str | None:
    """Segmind's text in a JSON object: the first of `keys` (or its `message`) set."""
    for key in keys if isinstance(payload, dict) else ():
        value = payload.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value:
            return value
    return None


def forget_stack_locals(error: BaseException) -> None:
    """Clear the locals of `error`'s finished frames that are not the user's code.

    Those of the package and the HTTP stack hold the request, key included;
    the user's own frames keep theirs for debugging.
    """
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if _in_stack(frame):
            with suppress(RuntimeError):  # a frame still running keeps its locals
                frame.clear()


def _named(error: BaseException, *names: str) -> bool:
    """Whether `error`'s class or one of its bases is named one of `names`."""
    return any(kind.__name__ in names for kind in type(error).__mro__)


def _from_http_stack(error: BaseException) -> bool:
    """Whether `error` is the HTTP stack's failure: not the user's code's, nor a bug."""
    # Its own types wherever raised (mocks raise them on purpose); another
    # only if a connection's failure raises it (an OSError: socket, TLS, a
    # timeout; a header it cannot encode) and no frame it went through is the
    # user's. A library's bug, or memory or stack run out, is no such failure.
    if type(error).__module__.partition(".")[0] in _HTTP_STACK:
        return True
    return isinstance(error, OSError | UnicodeEncodeError) and all(
        _in_stack(frame) for frame, _ in traceback.walk_tb(error.__traceback__)
    )


def _in_stack(frame: FrameType) -> bool:
    return str(frame.f_globals.get("__name__", "")).partition(".")[0] in _STACK_MODULES


def _from_aiohttp(error: BaseException | None) -> TypeGuard[BaseException]:
    return error is not None and type(error).__module__.startswith("aiohttp")
