"""The v2 queue API end to end: `api_version="v2"` against the emulator.

A v2 call is a submit (`POST /v2/<slug>`), status polls (`GET status_url`) until
the job is COMPLETED or FAILED, then one `GET response_url`. These tests check
that the answer is the same `AIMessage` a v1 call gives, that credits, cost and
request id come from the job's metrics, that the emulator's log shows exactly
the expected requests, and how failures, timeouts and transient errors on each
of the three steps are handled. Sync and async, both model classes.

Waits (between polls, before retries) go through a `FastClock`: they return at
once, advance a virtual clock and are recorded. A fault meant for a poll is
armed by an httpx request hook just before that poll is sent, since a fault
armed for the slug up front would hit the submit instead.

The fixtures are this module's own (`gateway`), not the tier's `emulator`.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindBadRequestError,
    SegmindJobFailedError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind._retry import Clock
from langchain_segmind.testing import DEFAULT_CATALOGUE, Fault, SegmindEmulator

STARTING_CREDITS = 10_000.0
COST_PER_CALL = 0.0123
PROMPT = "Summarise the queue API"
CLASSES = [ChatSegmindClaude, ChatSegmindGPT4o]
MODES = ["sync", "async"]
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


class FastClock(Clock):
    """Virtual time: waits return at once, advance the clock and are recorded."""

    def __init__(self) -> None:
        self.waited = 0.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.waited

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self.waited)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waited += seconds

    async def asleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waited += seconds

    def jitter(self) -> float:
        return 1.0


def approx(credits: float) -> Any:
    """Credits compare to a millionth (pytest's default, 1e-6 relative, would
    let 0.01 pass at 10,000 credits: almost one call's cost)."""
    return pytest.approx(credits, abs=1e-6)


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway_server() -> Iterator[SegmindEmulator]:
    # Jobs complete on their second status poll.
    with SegmindEmulator(
        credits=STARTING_CREDITS,
        cost_per_call=COST_PER_CALL,
        queue_polls_until_complete=2,
    ) as running:
        yield running


@pytest.fixture
def gateway(gateway_server: SegmindEmulator) -> SegmindEmulator:
    """The module's emulator, back to its initial state."""
    gateway_server.reset()
    gateway_server.remaining_credits = STARTING_CREDITS
    gateway_server.latency = 0.0
    for slug in DEFAULT_CATALOGUE:
        gateway_server.add_model(slug)
    return gateway_server


@pytest.fixture
def clock() -> FastClock:
    return FastClock()


def new_model(
    gateway: SegmindEmulator, clock: Clock, cls: type[ChatSegmind], **fields: Any
) -> ChatSegmind:
    fields.setdefault("api_version", "v2")
    model = cls(base_url=gateway.base_url, api_key=gateway.api_key, **fields)
    model._clock = clock
    return model


ModelFactory = Callable[..., ChatSegmind]


@pytest.fixture
def make_model(gateway: SegmindEmulator, clock: FastClock) -> ModelFactory:
    """`make_model(cls, **fields)`: a v2 model on `gateway` and the fast clock."""
    return lambda cls, **fields: new_model(gateway, clock, cls, **fields)


async def call(model: Any, mode: str, prompt: Any = PROMPT) -> Any:
    if mode == "sync":
        return model.invoke(prompt)
    return await model.ainvoke(prompt)


def slug_of(cls: type[ChatSegmind]) -> str:
    return str(cls.model_fields["model"].default)


def log(gateway: SegmindEmulator) -> list[str]:
    """The emulator's request log as `"METHOD path"` lines."""
    return [f"{r.method} {r.path}" for r in gateway.requests]


def job_id(gateway: SegmindEmulator) -> str:
    """The request id of the (only) job, from the path of its status polls."""
    (request_id,) = {
        r.path.split("/")[3] for r in gateway.requests if r.path.endswith("/status")
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
        self, gateway: SegmindEmulator, fault: Fault, matches: Callable[[str], bool]
    ) -> None:
        self._gateway, self._fault, self._matches = gateway, fault, matches
        self.armed = False

    def __call__(self, request: httpx.Request) -> None:
        if not self.armed and self._matches(f"{request.method} {request.url.path}"):
            self.armed = True
            self._gateway.inject(self._fault)

    async def async_hook(self, request: httpx.Request) -> None:
        self(request)


@pytest.fixture
def hooked_clients() -> Iterator[Callable[[ArmBefore], dict[str, Any]]]:
    """`hooked_clients(hook)`: model fields with httpx clients that run `hook`."""
    made: list[Any] = []

    def make(hook: ArmBefore) -> dict[str, Any]:
        sync = httpx.Client(verify=TLS, event_hooks={"request": [hook]})
        async_ = httpx.AsyncClient(
            verify=TLS, event_hooks={"request": [hook.async_hook]}
        )
        made.extend([sync, async_])
        return {"http_client": sync, "http_async_client": async_}

    yield make
    for client in made:
        if isinstance(client, httpx.Client):
            client.close()


def is_status_poll(line: str) -> bool:
    return line.startswith("GET ") and line.endswith("/status")


def is_result_fetch(line: str) -> bool:
    return line.startswith("GET /v2/requests/") and not line.endswith("/status")


# -- the happy path ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_v2_answer_equals_the_v1_answer(
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    slug = slug_of(cls)
    v1 = await call(make_model(cls, api_version="v1"), mode)
    v1_body = gateway.requests[0].body
    gateway.reset()
    gateway.remaining_credits = STARTING_CREDITS

    v2 = await call(make_model(cls), mode)

    assert isinstance(v2, AIMessage)
    assert v2.content == v1.content
    assert v2.content.startswith("Segmind emulator reply (not a model) to: ")
    assert v2.usage_metadata == v1.usage_metadata
    assert v2.tool_calls == []
    for key in SHARED_METADATA:
        assert v2.response_metadata[key] == v1.response_metadata[key], key
    assert v2.response_metadata["model_name"] == slug
    # Submit, two status polls (QUEUED->PROCESSING, then COMPLETED), one fetch.
    request_id = job_id(gateway)
    assert log(gateway) == queue_log(slug, request_id, polls=2)
    assert gateway.requests[0].body == v1_body  # the same body as v1
    assert all(r.headers.get("x-api-key") == "***" for r in gateway.requests)
    # Credits, cost and request id come from the job's metrics; billed once.
    metadata = v2.response_metadata
    assert metadata["request_id"] == request_id
    assert metadata["cost"] == approx(COST_PER_CALL)
    assert gateway.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)
    assert metadata["remaining_credits"] == approx(gateway.remaining_credits)
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
    ],
)
async def test_polls_back_off_until_the_job_completes(
    polls: int, waits: list[float], mode: str, clock: FastClock
) -> None:
    with SegmindEmulator(queue_polls_until_complete=polls) as gateway:
        model = new_model(gateway, clock, ChatSegmindGPT4o)
        message = await call(model, mode)
        assert message.content.endswith(PROMPT)
        assert log(gateway) == queue_log("gpt-4o", job_id(gateway), polls=polls)
    assert clock.waits == waits


@pytest.mark.parametrize("mode", MODES)
async def test_poll_delay_is_capped_at_5_seconds(mode: str, clock: FastClock) -> None:
    with SegmindEmulator(queue_polls_until_complete=10) as gateway:
        model = new_model(gateway, clock, ChatSegmindClaude, timeout=600)
        await call(model, mode)
        assert len(gateway.requests_to("/status")) == 10
    assert clock.waits[-3:] == [5.0, 5.0, 5.0]
    assert max(clock.waits) == 5.0


# -- failed jobs and timeouts --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_failed_job_raises_with_segmind_message_and_request_id(
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    gateway.fail_next_queue_job("boom")
    with pytest.raises(SegmindJobFailedError) as caught:
        await call(make_model(cls), mode)
    error = caught.value
    request_id = job_id(gateway)
    assert error.message == "boom"
    assert error.request_id == request_id
    assert "boom" in str(error)
    assert request_id in str(error)
    assert not error.is_retryable
    assert log(gateway) == queue_log(slug_of(cls), request_id, polls=2)
    assert gateway.remaining_credits == STARTING_CREDITS  # a failed job is not billed


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_polling_is_bounded_by_the_timeout(
    cls: type[ChatSegmind], mode: str, clock: FastClock
) -> None:
    with SegmindEmulator(queue_polls_until_complete=1000) as gateway:
        model = new_model(gateway, clock, cls, timeout=5)
        started = time.monotonic()
        with pytest.raises(SegmindTimeoutError) as caught:
            await call(model, mode)
        assert time.monotonic() - started < 1.5
        request_id = job_id(gateway)
        # 0.5 + 0.75 + 1.125 + 1.6875 = 4.06 s fit in 5 s; the next 2.53 s does not.
        assert log(gateway) == queue_log(slug_of(cls), request_id, polls=5, fetches=0)
    assert clock.waits == [0.5, 0.75, 1.125, 1.6875]
    assert caught.value.request_id == request_id
    assert request_id in caught.value.message
    assert "5s timeout" in caught.value.message


# -- transient failures on each step -------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("max_retries", [0, 2])
async def test_503_on_a_status_poll_is_retried(
    max_retries: int,
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    clock: FastClock,
    hooked_clients: Callable[[ArmBefore], dict[str, Any]],
) -> None:
    # Polls are GETs, safe to repeat: retried even with max_retries=0.
    hook = ArmBefore(gateway, Fault.server_error(503), is_status_poll)
    model = new_model(
        gateway, clock, cls, max_retries=max_retries, **hooked_clients(hook)
    )
    message = await call(model, mode)
    assert hook.armed
    assert message.content.endswith(PROMPT)
    # The 503 poll, then the two polls the job needs, then the fetch.
    assert log(gateway) == queue_log(slug_of(cls), job_id(gateway), polls=3)
    assert clock.waits == [0.5, 0.5]  # retry backoff, then the poll interval


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_503_on_the_result_fetch_is_retried(
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    clock: FastClock,
    hooked_clients: Callable[[ArmBefore], dict[str, Any]],
) -> None:
    hook = ArmBefore(gateway, Fault.server_error(503), is_result_fetch)
    model = new_model(gateway, clock, cls, **hooked_clients(hook))
    message = await call(model, mode)
    assert hook.armed
    assert message.content.endswith(PROMPT)
    assert message.response_metadata["remaining_credits"] == approx(
        STARTING_CREDITS - COST_PER_CALL
    )
    assert log(gateway) == queue_log(slug_of(cls), job_id(gateway), polls=2, fetches=2)
    assert clock.waits == [0.5, 0.5]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_503_on_submit_is_retried(
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    gateway.inject(Fault.server_error(503), slug=slug_of(cls))
    message = await call(make_model(cls), mode)
    assert message.content.endswith(PROMPT)
    assert log(gateway) == queue_log(slug_of(cls), job_id(gateway), submits=2, polls=2)
    assert clock.waits == [0.5, 0.5]
    assert gateway.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)


@pytest.mark.parametrize("mode", MODES)
async def test_submit_503_with_max_retries_zero_is_not_retried(
    mode: str, gateway: SegmindEmulator, make_model: ModelFactory
) -> None:
    gateway.inject(Fault.server_error(503))
    with pytest.raises(SegmindServerError):
        await call(make_model(ChatSegmindClaude, max_retries=0), mode)
    assert log(gateway) == ["POST /v2/claude-3.5-sonnet"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("real", [False, True], ids=["fault", "provider-rule"])
async def test_400_on_submit_is_not_retried(
    real: bool,
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    model: Any = make_model(cls)
    if real:
        model = model.bind(response_format={"type": "json_schema", "json_schema": {}})
        message = "response_format.json_schema.schema: an object is required"
    else:
        gateway.inject(Fault(status=400, body={"error": "Unsupported option"}))
        message = "Unsupported option"
    with pytest.raises(SegmindBadRequestError) as caught:
        await call(model, mode)
    assert type(caught.value) is SegmindBadRequestError  # not a failed *job*
    assert caught.value.status_code == 400
    assert caught.value.message == message
    assert log(gateway) == [f"POST /v2/{slug_of(cls)}"]
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


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
async def test_tool_calls_round_trip_through_the_queue(
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
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
    posted = [line for line in log(gateway) if line.startswith("POST")]
    assert posted == [f"POST /v2/{slug_of(cls)}"] * 2
    assert not gateway.requests_to(f"/v1/{slug_of(cls)}")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
async def test_structured_output_through_the_queue(
    method: str,
    cls: type[ChatSegmind],
    mode: str,
    gateway: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    if method == "function_calling":
        prompt = "Record 'Ada', aged 36"  # the protocol model reads the arguments
    else:
        gateway.script_replies('{"name": "Ada", "age": 36}')
        prompt = "Who is Ada? Answer in JSON"
    structured = make_model(cls).with_structured_output(Person, method=method)

    person = await call(structured, mode, prompt)

    assert person == Person(name="Ada", age=36)
    (submit,) = gateway.requests_to(f"/v2/{slug_of(cls)}")
    if method == "json_schema":
        schema = submit.body["response_format"]["json_schema"]["schema"]
        assert set(schema["properties"]) == {"name", "age"}
    assert len(gateway.requests_to("/status")) == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "step", [is_status_poll, is_result_fetch], ids=["status-poll", "result-fetch"]
)
async def test_answer_cut_off_on_a_poll_is_retried(
    step: Callable[[str], bool],
    mode: str,
    gateway: SegmindEmulator,
    clock: FastClock,
    hooked_clients: Callable[[ArmBefore], dict[str, Any]],
) -> None:
    hook = ArmBefore(gateway, Fault.truncated(), step)
    model = new_model(gateway, clock, ChatSegmindGPT4o, **hooked_clients(hook))
    message = await call(model, mode)
    assert hook.armed
    assert message.content.endswith(PROMPT)
    polls, fetches = (3, 1) if step is is_status_poll else (2, 2)
    assert log(gateway) == queue_log(
        "gpt-4o", job_id(gateway), polls=polls, fetches=fetches
    )
