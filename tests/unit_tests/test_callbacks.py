"""`get_segmind_callback`: each Segmind request is counted once, by its request id.

The emulator tier (test_credits.py) checks the totals against the gateway's
books; here the scripted gateway sends the same request id twice, as a replayed
answer or a resumed job collected a second time would carry it.
"""

from __future__ import annotations

import pytest

from langchain_segmind import ChatSegmindGPT4o, get_segmind_callback
from tests.unit_tests.conftest import DEFAULT_ANSWER_HEADERS, Invoke, Recorder


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
    assert "(1 answers from cache, not billed)" in str(cb)


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
