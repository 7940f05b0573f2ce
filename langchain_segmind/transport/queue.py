"""Segmind's queue API (v2): submit a job, poll it, fetch its result; resume it.

A queued result reads exactly like a direct answer: its `output` is the
provider's JSON, its `metrics` stand in for v1's credit headers. Every failure
after Segmind accepted (and billed) a job carries it as `error.job`, but for
an output that came whole and is no readable JSON object: a resume would
fetch the same.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any

import httpx2

from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindContextOverflowError,
    SegmindError,
    SegmindInputError,
    SegmindJobFailedError,
    SegmindNotFoundError,
    SegmindResponseError,
    SegmindTimeoutError,
)
from langchain_segmind.transport.clients import AsyncClient, SyncClient, active_route
from langchain_segmind.transport.deadline import Deadline
from langchain_segmind.transport.failures import (
    error_for_failed_job,
    forget_stack_locals,
)
from langchain_segmind.transport.redaction import without_key
from langchain_segmind.transport.send import (
    Answer,
    Call,
    asend,
    excerpt,
    read_json,
    send,
)

logger = logging.getLogger("langchain_segmind")

FIRST_POLL_DELAY = 0.5
POLL_BACKOFF = 1.5
MAX_POLL_DELAY = 5.0
# What the last poll before the deadline leaves to its answer and the result's.
LAST_POLL_ANSWER_TIME = 1.0
_PENDING = ("QUEUED", "PROCESSING")  # a tuple: a status may be unhashable
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]+")
_FAILED = re.compile(r'"status"\s*:\s*"FAILED"')  # in a body cut at 2,000 bytes
_RESUME_OPTIONS = frozenset(
    {"resume_job", "stream", "model", "timeout", "max_retries", "extra_headers"}
    # Taken to read the reply's calls as the job's own call reads them:
    | {"tools", "tool_choice", "strict", "parallel_tool_calls", "json_mode"}
    | {"response_format"}
)
# A result's metrics, as the credit headers of a v1 answer.
_METRIC_HEADERS = {
    "remaining_credits": "x-remaining-credits",
    "cost": "x-cost",
    "inference_time": "x-generation-time",
}


@dataclass(frozen=True, slots=True)
class SegmindJob:
    """A job Segmind accepted (and bills) on its queue API.

    Pass it to `ChatSegmind.resume` / `aresume` to collect the answer without
    submitting again. It pickles, and `job.to_dict()` is plain JSON.

    Attributes:
        request_id: Segmind's id of the job.
        model: The slug it runs on.
        status_url: Where its status is polled.
        response_url: Where its result is fetched.
    """

    request_id: str
    model: str
    status_url: str
    response_url: str

    def to_dict(self) -> dict[str, str]:
        """The job as a JSON-friendly dict; `SegmindJob(**d)` rebuilds it.

        Returns:
            Its `request_id`, `model`, `status_url` and `response_url`.
        """
        return asdict(self)


def v2_base_url(base_url: str) -> str:
    """The queue API's base URL beside a v1 `base_url`."""
    return base_url.rstrip("/").removesuffix("/v1") + "/v2"


def job_for_id(request_id: str, model: str, v2_base_url: str) -> SegmindJob:
    """The job of a bare request id (one URL path segment), at the usual URLs."""
    if not _REQUEST_ID.fullmatch(request_id):
        raise SegmindInputError(
            f"{request_id!r} is not a Segmind request id (letters, digits, '-' "
            "and '_', as logged when the job was accepted)"
        )
    base = f"{v2_base_url}/requests/{request_id}"
    return SegmindJob(request_id, model, f"{base}/status", base)


def resume_options(job: object, options: Mapping[str, Any]) -> dict[str, Any]:
    """The call options of `resume(job, **options)`: a job's own slug by default.

    Named per call, the slug is the one traces and the credits callback see.
    """
    own = {"model": job.model} if isinstance(job, SegmindJob) else {}
    return {"resume_job": job, **own, **options}


def job_to_resume(model: str, base_url: str, options: Mapping[str, Any]) -> SegmindJob:
    """The job `resume` collects: a `SegmindJob`, or a request id for `model`.

    `options` are the call's: its `resume_job`, and only options a submitted
    job can take.
    """
    if refused := sorted(options.keys() - _RESUME_OPTIONS):
        raise SegmindInputError(
            f"resume cannot take {refused}: the job runs as it was submitted "
            "(resume takes timeout, max_retries, extra_headers, stop, model with "
            "a request id, and the job's tools, tool_choice, strict, "
            "parallel_tool_calls, response_format and json_mode to read its calls)"
        )
    job = options["resume_job"]
    if isinstance(job, str):
        return job_for_id(job, model, v2_base_url(base_url))
    if not isinstance(job, SegmindJob):
        raise SegmindInputError(
            f"resume takes a SegmindJob or a request id, got {type(job).__name__}"
        )
    if options.get("model", job.model) != job.model:
        raise SegmindInputError(
            f"model={options['model']!r} given for a job of {job.model!r}: a job "
            "runs on the model it was submitted to"
        )
    return job


def exchange(call: Call, client: SyncClient | None = None) -> Answer:
    """Send `call`; if `queued`, submit it (or resume `call.job`) and collect it."""
    if not call.queued:
        return send(call, client)
    deadline = replace(Deadline.start(call.timeout), queue="submit")
    job = call.job or _accepted(send(call, client, deadline=deadline), call)
    status, result = _polls(call, job, client)
    deadline = replace(deadline, queue="job")
    with _carrying(job):
        waits = _waits(deadline, job)
        while _pending(send(status, client, deadline=deadline), job):
            deadline.clock.sleep(next(waits))
        answer = _result(send(result, client, deadline=deadline), job, call)
    return _output(answer, job)


async def aexchange(call: Call, client: AsyncClient | None = None) -> Answer:
    """The async form of `exchange`."""
    if not call.queued:
        return await asend(call, client)
    deadline = replace(Deadline.start(call.timeout), queue="submit")
    job = call.job or _accepted(await asend(call, client, deadline=deadline), call)
    status, result = _polls(call, job, client)
    deadline = replace(deadline, queue="job")
    with _carrying(job):
        waits = _waits(deadline, job)
        while _pending(await asend(status, client, deadline=deadline), job):
            await deadline.clock.asleep(next(waits))
        answer = _result(await asend(result, client, deadline=deadline), job, call)
    return _output(answer, job)


_RESUME_HINT = (
    "Segmind accepted the job and goes on with it: collect its answer with "
    "`llm.resume(error.job)` instead of calling again."
)


@contextmanager
def _carrying(job: SegmindJob) -> Iterator[None]:
    """Attach `job` to the error of any failure once it was accepted."""
    try:
        yield
    except SegmindError as error:
        forget_stack_locals(error)  # `_result`'s frames hold the output as it came
        # A 422 saying FAILED, as the result's does (a status poll's 422 is
        # undocumented: else the poll was refused, and the job may go on); a
        # 404, a job Segmind lacks.
        failed = error.status_code == 422 and _FAILED.search(error.body or "")
        if failed or isinstance(error, SegmindNotFoundError):
            raise _ended(job, error) from error
        error.job = job
        error.request_id = error.request_id or job.request_id
        error.is_retryable = False  # sent again, it would pay for a new job
        ended = SegmindJobFailedError | SegmindContextOverflowError
        if not isinstance(error, SegmindTimeoutError | ended):  # said, or moot
            error.hint = f"{error.hint} {_RESUME_HINT}" if error.hint else _RESUME_HINT
        raise
    except Exception as error:  # the user's own code (a handler, a hook) failed
        # Its text stays in the cause: it is the user's, and may hold anything.
        wrapped = SegmindConnectionError(
            f"collecting job {job.request_id} failed in the HTTP client's own code "
            f"(the {type(error).__name__} this error was raised from)",
            request_id=job.request_id,
            hint=_RESUME_HINT,
            retryable=False,
        )
        wrapped.job = job
        raise wrapped from error
    except BaseException as error:  # cancelled, Ctrl-C, `sys.exit()` on SIGTERM
        error.job = job  # type: ignore[attr-defined]
        error.add_note(  # shown with the traceback, as a notebook shows it
            f"Segmind job {job.request_id} goes on, and is billed: collect it "
            f'with llm.resume("{job.request_id}")'
        )
        raise


def _ended(job: SegmindJob, error: SegmindError) -> SegmindError:
    """The error of a job that failed, or that Segmind does not have."""
    if isinstance(error, SegmindNotFoundError):
        ended: SegmindError = SegmindNotFoundError(
            error.message,
            hint=f"Segmind has no job {job.request_id}: a wrong request id, another "
            "account's key, or a result older than the hour Segmind keeps it",
        )
    else:
        ended = error_for_failed_job(error.message)
    ended.status_code, ended.request_id = error.status_code, job.request_id
    ended.body, ended.job, ended.headers = error.body, job, error.headers
    return ended


def _accepted(answer: Answer, call: Call) -> SegmindJob:
    payload = answer.payload if isinstance(answer.payload, Mapping) else {}
    request_id = payload.get("request_id")
    urls = (payload.get("status_url"), payload.get("response_url"))
    given_urls = all(isinstance(url, str) for url in urls)
    if not isinstance(request_id, str) or not (
        given_urls or _REQUEST_ID.fullmatch(request_id)
    ):
        raise SegmindResponseError(
            f"the queue's answer has no usable request_id: {payload!r:.200}",
            status_code=answer.status_code,
            request_id=answer.headers.get("x-request-id"),
        )
    if given_urls:
        job = SegmindJob(request_id, call.model, str(urls[0]), str(urls[1]))
    else:  # accepted (and billed) all the same: poll where Segmind keeps jobs
        job = job_for_id(request_id, call.model, call.url.rpartition("/")[0])
    logger.info("Segmind accepted v2 job %r (%s)", request_id, call.model)
    return job


def _polls(call: Call, job: SegmindJob, client: object) -> list[Call]:
    """The GETs of `job`'s status and result, refused outside the submit's origin."""
    # The key goes with every poll: never to a host other than the submit's
    # (on the default clients, also the one they really sent it to).
    allowed = {_origin(call.url)}
    if client is None and (route := active_route()):
        allowed.add(_origin(route(call.url, None)[0]))
    for url in (job.status_url, job.response_url):
        if _origin(url) not in allowed - {None}:
            resuming = call.job is not None
            refusal = SegmindInputError if resuming else SegmindResponseError
            # Not `_carrying`'s hint: `resume(error.job)` would refuse the same.
            refused = refusal(
                f"the {'job' if resuming else 'queue'} points to {url!r}, outside "
                f"the origin of {call.url!r}; not following it with the API key",
                request_id=job.request_id,
                hint="Collect the job at Segmind's usual job URLs with "
                "`llm.resume(error.job.request_id)`.",
            )
            refused.job = job
            raise refused
    retries = max(call.max_retries, 3)  # a GET is safe to repeat
    poll = partial(replace, call, body=None, timeout=None, max_retries=retries)
    return [poll(url=job.status_url), poll(url=job.response_url)]


def _origin(url: object) -> tuple[str, str, str, int | None] | None:
    """Scheme, credentials, host and port of `url`, as httpx2 reads it.

    A relative URL's are empty: no call's (its `base_url` has a scheme and host).
    """
    try:
        parsed = httpx2.URL(url)  # type: ignore[arg-type]
    except (TypeError, ValueError, httpx2.InvalidURL):
        return None
    return (parsed.scheme, parsed.userinfo.decode(), parsed.host, parsed.port)


def _pending(answer: Answer, job: SegmindJob) -> bool:
    payload = answer.payload if isinstance(answer.payload, Mapping) else {}
    status = payload.get("status")
    if status in _PENDING:
        return True
    if status in ("COMPLETED", "FAILED"):
        return False
    raise SegmindResponseError(
        f"queued job {job.request_id} has an unknown status {status!r}",
        request_id=job.request_id,
    )


def _waits(deadline: Deadline, job: SegmindJob) -> Iterator[float]:
    """The waits between polls, backing off; raises once the deadline allows none."""
    wait = FIRST_POLL_DELAY
    while deadline.allows_wait(wait + LAST_POLL_ANSWER_TIME):
        yield wait
        wait = min(wait * POLL_BACKOFF, MAX_POLL_DELAY)
    left = deadline.remaining() or 0.0
    if left >= FIRST_POLL_DELAY:  # the job may end in time: a last poll
        yield left - min(left / 2, LAST_POLL_ANSWER_TIME)
    raise deadline.error(f"result of queued job {job.request_id}")


def _result(answer: Answer, job: SegmindJob, call: Call) -> Answer:
    """The job's result: its output as it came (a string as UTF-8, key redacted)."""
    payload = answer.payload if isinstance(answer.payload, Mapping) else {}
    if payload.get("status") == "FAILED":
        reason = str(payload.get("error") or "the job failed")
        raise error_for_failed_job(
            reason, status_code=answer.status_code, request_id=job.request_id
        )
    output: Any = payload.get("output")
    if isinstance(output, str):
        # Redacted before JSON reads the escapes the key may be spelled in.
        output = without_key(output.encode("utf-8", "surrogatepass"), call.api_key)
    elif not isinstance(output, Mapping):
        raise SegmindResponseError(
            f"queued job {job.request_id} ended {payload.get('status')!r} without "
            "an answer",
            status_code=answer.status_code,
            request_id=job.request_id,
        )
    metrics = payload.get("metrics")
    metrics = metrics if isinstance(metrics, Mapping) else {}
    headers = {"x-request-id": job.request_id}
    for key, header in _METRIC_HEADERS.items():
        if metrics.get(key) is not None:
            headers[header] = str(metrics[key])
    return Answer(answer.status_code, headers, output, job)


def _output(answer: Answer, job: SegmindJob) -> Answer:
    """`answer` with its output read as JSON.

    Called once the job is collected: an output that cannot be read came
    whole, was billed, and would come the same to a resume, so its error
    carries no job, and the result's cost, as a v1 answer's would.
    """
    if not isinstance(answer.payload, bytes):
        return answer

    def unreadable(problem: str) -> SegmindResponseError:
        error = SegmindResponseError(
            f"the job's output is {problem}; Segmind billed the job, and resuming "
            "it would fetch the same output",
            status_code=answer.status_code,
            request_id=job.request_id,
        )
        error.headers = answer.headers
        return error

    output = read_json(answer.payload, unreadable)
    if not isinstance(output, Mapping):
        raise unreadable(f"not a JSON object: {excerpt(answer.payload)!r}")
    return replace(answer, payload=output)
