"""Answers that cannot be read: not JSON, no known shape, no choice.

Each is a `SegmindResponseError` with the answer's status and request id,
Segmind's own message when the body has one, and is never sent again: a
success was billed.
"""

from __future__ import annotations

import json

import pytest

from langchain_segmind import ChatSegmind, SegmindResponseError


@pytest.mark.parametrize(
    "text", ["<html><body>Bad gateway</body></html>", "not json at all", ""]
)
def test_success_status_with_a_non_json_body(claude, recorder, text):
    recorder.reply(text=text, headers={"x-request-id": "req-7"})

    with pytest.raises(SegmindResponseError) as caught:
        claude.invoke("Hi")
    assert caught.value.status_code == 200
    assert caught.value.request_id == "req-7"
    assert isinstance(caught.value.__cause__, ValueError)  # json's own reason
    assert recorder.count == 1  # billed already: never retried


NO_SHAPE = "Segmind's answer has no recognisable shape"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"result": "text"}, f"{NO_SHAPE} (keys: ['result'])"),
        ({"error": "upstream said no"}, "upstream said no"),
        (["choices", "content"], f"{NO_SHAPE} (keys: [])"),  # words, not keys
        ("a string", f"{NO_SHAPE} (keys: [])"),
        (None, f"{NO_SHAPE} (keys: [])"),
    ],
    ids=["unknown-keys", "error-key", "list", "string", "null"],
)
def test_json_body_with_no_known_shape(claude, recorder, payload, message):
    written = json.dumps(payload)  # `null` too, which an absent payload is not
    recorder.reply(
        text=written, content_type="application/json", headers={"x-request-id": "req-8"}
    )

    with pytest.raises(SegmindResponseError) as caught:
        claude.invoke("Hi")
    error = caught.value
    assert error.message == message
    assert error.status_code == 200
    assert error.request_id == "req-8"
    assert "req-8" in str(error)
    assert recorder.count == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"error": "Upstream provider failed: overloaded"},
        {"error": {"message": "Upstream provider failed: overloaded"}},
    ],
    ids=["string", "object"],
)
def test_a_success_status_with_an_error_body_carries_segminds_message(
    claude, recorder, payload
):
    recorder.reply(payload, headers={"x-request-id": "req-9"})

    with pytest.raises(SegmindResponseError) as caught:
        claude.invoke("Hi")
    assert caught.value.message == "Upstream provider failed: overloaded"
    assert str(caught.value) == (
        "Segmind HTTP 200: Upstream provider failed: overloaded (request id req-9)"
    )
    assert "overloaded" in (caught.value.body or "")
    assert recorder.count == 1


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        ("gpt-4o", {"id": "c1", "object": "chat.completion", "choices": []}),
        ("gemini-2.5-pro", {"candidates": [], "modelVersion": "gemini-2.5-pro"}),
        ("gpt-4o", {"id": "c1", "object": "chat.completion", "choices": [None]}),
        ("gemini-2.5-pro", {"candidates": [None], "modelVersion": "gemini-2.5-pro"}),
        ("gpt-4o", {"id": "c1", "object": "chat.completion", "choices": {"0": {}}}),
    ],
    ids=["no-choice", "no-candidate", "null-choice", "null-candidate", "no-list"],
)
def test_an_answer_without_a_choice_is_an_error_not_an_empty_reply(
    make_model, recorder, model, payload
):
    recorder.reply(payload)

    with pytest.raises(SegmindResponseError, match="no recognisable shape"):
        make_model(ChatSegmind, model=model).invoke("Hi")
