"""The fault matrix: every failure of Segmind's gateway, against the emulator.

Each row of the spec's error table (docs: /work/shared/segmind-api.md, section 5)
is produced by the loopback emulator, either for real (a wrong key, an unknown or
retired slug, an empty balance, a body the provider rejects) or as a scripted
`Fault` where the client cannot provoke it (a wrong method, a missing content
type, a 403...). For each we assert the typed error, its status, Segmind's
message and request id, and, from the emulator's request log, exactly how many
requests were sent: retryable failures (429, 500, 502, 503, 504, an
unreachable gateway) are retried `max_retries` times, everything else is sent
once; so is a request whose connection broke after it was sent, since Segmind
may have accepted (and billed) it.

Retries wait for real (0.5 s, 1 s, ...), so every model here gets a `FastClock`
(the tier's `clock` fixture): its waits return at once, advance a virtual clock
and are recorded, and its jitter is fixed at 1.0 so that the waits are exact.

The tests use the tier's `emulator` and `make_model` (conftest.py), with
SEGMIND_API_KEY and SEGMIND_BASE_URL cleared, so that a model gets its key and
base URL from the test alone.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindInsufficientCreditsError,
    SegmindModelRetiredError,
    SegmindNotFoundError,
    SegmindPermissionError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from langchain_segmind.transport.clock import SYSTEM_CLOCK
from tests.integration_tests.support import (
    COST_PER_CALL,
    MODES,
    REPLY,
    STARTING_CREDITS,
    FastClock,
    ModelFactory,
    approx,
    call,
    each_class_and_mode,
    error_fault,
    new_model,
    posts,
    slug_of,
)

PROMPT = "Hello, gateway"
DEFAULT_REPLY = REPLY + PROMPT

# One event loop for the module, so that the package's per-loop pooled client
# (and its TLS context, ~50 ms to build) is reused across the async tests.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(autouse=True)
def _no_segmind_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    monkeypatch.delenv("SEGMIND_BASE_URL", raising=False)


def is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def assert_message(error: SegmindError, expected: str, *, prefix: bool) -> None:
    """`error.message` is `expected`, or starts with it if `prefix`."""
    if prefix:
        assert error.message.startswith(expected), error.message
    else:
        assert error.message == expected


# -- the error table: answers that are never retried ---------------------------------


@dataclass(frozen=True)
class ErrorCase:
    """One row of the error table.

    `arrange(emulator, slug)` sets the emulator up (injects a fault, retires the
    model...) and returns extra model fields and call keyword arguments.
    `message(slug)` is the expected message, exactly, unless `prefix` is set,
    in which case the message must start with it. `request_id` is `"uuid"` for
    the emulator's own ids, a literal for a fault's header, `None` for none.
    """

    id: str
    arrange: Callable[[SegmindEmulator, str], tuple[dict[str, Any], dict[str, Any]]]
    error: type[SegmindError]
    status: int
    message: Callable[[str], str]
    prefix: bool = False
    request_id: str | None = "uuid"
    model_fields: dict[str, Any] = field(default_factory=dict)


def _fault(fault: Fault) -> Callable[[SegmindEmulator, str], tuple[dict, dict]]:
    def arrange(emulator: SegmindEmulator, slug: str) -> tuple[dict, dict]:
        emulator.inject(fault)
        return {}, {}

    return arrange


def _model_fields(**fields: Any) -> Callable[[SegmindEmulator, str], tuple[dict, dict]]:
    return lambda emulator, slug: (dict(fields), {})


def _call_kwargs(**kwargs: Any) -> Callable[[SegmindEmulator, str], tuple[dict, dict]]:
    return lambda emulator, slug: ({}, dict(kwargs))


def _no_credits(emulator: SegmindEmulator, slug: str) -> tuple[dict, dict]:
    emulator.remaining_credits = 0.0
    return {}, {}


def _retired(emulator: SegmindEmulator, slug: str) -> tuple[dict, dict]:
    emulator.retire(slug)
    return {}, {}


def _error_answer(
    case_id: str,
    error: type[SegmindError],
    status: int,
    message: str,
    request_id: str | None = None,
) -> ErrorCase:
    """A scripted `{"error": message}` answer, reported with that message."""
    return ErrorCase(
        case_id,
        _fault(error_fault(status, message, request_id)),
        error,
        status,
        lambda slug: message,
        request_id=request_id,
    )


_SUCCESSORS = {"claude-3.5-sonnet": "claude-4.5-sonnet", "gpt-4o": "gpt-5"}

ERROR_CASES = [
    ErrorCase(
        "400-provider-rejects-body",
        _call_kwargs(response_format={"type": "json_schema", "json_schema": {}}),
        SegmindBadRequestError,
        400,
        lambda slug: "response_format.json_schema.schema: an object is required",
    ),
    _error_answer(
        "400-unsupported-option",
        SegmindBadRequestError,
        400,
        "Unsupported option: logprobs",
        request_id="req-400",
    ),
    ErrorCase(
        "401-invalid-key",
        _model_fields(api_key="not-the-right-key"),
        SegmindAuthenticationError,
        401,
        lambda slug: (
            "Unauthorized. API key is invalid or may have expired. "
            "Please check your API key."
        ),
    ),
    _error_answer(
        "401-missing-key-header",
        SegmindAuthenticationError,
        401,
        "Missing Authorization or x-api-key in header",
    ),
    _error_answer(
        "403-model-not-permitted",
        SegmindPermissionError,
        403,
        "Your plan does not include this model",
        request_id="req-403",
    ),
    ErrorCase(
        "404-unknown-slug",
        _model_fields(model="no-such-model"),
        SegmindNotFoundError,
        404,
        lambda slug: "Model no-such-model not found",
    ),
    ErrorCase(
        "405-html-page",
        _fault(Fault.html(405)),
        SegmindBadRequestError,
        405,
        lambda slug: "<html> <head><title>405 Method Not Allowed</title></head>",
        prefix=True,
        request_id=None,
    ),
    ErrorCase(
        "406-invalid-content-type-plain-text",
        _fault(Fault.plain(406, "Invalid content type")),
        SegmindBadRequestError,
        406,
        lambda slug: "Invalid content type",
        request_id=None,
    ),
    ErrorCase(
        "406-insufficient-credits",
        _no_credits,
        SegmindInsufficientCreditsError,
        406,
        lambda slug: (
            "Insufficient credits. Your balance is 0.0 credits, this "
            f"request costs {COST_PER_CALL} credits."
        ),
    ),
    _error_answer(
        "406-team-spend-limit", SegmindBadRequestError, 406, "Team spend limit reached"
    ),
    ErrorCase(
        "410-retired",
        _retired,
        SegmindModelRetiredError,
        410,
        lambda slug: (
            f"Model {slug} has been retired. Please switch to a current "
            "model from the Segmind model directory. "
            f"(model {slug!r} is retired. Try model={_SUCCESSORS[slug]!r}.)"
        ),
    ),
    _error_answer(
        "422-validation",
        SegmindBadRequestError,
        422,
        "messages: at least one message is required",
    ),
    ErrorCase(
        "200-not-json",
        _fault(Fault.not_json()),
        SegmindResponseError,
        200,
        lambda slug: (
            "Segmind answered 200 with a body that is not JSON: "
            "'upstream answered: OK (this is not JSON)'"
        ),
        request_id=None,
    ),
    ErrorCase(
        # May have been billed: never retried.
        "200-truncated",
        _fault(Fault.truncated()),
        SegmindResponseError,
        200,
        lambda slug: "the answer was cut off before its end",
        prefix=True,
        request_id=None,
    ),
    ErrorCase(
        "200-unknown-shape",
        _fault(Fault(status=200, body={"result": "?"})),
        SegmindResponseError,
        200,
        lambda slug: "Segmind's answer has no recognisable shape (keys: ['result'])",
        request_id=None,
    ),
]


@each_class_and_mode
@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.id)
async def test_error_is_typed_and_sent_once(
    case: ErrorCase,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    slug = slug_of(cls)
    fields, kwargs = case.arrange(emulator, slug)
    model = make_model(cls, max_retries=2, **fields)

    with pytest.raises(case.error) as caught:
        await call(model, mode, PROMPT, **kwargs)

    error = caught.value
    assert type(error) is case.error
    assert error.status_code == case.status
    assert_message(error, case.message(slug), prefix=case.prefix)
    if case.request_id == "uuid":
        assert is_uuid(error.request_id), error.request_id
    else:
        assert error.request_id == case.request_id
    assert not error.is_retryable
    # Sent exactly once, never retried, nothing waited for, nothing billed.
    assert len(emulator.requests) == 1
    assert clock.waits == []
    if case.status != 200:
        assert emulator.remaining_credits == (
            0.0 if case.error is SegmindInsufficientCreditsError else STARTING_CREDITS
        )


@each_class_and_mode
async def test_error_str_names_status_message_and_request_id(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    emulator.inject(
        error_fault(403, "Your plan does not include this model", "req-abc")
    )
    with pytest.raises(SegmindPermissionError) as caught:
        await call(make_model(cls), mode, PROMPT)
    assert str(caught.value) == (
        "Segmind HTTP 403: Your plan does not include this model (request id req-abc)"
    )


# -- refused before sending ----------------------------------------------------------


def _no_messages(emulator: SegmindEmulator) -> tuple[dict, Any]:
    return {}, []


def _no_key(emulator: SegmindEmulator) -> tuple[dict, Any]:
    return {"api_key": None}, PROMPT


def _only_system_text(emulator: SegmindEmulator) -> tuple[dict, Any]:
    return {}, [("system", "You are terse.")]


@each_class_and_mode
@pytest.mark.parametrize(
    ("arrange", "error", "match"),
    [
        pytest.param(_no_messages, SegmindInputError, "empty", id="no-messages"),
        pytest.param(
            _no_key, SegmindAuthenticationError, "SEGMIND_API_KEY", id="no-api-key"
        ),
    ],
)
async def test_refused_before_sending(
    arrange: Callable[[SegmindEmulator], tuple[dict, Any]],
    error: type[SegmindError],
    match: str,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    fields, prompt = arrange(emulator)
    model = make_model(cls, **fields)
    with pytest.raises(error, match=match) as caught:
        await call(model, mode, prompt)
    assert caught.value.status_code is None
    assert emulator.requests == []
    assert emulator.connections_opened == 0


@pytest.mark.parametrize("mode", MODES)
async def test_claude_system_text_alone_is_refused_before_sending(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    # Claude's system text travels in `instruction`: no message would be left.
    with pytest.raises(SegmindInputError, match="no user or assistant"):
        await call(make_model(ChatSegmindClaude), mode, _only_system_text(emulator)[1])
    assert emulator.requests == []


# -- retryable failures --------------------------------------------------------------


@dataclass(frozen=True)
class RetryCase:
    id: str
    fault: Fault
    error: type[SegmindError]
    status: int | None
    message: str
    prefix: bool = False


RETRY_CASES = [
    RetryCase(
        "429-no-reset-header",
        error_fault(429, "Rate limit exceeded"),
        SegmindRateLimitError,
        429,
        "Rate limit exceeded",
    ),
    RetryCase(
        "500", Fault.server_error(500), SegmindServerError, 500, "Internal Server Error"
    ),
    RetryCase("502", Fault.server_error(502), SegmindServerError, 502, "Bad Gateway"),
    RetryCase(
        "502-html-page",
        Fault.html(502),
        SegmindServerError,
        502,
        "<html> <head><title>502 Bad Gateway</title></head>",
        prefix=True,
    ),
    RetryCase(
        "503",
        Fault.server_error(503),
        SegmindServerError,
        503,
        "Service Unavailable",
    ),
    RetryCase(
        "504", Fault.server_error(504), SegmindServerError, 504, "Gateway Timeout"
    ),
    RetryCase(
        "503-empty-body",
        Fault.empty(503),
        SegmindServerError,
        503,
        "(empty response body)",
    ),
    RetryCase(
        # An error answer cut off mid-body was not billed: its status decides.
        "503-truncated-body",
        Fault(status=503, body='{"error": "Service Unava', truncate=True),
        SegmindServerError,
        503,
        "(empty response body)",
    ),
]


def _with_request_id(fault: Fault, request_id: str) -> Fault:
    if fault.reset_connection:
        return fault
    return dataclasses.replace(
        fault, headers={**fault.headers, "x-request-id": request_id}
    )


@each_class_and_mode
@pytest.mark.parametrize("case", RETRY_CASES, ids=lambda case: case.id)
async def test_retryable_failure_is_retried_then_succeeds(
    case: RetryCase,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    emulator.inject(case.fault, times=2)
    model = make_model(cls, max_retries=2)

    message = await call(model, mode, PROMPT)

    assert isinstance(message, AIMessage)
    assert message.content == DEFAULT_REPLY
    assert posts(emulator) == [f"/v1/{slug_of(cls)}"] * 3
    assert clock.waits == [0.5, 1.0]  # exponential backoff, jitter pinned to 1
    # Failed attempts are not billed: one call's cost in all.
    assert message.response_metadata["cost"] == approx(COST_PER_CALL)
    assert emulator.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)
    assert message.response_metadata["remaining_credits"] == approx(
        emulator.remaining_credits
    )


@each_class_and_mode
@pytest.mark.parametrize("case", RETRY_CASES, ids=lambda case: case.id)
async def test_retryable_failure_gives_up_after_max_retries(
    case: RetryCase,
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    for attempt in range(1, 4):
        emulator.inject(_with_request_id(case.fault, f"req-{attempt}"))
    model = make_model(cls, max_retries=2)

    with pytest.raises(case.error) as caught:
        await call(model, mode, PROMPT)

    error = caught.value
    assert type(error) is case.error
    assert error.is_retryable
    assert error.status_code == case.status
    assert_message(error, case.message, prefix=case.prefix)
    # The error is the last attempt's.
    assert error.request_id == "req-3"
    assert posts(emulator) == [f"/v1/{slug_of(cls)}"] * 3
    assert clock.waits == [0.5, 1.0]
    assert emulator.remaining_credits == STARTING_CREDITS


@each_class_and_mode
async def test_a_connection_reset_after_the_request_is_not_sent_again(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    # The gateway read the whole request, then reset the connection: it may
    # have accepted the job, so sending it again could bill it twice.
    emulator.inject(Fault.connection_reset())
    model = make_model(cls, max_retries=2)

    with pytest.raises(SegmindConnectionError, match="may have been billed") as caught:
        await call(model, mode, PROMPT)

    assert caught.value.is_retryable is False
    assert caught.value.status_code is None
    assert posts(emulator) == [f"/v1/{slug_of(cls)}"]
    assert clock.waits == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fault",
    [Fault.server_error(503), Fault.connection_reset()],
    ids=["503", "connection-reset"],
)
async def test_max_retries_zero_sends_once(
    fault: Fault,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    emulator.inject(fault)
    with pytest.raises((SegmindServerError, SegmindConnectionError)):
        await call(make_model(ChatSegmindGPT4o, max_retries=0), mode, PROMPT)
    assert len(emulator.requests) == 1
    assert clock.waits == []


@pytest.mark.parametrize("mode", MODES)
async def test_backoff_grows_and_is_capped_at_8_seconds(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory, clock: FastClock
) -> None:
    emulator.inject(Fault.server_error(503), times=6)
    model = make_model(ChatSegmindClaude, max_retries=6, timeout=100)
    message = await call(model, mode, PROMPT)
    assert message.content == DEFAULT_REPLY
    assert len(emulator.requests) == 7
    assert clock.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize("mode", MODES)
async def test_no_retry_wait_runs_past_the_timeout(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory, clock: FastClock
) -> None:
    # timeout=1.2: the first wait (0.5 s) fits, the second (1 s) would not.
    emulator.inject(Fault.server_error(503), times=5)
    model = make_model(ChatSegmindGPT4o, max_retries=5, timeout=1.2)
    with pytest.raises(SegmindServerError):
        await call(model, mode, PROMPT)
    assert len(emulator.requests) == 2
    assert clock.waits == [0.5]


@pytest.mark.parametrize("mode", MODES)
async def test_unreachable_gateway_is_retried_then_reported(
    mode: str, clock: FastClock
) -> None:
    with SegmindEmulator() as stopped:
        model = new_model(stopped, ChatSegmindClaude, clock=clock, max_retries=2)
    with pytest.raises(
        SegmindConnectionError, match="could not reach Segmind"
    ) as caught:
        await call(model, mode, PROMPT)
    assert caught.value.status_code is None
    assert clock.waits == [0.5, 1.0]  # three attempts


# -- rate limits with a reset time ---------------------------------------------------


@each_class_and_mode
async def test_429_waits_until_the_reset_time(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    # The reset time has whole-second precision, rounded up: 5 to 6 s ahead
    # (less the time it takes to send the request, hence the slack below 5).
    emulator.inject(Fault.rate_limit(reset_in=5))
    message = await call(make_model(cls), mode, PROMPT)
    assert message.content == DEFAULT_REPLY
    assert len(emulator.requests) == 2
    assert len(clock.waits) == 1
    assert 4.0 < clock.waits[0] <= 6.0


@pytest.mark.parametrize("mode", MODES)
async def test_429_wait_is_capped_at_60_seconds(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory, clock: FastClock
) -> None:
    emulator.inject(Fault.rate_limit(reset_in=600))
    message = await call(make_model(ChatSegmindClaude, timeout=1000), mode, PROMPT)
    assert message.content == DEFAULT_REPLY
    assert len(emulator.requests) == 2
    assert clock.waits == [60.0]


@each_class_and_mode
async def test_429_resetting_after_the_timeout_is_not_waited_for(
    cls: type[ChatSegmind],
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FastClock,
) -> None:
    emulator.inject(Fault.rate_limit(reset_in=30))
    with pytest.raises(SegmindRateLimitError) as caught:
        await call(make_model(cls, timeout=10), mode, PROMPT)
    error = caught.value
    assert error.status_code == 429
    assert error.message == "Rate limit exceeded. Please retry after the reset time."
    assert error.reset_at is not None
    ahead = (error.reset_at - datetime.now(UTC)).total_seconds()
    assert 29 < ahead <= 31
    assert len(emulator.requests) == 1
    assert clock.waits == []


# -- timeouts ------------------------------------------------------------------------


@pytest.fixture
def slow_gateway() -> Iterator[SegmindEmulator]:
    """A throwaway emulator: a slow answer finishing late must not touch `emulator`."""
    with SegmindEmulator() as running:
        yield running


@each_class_and_mode
async def test_slow_answer_times_out_quickly_and_is_not_retried(
    cls: type[ChatSegmind], mode: str, slow_gateway: SegmindEmulator
) -> None:
    slow_gateway.inject(Fault.slow(2.0))
    model = new_model(slow_gateway, cls, timeout=0.3, max_retries=2)
    started = time.monotonic()
    with pytest.raises(SegmindTimeoutError) as caught:
        await call(model, mode, PROMPT)
    assert time.monotonic() - started < 1.5
    assert caught.value.status_code is None
    assert "timeout" in caught.value.message
    assert len(slow_gateway.requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_latency_within_the_timeout_is_fine(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    emulator.inject(Fault.slow(0.1))
    message = await call(make_model(ChatSegmindGPT4o, timeout=2.0), mode, PROMPT)
    assert message.content == DEFAULT_REPLY
    assert len(emulator.requests) == 1


# -- answers that arrive too slowly, too big, or on a connection that went stale -----


@each_class_and_mode
async def test_a_dripping_body_is_cut_off_at_the_timeout(
    cls: type[ChatSegmind], mode: str, slow_gateway: SegmindEmulator
) -> None:
    # One byte every 0.2 s: each read returns quickly, but the call must still
    # end at its timeout, as a whole.
    slow_gateway.inject(Fault.drip_feed(0.2))
    model = new_model(slow_gateway, cls, clock=SYSTEM_CLOCK, timeout=1.0)

    started = time.monotonic()
    with pytest.raises(SegmindTimeoutError, match=r"timeout=1s") as caught:
        await call(model, mode, PROMPT)

    assert time.monotonic() - started <= 1.0 * 1.1 + 0.1
    assert caught.value.is_retryable is False
    assert len(slow_gateway.requests) == 1


@each_class_and_mode
@pytest.mark.parametrize(
    "fault",
    [Fault.gzip_bomb(inflated_mib=256), Fault.endless_body()],
    ids=["gzip-bomb", "endless-body"],
)
async def test_an_answer_past_the_size_bound_is_refused_and_not_resent(
    fault: Fault, cls: type[ChatSegmind], mode: str, slow_gateway: SegmindEmulator
) -> None:
    slow_gateway.inject(fault)
    model = new_model(slow_gateway, cls, max_retries=2)

    with pytest.raises(SegmindResponseError, match="larger than 32 MiB") as caught:
        await call(model, mode, PROMPT)

    assert caught.value.status_code == 200
    assert caught.value.is_retryable is False  # billed: never sent twice
    assert len(slow_gateway.requests) == 1


@each_class_and_mode
async def test_a_stale_keep_alive_connection_is_not_reused(
    cls: type[ChatSegmind], mode: str, slow_gateway: SegmindEmulator
) -> None:
    # The gateway closes the idle connection after the first answer without
    # saying so; the next call must open a new one and be sent exactly once.
    slow_gateway.inject(Fault.stale_keep_alive())
    model = new_model(slow_gateway, cls)

    async def two_calls() -> list[Any]:
        first = await call(model, mode, "first")
        time.sleep(0.2)  # the connection sits idle; the server's close arrives
        return [first, await call(model, mode, "second")]

    first, second = await two_calls()

    assert [first.content, second.content] == [f"{REPLY}first", f"{REPLY}second"]
    assert posts(slow_gateway) == [f"/v1/{slug_of(cls)}"] * 2
    assert slow_gateway.connections_opened == 2


async def test_concurrent_calls_with_faults_are_each_sent_as_the_rules_say(
    emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    # 32 concurrent calls; 4 meet a 503 (retried), 2 a reset after the request
    # (not retried): 36 POSTs, 30 answers, 2 connection errors.
    emulator.latency = 0.02
    emulator.inject(Fault.server_error(503), times=4)
    emulator.inject(Fault.connection_reset(), times=2)
    model = make_model(ChatSegmindClaude, max_retries=2)

    results = await model.abatch(
        [f"q{n}" for n in range(32)],
        config={"max_concurrency": 16},
        return_exceptions=True,
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 2
    assert all(isinstance(e, SegmindConnectionError) for e in errors)
    assert sum(isinstance(r, AIMessage) for r in results) == 30
    assert len(posts(emulator)) == 32 + 4
    assert emulator.connections_opened <= 16 + 2
