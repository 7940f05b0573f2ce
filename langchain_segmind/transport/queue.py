"""Segmind's asynchronous queue API (v2), for generations that outlive a request.

A job is submitted to `/v2/<slug>`, its `status_url` polled with backoff until
COMPLETED or FAILED (bounded by the call's `timeout`), and its `response_url`
fetched. The result's `output` is the provider JSON of a v1 answer, encoded as
a string; its `metrics` stand in for v1's credit headers, so the rest of the
package reads a queued answer exactly like a direct one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from langchain_segmind.errors import (
    SegmindBadRequestError,
    SegmindJobFailedError,
    SegmindResponseError,
)
from langchain_segmind.transport.clients import AsyncClient, SyncClient
from langchain_segmind.transport.jsonparse import loads
from langchain_segmind.transport.send import Answer, HttpCall, asend, send

FIRST_POLL_DELAY = 0.5
POLL_BACKOFF = 1.5
MAX_POLL_DELAY = 5.0
# Polls are GETs, safe to repeat, so they get at least this many retries.
MIN_POLL_RETRIES = 3
_TERMINAL = frozenset({"COMPLETED", "FAILED"})
_PENDING = frozenset({"QUEUED", "PROCESSING"})


@dataclass(frozen=True)
class _Job:
    request_id: str
    status_url: str
    response_url: str


class _PollSchedule:
    """The waits between polls; none may pass the job's deadline."""

    def __init__(self, call: HttpCall) -> None:
        self._call = call
        self._delay = FIRST_POLL_DELAY

    def next_delay(self, job: _Job, status: object) -> float:
        if status not in _PENDING:
            raise SegmindResponseError(
                f"queued job {job.request_id} has an unknown status {status!r}",
                request_id=job.request_id,
            )
        delay = self._delay
        deadline = self._call.start()
        if not deadline.allows_wait(delay):
            error = deadline.error(
                f"result of queued job {job.request_id} ({status})", queued=True
            )
            error.request_id = job.request_id
            raise error
        self._delay = min(delay * POLL_BACKOFF, MAX_POLL_DELAY)
        return delay


def send_queued(call: HttpCall, client: SyncClient | None = None) -> Answer:
    """Run `call` (a POST to a v2 URL) through the queue and return the result.

    `timeout` bounds the whole job: the submit, every poll and the fetch share
    one deadline.
    """
    call = _with_deadline(call)
    job = _job(send(call, client), call)
    schedule = _PollSchedule(call)
    while True:
        status = _status(send(_get(call, job.status_url), client))
        if status in _TERMINAL:
            break
        call.clock.sleep(schedule.next_delay(job, status))
    try:
        return _result(send(_get(call, job.response_url), client), job)
    except SegmindBadRequestError as error:
        raise _failure(error, job) from None


async def asend_queued(call: HttpCall, client: AsyncClient | None = None) -> Answer:
    """The async twin of `send_queued`."""
    call = _with_deadline(call)
    job = _job(await asend(call, client), call)
    schedule = _PollSchedule(call)
    while True:
        status = _status(await asend(_get(call, job.status_url), client))
        if status in _TERMINAL:
            break
        await call.clock.asleep(schedule.next_delay(job, status))
    try:
        return _result(await asend(_get(call, job.response_url), client), job)
    except SegmindBadRequestError as error:
        raise _failure(error, job) from None


def _with_deadline(call: HttpCall) -> HttpCall:
    return replace(call, deadline=call.start())


def _get(call: HttpCall, url: str) -> HttpCall:
    return replace(
        call,
        method="GET",
        url=url,
        body=None,
        max_retries=max(call.max_retries, MIN_POLL_RETRIES),
    )


def _job(answer: Answer, call: HttpCall) -> _Job:
    payload = answer.payload if isinstance(answer.payload, Mapping) else {}
    request_id = payload.get("request_id")
    urls = (payload.get("status_url"), payload.get("response_url"))
    if not isinstance(request_id, str) or not all(isinstance(u, str) for u in urls):
        raise SegmindResponseError(
            "the queue's answer lacks request_id, status_url or response_url: "
            f"{payload!r:.200}",
            status_code=answer.status_code,
        )
    status_url, response_url = str(urls[0]), str(urls[1])
    origin = urlsplit(call.url)[:2]
    for url in (status_url, response_url):
        # The key goes with every poll: never to a host other than Segmind's.
        if urlsplit(url)[:2] != origin:
            raise SegmindResponseError(
                f"the queue pointed to {url!r}, outside {origin[0]}://{origin[1]}; "
                "not following it with the API key",
                request_id=request_id,
            )
    return _Job(request_id, status_url, response_url)


def _status(answer: Answer) -> object:
    payload = answer.payload
    return payload.get("status") if isinstance(payload, Mapping) else None


def _result(answer: Answer, job: _Job) -> Answer:
    payload = answer.payload if isinstance(answer.payload, Mapping) else {}
    if payload.get("status") == "FAILED":
        raise SegmindJobFailedError(
            str(payload.get("error") or "the job failed"),
            status_code=answer.status_code,
            request_id=job.request_id,
        )
    output: Any = payload.get("output")
    if isinstance(output, str):
        try:
            output = loads(output)
        except ValueError:  # not JSON, or nested too deep
            raise SegmindResponseError(
                f"the job's output is not JSON: {output[:200]!r}",
                request_id=job.request_id,
            ) from None
    metrics = payload.get("metrics")
    metrics = metrics if isinstance(metrics, Mapping) else {}
    headers = {"x-request-id": job.request_id}
    for header, key in (
        ("x-remaining-credits", "remaining_credits"),
        ("x-cost", "cost"),
        ("x-generation-time", "inference_time"),
    ):
        if metrics.get(key) is not None:
            headers[header] = str(metrics[key])
    return Answer(answer.status_code, headers, output)


def _failure(error: SegmindBadRequestError, job: _Job) -> SegmindJobFailedError:
    return SegmindJobFailedError(
        error.message,
        status_code=error.status_code,
        request_id=job.request_id,
        body=error.body,
    )
