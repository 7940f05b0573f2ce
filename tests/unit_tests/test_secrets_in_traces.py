"""What LangChain hands to a tracer (LangSmith sees the same) never holds the key.

Neither on a call's start, end or error, nor when a key given per call is
refused before sending. A failed call's answer reaches it, key redacted.
"""

from __future__ import annotations

import contextlib
from unittest.mock import ANY

import httpx2
import pytest
from langchain_core.callbacks import BaseCallbackHandler

from langchain_segmind import (
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
)

from ._payloads import KEY, SEGMIND_401_MESSAGES


class TraceRecorder(BaseCallbackHandler):
    """Everything LangChain hands to a tracer (LangSmith sees the same)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.responses: list[object] = []  # `on_llm_error`'s

    def on_chat_model_start(self, serialized, messages, **kwargs) -> None:
        self.seen.append(repr((serialized, messages, kwargs)))

    def on_llm_end(self, response, **kwargs) -> None:
        self.seen.append(repr((response, kwargs)))

    def on_llm_error(self, error, **kwargs) -> None:
        self.seen.append(repr((str(error), repr(error), kwargs)))
        self.responses.append(kwargs["response"])


@pytest.mark.parametrize("status", [None, 401], ids=["success", "401"])
def test_key_is_not_handed_to_tracers(keyed, recorder, status):
    if status:
        recorder.fail(status, SEGMIND_401_MESSAGES[1])
    tracer = TraceRecorder()

    with contextlib.suppress(SegmindError):
        keyed.invoke("Hi", config={"callbacks": [tracer]})

    assert len(tracer.seen) == 2  # start, then end or error
    assert recorder.last.headers["x-api-key"] == KEY
    for seen in tracer.seen:
        assert KEY not in seen


@pytest.mark.parametrize(
    "given",
    [
        {"api_key": KEY},
        {"segmindApiKey": KEY},
        {"extra_headers": {"X-Api-Key": KEY}},
        {"extra_body": {"api_key": KEY}},
    ],
    ids=["api_key", "camel-case", "header", "extra-body"],
)
def test_a_key_given_per_call_is_refused_and_not_traced(make_model, recorder, given):
    tracer = TraceRecorder()

    with pytest.raises(SegmindInputError):
        make_model(api_key="sk-the-models-own-key").invoke(
            "Hi", config={"callbacks": [tracer]}, **given
        )

    assert recorder.count == 0
    assert tracer.seen
    for seen in tracer.seen:
        assert KEY not in seen


def test_a_failed_answer_reaches_on_llm_error_key_redacted(keyed, recorder, call):
    # A server that echoes the key in its body and in a header.
    headers = {"x-request-id": "req-422", "x-echo": KEY}
    recorder.queue(httpx2.Response(422, json={"error": KEY}, headers=headers))
    tracer = TraceRecorder()

    with pytest.raises(SegmindBadRequestError):
        call(keyed, "Hi", config={"callbacks": [tracer]})

    [[failed]] = tracer.responses[0].generations
    assert failed.message.response_metadata == {
        "body": {"error": "[redacted]"},
        "headers": {
            "x-request-id": "req-422",
            "x-echo": "[redacted]",
            "content-type": "application/json",
            "content-length": ANY,
        },
        "status_code": 422,
        "request_id": "req-422",
    }
    assert KEY not in repr(tracer.responses)


def test_a_failure_without_an_answer_hands_no_answer(keyed, recorder, call):
    recorder.queue(httpx2.ReadError("connection reset"))
    tracer = TraceRecorder()

    with pytest.raises(SegmindConnectionError):
        call(keyed, "Hi", config={"callbacks": [tracer]})

    assert tracer.responses[0].generations == [[]]
