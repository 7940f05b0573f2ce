"""Credit tracking against the emulator: `get_segmind_callback` and the balance guard.

The emulator bills `COST_PER_CALL` per successful call and reports the balance,
so every total is checked against the messages returned and the emulator's
books. The handler travels in a context variable: LangChain's executors and
asyncio tasks copy it, a raw `ThreadPoolExecutor` does not. The balance guard
reads the last balance seen per account (base URL + key): its tests use a
throwaway emulator, an account of their own.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx2
import pytest
from langchain.agents import create_agent
from langchain_core.caches import InMemoryCache
from langchain_core.globals import get_llm_cache, set_llm_cache
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.runnables import RunnableLambda
from langchain_core.runnables.config import ContextThreadPoolExecutor
from langchain_core.tools import tool

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindBadRequestError,
    SegmindCallbackHandler,
    SegmindError,
    SegmindInsufficientCreditsError,
    SegmindLowCreditsWarning,
    SegmindServerError,
    get_segmind_callback,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from tests.integration_tests.support import (
    COST_PER_CALL,
    MODES,
    STARTING_CREDITS,
    approx,
    call,
    error_fault,
    new_model,
    posts,
    slug_of,
)

CLAUDE, GPT = "claude-3.5-sonnet", "gpt-4o"

# One event loop for the module, so the package's per-loop pooled client is reused.
pytestmark = pytest.mark.asyncio(loop_scope="module")


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture
def own_account() -> Iterator[SegmindEmulator]:
    """A throwaway emulator: an account whose last balance no other test has seen.

    (`min_remaining_credits` reads the last balance seen for the account, and
    the tier's `emulator` is one account for the whole session.)
    """
    with SegmindEmulator(credits=5.0, cost_per_call=COST_PER_CALL) as running:
        yield running


@dataclass
class Models:
    claude: ChatSegmind
    gpt: ChatSegmind


@pytest.fixture
def models(emulator: SegmindEmulator) -> Models:
    return Models(new_model(emulator, ChatSegmindClaude), new_model(emulator))


def usage_sum(messages: list[AIMessage], key: str) -> int:
    return sum((m.usage_metadata or {}).get(key, 0) for m in messages)


def check_totals(
    cb: SegmindCallbackHandler,
    messages: list[AIMessage],
    emulator: SegmindEmulator,
    *,
    failed: int = 0,
) -> None:
    """The handler's totals agree with the messages and the emulator's books."""
    assert cb.successful_requests == len(messages)
    assert cb.failed_requests == failed
    assert cb.input_tokens == usage_sum(messages, "input_tokens") > 0
    assert cb.output_tokens == usage_sum(messages, "output_tokens") > 0
    assert cb.total_tokens == usage_sum(messages, "total_tokens")
    assert cb.total_tokens == cb.input_tokens + cb.output_tokens
    assert cb.total_cost == approx(COST_PER_CALL * len(messages))
    spent = STARTING_CREDITS - emulator.remaining_credits
    assert cb.total_cost == approx(spent)


# -- totals, per kind of run ---------------------------------------------------------

Scenario = Callable[[Models], Awaitable[list[AIMessage]]]


async def _invoke(m: Models) -> list[AIMessage]:
    return [m.claude.invoke("one"), m.gpt.invoke("two"), m.gpt.invoke("three")]


async def _ainvoke(m: Models) -> list[AIMessage]:
    return [
        await m.claude.ainvoke("one"),
        await m.gpt.ainvoke("two"),
        await m.gpt.ainvoke("three"),
    ]


async def _stream(m: Models) -> list[AIMessage]:
    out: list[AIMessage] = []
    for model in (m.claude, m.gpt):
        chunks = list(model.stream("tell me"))
        merged: AIMessageChunk = chunks[0]
        for chunk in chunks[1:]:
            merged += chunk
        out.append(merged)
    return out


async def _abatch(m: Models) -> list[AIMessage]:
    prompts = [f"question {i}" for i in range(4)]
    return [*await m.claude.abatch(prompts), *await m.gpt.abatch(prompts)]


async def _gather(m: Models) -> list[AIMessage]:
    # Tasks created inside the block copy its context.
    tasks = [
        asyncio.create_task(model.ainvoke(prompt))
        for model, prompt in [
            (m.claude, "one"),
            (m.claude, "two"),
            (m.gpt, "three"),
            (m.gpt, "four"),
        ]
    ]
    return list(await asyncio.gather(*tasks))


async def _langchain_threads(m: Models) -> list[AIMessage]:
    # LangChain's executor copies the context into its threads.
    with ContextThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(model.invoke, "hi") for model in (m.claude, m.gpt) * 2]
        return [future.result() for future in futures]


SCENARIOS: list[tuple[str, Scenario, bool]] = [
    # (id, run, concurrent)
    ("invoke", _invoke, False),
    ("ainvoke", _ainvoke, False),
    ("stream", _stream, False),
    ("abatch", _abatch, True),
    ("asyncio-gather", _gather, True),
    ("context-thread-pool", _langchain_threads, True),
]


@pytest.mark.parametrize(
    ("run", "concurrent"),
    [pytest.param(run, concurrent, id=name) for name, run, concurrent in SCENARIOS],
)
async def test_callback_totals(
    run: Scenario, concurrent: bool, models: Models, emulator: SegmindEmulator
) -> None:
    with get_segmind_callback() as cb:
        messages = await run(models)

    assert len(messages) == len(posts(emulator))
    check_totals(cb, messages, emulator)
    # Whatever order concurrent answers are read in, the handler reports the
    # account's balance after the last call (the lowest one reported).
    assert cb.remaining_credits == approx(emulator.remaining_credits)
    for slug in (CLAUDE, GPT):
        mine = [m for m in messages if m.response_metadata["model_name"] == slug]
        usage = cb.by_model[slug]
        assert usage.successful_requests == len(mine) > 0
        assert usage.failed_requests == 0
        assert usage.input_tokens == usage_sum(mine, "input_tokens")
        assert usage.output_tokens == usage_sum(mine, "output_tokens")
        assert usage.total_tokens == usage_sum(mine, "total_tokens")
        assert usage.total_cost == approx(COST_PER_CALL * len(mine))
    assert set(cb.by_model) == {CLAUDE, GPT}


async def test_summary_is_readable_and_names_both_slugs(
    models: Models, emulator: SegmindEmulator
) -> None:
    with get_segmind_callback() as cb:
        claude = models.claude.invoke("one")
        gpts = models.gpt.batch(["two", "three"])
    claude_tokens = claude.usage_metadata["total_tokens"]
    gpt_tokens = sum(m.usage_metadata["total_tokens"] for m in gpts)
    summary = str(cb)
    assert summary == repr(cb)
    lines = summary.splitlines()
    assert lines[0] == "Segmind requests: 3 succeeded, 0 failed"
    assert lines[1] == (
        f"Tokens: {cb.total_tokens} ({cb.input_tokens} input, "
        f"{cb.output_tokens} output)"
    )
    assert lines[2] == f"Credits spent: {3 * COST_PER_CALL:.6g}"
    assert lines[3] == f"Credits remaining: {emulator.remaining_credits:.6g}"
    assert lines[4:] == [
        f"  {CLAUDE}: 1 ok, 0 failed, {claude_tokens} tokens, "
        f"{COST_PER_CALL:.6g} credits",
        f"  {GPT}: 2 ok, 0 failed, {gpt_tokens} tokens, "
        f"{2 * COST_PER_CALL:.6g} credits",
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_failed_requests_are_counted_once_per_call(
    mode: str, models: Models, emulator: SegmindEmulator
) -> None:
    with get_segmind_callback() as cb:
        emulator.inject(error_fault(400, "Unsupported option"))
        with pytest.raises(SegmindBadRequestError):
            await call(models.claude, mode, "rejected")
        emulator.inject(Fault.server_error(503))  # retried, then fine
        recovered = await call(models.gpt, mode, "recovers")
        emulator.inject(Fault.server_error(503), times=3)  # retries exhausted
        with pytest.raises(SegmindServerError):
            await call(models.gpt, mode, "gives up")

    assert len(posts(emulator)) == 1 + 2 + 3
    check_totals(cb, [recovered], emulator, failed=2)
    assert cb.remaining_credits == approx(emulator.remaining_credits)
    assert (
        cb.by_model[CLAUDE].successful_requests,
        cb.by_model[CLAUDE].failed_requests,
    ) == (0, 1)
    assert (cb.by_model[GPT].successful_requests, cb.by_model[GPT].failed_requests) == (
        1,
        1,
    )
    assert cb.by_model[CLAUDE].total_cost == 0.0
    assert "Segmind requests: 1 succeeded, 2 failed" in str(cb)


async def test_calls_outside_or_in_other_blocks_are_not_counted(
    models: Models, emulator: SegmindEmulator
) -> None:
    models.gpt.invoke("before any block")
    with get_segmind_callback() as outer:
        outer_first = models.claude.invoke("outer 1")
        with get_segmind_callback() as inner:
            inner_messages = [
                models.gpt.invoke("inner 1"),
                models.gpt.invoke("inner 2"),
            ]
        outer_second = models.claude.invoke("outer 2")
    models.gpt.invoke("between blocks")
    with get_segmind_callback() as later:
        later_message = await models.claude.ainvoke("later")
    models.gpt.invoke("after every block")

    assert len(posts(emulator)) == 8
    # The innermost block takes the calls made inside it; blocks never share.
    assert inner.successful_requests == 2
    assert set(inner.by_model) == {GPT}
    assert inner.total_tokens == usage_sum(inner_messages, "total_tokens")
    assert outer.successful_requests == 2
    assert set(outer.by_model) == {CLAUDE}
    assert outer.total_tokens == usage_sum([outer_first, outer_second], "total_tokens")
    assert (
        outer.remaining_credits == outer_second.response_metadata["remaining_credits"]
    )
    assert later.successful_requests == 1
    assert later.total_cost == approx(COST_PER_CALL)
    assert (
        later.remaining_credits == later_message.response_metadata["remaining_credits"]
    )


async def test_a_block_nested_inside_a_chain_counts_in_the_outer_one_too(
    models: Models, emulator: SegmindEmulator
) -> None:
    inner_blocks = []

    def step(prompt: str) -> str:
        with get_segmind_callback() as inner:
            models.gpt.invoke(prompt)
            with pytest.raises(SegmindError):
                models.gpt.invoke(prompt, model="no-such-slug")
        inner_blocks.append(inner)
        return prompt

    with get_segmind_callback() as outer:
        RunnableLambda(step).invoke("inside a chain")
        models.claude.invoke("in the outer block")

    (inner,) = inner_blocks
    assert (inner.successful_requests, inner.failed_requests) == (1, 1)
    assert set(inner.by_model) == {GPT, "no-such-slug"}
    # The chain was the outer block's run, so are the calls made inside it.
    assert (outer.successful_requests, outer.failed_requests) == (2, 1)
    assert set(outer.by_model) == {GPT, "no-such-slug", CLAUDE}


# -- threads -------------------------------------------------------------------------


def _raw_pool(model: ChatSegmind) -> list[AIMessage]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(model.invoke, ["a", "b"]))


def _raw_pool_with_copied_context(model: ChatSegmind) -> list[AIMessage]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, model.invoke, prompt)
            for prompt in ("a", "b")
        ]
        return [future.result() for future in futures]


# CPython threads start with an empty context unless this flag is on.
_THREADS_INHERIT = bool(getattr(sys.flags, "thread_inherit_context", False))


@pytest.mark.parametrize(
    ("run", "counted"),
    [
        pytest.param(_raw_pool, _THREADS_INHERIT, id="raw-thread-pool"),
        pytest.param(_raw_pool_with_copied_context, True, id="raw-pool-copy-context"),
    ],
)
async def test_raw_threads_are_not_counted_unless_the_context_is_copied(
    run: Callable[[ChatSegmind], list[AIMessage]],
    counted: bool,
    models: Models,
    emulator: SegmindEmulator,
) -> None:
    with get_segmind_callback() as cb:
        messages = run(models.gpt)
    assert len(messages) == len(posts(emulator)) == 2  # the calls did happen
    if counted:
        check_totals(cb, messages, emulator)
    else:
        assert cb.successful_requests == 0
        assert cb.total_cost == 0.0


# -- concurrency: which balance is "remaining" ---------------------------------------


class SlowReadLast:
    """Two concurrent calls, "slow" and "fast": "slow" is billed first, read last.

    `hold_slow_answer` is an httpx response hook: once the answer to "slow" is
    in (billed), it holds it until the "fast" call, sent only after that, is
    done. `run(model, pool)` makes both calls in `pool`'s threads.
    """

    def __init__(self) -> None:
        self.slow_billed, self.fast_done = threading.Event(), threading.Event()

    def hold_slow_answer(self, response: httpx2.Response) -> None:
        if b"slow" in response.request.content:
            self.slow_billed.set()
            self.fast_done.wait(5)

    def _fast(self, model: ChatSegmind) -> AIMessage:
        self.slow_billed.wait(5)
        try:
            return model.invoke("fast")
        finally:
            self.fast_done.set()

    def run(
        self, model: ChatSegmind, pool: ThreadPoolExecutor
    ) -> tuple[AIMessage, AIMessage]:
        """The answers to "slow" and to "fast"."""
        slow_future = pool.submit(model.invoke, "slow")
        fast_future = pool.submit(self._fast, model)
        return slow_future.result(), fast_future.result()


async def test_remaining_credits_after_concurrent_calls_is_the_current_balance(
    emulator: SegmindEmulator,
) -> None:
    # The answer to "slow" is billed first but read last, deterministically:
    # its reading waits until the "fast" call (sent after "slow" was billed) is done.
    order = SlowReadLast()
    with httpx2.Client(event_hooks={"response": [order.hold_slow_answer]}) as client:
        model = new_model(emulator, http_client=client)
        with (
            get_segmind_callback() as cb,
            ContextThreadPoolExecutor(max_workers=2) as pool,
        ):
            slow, fast_message = order.run(model, pool)

    assert slow.response_metadata["remaining_credits"] == approx(
        STARTING_CREDITS - COST_PER_CALL
    )
    assert fast_message.response_metadata["remaining_credits"] == approx(
        emulator.remaining_credits
    )
    assert cb.successful_requests == 2
    assert cb.remaining_credits == approx(emulator.remaining_credits)


# -- an agent ------------------------------------------------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


@pytest.mark.parametrize("mode", MODES)
async def test_agent_run_is_totalled(mode: str, emulator: SegmindEmulator) -> None:
    cls = ChatSegmindClaude
    agent = create_agent(new_model(emulator, cls), tools=[add, shout])
    request = {"messages": [("user", "Add 2 and 3, then shout 'hello'")]}
    with get_segmind_callback() as cb:
        state = await call(agent, mode, request)

    # The protocol model calls `add`, then `shout`, then answers: 3 model calls.
    assert state["messages"][-1].content == "Here is what the tools returned: 5; HELLO"
    model_requests = emulator.requests_to(f"/v1/{slug_of(cls)}")
    assert len(model_requests) == 3
    assert cb.successful_requests == len(model_requests)
    assert cb.failed_requests == 0
    assert cb.total_cost == approx(3 * COST_PER_CALL)
    assert cb.remaining_credits == approx(emulator.remaining_credits)
    answers = [m for m in state["messages"] if isinstance(m, AIMessage)]
    assert len(answers) == 3
    assert cb.total_tokens == usage_sum(answers, "total_tokens")
    assert set(cb.by_model) == {slug_of(cls)}


async def test_a_streamed_agent_closed_after_its_first_message_counts_the_answer(
    emulator: SegmindEmulator,
) -> None:
    model = new_model(emulator, ChatSegmindClaude, streaming=True)
    agent = create_agent(model, tools=[add, shout])
    request = {"messages": [("user", "Add 2 and 3, then shout 'hello'")]}

    with get_segmind_callback() as cb:
        stream = agent.astream(request, stream_mode="messages")
        async for _ in stream:
            break  # a chat UI's client went away
        await stream.aclose()

    assert len(emulator.requests_to(f"/v1/{slug_of(ChatSegmindClaude)}")) == 1
    assert (cb.successful_requests, cb.failed_requests) == (1, 0)
    assert cb.total_cost == approx(COST_PER_CALL)


# -- LangChain's cache: a hit is no request ----------------------------------------


@pytest.fixture
def global_cache() -> Iterator[InMemoryCache]:
    """An `InMemoryCache` set with `set_llm_cache`, for this test only."""
    previous = get_llm_cache()
    cache = InMemoryCache()
    set_llm_cache(cache)
    try:
        yield cache
    finally:
        set_llm_cache(previous)


@pytest.mark.parametrize("mode", MODES)
async def test_cache_hits_count_no_request_tokens_or_credits(
    mode: str, emulator: SegmindEmulator
) -> None:
    cls = ChatSegmindClaude
    model = new_model(emulator, cls, cache=InMemoryCache())
    with get_segmind_callback() as cb:
        answers = [await call(model, mode, "the same question") for _ in range(3)]

    assert answers[0].content == answers[1].content == answers[2].content
    assert len(posts(emulator)) == 1  # one request reached the gateway...
    check_totals(cb, answers[:1], emulator)  # ...and it is all that is counted
    assert cb.cache_hits == 2
    assert cb.remaining_credits == approx(emulator.remaining_credits)
    usage = cb.by_model[slug_of(cls)]
    assert (usage.successful_requests, usage.cache_hits) == (1, 2)
    assert usage.total_cost == approx(COST_PER_CALL)
    summary = str(cb).splitlines()
    assert summary[0] == (
        "Segmind requests: 1 succeeded, 0 failed (2 from cache, not billed)"
    )
    assert summary[2] == f"Credits spent: {COST_PER_CALL:.6g}"
    assert summary[4].startswith(f"  {slug_of(cls)}: 1 ok, 0 failed, 2 cached, ")


async def test_answers_cached_before_the_block_cost_nothing_inside_it(
    models: Models, emulator: SegmindEmulator, global_cache: InMemoryCache
) -> None:
    models.claude.invoke("asked before")  # billed, outside any block
    with get_segmind_callback() as cb:
        for _ in range(3):
            models.claude.invoke("asked before")

    assert len(posts(emulator)) == 1
    assert cb.successful_requests == cb.failed_requests == 0
    assert cb.cache_hits == 3
    assert cb.total_tokens == 0
    assert cb.total_cost == 0.0
    # The balance stored with the cached answer is an old one: not reported.
    assert cb.remaining_credits is None


@pytest.mark.parametrize(
    "fields", [{}, {"streaming": True}], ids=["stream", "streaming-invoke"]
)
async def test_with_a_cache_the_totals_match_the_gateways_books(
    fields: dict[str, bool], emulator: SegmindEmulator
) -> None:
    # `stream()` does not read the cache: each stream is a request. A model
    # with `streaming=True` reads it in `invoke`.
    model = new_model(emulator, cache=InMemoryCache(), **fields)
    with get_segmind_callback() as cb:
        for _ in range(2):
            list(model.stream("same"))
        for _ in range(2):
            model.invoke("same")

    assert cb.successful_requests == len(posts(emulator)) >= 1
    assert cb.successful_requests + cb.cache_hits == 4
    assert cb.total_cost == approx(STARTING_CREDITS - emulator.remaining_credits)
    assert cb.total_cost == approx(COST_PER_CALL * cb.successful_requests)


# -- min_remaining_credits -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_low_balance_warns_and_still_sends(
    mode: str, own_account: SegmindEmulator
) -> None:
    model = new_model(own_account, min_remaining_credits=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        first = await call(model, mode, "first")  # no balance known yet: no warning
    assert first.response_metadata["remaining_credits"] == approx(5.0 - COST_PER_CALL)

    with pytest.warns(SegmindLowCreditsWarning, match="min_remaining_credits=10"):
        second = await call(model, mode, "second")

    assert isinstance(second, AIMessage)
    assert len(own_account.requests) == 2
    assert own_account.remaining_credits == approx(5.0 - 2 * COST_PER_CALL)


@pytest.mark.parametrize("mode", MODES)
async def test_low_balance_raises_before_sending(
    mode: str, own_account: SegmindEmulator
) -> None:
    model = new_model(own_account, min_remaining_credits=10, raise_on_low_credits=True)
    await call(model, mode, "first")
    sent = len(own_account.requests)
    balance = own_account.remaining_credits

    with (
        get_segmind_callback() as cb,
        pytest.raises(SegmindInsufficientCreditsError, match="not sent"),
    ):
        await call(model, mode, "second")

    assert len(own_account.requests) == sent == 1
    assert own_account.remaining_credits == balance
    assert cb.failed_requests == 0  # refused before sending: no request failed
    assert cb.successful_requests == 0


async def test_balance_above_the_minimum_neither_warns_nor_raises(
    own_account: SegmindEmulator,
) -> None:
    own_account.remaining_credits = 100.0
    model = new_model(own_account, min_remaining_credits=10, raise_on_low_credits=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        for prompt in ("one", "two", "three"):
            model.invoke(prompt)
    assert len(own_account.requests) == 3


async def test_low_balance_is_per_account_and_shared_by_its_models(
    own_account: SegmindEmulator,
) -> None:
    new_model(own_account).invoke("reports a low balance")  # no minimum on this one
    guarded = new_model(
        own_account,
        ChatSegmindClaude,
        min_remaining_credits=10,
        raise_on_low_credits=True,
    )
    with pytest.raises(SegmindInsufficientCreditsError):
        guarded.invoke("blocked: another model saw the low balance")
    assert len(own_account.requests) == 1

    with SegmindEmulator(credits=5.0) as other_account:
        elsewhere = new_model(
            other_account, min_remaining_credits=10, raise_on_low_credits=True
        )
        assert isinstance(elsewhere.invoke("a different account"), AIMessage)
        assert len(other_account.requests) == 1


async def test_low_balance_reported_by_a_concurrent_call_is_not_forgotten() -> None:
    # Starting at 10 credits, "slow" leaves 9.9877 (above 9.98) and is billed
    # first; "fast" leaves 9.9754 (below) and is read first. "slow" is read last.
    order = SlowReadLast()
    with (
        SegmindEmulator(credits=10.0, cost_per_call=COST_PER_CALL) as account,
        httpx2.Client(event_hooks={"response": [order.hold_slow_answer]}) as client,
    ):
        model = new_model(account, http_client=client, min_remaining_credits=9.98)
        with ThreadPoolExecutor(max_workers=2) as pool:
            slow, fast_message = order.run(model, pool)
        assert slow.response_metadata["remaining_credits"] > 9.98
        assert fast_message.response_metadata["remaining_credits"] < 9.98

        with pytest.warns(SegmindLowCreditsWarning):
            model.invoke("next")


async def test_low_balance_warning_points_at_the_callers_line(
    own_account: SegmindEmulator,
) -> None:
    model = new_model(own_account, min_remaining_credits=10)
    model.invoke("first")
    with pytest.warns(SegmindLowCreditsWarning) as record:
        model.invoke("second")
    assert record[0].filename == __file__


async def test_a_balance_seen_before_the_fixture_is_not_remembered_in_it(
    emulator: SegmindEmulator, request: pytest.FixtureRequest
) -> None:
    emulator.remaining_credits = 5.0
    guarded = new_model(emulator, min_remaining_credits=10, raise_on_low_credits=True)
    guarded.invoke("sees a low balance")
    with pytest.raises(SegmindInsufficientCreditsError):
        guarded.invoke("refused before sending")

    fresh = request.getfixturevalue("segmind_emulator")

    assert isinstance(guarded.invoke("a fresh account"), AIMessage)
    assert len(fresh.requests) == 1


async def test_a_balance_seen_in_a_capture_block_is_forgotten_when_it_ends(
    own_account: SegmindEmulator,
) -> None:
    guarded = ChatSegmindGPT4o(min_remaining_credits=10, raise_on_low_credits=True)
    with own_account.capture_default_clients():
        guarded.invoke("sees a low balance")
        with pytest.raises(SegmindInsufficientCreditsError):
            guarded.invoke("refused before sending")

    with SegmindEmulator() as fresh, fresh.capture_default_clients():
        assert isinstance(guarded.invoke("a fresh account"), AIMessage)
    assert len(fresh.requests) == 1
