"""`get_segmind_callback` and the low-balance guard (`min_remaining_credits`).

Each Segmind request is counted once, by its request id: the emulator tier
(test_credits.py) checks the totals against the gateway's books; here the
scripted gateway sends the same request id twice, as a replayed answer or a
resumed job collected a second time would carry it. Other models' calls:
test_callbacks_other_models.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from uuid import uuid4

import httpx2
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, LLMResult

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindCallbackHandler,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindInsufficientCreditsError,
    SegmindLowCreditsWarning,
    SegmindResponseError,
    callbacks,
    forget_known_balances,
    get_segmind_callback,
)
from langchain_segmind.testing import FakeClock
from tests import exit_code_of_forked
from tests.unit_tests.conftest import (
    DEFAULT_ANSWER_HEADERS,
    BrokenBody,
    Invoke,
    ModelFactory,
    Recorder,
    openai_payload,
)


def reply(recorder: Recorder, request_id: str | None) -> None:
    headers = {k: v for k, v in DEFAULT_ANSWER_HEADERS.items() if k != "x-request-id"}
    if request_id is not None:
        headers["x-request-id"] = request_id
    recorder.reply(recorder.openai_payload("hi"), headers=headers)


def test_an_answer_under_a_counted_request_id_costs_nothing_again(
    gpt: ChatSegmindGPT4o, recorder: Recorder, call: Invoke
) -> None:
    for request_id in ("req-1", "req-1", "req-2"):
        reply(recorder, request_id)

    with get_segmind_callback() as cb:
        answers = [call(gpt, "hello") for _ in range(3)]

    assert [a.response_metadata["request_id"] for a in answers] == [
        "req-1",
        "req-1",
        "req-2",
    ]
    assert (cb.successful_requests, cb.cache_hits) == (2, 1)
    assert cb.total_tokens == 2 * 296
    assert cb.total_cost == pytest.approx(2 * 0.0123)
    assert cb.remaining_credits == pytest.approx(5506.989519907738)
    usage = cb.by_model["gpt-4o"]
    assert (usage.successful_requests, usage.cache_hits) == (2, 1)
    assert "(1 from cache, not billed)" in str(cb)


def test_a_handler_remembers_only_the_request_ids_it_counted_last(
    gpt: ChatSegmindGPT4o, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(callbacks, "MAX_REMEMBERED_REQUESTS", 2)
    for request_id in ("req-1", "req-2", "req-3", "req-3", "req-1"):
        reply(recorder, request_id)

    with get_segmind_callback() as cb:
        for _ in range(5):
            gpt.invoke("hello")

    # req-3 again is known; req-1, counted three answers earlier, is not.
    assert (cb.successful_requests, cb.cache_hits) == (4, 1)


def test_answers_without_a_request_id_are_each_counted(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    reply(recorder, None)
    reply(recorder, None)

    with get_segmind_callback() as cb:
        gpt.invoke("one")
        gpt.invoke("two")

    assert (cb.successful_requests, cb.cache_hits) == (2, 0)
    assert cb.total_cost == pytest.approx(2 * 0.0123)


def test_costs_add_up_as_segmind_writes_them_in_decimal(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    for _ in range(10):
        recorder.reply(openai_payload("hi"), headers={"x-cost": "0.1"})

    with get_segmind_callback() as cb:
        for _ in range(10):
            gpt.invoke("hello")

    assert (cb.total_cost, cb.by_model["gpt-4o"].total_cost) == (1.0, 1.0)


def test_a_cost_past_what_a_float_holds_is_counted_as_infinite(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    for _ in range(3):
        recorder.reply(openai_payload("hi"), headers={"x-cost": "1e308"})

    with get_segmind_callback() as cb:
        for _ in range(3):
            gpt.invoke("hello")

    assert (cb.successful_requests, cb.total_cost) == (3, float("inf"))


def test_an_answer_without_segmind_headers_is_counted_without_credits(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    recorder.reply(recorder.openai_payload("hi"), headers={})

    with get_segmind_callback() as cb:
        answer = gpt.invoke("hello")

    assert answer.response_metadata["remaining_credits"] is None
    assert (cb.successful_requests, cb.total_tokens) == (1, 296)
    assert (cb.total_cost, cb.remaining_credits) == (0, None)


def test_cores_usage_metadata_is_kept_by_model(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    reply(recorder, "req-1")
    reply(recorder, "req-2")

    with get_segmind_callback() as cb:
        gpt.invoke("one")
        gpt.invoke("two")

    assert cb.usage_metadata["gpt-4o"]["input_tokens"] == 2 * 289
    assert cb.usage_metadata["gpt-4o"]["output_tokens"] == 2 * 7
    assert cb.usage_metadata["gpt-4o"]["total_tokens"] == cb.total_tokens == 2 * 296


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (401, SegmindAuthenticationError, "API key is invalid"),
        (406, SegmindInsufficientCreditsError, "Insufficient credits"),
    ],
    ids=["401", "406"],
)
def test_a_key_or_credits_refusal_answered_by_segmind_is_a_failed_request(
    gpt: ChatSegmindGPT4o,
    recorder: Recorder,
    call: Invoke,
    status: int,
    error: type[Exception],
    text: str,
) -> None:
    # Unlike a missing key, the request was sent: Segmind answered it.
    recorder.fail(status, f"{text}.")

    with get_segmind_callback() as cb, pytest.raises(error, match=text):
        call(gpt, "one")

    assert recorder.count == 1
    assert (cb.successful_requests, cb.failed_requests) == (0, 1)
    assert cb.by_model["gpt-4o"].failed_requests == 1


def test_a_segmind_call_failing_with_your_own_error_is_no_error_of_the_handler(
    gpt: ChatSegmindGPT4o, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.queue(RuntimeError("your transport's own failure"))

    with get_segmind_callback(), pytest.raises(RuntimeError, match="own failure"):
        gpt.invoke("one")

    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_calls_though_a_thread_was_noting_a_balance_at_the_fork(
    gpt: ChatSegmindGPT4o,
) -> None:
    with callbacks._balances_lock:  # as held by another thread at the fork
        assert exit_code_of_forked(lambda: gpt.invoke("Hi").content) == 0


def test_an_answer_cut_after_its_success_status_counts_its_cost_and_balance(
    make_model: ModelFactory, recorder: Recorder, call: Invoke
) -> None:
    forget_known_balances()
    model = make_model(ChatSegmindGPT4o, min_remaining_credits=10.0, max_retries=0)
    billed = {"x-cost": "0.5", "x-remaining-credits": "3.25", "x-request-id": "r1"}
    cut = BrokenBody(httpx2.ReadError("connection reset"))
    recorder.queue(httpx2.Response(200, headers=billed, stream=cut))

    with get_segmind_callback() as cb, pytest.raises(SegmindResponseError) as caught:
        call(model, "one")

    assert caught.value.headers["x-cost"] == "0.5"
    assert (cb.failed_requests, cb.total_cost, cb.remaining_credits) == (1, 0.5, 3.25)
    assert cb.by_model["gpt-4o"].total_cost == 0.5
    with pytest.warns(SegmindLowCreditsWarning, match="3.25 credits"):
        call(model, "two")


def test_an_error_answer_costs_nothing_and_tells_the_balance(
    make_model: ModelFactory, recorder: Recorder, call: Invoke
) -> None:
    model = make_model(ChatSegmindGPT4o, max_retries=0)
    recorder.fail(400, "bad", headers={"x-cost": "2.0", "x-remaining-credits": "1.5"})

    with get_segmind_callback() as cb, pytest.raises(SegmindBadRequestError):
        call(model, "one")

    assert (cb.failed_requests, cb.total_cost, cb.remaining_credits) == (1, 0.0, 1.5)


async def test_a_stream_left_after_its_chunk_counts_its_billed_answer(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    reply(recorder, "req-1")
    reply(recorder, "req-2")

    with get_segmind_callback() as cb:
        assert next(gpt.stream("one")).content == "hi"  # the stream is not drained
        async with aclosing(gpt.astream("two")) as stream:
            async for chunk in stream:
                assert chunk.content == "hi"
                break

    assert (cb.successful_requests, cb.failed_requests) == (2, 0)
    assert cb.total_tokens == 2 * 296
    assert cb.usage_metadata["gpt-4o"]["total_tokens"] == 2 * 296
    assert cb.total_cost == pytest.approx(2 * 0.0123)
    assert cb.remaining_credits == pytest.approx(5506.989519907738)


async def test_a_block_left_in_another_task_than_it_was_entered_ends(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    async def answers() -> AsyncIterator[tuple[str, SegmindCallbackHandler]]:
        with get_segmind_callback() as cb:
            async for chunk in gpt.astream("hello"):
                yield chunk.text, cb

    steps = answers()  # stepped as a merge of streams does, a task per step
    text, cb = await asyncio.create_task(anext(steps))
    with pytest.raises(StopAsyncIteration):
        await asyncio.create_task(anext(steps))

    assert (text, cb.successful_requests) == ("echo: hello", 1)


def test_a_drained_stream_is_counted_once(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    reply(recorder, "req-1")

    with get_segmind_callback() as cb:
        assert [chunk.content for chunk in gpt.stream("one")] == ["hi"]

    assert cb.successful_requests == 1
    assert cb.usage_metadata["gpt-4o"]["total_tokens"] == 296


def test_an_async_stream_is_counted_while_the_loops_executor_is_busy(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    # Closing an async stream can cancel a callback queued in the executor.
    reply(recorder, "req-1")

    async def stream_once(cb: SegmindCallbackHandler) -> None:
        release = threading.Event()
        busy = ThreadPoolExecutor(max_workers=1)
        busy.submit(release.wait)
        asyncio.get_running_loop().set_default_executor(busy)
        try:
            async with aclosing(gpt.astream("one")) as stream:
                async for _ in stream:
                    assert cb.successful_requests == 1
                    break
        finally:
            release.set()  # else the loop's shutdown waits for it

    with get_segmind_callback() as cb:
        asyncio.run(asyncio.wait_for(stream_once(cb), timeout=5))


def test_calls_refused_before_sending_are_not_failed_requests(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    keyless = make_model(ChatSegmindGPT4o, api_key=None)
    closed = httpx2.Client(transport=httpx2.MockTransport(recorder))
    closed.close()

    with get_segmind_callback() as cb:
        with pytest.raises(SegmindInputError):
            make_model(ChatSegmindGPT4o).invoke("Hi", max_tokens=-1)
        with pytest.raises(SegmindAuthenticationError, match="no Segmind API key"):
            keyless.invoke("Hi")
        with pytest.raises(SegmindConnectionError, match="was not sent"):
            make_model(ChatSegmindGPT4o, http_client=closed).invoke("Hi")

    assert recorder.count == 0
    assert (cb.successful_requests, cb.failed_requests) == (0, 0)
    assert cb.by_model == {}


def test_a_v2_job_whose_polls_find_no_free_connection_is_a_failed_request(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.queue(*(httpx2.PoolTimeout("busy") for _ in range(50)))
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2", max_retries=0)

    with get_segmind_callback() as cb, pytest.raises(SegmindConnectionError) as caught:
        queued.invoke("Hi")

    assert caught.value.job is not None  # accepted, so billed
    assert cb.failed_requests == 1


def test_a_v2_job_failing_again_when_resumed_is_one_failed_request(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    # Each poll's answer has a request id of its own, not the job's.
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.fail(400, headers={"x-request-id": "poll-1"})
    recorder.fail(400, headers={"x-request-id": "poll-2"})
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2", max_retries=0)

    with get_segmind_callback() as cb:
        with pytest.raises(SegmindError) as caught:
            queued.invoke("Hi")
        with pytest.raises(SegmindError):
            queued.resume(caught.value.job)

    assert cb.failed_requests == 1


def test_a_v2_result_cut_after_its_success_counts_its_cost_when_resumed(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    # A job's cost comes in its result's metrics, cut here.
    billed = {"x-request-id": "job-1"}
    cut = BrokenBody(httpx2.ReadError("reset"), b'{"status": "COMPL')
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    for _ in range(4):  # the result's fetch, and its three retries (a GET)
        recorder.queue(httpx2.Response(200, headers=billed, stream=cut))
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2", max_retries=0)

    with get_segmind_callback() as cb:
        with pytest.raises(SegmindResponseError) as caught:
            queued.invoke("Hi")
        assert "cut off" in str(caught.value)
        assert (cb.failed_requests, cb.total_cost) == (1, 0.0)
        recorder.reply({"status": "COMPLETED"})
        done = openai_payload("done")
        recorder.reply(
            {"status": "COMPLETED", "output": done, "metrics": {"cost": 0.5}}
        )
        assert queued.resume(caught.value.job).text == "done"

    assert (cb.successful_requests, cb.total_cost) == (1, 0.5)


def test_a_v2_output_that_cannot_be_read_is_counted_once_however_often_resumed(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    # Its error carries no job: resumed by its id, it fetches the same output.
    unreadable = {"status": "COMPLETED", "output": "busy", "metrics": {"cost": 0.5}}
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    for _ in range(3):
        recorder.reply({"status": "COMPLETED"})
        recorder.reply(unreadable)
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2")

    with get_segmind_callback() as cb:
        with pytest.raises(SegmindResponseError) as caught:
            queued.invoke("Hi")
        assert caught.value.job is None
        for _ in range(2):
            with pytest.raises(SegmindResponseError):
                queued.resume("job-1")

    assert (cb.failed_requests, cb.total_cost) == (1, 0.5)
    assert cb.by_model["gpt-4o"].failed_requests == 1


def test_a_v2_job_that_cost_nothing_reads_a_cost_of_zero(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    metrics = {"cost": 0, "remaining_credits": 12.5}
    recorder.reply(
        {"status": "COMPLETED", "output": openai_payload("free"), "metrics": metrics}
    )
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2")

    metadata = queued.invoke("Hi").response_metadata

    assert (metadata["cost"], metadata["remaining_credits"]) == (0.0, 12.5)


# -- the low-balance guard (min_remaining_credits) -------------------------------------

# The balance the recorder's answers report (DEFAULT_ANSWER_HEADERS).
BALANCE = 5506.989519907738


@pytest.fixture
def fresh_balances() -> Iterator[None]:
    """No balance known before the test, none left behind for the next one.

    The last balance seen is kept process-wide per account, and every model of
    this tier calls the same account (the default base URL, `test-key`).
    """
    forget_known_balances()
    yield
    forget_known_balances()


@pytest.mark.usefixtures("fresh_balances")
def test_a_balance_below_the_minimum_warns_and_the_call_is_still_sent(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    model = make_model(ChatSegmindGPT4o, min_remaining_credits=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        model.invoke("one")  # no balance known yet: nothing to warn about

    with pytest.warns(SegmindLowCreditsWarning) as caught:
        answer = model.invoke("two")

    assert answer.content == "echo: two"
    assert recorder.count == 2
    [warning] = caught
    assert str(warning.message) == (
        "the Segmind account's last known balance, 5506.99 credits, is below "
        "min_remaining_credits=10000"
    )
    assert warning.filename == __file__  # points at the caller's line


@pytest.mark.usefixtures("fresh_balances")
def test_a_balance_at_or_above_the_minimum_neither_warns_nor_refuses(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    model = make_model(
        ChatSegmindGPT4o, min_remaining_credits=BALANCE, raise_on_low_credits=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        model.invoke("one")
        model.invoke("two")

    assert recorder.count == 2


@pytest.mark.usefixtures("fresh_balances")
def test_a_balance_on_an_answer_that_cannot_be_read_still_counts(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    model = make_model(
        ChatSegmindGPT4o, min_remaining_credits=10_000, raise_on_low_credits=True
    )
    recorder.reply({"choices": []}, headers={"x-remaining-credits": "49.5"})
    with pytest.raises(SegmindResponseError):
        model.invoke("one")

    with pytest.raises(SegmindInsufficientCreditsError, match=r"49\.5 credits"):
        model.invoke("two")
    assert recorder.count == 1


@pytest.mark.usefixtures("fresh_balances")
def test_a_higher_balance_read_soon_after_a_lower_one_does_not_hide_it(
    make_model: ModelFactory, recorder: Recorder, fake_clock: FakeClock
) -> None:
    # Answers of concurrent calls may be read out of billing order: within
    # 30 s the lowest balance stands; later, a higher one (a top-up) replaces it.
    model = make_model(ChatSegmindGPT4o, min_remaining_credits=100)
    for balance in ("50", "500"):
        recorder.reply(openai_payload("ok"), headers={"x-remaining-credits": balance})
    model.invoke("one")
    with pytest.warns(SegmindLowCreditsWarning):
        model.invoke("two")
    with pytest.warns(SegmindLowCreditsWarning, match="50 credits"):
        model.invoke("three")

    fake_clock.sleep(31)
    recorder.reply(openai_payload("ok"), headers={"x-remaining-credits": "500"})
    with pytest.warns(SegmindLowCreditsWarning):
        model.invoke("four")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        model.invoke("five")
    assert recorder.count == 5


@pytest.mark.usefixtures("fresh_balances")
def test_a_top_up_is_seen_though_calls_go_on_every_ten_seconds(
    make_model: ModelFactory, recorder: Recorder, fake_clock: FakeClock
) -> None:
    model = make_model(ChatSegmindGPT4o, min_remaining_credits=100)
    for balance in ("50", "500", "500", "500", "500", "500"):  # topped up after one
        recorder.reply(openai_payload("ok"), headers={"x-remaining-credits": balance})

    warned = []
    for _ in range(6):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.invoke("hello")
        warned.append(bool(caught))
        fake_clock.sleep(10)

    # The 50 stands for 30 s after it was read, not 30 s after each later answer.
    assert warned == [False, True, True, True, False, False]


@pytest.mark.usefixtures("fresh_balances")
def test_only_the_balances_of_the_accounts_seen_last_are_remembered(
    make_model: ModelFactory, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(callbacks, "MAX_REMEMBERED_ACCOUNTS", 2)
    models = [
        make_model(ChatSegmindGPT4o, api_key=f"key-{n}", min_remaining_credits=10_000)
        for n in range(3)
    ]
    for model in models:
        model.invoke("one")

    with warnings.catch_warnings():
        warnings.simplefilter("error", SegmindLowCreditsWarning)
        models[0].invoke("two")  # forgotten: seen longest ago
    with pytest.warns(SegmindLowCreditsWarning):
        models[2].invoke("two")


@pytest.mark.usefixtures("fresh_balances")
def test_forget_known_balances_lets_a_refusing_model_send_again(
    make_model: ModelFactory, recorder: Recorder, call: Invoke
) -> None:
    model = make_model(
        ChatSegmindGPT4o, min_remaining_credits=10_000, raise_on_low_credits=True
    )
    call(model, "one")  # reports the balance, below the minimum

    with pytest.raises(SegmindInsufficientCreditsError) as refused:
        call(model, "two")
    assert str(refused.value) == (
        "the Segmind account's last known balance, 5506.99 credits, is below "
        "min_remaining_credits=10000; the request was not sent. After topping "
        "up, call langchain_segmind.forget_known_balances()."
    )
    assert recorder.count == 1

    forget_known_balances()  # e.g. after a top-up

    assert call(model, "three").content == "echo: three"
    assert recorder.count == 2


@pytest.mark.usefixtures("fresh_balances")
@pytest.mark.parametrize("action", ["default", "once"])
def test_each_accounts_low_balance_warns_under_the_default_and_once_filters(
    make_model: ModelFactory, recorder: Recorder, action: str
) -> None:
    models = [
        make_model(ChatSegmindGPT4o, api_key=f"key-{n}", min_remaining_credits=100)
        for n in range(2)
    ]
    for _ in range(4):
        recorder.reply(openai_payload("ok"), headers={"x-remaining-credits": "50"})
    for model in models:
        model.invoke("sees the balance")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for model in models:  # one line, one text: each account still warns
            model.invoke("warned")

    assert [w.category for w in caught] == [SegmindLowCreditsWarning] * 2


def test_a_handler_kept_for_long_remembers_the_runs_started_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(callbacks, "MAX_REMEMBERED_REQUESTS", 2)
    handler = SegmindCallbackHandler()
    runs = [uuid4() for _ in range(3)]
    segmind = {"ls_provider": "segmind", "ls_model_name": "gpt-4o"}
    for run in runs:  # a cancelled call's run gets neither an end nor an error
        handler.on_chat_model_start({}, [[]], run_id=run, metadata=segmind)

    for run in runs:
        handler.on_llm_error(SegmindResponseError("cut"), run_id=run)

    assert handler.failed_requests == 2  # the run started first was forgotten


def test_a_handler_kept_for_long_forgets_the_runs_that_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(callbacks, "MAX_REMEMBERED_REQUESTS", 2)
    handler = SegmindCallbackHandler()
    segmind = {"ls_provider": "segmind", "ls_model_name": "gpt-4o"}
    slow, *quick = [uuid4() for _ in range(3)]
    handler.on_chat_model_start({}, [[]], run_id=slow, metadata=segmind)
    for run in quick:  # answered while the slow one runs
        handler.on_chat_model_start({}, [[]], run_id=run, metadata=segmind)
        handler.on_llm_end(LLMResult(generations=[[]]), run_id=run)
    handler.on_chat_model_start({}, [[]], run_id=uuid4())  # no metadata: not ours

    handler.on_llm_error(SegmindResponseError("cut"), run_id=slow)

    assert handler.failed_requests == 1


def test_a_handler_kept_for_long_remembers_the_streams_counted_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(callbacks, "MAX_REMEMBERED_REQUESTS", 2)
    handler = SegmindCallbackHandler()
    segmind = {"model_provider": "segmind", "model_name": "gpt-4o"}
    runs = [uuid4() for _ in range(3)]
    for run in runs:  # a stream an agent closes gets neither an end nor an error
        last = AIMessageChunk("hi", chunk_position="last", response_metadata=segmind)
        chunk = ChatGenerationChunk(message=last)
        handler.on_llm_new_token("hi", chunk=chunk, run_id=run)
    answer = LLMResult(
        generations=[
            [ChatGeneration(message=AIMessage("hi", response_metadata=segmind))]
        ]
    )

    for run in runs:
        handler.on_llm_end(answer, run_id=run)

    assert handler.successful_requests == 4  # the run streamed first was forgotten


@pytest.mark.usefixtures("fresh_balances")
def test_a_low_balance_warning_in_a_batch_points_at_the_guard_not_a_thread(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    model = make_model(ChatSegmindGPT4o, min_remaining_credits=100)
    for _ in range(3):
        recorder.reply(openai_payload("ok"), headers={"x-remaining-credits": "50"})
    model.invoke("sees the balance")

    with pytest.warns(SegmindLowCreditsWarning) as caught:
        model.batch(["warned", "too"])  # in worker threads: no line of the caller's

    assert [w.filename for w in caught] == [callbacks.__file__] * 2
