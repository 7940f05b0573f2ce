"""The v2 queue API end to end: `api_version="v2"` against the emulator.

A v2 call is a submit (`POST /v2/<slug>`), status polls (`GET status_url`) until
the job is COMPLETED or FAILED, then one `GET response_url`. These tests check
that the answer is the same `AIMessage` a v1 call gives, that credits, cost and
request id come from the job's metrics, that the emulator's log shows exactly
the expected requests, and how failures, timeouts and transient errors on each
of the three steps are handled. Sync and async, both model classes.

Waits (between polls, before retries) go through the tier's `clock`, a
`FakeClock`: they return at once, advance a virtual clock and are recorded. A
fault meant for a poll is armed by an httpx request hook just before that poll
is sent, since a fault armed for the slug up front would hit the submit instead.

The tests use the tier's `emulator` (conftest.py; its jobs complete on their
second status poll); those that need jobs to take another number of polls
start their own.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx2
import pytest
import pytest_asyncio
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindBadRequestError,
    SegmindError,
    SegmindInsufficientCreditsError,
    SegmindJobFailedError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
    get_segmind_callback,
)
from langchain_segmind.testing import FakeClock, Fault, SegmindEmulator
from tests import TOO_DEEP_FOR_JSON
from tests.integration_tests.support import (
    COST_PER_CALL,
    MODES,
    REPLY,
    STARTING_CREDITS,
    ModelFactory,
    approx,
    call,
    each_class_and_mode,
    error_fault,
    model_factory,
    new_model,
    posts,
    reset_emulator,
    slug_of,
)

PROMPT = "Summarise the queue API"
# Metadata a v2 answer must share with the v1 answer to the same request.
SHARED_METADATA = (
    "model_name",
    "model_provider",
    "finish_reason",
    "stop_reason",
    "upstream_model",
)

# One TLS context for the hooked clients: building one per client costs ~50 ms.
TLS = ssl.create_default_context()

# One event loop for the module, so the package's per-loop pooled client is reused.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def make_model(emulator: SegmindEmulator) -> ModelFactory:
    """The tier's `make_model`, but v2 unless `api_version` is given."""
    return model_factory(emulator, api_version="v2")


def log(emulator: SegmindEmulator) -> list[str]:
    """The emulator's request log as `"METHOD path"` lines."""
    return [f"{r.method} {r.path}" for r in emulator.requests]


def job_id(emulator: SegmindEmulator) -> str:
    """The request id of the (only) job, from the path of its status polls."""
    (request_id,) = {
        r.path.split("/")[3] for r in emulator.requests if r.path.endswith("/status")
    }
    return request_id


def queue_log(
    slug: str, request_id: str, *, submits: int = 1, polls: int, fetches: int = 1
) -> list[str]:
    base = f"/v2/requests/{request_id}"
    return (
        [f"POST /v2/{slug}"] * submits
        + [f"GET {base}/status"] * polls
        + [f"GET {base}"] * fetches
    )


class ArmBefore:
    """An httpx request hook arming `fault` just before the first matching request."""

    def __init__(
        self, emulator: SegmindEmulator, fault: Fault, matches: Callable[[str], bool]
    ) -> None:
        self._emulator, self._fault, self._matches = emulator, fault, matches
        self.armed = False

    def __call__(self, request: httpx2.Request) -> None:
        if not self.armed and self._matches(f"{request.method} {request.url.path}"):
            self.armed = True
            self._emulator.inject(self._fault)

    async def async_hook(self, request: httpx2.Request) -> None:
        self(request)


FaultedModel = Callable[..., tuple[ChatSegmind, ArmBefore]]
FaultedCall = Callable[..., Awaitable[AIMessage]]


@pytest_asyncio.fixture(loop_scope="module")
async def model_with_fault_before(
    emulator: SegmindEmulator, make_model: ModelFactory
) -> AsyncIterator[FaultedModel]:
    """`model_with_fault_before(fault, step, cls, **fields)`: a v2 model, its hook.

    Its httpx clients arm `fault` just before the first request `step` matches.
    """
    made: list[tuple[httpx2.Client, httpx2.AsyncClient]] = []

    def build(
        fault: Fault, step: Callable[[str], bool], cls: type[ChatSegmind], **fields: Any
    ) -> tuple[ChatSegmind, ArmBefore]:
        hook = ArmBefore(emulator, fault, step)
        sync = httpx2.Client(verify=TLS, event_hooks={"request": [hook]})
        async_ = httpx2.AsyncClient(
            verify=TLS, event_hooks={"request": [hook.async_hook]}
        )
        made.append((sync, async_))
        model = make_model(cls, http_client=sync, http_async_client=async_, **fields)
        return model, hook

    yield build
    for sync, async_ in made:
        sync.close()
        await async_.aclose()


@pytest.fixture
def call_with_fault_before(model_with_fault_before: FaultedModel) -> FaultedCall:
    """`call_with_fault_before(fault, step, cls, mode, **fields)`: a v2 call.

    On a `model_with_fault_before`; checks that the fault was armed and that
    the answer is still the usual one.
    """

    async def run(
        fault: Fault,
        step: Callable[[str], bool],
        cls: type[ChatSegmind],
        mode: str,
        **fields: Any,
    ) -> AIMessage:
        model, hook = model_with_fault_before(fault, step, cls, **fields)
        message = await call(model, mode, PROMPT)
        assert hook.armed
        assert message.content.endswith(PROMPT)
        return message

    return run


def is_status_poll(line: str) -> bool:
    return line.startswith("GET ") and line.endswith("/status")


def is_result_fetch(line: str) -> bool:
    return line.startswith("GET /v2/requests/") and not line.endswith("/status")


# -- the happy path ------------------------------------------------------------------


@each_class_and_mode
async def test_v2_answer_equals_the_v1_answer(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FakeClock,
) -> None:
    slug = slug_of(cls)
    v1 = await call(make_model(cls, api_version="v1"), mode, PROMPT)
    v1_body = emulator.requests[0].body
    reset_emulator(emulator)

    v2 = await call(make_model(cls), mode, PROMPT)

    assert isinstance(v2, AIMessage)
    assert v2.content == v1.content
    assert v2.content.startswith(REPLY)
    assert v2.usage_metadata == v1.usage_metadata
    assert v2.tool_calls == []
    for key in SHARED_METADATA:
        assert v2.response_metadata[key] == v1.response_metadata[key], key
    assert v2.response_metadata["model_name"] == slug
    # Submit, two status polls (QUEUED->PROCESSING, then COMPLETED), one fetch.
    request_id = job_id(emulator)
    assert log(emulator) == queue_log(slug, request_id, polls=2)
    assert emulator.requests[0].body == v1_body  # the same body as v1
    assert all(r.headers.get("x-api-key") == "***" for r in emulator.requests)
    # Credits, cost and request id come from the job's metrics; billed once.
    metadata = v2.response_metadata
    assert metadata["request_id"] == request_id
    assert metadata["cost"] == approx(COST_PER_CALL)
    assert emulator.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)
    assert metadata["remaining_credits"] == approx(emulator.remaining_credits)
    assert isinstance(metadata["generation_time"], float)
    assert metadata["generation_time"] >= 0
    assert clock.waits == [0.5]  # one wait, between the two polls


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("polls", "waits"),
    [
        (1, []),
        (4, [0.5, 0.75, 1.125]),
        (7, [0.5, 0.75, 1.125, 1.6875, 2.53125, 3.796875]),
        # Capped at 5 s from the seventh wait on.
        (10, [0.5, 0.75, 1.125, 1.6875, 2.53125, 3.796875, 5.0, 5.0, 5.0]),
    ],
)
async def test_polls_back_off_until_the_job_completes(
    polls: int, waits: list[float], mode: str, clock: FakeClock
) -> None:
    with SegmindEmulator(queue_polls_until_complete=polls) as paced:
        model = new_model(paced, ChatSegmindGPT4o, api_version="v2", timeout=600)
        message = await call(model, mode, PROMPT)
        assert message.content.endswith(PROMPT)
        assert log(paced) == queue_log("gpt-4o", job_id(paced), polls=polls)
    assert clock.waits == waits


# -- failed jobs and timeouts --------------------------------------------------------


@each_class_and_mode
async def test_failed_job_raises_with_segmind_message_and_request_id(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    emulator.fail_next_queue_job("boom")
    with pytest.raises(SegmindJobFailedError) as caught:
        await call(make_model(cls), mode, PROMPT)
    error = caught.value
    request_id = job_id(emulator)
    assert error.message == "boom"
    assert error.request_id == request_id
    assert "boom" in str(error)
    assert request_id in str(error)
    assert not error.is_retryable
    # The status poll that finds it FAILED answers 422: there is no result to fetch.
    assert log(emulator) == queue_log(slug_of(cls), request_id, polls=2, fetches=0)
    assert emulator.remaining_credits == STARTING_CREDITS  # a failed job is not billed


@pytest.mark.parametrize("mode", MODES)
async def test_a_job_failed_for_want_of_credits_is_an_insufficient_credits_error(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    emulator.fail_next_queue_job(
        "Insufficient credits. Your balance is 0 credits, this request costs 0.01."
    )
    with pytest.raises(SegmindInsufficientCreditsError) as caught:
        await call(make_model(ChatSegmindGPT4o), mode, PROMPT)

    assert caught.value.job is not None
    assert caught.value.job.request_id == job_id(emulator)
    assert "Add credits to the Segmind account" in str(caught.value)
    assert not caught.value.is_retryable


@each_class_and_mode
async def test_polling_is_bounded_by_the_timeout(
    cls: type[ChatSegmind], mode: str, clock: FakeClock
) -> None:
    with SegmindEmulator(queue_polls_until_complete=1000) as paced:
        model = new_model(paced, cls, api_version="v2", timeout=5)
        started = time.monotonic()
        with pytest.raises(SegmindTimeoutError) as caught:
            await call(model, mode, PROMPT)
        assert time.monotonic() - started < 1.5
        request_id = job_id(paced)
        # Each poll leaves a second for its answer: after 0.5 + 0.75 + 1.125 s,
        # 1.6875 s more would not, so the last poll goes out at 4 s.
        assert log(paced) == queue_log(slug_of(cls), request_id, polls=5, fetches=0)
    assert clock.waits == [0.5, 0.75, 1.125, 1.625]
    assert caught.value.request_id == request_id
    assert request_id in caught.value.message
    assert "timeout=5s" in caught.value.message


@each_class_and_mode
async def test_a_job_that_ends_just_before_the_timeout_is_collected(
    cls: type[ChatSegmind], mode: str, clock: FakeClock
) -> None:
    # Backing off to 5 s, the tenth poll is at 25.4 s; the next wait would
    # leave no second before timeout=30, so the eleventh goes out at 29 s.
    with SegmindEmulator(queue_polls_until_complete=11) as paced:
        model = new_model(paced, cls, api_version="v2", timeout=30)

        reply = await call(model, mode, PROMPT)

        request_id = job_id(paced)
        assert log(paced) == queue_log(slug_of(cls), request_id, polls=11)
    assert reply.content == REPLY + PROMPT
    assert reply.response_metadata["request_id"] == request_id
    assert clock.waits[-2:] == [5.0, 3.609375]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "answer",
    [
        {"status": "QUEUED"},
        {"request_id": "r/1", "status_url": "/v2/requests/r1/status"},
        {"request_id": 7, "status_url": "/s", "response_url": "/r"},
        '["r1"]',
    ],
    ids=["no-fields", "no-url-nor-usable-id", "id-not-text", "not-an-object"],
)
async def test_a_submit_answer_without_the_jobs_id_and_urls_is_a_response_error(
    answer: dict[str, Any] | str,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    emulator.inject(Fault(status=200, body=answer, content_type="application/json"))

    with pytest.raises(SegmindResponseError) as caught:
        await call(make_model(ChatSegmindGPT4o), mode, PROMPT)

    assert caught.value.message.startswith(
        "the queue's answer has no usable request_id"
    )
    assert caught.value.status_code == 200
    assert caught.value.job is None  # no job to resume: its id never came
    assert log(emulator) == ["POST /v2/gpt-4o"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("result", "error", "message"),
    [
        (
            {"status": "FAILED", "error": "CUDA out of memory"},
            SegmindJobFailedError,
            "CUDA out of memory",
        ),
        ({"status": "FAILED"}, SegmindJobFailedError, "the job failed"),
        (
            {"status": "COMPLETED"},
            SegmindResponseError,
            "queued job {job} ended 'COMPLETED' without an answer",
        ),
        (  # JSON, but no object: no status either
            '["COMPLETED"]',
            SegmindResponseError,
            "queued job {job} ended None without an answer",
        ),
    ],
    ids=["failed", "failed-silently", "no-output", "not-an-object"],
)
async def test_a_result_without_an_answer_fails_with_the_job_to_resume(
    result: dict[str, Any] | str,
    error: type[SegmindError],
    message: str,
    mode: str,
    emulator: SegmindEmulator,
    model_with_fault_before: FaultedModel,
) -> None:
    fault = Fault(status=200, body=result)
    model, hook = model_with_fault_before(fault, is_result_fetch, ChatSegmindGPT4o)

    with pytest.raises(error) as caught:
        await call(model, mode, PROMPT)

    assert hook.armed
    assert type(caught.value) is error
    request_id = job_id(emulator)
    assert caught.value.message == message.format(job=request_id)
    assert caught.value.request_id == request_id
    assert caught.value.job is not None
    assert caught.value.job.request_id == request_id
    assert log(emulator) == queue_log("gpt-4o", request_id, polls=2)  # not retried
    # A failed job has nothing to resume; the others say how to.
    resumable = error is not SegmindJobFailedError
    assert ("resume(error.job)" in str(caught.value)) is resumable
    # The job itself completed at Segmind: resuming it collects the answer.
    resumed = model.resume(caught.value.job)
    assert resumed.content == REPLY + PROMPT


LONG_LIST = "[" + "7, " * 149 + "7]"  # 450 characters: an error quotes 300
DEEP = "[" * TOO_DEEP_FOR_JSON + "]" * TOO_DEEP_FOR_JSON


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ("upstream busy", "not JSON: 'upstream busy'"),
        (DEEP, "JSON nested too deeply to read"),
        ("[1, 2]", "not a JSON object: '[1, 2]'"),
        (LONG_LIST, f"not a JSON object: {LONG_LIST[:300]!r}"),
    ],
    ids=["not-json", "too-deep", "a-list", "a-long-list"],
)
async def test_an_unreadable_output_is_billed_and_counted_as_v1_counts_it(
    output: str,
    problem: str,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    model_with_fault_before: FaultedModel,
) -> None:
    # The same answer, as v1's body and as a v2 job's output with its metrics.
    credits = {"x-cost": "0.5", "x-remaining-credits": "9999.5"}
    emulator.inject(Fault(status=200, body=output, headers=credits))
    v1 = make_model(ChatSegmindGPT4o, api_version="v1")
    metrics = {"cost": 0.5, "remaining_credits": 9999.5}
    result = {"status": "COMPLETED", "metrics": metrics, "output": output}
    v2, hook = model_with_fault_before(
        Fault(status=200, body=result), is_result_fetch, ChatSegmindGPT4o
    )

    totals = []
    for model in (v1, v2):
        with (
            get_segmind_callback() as usage,
            pytest.raises(SegmindResponseError) as caught,
        ):
            await call(model, mode, PROMPT)
        totals.append((usage.failed_requests, usage.total_cost))
        assert usage.remaining_credits == 9999.5

    assert hook.armed
    assert totals == [(1, 0.5)] * 2
    assert caught.value.message == (
        f"the job's output is {problem}; Segmind billed the job, and resuming it "
        "would fetch the same output"
    )
    assert caught.value.request_id == job_id(emulator)
    assert caught.value.job is None  # Segmind keeps that output: a resume gets it
    assert "resume(" not in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
async def test_a_result_of_unknown_shape_counts_its_cost_once(
    mode: str, model_with_fault_before: FaultedModel
) -> None:
    metrics = {"cost": 0.5, "remaining_credits": 9999.5}
    result = {"status": "COMPLETED", "metrics": metrics, "output": '{"reply": "hi"}'}
    model, hook = model_with_fault_before(
        Fault(status=200, body=result), is_result_fetch, ChatSegmindGPT4o
    )

    with get_segmind_callback() as usage:
        with pytest.raises(SegmindResponseError) as caught:
            await call(model, mode, PROMPT)
        assert (usage.failed_requests, usage.total_cost) == (1, 0.5)
        # The job kept for a package that reads that shape: its answer, which
        # the fault no longer replaces, is not counted again.
        assert model.resume(caught.value.job).response_metadata["cost"] > 0

    assert hook.armed
    assert (usage.successful_requests, usage.failed_requests) == (1, 0)
    assert usage.total_cost == usage.by_model["gpt-4o"].total_cost == 0.5


@pytest.mark.parametrize("mode", MODES)
async def test_a_422_on_a_status_poll_not_saying_failed_keeps_the_job(
    mode: str, emulator: SegmindEmulator, model_with_fault_before: FaultedModel
) -> None:
    # Segmind documents a 422 for a FAILED result only: on a status poll,
    # without FAILED, it may be the poll refused while the job goes on.
    fault = error_fault(422, "request_id: invalid format")
    model, hook = model_with_fault_before(fault, is_status_poll, ChatSegmindGPT4o)

    with pytest.raises(SegmindBadRequestError) as caught:
        await call(model, mode, PROMPT)

    assert hook.armed
    assert type(caught.value) is SegmindBadRequestError  # not a failed job
    assert caught.value.message == "request_id: invalid format"
    assert caught.value.job is not None
    assert caught.value.job.request_id == job_id(emulator)
    assert "llm.resume(error.job)" in str(caught.value)
    assert model.resume(caught.value.job).content == REPLY + PROMPT


# -- transient failures on each step -------------------------------------------------


@each_class_and_mode
@pytest.mark.parametrize("max_retries", [0, 2])
async def test_503_on_a_status_poll_is_retried(
    max_retries: int,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    clock: FakeClock,
    call_with_fault_before: FaultedCall,
) -> None:
    # Polls are GETs, safe to repeat: retried even with max_retries=0.
    await call_with_fault_before(
        Fault.server_error(503), is_status_poll, cls, mode, max_retries=max_retries
    )
    # The 503 poll, then the two polls the job needs, then the fetch.
    assert log(emulator) == queue_log(slug_of(cls), job_id(emulator), polls=3)
    assert clock.waits == [0.5, 0.5]  # retry backoff, then the poll interval


@each_class_and_mode
async def test_503_on_the_result_fetch_is_retried(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    clock: FakeClock,
    call_with_fault_before: FaultedCall,
) -> None:
    message = await call_with_fault_before(
        Fault.server_error(503), is_result_fetch, cls, mode
    )
    assert message.response_metadata["remaining_credits"] == approx(
        STARTING_CREDITS - COST_PER_CALL
    )
    assert log(emulator) == queue_log(
        slug_of(cls), job_id(emulator), polls=2, fetches=2
    )
    assert clock.waits == [0.5, 0.5]


@each_class_and_mode
async def test_503_on_submit_is_retried(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FakeClock,
) -> None:
    emulator.inject(Fault.server_error(503), slug=slug_of(cls))
    message = await call(make_model(cls), mode, PROMPT)
    assert message.content.endswith(PROMPT)
    assert log(emulator) == queue_log(
        slug_of(cls), job_id(emulator), submits=2, polls=2
    )
    assert clock.waits == [0.5, 0.5]
    assert emulator.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)


@pytest.mark.parametrize("mode", MODES)
async def test_submit_503_with_max_retries_zero_is_not_retried(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    emulator.inject(Fault.server_error(503))
    with pytest.raises(SegmindServerError):
        await call(make_model(ChatSegmindClaude, max_retries=0), mode, PROMPT)
    assert log(emulator) == ["POST /v2/claude-3.5-sonnet"]


@each_class_and_mode
@pytest.mark.parametrize("real", [False, True], ids=["fault", "provider-rule"])
async def test_400_on_submit_is_not_retried(
    real: bool,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FakeClock,
) -> None:
    model: Any = make_model(cls)
    if real:
        model = model.bind(response_format={"type": "json_schema", "json_schema": {}})
        message = "response_format.json_schema.schema: an object is required"
    else:
        emulator.inject(error_fault(400, "Unsupported option"))
        message = "Unsupported option"
    with pytest.raises(SegmindBadRequestError) as caught:
        await call(model, mode, PROMPT)
    assert type(caught.value) is SegmindBadRequestError  # not a failed *job*
    assert caught.value.status_code == 400
    assert caught.value.message == message
    assert log(emulator) == [f"POST /v2/{slug_of(cls)}"]
    assert clock.waits == []


# -- tools and structured output through the queue -----------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Person(BaseModel):
    """A person."""

    name: str
    age: int


@each_class_and_mode
async def test_tool_calls_round_trip_through_the_queue(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    question = HumanMessage("Add 2 and 3")
    bound = make_model(cls).bind_tools([add])

    first = await call(bound, mode, [question])
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("add", {"a": 2, "b": 3})
    ]
    result = ToolMessage(
        str(add.invoke(first.tool_calls[0]["args"])),
        tool_call_id=first.tool_calls[0]["id"],
    )
    final = await call(bound, mode, [question, first, result])

    assert final.tool_calls == []
    assert final.content == "Here is what the tools returned: 5"
    assert posts(emulator) == [f"/v2/{slug_of(cls)}"] * 2
    assert not emulator.requests_to(f"/v1/{slug_of(cls)}")


@each_class_and_mode
@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
async def test_structured_output_through_the_queue(
    method: str,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    if method == "function_calling":
        prompt = "Record 'Ada', aged 36"  # the protocol model reads the arguments
    else:
        emulator.script_replies('{"name": "Ada", "age": 36}')
        prompt = "Who is Ada? Answer in JSON"
    structured = make_model(cls).with_structured_output(Person, method=method)

    person = await call(structured, mode, prompt)

    assert person == Person(name="Ada", age=36)
    (submit,) = emulator.requests_to(f"/v2/{slug_of(cls)}")
    if method == "json_schema":
        schema = submit.body["response_format"]["json_schema"]["schema"]
        assert set(schema["properties"]) == {"name", "age"}
    assert len(emulator.requests_to("/status")) == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "step", [is_status_poll, is_result_fetch], ids=["status-poll", "result-fetch"]
)
async def test_answer_cut_off_on_a_poll_is_retried(
    step: Callable[[str], bool],
    mode: str,
    emulator: SegmindEmulator,
    call_with_fault_before: FaultedCall,
) -> None:
    await call_with_fault_before(Fault.truncated(), step, ChatSegmindGPT4o, mode)
    polls, fetches = (3, 1) if step is is_status_poll else (2, 2)
    assert log(emulator) == queue_log(
        "gpt-4o", job_id(emulator), polls=polls, fetches=fetches
    )
