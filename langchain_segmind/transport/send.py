"""Sending one call to Segmind: attempts within one deadline, retries, decoding.

Each attempt goes through `_http` (the one module that speaks HTTP); whether
a failed one is tried again is `_retry`'s decision, and no attempt or wait
outlives the call's `_deadline`. The API key travels in each request's
`x-api-key` header and is never stored on a client.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from langchain_segmind.errors import (
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    error_from_response,
)
from langchain_segmind.transport import clients as _http
from langchain_segmind.transport.clock import SYSTEM_CLOCK, Clock
from langchain_segmind.transport.deadline import Deadline
from langchain_segmind.transport.headers import request_headers
from langchain_segmind.transport.jsonparse import JSONTooDeepError, loads
from langchain_segmind.transport.retry import RetryBudget

logger = logging.getLogger("langchain_segmind")


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
    api_key: SecretStr
    model: str
    timeout: float | None
    max_retries: int
    body: Mapping[str, Any] | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    """Checked caller headers (`_headers.check_caller_headers`)."""
    clock: Clock = SYSTEM_CLOCK
    deadline: Deadline | None = None
    """A deadline shared with other requests of one call, such as a queued
    job's polls; by default `timeout` from the first attempt."""
    async_transport: str = "httpx2"
    """The default async client's transport: `"httpx2"` or `"aiohttp"`."""

    def outgoing(self) -> _http.Outgoing:
        """The request to send (every attempt sends the same one).

        Raises:
            SegmindInputError: The body holds text that is not valid Unicode.
        """
        return _http.Outgoing(
            self.method,
            self.url,
            headers=lambda: request_headers(
                self.api_key, self.extra_headers, has_body=self.body is not None
            ),
            content=self._content(),
        )

    def _content(self) -> bytes | None:
        if self.body is None:
            return None
        try:
            return json.dumps(self.body, ensure_ascii=False, allow_nan=False).encode()
        except UnicodeEncodeError as error:
            problem = (
                "the messages hold text that is not valid Unicode (an unpaired "
                f"surrogate at position {error.start} of a string)"
            )
        except (TypeError, ValueError) as error:
            # An extra body field (model_kwargs, a per-call keyword) that JSON
            # cannot carry: an object, bytes, NaN or infinity.
            problem = f"the request body cannot be sent as JSON: {error}"
        raise SegmindInputError(problem)

    def start(self) -> Deadline:
        """The call's deadline: the shared one, or `timeout` from now."""
        return self.deadline or Deadline.after(self.timeout, self.clock)


def send(call: HttpCall, client: _http.SyncClient | None = None) -> Answer:
    """Send `call`, retrying as `_retry` allows, on `client` or the default one.

    Raises:
        SegmindError: The typed error of the last attempt.
    """
    outgoing = call.outgoing()
    deadline = call.start()
    budget = RetryBudget(call.max_retries, deadline)
    while True:
        started = time.perf_counter()
        try:
            answer = _decode(_http.exchange(client, outgoing, deadline), call)
        except SegmindError as error:
            failure = error
        else:
            _log_success(call, answer, started)
            return answer
        call.clock.sleep(_delay_or_raise(budget, call, failure, started))


async def asend(call: HttpCall, client: _http.AsyncClient | None = None) -> Answer:
    """The async twin of `send`."""
    outgoing = call.outgoing()
    deadline = call.start()
    budget = RetryBudget(call.max_retries, deadline)
    while True:
        started = time.perf_counter()
        try:
            raw = await _http.aexchange(
                client, outgoing, deadline, call.async_transport
            )
            answer = _decode(raw, call)
        except SegmindError as error:
            failure = error
        else:
            _log_success(call, answer, started)
            return answer
        await call.clock.asleep(_delay_or_raise(budget, call, failure, started))


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
        raise error.with_traceback(None)
    return delay


def _decode(answer: _http.RawAnswer, call: HttpCall) -> Answer:
    if answer.status_code >= 400:
        raise error_from_response(
            answer.status_code,
            answer.headers,
            answer.body,
            model=call.model,
            url=call.url,
        )
    try:
        payload = loads(answer.body)
    except JSONTooDeepError as error:
        problem = str(error)
    except ValueError:
        problem = "a body that is not JSON: " + repr(
            answer.body[:300].decode("utf-8", errors="replace")
        )
    else:
        return Answer(answer.status_code, answer.headers, payload)
    raise SegmindResponseError(
        f"Segmind answered {answer.status_code} with {problem}",
        status_code=answer.status_code,
        request_id=answer.headers.get("x-request-id"),
        body=answer.body[:300].decode("utf-8", errors="replace"),
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
