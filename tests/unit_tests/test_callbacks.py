"""`SegmindCallbackHandler` and replayed answers (the emulator tier has the rest).

langchain-core marks every answer it serves from its cache (test_credits.py
checks that against the emulator). The handler also recognises a replay by
Segmind's request id, so an answer it has already counted is never billed
twice, even by a cache that left no mark.
"""

from __future__ import annotations

import uuid

import pytest
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from langchain_segmind import ChatSegmindGPT4o, SegmindCallbackHandler
from tests.unit_tests.conftest import DEFAULT_ANSWER_HEADERS, Recorder


def deliver(handler: SegmindCallbackHandler, message: AIMessage) -> None:
    """What core does when a chat model run ends with `message`."""
    result = LLMResult(generations=[[ChatGeneration(message=message)]])
    handler.on_llm_end(result, run_id=uuid.uuid4())


def answer(
    gpt: ChatSegmindGPT4o, recorder: Recorder, request_id: str | None
) -> AIMessage:
    headers = dict(DEFAULT_ANSWER_HEADERS)
    del headers["x-request-id"]
    if request_id is not None:
        headers["x-request-id"] = request_id
    recorder.reply(recorder.openai_payload("hi"), headers=headers)
    message = gpt.invoke("hello")
    assert message.response_metadata["request_id"] == request_id
    return message


def test_an_answer_delivered_again_is_a_cache_hit(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    handler = SegmindCallbackHandler()
    message = answer(gpt, recorder, "req-1")
    assert "total_cost" not in (message.usage_metadata or {})  # no core marker
    for _ in range(3):
        deliver(handler, message.model_copy())

    assert handler.successful_requests == 1
    assert handler.cache_hits == 2
    assert handler.total_tokens == 296
    assert handler.total_cost == pytest.approx(0.0123)


def test_answers_to_different_requests_are_each_counted(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    handler = SegmindCallbackHandler()
    for message in [
        answer(gpt, recorder, "req-1"),
        answer(gpt, recorder, "req-2"),
        answer(gpt, recorder, None),  # no id: nothing to compare, counted
        answer(gpt, recorder, None),
    ]:
        deliver(handler, message)

    assert handler.successful_requests == 4
    assert handler.cache_hits == 0
    assert handler.total_cost == pytest.approx(4 * 0.0123)


def test_cores_cache_mark_alone_makes_a_hit(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    handler = SegmindCallbackHandler()
    message = answer(gpt, recorder, "req-never-seen")
    usage = {**(message.usage_metadata or {}), "total_cost": 0}
    deliver(handler, message.model_copy(update={"usage_metadata": usage}))

    assert handler.successful_requests == 0
    assert handler.cache_hits == 1
    assert handler.total_cost == 0.0
    assert handler.remaining_credits is None
