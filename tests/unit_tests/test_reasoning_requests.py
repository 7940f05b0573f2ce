"""Requests to reasoning models, in the shape their providers take.

OpenAI's reasoning models (o-series, GPT-5) answer 400 to `max_tokens`, which
they take as `max_completion_tokens`, and o3, o4-mini and GPT-5 to `stop`,
which the package then applies to the answer's text only.
"""

from __future__ import annotations

import pytest

from langchain_segmind import ChatSegmind

from .conftest import Invoke, ModelFactory, Recorder

# -- OpenAI's reasoning models: the token limit and stop -----------------------------


@pytest.mark.parametrize(
    ("slug", "field"),
    [
        *[
            (slug, "max_completion_tokens")
            for slug in ("o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.5")
        ],
        *[
            (slug, "max_tokens")
            for slug in ("gpt-4o", "deepseek-reasoner", "gemini-2.5-pro", "qwen3-max")
        ],
        ("claude-opus-4.7", "max_tokens"),
    ],
)
def test_the_token_limit_goes_under_the_name_the_provider_takes(
    make_model: ModelFactory, recorder: Recorder, call: Invoke, slug: str, field: str
) -> None:
    call(make_model(ChatSegmind, model=slug, max_tokens=300), "Hi")
    call(make_model(ChatSegmind, model=slug), "Hi", max_tokens=200)

    limits = [
        {key: value for key, value in body.items() if key != "messages"}
        for body in recorder.bodies
    ]
    assert limits == [{field: 300}, {field: 200}]


def test_a_per_call_switch_to_a_reasoning_model_renames_the_models_limit(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    make_model(ChatSegmind, model="gpt-4o", max_tokens=300).invoke("Hi", model="o3")

    assert recorder.last.slug == "o3"
    assert recorder.last.body["max_completion_tokens"] == 300
    assert "max_tokens" not in recorder.last.body


@pytest.mark.parametrize(
    ("slug", "sent"),
    [
        *[
            (slug, False)
            for slug in ("o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.2")
        ],
        *[(slug, True) for slug in ("o3-mini", "gpt-4o", "claude-4.5-sonnet")],
    ],
)
def test_stop_is_sent_only_where_taken_and_always_cuts_the_text(
    make_model: ModelFactory, recorder: Recorder, call: Invoke, slug: str, sent: bool
) -> None:
    model = make_model(ChatSegmind, model=slug)

    message = call(model, "say STOP then more", stop=["STOP"])

    assert message.content == "echo: say "
    assert message.response_metadata["finish_reason"] == "stop"
    assert recorder.last.body.get("stop") == (["STOP"] if sent else None)
