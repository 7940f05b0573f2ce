"""The gateway's failures through real sockets, against the emulator.

The unit tier maps every status to its typed error and checks the retry
decision on an `httpx2.MockTransport`. Here the same rules meet a real
connection: errors the emulator provokes for real (a wrong key, an unknown or
retired slug, an empty balance), answers broken on the wire (reset, cut off,
too large, too slow, redirected, a stale keep-alive connection), and how many
requests reached the emulator. Retries wait on the tier's fake clock; the
tests about a deadline in real time use `real_clock` and small timeouts.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import httpx2
import pytest
from langchain_core.messages import AIMessage

from langchain_segmind import (
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindError,
    SegmindInsufficientCreditsError,
    SegmindModelRetiredError,
    SegmindNotFoundError,
    SegmindPermissionError,
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
    new_model,
    posts,
)

PROMPT = "Hello, gateway"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(autouse=True)
def _no_segmind_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    monkeypatch.delenv("SEGMIND_BASE_URL", raising=False)


@pytest.fixture
def own_emulator() -> Any:
    """A throwaway emulator: an answer finishing late must not touch `emulator`."""
    with SegmindEmulator() as running:
        yield running


def own_client(mode: str, **options: Any) -> tuple[str, Any]:
    """A user's httpx2 client for `mode` made with `options`, and its model field."""
    if mode == "sync":
        return "http_client", httpx2.Client(**options)
    return "http_async_client", httpx2.AsyncClient(**options)


async def close(client: Any) -> None:
    await client.aclose() if isinstance(client, httpx2.AsyncClient) else client.close()


# -- errors the emulator provokes for real: typed, sent once, not billed --


def _no_credits(emulator: SegmindEmulator) -> dict[str, Any]:
    emulator.remaining_credits = 0.0
    return {}


def _retired(emulator: SegmindEmulator) -> dict[str, Any]:
    emulator.retire("gpt-4o")
    return {}


def _not_permitted(emulator: SegmindEmulator) -> dict[str, Any]:
    emulator.inject(Fault.model_not_permitted())
    return {}


def _team_spend_limit(emulator: SegmindEmulator) -> dict[str, Any]:
    emulator.inject(Fault.team_spend_limit())
    return {}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("arrange", "error", "message"),
    [
        (
            lambda _: {"api_key": "not-the-right-key"},
            SegmindAuthenticationError,
            "Unauthorized. API key is invalid",
        ),
        (
            lambda _: {"model": "no-such-model"},
            SegmindNotFoundError,
            "Model no-such-model not found",
        ),
        (
            _no_credits,
            SegmindInsufficientCreditsError,
            "Insufficient credits. Your balance is 0.0 credits",
        ),
        (_retired, SegmindModelRetiredError, "Model gpt-4o has been retired"),
        (_not_permitted, SegmindPermissionError, "This model is not permitted"),
        # Not insufficient credits: no top-up lifts a team's limit.
        (_team_spend_limit, SegmindBadRequestError, "Team spend limit reached."),
    ],
    ids=[
        "401-invalid-key",
        "404-unknown-slug",
        "406-no-credits",
        "410-retired",
        "403-not-permitted",
        "406-team-spend-limit",
    ],
)
async def test_a_refused_call_is_typed_sent_once_and_not_billed(
    arrange: Callable[[SegmindEmulator], dict[str, Any]],
    error: type[SegmindError],
    message: str,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FakeClock,
) -> None:
    model = make_model(ChatSegmindGPT4o, max_retries=2, **arrange(emulator))

    with pytest.raises(error) as caught:
        await call(model, mode, PROMPT)

    assert type(caught.value) is error
    assert caught.value.message.startswith(message), caught.value.message
    assert uuid.UUID(str(caught.value.request_id))
    assert len(emulator.requests) == 1
    assert clock.waits == []
    if error is not SegmindInsufficientCreditsError:
        assert emulator.remaining_credits == STARTING_CREDITS


async def test_a_request_id_given_in_a_faults_headers_is_kept(
    emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    given = Fault(status=403, headers={"x-request-id": "req-7"}, with_request_id=True)
    emulator.inject(given)

    with pytest.raises(SegmindPermissionError) as caught:
        await make_model(ChatSegmindGPT4o, max_retries=0).ainvoke(PROMPT)

    assert caught.value.request_id == "req-7"


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault.html(405), SegmindBadRequestError, "<html>"),
        (
            Fault.not_json(),
            SegmindResponseError,
            "Segmind answered with a body",
        ),
        (Fault.truncated(), SegmindResponseError, "the answer was cut off"),
        (
            Fault(status=200, body="[" * TOO_DEEP_FOR_JSON + "]" * TOO_DEEP_FOR_JSON),
            SegmindResponseError,
            "Segmind answered with JSON nested too deeply",
        ),
        (
            Fault(
                status=400,
                body='{"error": '
                + "[" * TOO_DEEP_FOR_JSON
                + "]" * TOO_DEEP_FOR_JSON
                + "}",
            ),
            SegmindBadRequestError,
            "{",
        ),
    ],
    ids=["405-html", "200-not-json", "200-cut-off", "200-deep-json", "400-deep-json"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_an_answer_broken_on_the_wire_is_typed_and_sent_once(
    fault: Fault,
    error: type[SegmindError],
    message: str,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
) -> None:
    emulator.inject(fault, times=3)

    with pytest.raises(error) as caught:
        await call(make_model(ChatSegmindClaude, max_retries=2), mode, PROMPT)

    assert caught.value.message.startswith(message), caught.value.message
    assert caught.value.is_retryable is False
    assert len(emulator.requests) == 1
    # A success Segmind answered was billed; an error answer was not.
    billed = "may have been billed" in caught.value.message
    assert billed == (caught.value.status_code == 200)


@pytest.mark.parametrize(
    ("read_first", "message"),
    [(False, "(empty response body)"), (True, "Unauthorized. API key is invalid")],
    ids=["body-unread", "body-read"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_a_401_the_users_hook_raises_for_is_an_authentication_error(
    read_first: bool, message: str, mode: str, emulator: SegmindEmulator
) -> None:
    # Hooks see the answer before its body is read; one they leave unread is
    # closed with the exception, so only its status and headers remain.
    def hook(response: httpx2.Response) -> None:
        if read_first:
            response.read()
        response.raise_for_status()

    async def ahook(response: httpx2.Response) -> None:
        if read_first:
            await response.aread()
        response.raise_for_status()

    hooks = {"response": [hook if mode == "sync" else ahook]}
    field, client = own_client(mode, event_hooks=hooks)
    model = new_model(emulator, api_key="not-the-right-key", **{field: client})

    with pytest.raises(SegmindAuthenticationError) as caught:
        await call(model, mode, PROMPT)
    await close(client)

    assert caught.value.status_code == 401
    assert caught.value.message.startswith(message), caught.value.message
    assert uuid.UUID(str(caught.value.request_id))
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)
    assert len(emulator.requests) == 1


# -- retryable failures --


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=429, body={"error": "Rate limit exceeded"}),
        Fault.html(502),
        Fault.empty(503),
        Fault(status=503, body='{"error": "Service Unava', truncate=True),
    ],
    ids=["429-no-reset", "502-html", "503-empty", "503-cut-off"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_a_passing_failure_is_retried_and_billed_once(
    fault: Fault,
    mode: str,
    emulator: SegmindEmulator,
    make_model: ModelFactory,
    clock: FakeClock,
) -> None:
    emulator.inject(fault, times=2)

    message = await call(make_model(ChatSegmindGPT4o, max_retries=2), mode, PROMPT)

    assert message.content == REPLY + PROMPT
    assert posts(emulator) == ["/v1/gpt-4o"] * 3
    assert clock.waits == [0.5, 1.0]
    assert emulator.remaining_credits == approx(STARTING_CREDITS - COST_PER_CALL)


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize("mode", MODES)
async def test_on_the_system_clock_a_429_is_sent_again_after_its_reset_time(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    emulator.inject(Fault.rate_limit(reset_in=0.5))
    made = time.time()

    message = await call(make_model(ChatSegmindGPT4o), mode, PROMPT)

    assert message.content == REPLY + PROMPT
    assert posts(emulator) == ["/v1/gpt-4o"] * 2
    assert time.time() - made >= 0.5  # the reset is whole seconds, rounded up


@pytest.mark.parametrize("mode", MODES)
async def test_a_reset_after_the_request_is_not_sent_again(
    mode: str, emulator: SegmindEmulator, make_model: ModelFactory, clock: FakeClock
) -> None:
    # The gateway read the whole request: it may have accepted (and billed) it.
    emulator.inject(Fault.connection_reset(), times=3)

    with pytest.raises(SegmindConnectionError, match="may have been billed") as caught:
        await call(make_model(ChatSegmindClaude, max_retries=2), mode, PROMPT)

    assert caught.value.is_retryable is False
    # Reported as the reset it is, not as a connection the server closed.
    assert type(caught.value.__cause__).__name__ == "ReadError"
    assert len(emulator.requests) == 1
    assert clock.waits == []


@pytest.mark.parametrize("mode", MODES)
async def test_an_unreachable_gateway_is_retried_then_reported(
    mode: str, clock: FakeClock
) -> None:
    with SegmindEmulator() as stopped:
        model = new_model(stopped, ChatSegmindClaude, max_retries=2)

    with pytest.raises(
        SegmindConnectionError, match="could not reach Segmind"
    ) as caught:
        await call(model, mode, PROMPT)

    assert caught.value.is_retryable
    assert type(caught.value.__cause__).__name__ == "ConnectError"
    assert f" at 127.0.0.1:{stopped.port} (" in str(caught.value)  # the address tried
    assert clock.waits == [0.5, 1.0]  # three attempts


async def test_concurrent_calls_with_faults_are_each_sent_as_the_rules_say(
    emulator: SegmindEmulator, make_model: ModelFactory
) -> None:
    # 32 calls; 4 meet a 503 (retried), 2 a reset after the request (not).
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
    assert [type(e) for e in errors] == [SegmindConnectionError] * 2
    assert sum(isinstance(r, AIMessage) for r in results) == 30
    assert len(posts(emulator)) == 32 + 4
    assert emulator.connections_opened <= 16 + 2


# -- answers too slow or too large --


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize(
    "fault", [Fault.slow(3.0), Fault.drip_feed(0.05)], ids=["silent", "dripping-body"]
)
@pytest.mark.parametrize("mode", MODES)
async def test_a_slow_answer_ends_at_the_timeout_and_is_not_resent(
    fault: Fault, mode: str, own_emulator: SegmindEmulator
) -> None:
    own_emulator.inject(fault)
    model = new_model(own_emulator, timeout=0.3, max_retries=2)

    with pytest.raises(SegmindTimeoutError, match=r"within timeout=0\.3s") as caught:
        await call(model, mode, PROMPT)

    assert caught.value.is_retryable is False
    assert len(own_emulator.requests) == 1


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize("mode", MODES)
async def test_a_post_that_waited_too_long_for_a_connection_is_not_sent(
    mode: str, own_emulator: SegmindEmulator
) -> None:
    own_emulator.latency = 2.1
    field, client = own_client(mode, limits=httpx2.Limits(max_connections=1))
    # 0.6 s of the 2.4 s are kept for the answer: the second call may wait
    # 1.8 s for the one connection, which the first holds for 2.1 s.
    model = new_model(own_emulator, timeout=2.4, **{field: client})

    prompts = [PROMPT, PROMPT]
    with get_segmind_callback() as totals:
        if mode == "sync":
            results = model.batch(prompts, return_exceptions=True)
        else:
            results = await model.abatch(prompts, return_exceptions=True)
    await close(client)

    answered, refused = sorted(results, key=lambda item: isinstance(item, Exception))
    assert isinstance(answered, AIMessage)
    assert isinstance(refused, SegmindConnectionError)
    assert "the request was not sent: the HTTP client had no connection" in str(refused)
    assert len(own_emulator.requests) == 1
    assert (totals.successful_requests, totals.failed_requests) == (1, 0)


@pytest.mark.parametrize("mode", MODES)
async def test_a_call_without_a_timeout_ends_at_its_clients_own_timeout(
    mode: str, own_emulator: SegmindEmulator
) -> None:
    own_emulator.inject(Fault.slow(3.0))
    field, client = own_client(mode, timeout=httpx2.Timeout(0.2))
    model = new_model(own_emulator, timeout=None, max_retries=2, **{field: client})

    with pytest.raises(SegmindTimeoutError) as caught:
        await call(model, mode, PROMPT)
    await close(client)

    assert caught.value.message == (
        "no complete answer from Segmind: the HTTP client timed out (the call "
        "has no `timeout` of its own)"
    )
    assert caught.value.is_retryable is False
    assert len(own_emulator.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [Fault.gzip_bomb(inflated_mib=64), Fault.endless_body()],
    ids=["gzip-bomb", "endless-body"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_an_answer_past_the_size_cap_is_refused_and_not_resent(
    fault: Fault, mode: str, own_emulator: SegmindEmulator
) -> None:
    own_emulator.inject(fault)
    model = new_model(own_emulator, max_retries=2, timeout=30)

    with pytest.raises(SegmindResponseError, match="larger than 8 MiB") as caught:
        await call(model, mode, PROMPT)

    assert caught.value.status_code == 200
    assert caught.value.is_retryable is False  # it may have been billed
    assert len(own_emulator.requests) == 1


@pytest.mark.parametrize(
    ("status", "error", "sent"),
    [(400, SegmindBadRequestError, 1), (503, SegmindServerError, 3)],
)
@pytest.mark.parametrize("mode", MODES)
async def test_an_error_answer_past_the_size_cap_is_read_by_its_status(
    mode: str,
    own_emulator: SegmindEmulator,
    status: int,
    error: type[SegmindError],
    sent: int,
) -> None:
    own_emulator.inject(Fault(status=status, body=b"", endless=True), times=3)
    model = new_model(own_emulator, max_retries=2, timeout=30)

    with pytest.raises(error) as caught:
        await call(model, mode, PROMPT)

    assert caught.value.status_code == status
    assert len(own_emulator.requests) == sent  # only the unbilled 503 again


@pytest.mark.parametrize("mode", MODES)
async def test_an_oversized_404_still_suggests_the_slug(
    mode: str, own_emulator: SegmindEmulator
) -> None:
    own_emulator.inject(Fault(status=404, body=b"", endless=True))
    model = new_model(own_emulator, ChatSegmindClaude, model="claude-4.5-sonet")

    with pytest.raises(SegmindNotFoundError) as caught:
        await call(model, mode, PROMPT)

    assert "did you mean 'claude-4.5-sonnet'" in str(caught.value)


# -- connections --


@pytest.mark.parametrize("mode", MODES)
async def test_a_stale_keep_alive_connection_is_not_reused(
    mode: str, own_emulator: SegmindEmulator
) -> None:
    # The gateway closes the idle connection after answering, without saying so.
    own_emulator.inject(Fault.stale_keep_alive())
    model = new_model(own_emulator)

    first = await call(model, mode, "first")
    await asyncio.sleep(0.2)  # the server's close arrives while the connection idles
    second = await call(model, mode, "second")

    assert [first.content, second.content] == [f"{REPLY}first", f"{REPLY}second"]
    assert posts(own_emulator) == ["/v1/gpt-4o"] * 2
    assert own_emulator.connections_opened == 2


@pytest.mark.parametrize(
    ("last_words", "idle"),
    [(b"", "blocking the loop"), (b"HTTP/1.1 408 Timeout\r\n\r\n", "awaiting")],
    ids=["a close the loop was blocked for", "a 408 and a close"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_an_idle_connection_the_server_closed_later_is_not_reused(
    mode: str, last_words: bytes, idle: str
) -> None:
    # The close (after a 408, say) comes a while after the answer; a loop
    # blocked meanwhile has not read it when the next call starts.
    body = json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}
    )
    answer = f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\n\r\n{body}"

    def serve(server: socket.socket) -> None:
        for _ in range(2):
            connection, _ = server.accept()
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                connection.sendall(answer.encode())
                time.sleep(0.1)
                connection.sendall(last_words)

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(10)
        serving = threading.Thread(target=serve, args=(server,))
        serving.start()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/v1"
        model = ChatSegmindGPT4o(base_url=url, api_key="k", max_retries=0)
        first = await call(model, mode, "first")
        if idle == "awaiting":
            await asyncio.sleep(0.3)
        else:
            time.sleep(0.3)
        second = await call(model, mode, "second")
        serving.join()

    assert [first.content, second.content] == ["hi", "hi"]


@pytest.mark.parametrize("client_kind", ["default", "httpx2", "httpx"])
@pytest.mark.parametrize("mode", MODES)
async def test_a_redirect_is_not_followed_even_by_a_following_client(
    mode: str, client_kind: str, emulator: SegmindEmulator
) -> None:
    with SegmindEmulator() as elsewhere:
        location = f"{elsewhere.base_url}/gpt-4o"
        emulator.inject(Fault(status=307, headers={"Location": location}), times=3)
        lib = {"httpx2": httpx2, "httpx": httpx}.get(client_kind)
        client = None
        fields: dict[str, Any] = {}
        if lib is not None:
            client = (lib.Client if mode == "sync" else lib.AsyncClient)(
                follow_redirects=True
            )
            fields["http_client" if mode == "sync" else "http_async_client"] = client
        model = new_model(emulator, max_retries=2, **fields)

        with pytest.raises(SegmindResponseError) as caught:
            await call(model, mode, PROMPT)
        if client is not None:
            await client.aclose() if mode == "async" else client.close()

        assert elsewhere.requests == []
    assert caught.value.status_code == 307
    assert location in str(caught.value)
    assert caught.value.is_retryable is False
    assert len(emulator.requests) == 1
