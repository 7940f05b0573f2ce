"""`get_segmind_callback` beside other models' calls.

They add nothing to the Segmind totals, break nothing, and langchain-core's
token totals (`usage_metadata`) stay as its own handler collects them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from langchain_core.language_models import LLM
from langchain_core.language_models.fake import FakeListLLM, FakeStreamingListLLM
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    GenerationChunk,
    LLMResult,
)

from langchain_segmind import (
    ChatSegmindGPT4o,
    SegmindBadRequestError,
    SegmindCallbackHandler,
    get_segmind_callback,
)
from tests.unit_tests.conftest import Recorder


def test_other_chat_models_answers_are_not_segmind_calls(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    recorder.reply(recorder.openai_payload("hi"))
    usage: UsageMetadata = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    other = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(
                    "fake",
                    usage_metadata=usage,
                    response_metadata={"model_name": "fake-model", "cost": 9.0},
                )
            ]
        )
    )

    with get_segmind_callback() as cb:
        assert other.invoke("one").content == "fake"
        gpt.invoke("two")

    assert (cb.successful_requests, cb.failed_requests, cb.cache_hits) == (1, 0, 0)
    assert cb.total_tokens == 296
    assert cb.total_cost == pytest.approx(0.0123)
    assert set(cb.by_model) == {"gpt-4o"}
    # Core's token totals cover every chat model, as documented.
    assert cb.usage_metadata["fake-model"]["total_tokens"] == 5


def test_a_failed_segmind_call_is_counted_and_another_models_failure_is_not(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    recorder.fail(400, "bad request")
    other = GenericFakeChatModel(messages=iter([]))  # fails: no answer left

    with get_segmind_callback() as cb:
        with pytest.raises(SegmindBadRequestError, match="bad request"):
            gpt.invoke("one")
        with pytest.raises(StopIteration):
            other.invoke("two")

    assert (cb.successful_requests, cb.failed_requests) == (0, 1)
    assert cb.by_model["gpt-4o"].failed_requests == 1
    assert "0 succeeded, 1 failed" in str(cb)


def test_another_providers_stream_is_totalled_by_core_as_a_whole() -> None:
    # As ChatAnthropic streams: the model name and the input tokens come
    # first, the output tokens last.
    handler, run = SegmindCallbackHandler(), uuid4()
    first = AIMessageChunk(
        "Hel",
        usage_metadata={"input_tokens": 3, "output_tokens": 0, "total_tokens": 3},
        response_metadata={"model_name": "claude-x", "model_provider": "anthropic"},
    )
    last = AIMessageChunk(
        "lo",
        usage_metadata={"input_tokens": 0, "output_tokens": 2, "total_tokens": 2},
        chunk_position="last",
    )
    for chunk in (first, last):
        handler.on_llm_new_token(
            chunk.text, chunk=ChatGenerationChunk(message=chunk), run_id=run
        )
    whole = ChatGeneration(message=first + last)

    handler.on_llm_end(LLMResult(generations=[[whole]]), run_id=run)

    assert handler.usage_metadata == {
        "claude-x": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    }
    assert (handler.successful_requests, handler.by_model) == (0, {})


class Echo(LLM):
    """An LLM that streams its prompt back letter by letter, as LLMs stream."""

    @property
    def _llm_type(self) -> str:
        return "echo"

    def _call(self, prompt: str, *args: Any, **kwargs: Any) -> str:
        return prompt

    def _stream(
        self, prompt: str, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Iterator[GenerationChunk]:
        for letter in prompt:
            run_manager.on_llm_new_token(letter, chunk=GenerationChunk(text=letter))
            yield GenerationChunk(text=letter)


def test_an_llms_answers_are_not_counted_and_break_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An LLM's result holds plain `Generation`s, not chat messages.
    with get_segmind_callback() as cb:
        assert FakeListLLM(responses=["one"]).invoke("Hi") == "one"
        assert FakeListLLM(responses=["two"]).batch(["Hi"]) == ["two"]
        assert list(FakeStreamingListLLM(responses=["ab"]).stream("Hi")) == ["a", "b"]
        assert list(Echo().stream("ab")) == ["a", "b"]

    assert (cb.successful_requests, cb.failed_requests, cb.usage_metadata) == (0, 0, {})
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == []
