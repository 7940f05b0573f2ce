"""HTTP to Segmind: per-request auth, retries, typed errors.

The shared clients come from `_clients`. The API key travels in each
request's `x-api-key` header and is never stored on a client.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from langchain_segmind._clients import async_client, sync_client
from langchain_segmind._retry import SYSTEM_CLOCK, Clock, RetryBudget
from langchain_segmind._version import __version__
from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    SegmindTimeoutError,
    error_from_response,
)

logger = logging.getLogger("langchain_segmind")

USER_AGENT = f"langchain-segmind/{__version__}"


@dataclass(frozen=True)
class Answer:
    """A successful (2xx) answer from Segmind."""

    status_code: int
    headers: httpx.Headers
    payload: Any


@dataclass(frozen=True)
class HttpCall:
    """Everything needed to send one request, with its retries."""

    method: str
    url: str
    api_key: str = field(repr=False)
    model: str
    timeout: float | None
    max_retries: int
    body: Mapping[str, Any] | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    clock: Clock = SYSTEM_CLOCK
    deadline: float | None = None
    """A deadline (on `clock.monotonic()`) shared with other requests of one
    call, such as a queued job's polls; by default `timeout` from now."""

    def headers(self) -> dict[str, str]:
        """The request headers; caller-supplied ones cannot replace the key."""
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        headers.update({k.lower(): v for k, v in self.extra_headers.items()})
        if self.body is not None:
            headers["content-type"] = "application/json"
        headers["x-api-key"] = self.api_key
        return headers

    def content(self) -> bytes | None:
        """The encoded JSON body."""
        if self.body is None:
            return None
        try:
            return json.dumps(self.body, ensure_ascii=False).encode()
        except UnicodeEncodeError as error:
            raise SegmindInputError(
                "the messages hold text that is not valid Unicode (an unpaired "
                f"surrogate at position {error.start} of a string)"
            ) from None


def send(call: HttpCall, client: httpx.Client | None = None) -> Answer:
    """Send `call`, retrying as `_retry` allows.

    Raises:
        SegmindError: The typed error of the last attempt.
    """
    with sync_client(client) as http:
        return _send_on(http, call)


async def asend(call: HttpCall, client: httpx.AsyncClient | None = None) -> Answer:
    """The async twin of `send`."""
    with async_client(client) as http:
        return await _asend_on(http, call)


def _send_on(http: httpx.Client, call: HttpCall) -> Answer:
    request = _build_request(http, call)
    budget = RetryBudget(call.max_retries, call.timeout, call.clock, call.deadline)
    while True:
        started = time.perf_counter()
        _limit_to(request, budget.remaining())
        try:
            answer = _attempt(http, request, call)
        except SegmindError as error:
            call.clock.sleep(_delay_or_raise(budget, call, error, started))
        else:
            _log_success(call, answer, started)
            return answer


async def _asend_on(http: httpx.AsyncClient, call: HttpCall) -> Answer:
    request = _build_request(http, call)
    budget = RetryBudget(call.max_retries, call.timeout, call.clock, call.deadline)
    while True:
        started = time.perf_counter()
        _limit_to(request, budget.remaining())
        try:
            answer = await _aattempt(http, request, call)
        except SegmindError as error:
            await call.clock.asleep(_delay_or_raise(budget, call, error, started))
        else:
            _log_success(call, answer, started)
            return answer


def _build_request(
    http: httpx.Client | httpx.AsyncClient, call: HttpCall
) -> httpx.Request:
    try:
        return http.build_request(
            call.method, call.url, headers=call.headers(), content=call.content()
        )
    except UnicodeEncodeError:
        # The offending value may be the key itself: never quote it.
        raise SegmindInputError(
            "the API key or a header value holds characters HTTP headers cannot "
            "carry (only ASCII is allowed)"
        ) from None
    except httpx.InvalidURL as error:
        raise SegmindInputError(f"bad URL {call.url!r}: {error}") from None


def _limit_to(request: httpx.Request, seconds: float | None) -> None:
    """Give the next attempt only the time left before the call's deadline."""
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()


def _attempt(http: httpx.Client, request: httpx.Request, call: HttpCall) -> Answer:
    try:
        response = http.send(request, stream=True)
    except httpx.HTTPError as error:
        raise _transport_error(error) from None
    try:
        body = response.read()
    except httpx.HTTPError as error:
        raise _cut_off_answer(response, error, call) from None
    finally:
        response.close()
    return _decode(response, body, call)


async def _aattempt(
    http: httpx.AsyncClient, request: httpx.Request, call: HttpCall
) -> Answer:
    try:
        response = await http.send(request, stream=True)
    except httpx.HTTPError as error:
        raise _transport_error(error) from None
    try:
        body = await response.aread()
    except httpx.HTTPError as error:
        raise _cut_off_answer(response, error, call) from None
    finally:
        await response.aclose()
    return _decode(response, body, call)


def _delay_or_raise(
    budget: RetryBudget, call: HttpCall, error: SegmindError, started: float
) -> float:
    delay = budget.delay_before_retry(error)
    outcome = "giving up" if delay is None else f"retrying in {delay:.2f}s"
    logger.info(
        "%s %s failed after %.3fs: %s; %s",
        call.method,
        call.url,
        time.perf_counter() - started,
        error,
        outcome,
    )
    if delay is None:
        raise error
    return delay


def _decode(response: httpx.Response, body: bytes, call: HttpCall) -> Answer:
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code, response.headers, body, model=call.model
        )
    try:
        payload = json.loads(body)
    except ValueError:
        excerpt = body[:300].decode("utf-8", errors="replace")
        raise SegmindResponseError(
            f"Segmind answered {response.status_code} with a body that is not "
            f"JSON: {excerpt!r}",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
            body=excerpt,
        ) from None
    return Answer(response.status_code, response.headers, payload)


def _cut_off_answer(
    response: httpx.Response, error: httpx.HTTPError, call: HttpCall
) -> SegmindError:
    """The status line arrived but the body broke off."""
    if call.method == "GET":
        # A poll is safe to repeat, whatever it was answering.
        return SegmindConnectionError(
            f"the answer to GET {call.url} was cut off ({type(error).__name__})"
        )
    if response.status_code >= 400:
        # A cut-off error answer: not billed, so the status decides the retry.
        return error_from_response(
            response.status_code, response.headers, b"", model=call.model
        )
    return SegmindResponseError(
        f"the answer was cut off before its end ({type(error).__name__}); the "
        "call may have been billed, so it is not retried",
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _transport_error(error: httpx.HTTPError) -> SegmindError:
    if isinstance(error, httpx.UnsupportedProtocol):
        return SegmindInputError(f"the URL is not http(s): {error}")
    if isinstance(error, httpx.TimeoutException):
        return SegmindTimeoutError(
            f"no answer from Segmind within the timeout ({type(error).__name__})"
        )
    return SegmindConnectionError(
        f"could not reach Segmind: {type(error).__name__}: {error}"
    )


def _log_success(call: HttpCall, answer: Answer, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s in %.3fs (request id %s)",
            call.method,
            call.url,
            answer.status_code,
            time.perf_counter() - started,
            answer.headers.get("x-request-id"),
        )
