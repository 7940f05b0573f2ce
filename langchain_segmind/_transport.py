"""HTTP to Segmind: per-request auth, retries, typed errors.

A call goes over the package's own connections (`_connections`) when its URL
is plain (`_routing`), and through httpx otherwise (`_httpx_path`); both give
back an `_http1.Response` or raise `_http1.ExchangeError`, which is turned
into a typed error here. The API key travels in each request's `x-api-key`
header and is never stored on a connection or client.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from langchain_segmind import _httpx_path
from langchain_segmind._clients import POOLS, httpx_async_client, httpx_client
from langchain_segmind._http1 import (
    ACCEPTED_ENCODINGS,
    ExchangeError,
    HeaderValueError,
    RequestBytes,
    Response,
    encode_request,
)
from langchain_segmind._retry import SYSTEM_CLOCK, Clock, RetryBudget
from langchain_segmind._routing import Route, route_for
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
    headers: Mapping[str, str]
    """Lower-case names."""
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


Attempt = Callable[[float | None], Response]
"""Sends the call once, with the given seconds to get the whole answer."""
AsyncAttempt = Callable[[float | None], Awaitable[Response]]
"""The async twin of `Attempt`."""


def send(call: HttpCall, client: httpx.Client | None = None) -> Answer:
    """Send `call`, retrying as `_retry` allows.

    It goes over the package's own connections unless `client` is given or
    the URL needs httpx.

    Raises:
        SegmindError: The typed error of the last attempt.
    """
    attempt = _attempt(call, client)
    budget = RetryBudget(call.max_retries, call.timeout, call.clock, call.deadline)
    while True:
        started = time.perf_counter()
        try:
            try:
                response = attempt(budget.remaining())
            except ExchangeError as failure:
                raise _exchange_error(failure, call) from None
            answer = _decode(response, call)
        except SegmindError as error:
            call.clock.sleep(_delay_or_raise(budget, call, error, started))
        else:
            _log_success(call, answer, started)
            return answer


async def asend(call: HttpCall, client: httpx.AsyncClient | None = None) -> Answer:
    """The async twin of `send`."""
    attempt = _async_attempt(call, client)
    budget = RetryBudget(call.max_retries, call.timeout, call.clock, call.deadline)
    while True:
        started = time.perf_counter()
        try:
            try:
                response = await attempt(budget.remaining())
            except ExchangeError as failure:
                raise _exchange_error(failure, call) from None
            answer = _decode(response, call)
        except SegmindError as error:
            await call.clock.asleep(_delay_or_raise(budget, call, error, started))
        else:
            _log_success(call, answer, started)
            return answer


def _attempt(call: HttpCall, client: httpx.Client | None) -> Attempt:
    route = route_for(call.url) if client is None else None
    if route is not None:
        request = _encode(call, route)
        pool = POOLS.sync_pool(route.origin)
        return lambda seconds: pool.exchange(request, seconds)
    http = httpx_client(client)
    httpx_request = _httpx_request(http, call)
    return lambda seconds: _httpx_path.exchange(http, httpx_request, seconds)


def _async_attempt(call: HttpCall, client: httpx.AsyncClient | None) -> AsyncAttempt:
    route = route_for(call.url) if client is None else None
    if route is not None:
        request = _encode(call, route)
        pool = POOLS.async_pool(route.origin)
        return lambda seconds: pool.exchange(request, seconds)
    http = httpx_async_client(client)
    httpx_request = _httpx_request(http, call)
    return lambda seconds: _httpx_path.aexchange(http, httpx_request, seconds)


def _encode(call: HttpCall, route: Route) -> RequestBytes:
    # The headers carry the key, so no local variable holds them, and the
    # error is raised outside the `except`: a traceback that shows variables
    # (or the context of a chained exception) would print them.
    try:
        return encode_request(
            call.method,
            route.target,
            {
                "host": route.host_header,
                "accept-encoding": ACCEPTED_ENCODINGS,
                **call.headers(),
            },
            call.content(),
        )
    except HeaderValueError:
        pass
    raise _bad_header()


def _httpx_request(
    http: httpx.Client | httpx.AsyncClient, call: HttpCall
) -> httpx.Request:
    try:
        return _httpx_path.build_request(
            http, call.method, call.url, call.headers(), call.content()
        )
    except HeaderValueError:
        pass  # raised outside the `except`, as in `_encode`
    raise _bad_header()


def _bad_header() -> SegmindInputError:
    # The offending value may be the key itself: never quote it.
    return SegmindInputError(
        "the API key or a header value holds characters HTTP headers cannot "
        "carry (only printable ASCII is allowed)"
    )


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


def _decode(response: Response, call: HttpCall) -> Answer:
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code, response.headers, response.body, model=call.model
        )
    try:
        payload = json.loads(response.body)
    except ValueError:
        excerpt = response.body[:300].decode("utf-8", errors="replace")
        raise SegmindResponseError(
            f"Segmind answered {response.status_code} with a body that is not "
            f"JSON: {excerpt!r}",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
            body=excerpt,
        ) from None
    return Answer(response.status_code, response.headers, payload)


def _exchange_error(failure: ExchangeError, call: HttpCall) -> SegmindError:
    if failure.malformed:
        # The server took the request and answered: it may have been billed.
        return SegmindResponseError(
            f"Segmind's answer is not valid HTTP ({failure}); the call may have "
            "been billed, so it is not retried",
            status_code=failure.status_code,
            request_id=(failure.headers or {}).get("x-request-id"),
        )
    if failure.status_code is not None and failure.headers is not None:
        return _cut_off_answer(failure.status_code, failure.headers, failure, call)
    if failure.timed_out:
        return SegmindTimeoutError(
            f"no answer from Segmind within the timeout ({failure})"
        )
    return SegmindConnectionError(f"could not reach Segmind: {failure}")


def _cut_off_answer(
    status_code: int,
    headers: Mapping[str, str],
    failure: ExchangeError,
    call: HttpCall,
) -> SegmindError:
    """The status line arrived but the body broke off."""
    if call.method == "GET":
        # A poll is safe to repeat, whatever it was answering.
        return SegmindConnectionError(
            f"the answer to GET {call.url} was cut off ({failure})"
        )
    if status_code >= 400:
        # A cut-off error answer: not billed, so the status decides the retry.
        return error_from_response(status_code, headers, b"", model=call.model)
    return SegmindResponseError(
        f"the answer was cut off before its end ({failure}); the call may have "
        "been billed, so it is not retried",
        status_code=status_code,
        request_id=headers.get("x-request-id"),
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
