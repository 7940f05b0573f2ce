"""Models whose provider refuses sampling parameters (Claude Opus 4.7, GPT-5...).

Anthropic answers 400 to `temperature`, `top_p` and `top_k` for Claude Opus
4.7, and OpenAI's reasoning models take none either; the package refuses them
before any request is sent, naming the slug. `max_tokens` must be a positive
integer wherever it is set.
"""

from __future__ import annotations

import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)

from .conftest import Invoke, ModelFactory, Recorder

OPUS = "claude-opus-4.7"


@pytest.fixture
def opus(make_model):
    return make_model(ChatSegmind, model=OPUS)


def test_no_sampling_parameter_is_sent_by_default(opus, recorder, call):
    call(opus, "Hi")

    assert recorder.last.slug == OPUS
    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hi"}]}


def test_temperature_at_construction_is_refused_naming_the_slug():
    with pytest.raises(SegmindInputError, match=OPUS) as raised:
        ChatSegmind(model=OPUS, temperature=0.2)

    assert "temperature" in str(raised.value)


def test_temperature_for_claude_class_with_opus_slug_is_refused():
    with pytest.raises(SegmindInputError, match=OPUS):
        ChatSegmindClaude(model=OPUS, temperature=0.0)


@pytest.mark.parametrize("name", ["top_p", "top_k"])
def test_top_p_and_top_k_in_model_kwargs_are_refused(name):
    with pytest.raises(SegmindInputError, match=f"{OPUS}.*{name}"):
        ChatSegmind(model=OPUS, model_kwargs={name: 0.5})


def test_top_k_as_constructor_argument_is_refused():
    with (
        pytest.warns(UserWarning, match="top_k"),
        pytest.raises(SegmindInputError, match=f"{OPUS}.*top_k"),
    ):
        ChatSegmind(model=OPUS, top_k=5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 0.2},
        {"temperature": 0.0},
        {"temperature": 1},  # the default, which only OpenAI's reasoning models take
        {"top_p": 0.9},
        {"top_k": 40},
    ],
    ids=["temperature", "zero-temperature", "default-temperature", "top_p", "top_k"],
)
def test_per_call_sampling_parameters_fail_before_sending(opus, recorder, call, kwargs):
    with pytest.raises(SegmindInputError, match=OPUS) as raised:
        call(opus, "Hi", **kwargs)

    assert next(iter(kwargs)) in str(raised.value)
    assert recorder.count == 0


def test_a_temperature_in_extra_body_fails_before_sending(opus, recorder, call):
    with pytest.raises(SegmindInputError, match=f"{OPUS}.*temperature"):
        call(opus, "Hi", extra_body={"temperature": 0.2})

    assert recorder.count == 0


@pytest.mark.parametrize("slug", [OPUS, "gpt-4o"])
def test_sampling_parameters_set_to_none_are_unset(make_model, recorder, call, slug):
    model = make_model(ChatSegmind, model=slug, model_kwargs={"top_k": None})

    call(model, "Hi", top_p=None, temperature=None, seed=None)

    # Only sampling fields: another field set to None is sent as null.
    assert recorder.last.body == {
        "messages": [{"role": "user", "content": "Hi"}],
        "seed": None,
    }


def test_bound_temperature_fails_before_sending(opus, recorder):
    with pytest.raises(SegmindInputError, match=OPUS):
        opus.bind(temperature=0.5).invoke("Hi")
    assert recorder.count == 0


def test_per_call_switch_to_opus_refuses_the_models_temperature(make_model, recorder):
    model = make_model(ChatSegmindClaude, temperature=0.3)

    with pytest.raises(SegmindInputError, match=OPUS):
        model.invoke("Hi", model=OPUS)
    assert recorder.count == 0


def test_stream_refuses_before_sending(opus, recorder):
    with pytest.raises(SegmindInputError, match=OPUS):
        list(opus.stream("Hi", temperature=0.2))
    assert recorder.count == 0


@pytest.mark.parametrize("slug", ["gpt-5", "o4-mini"])
def test_openai_reasoning_models_refuse_temperature_but_1_before_sending(
    make_model, recorder, slug
):
    model = make_model(ChatSegmind, model=slug)

    with pytest.raises(SegmindInputError, match=slug):
        model.invoke("Hi", temperature=0)
    assert recorder.count == 0

    model.invoke("Hi", temperature=1)  # the default, which OpenAI takes

    assert recorder.last.body["temperature"] == 1


@pytest.mark.parametrize(
    ("cls", "slug"),
    [(ChatSegmindClaude, "claude-4.5-sonnet"), (ChatSegmindGPT4o, "gpt-4o")],
)
def test_other_models_still_send_sampling_parameters(make_model, recorder, cls, slug):
    make_model(cls, model=slug, temperature=0.2).invoke("Hi", top_p=0.9, top_k=40)

    body = recorder.last.body
    assert (body["temperature"], body["top_p"], body["top_k"]) == (0.2, 0.9, 40)


def test_unknown_slugs_are_not_restricted(make_model, recorder):
    make_model(ChatSegmind, model="claude-future-9", temperature=0.2).invoke("Hi")

    assert recorder.last.body["temperature"] == 0.2


# -- max_tokens: a positive integer, per call or on the model -------------------------


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "10"])
def test_a_per_call_max_tokens_that_is_no_positive_integer_is_refused(
    gpt: ChatSegmindGPT4o, recorder: Recorder, call: Invoke, value: object
) -> None:
    with pytest.raises(SegmindInputError) as raised:
        call(gpt, "Hi", max_tokens=value)

    assert str(raised.value) == f"max_tokens must be a positive integer, got {value!r}"
    assert recorder.count == 0


def test_a_per_call_max_tokens_of_1_is_sent(
    gpt: ChatSegmindGPT4o, recorder: Recorder, call: Invoke
) -> None:
    call(gpt, "Hi", max_tokens=1)

    assert recorder.last.body["max_tokens"] == 1


def test_a_models_max_tokens_of_0_is_refused(make_model: ModelFactory) -> None:
    with pytest.raises(SegmindInputError, match="max_tokens"):
        make_model(ChatSegmindGPT4o, max_tokens=0)


def test_a_bound_max_tokens_is_checked_like_a_per_call_one(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    with pytest.raises(SegmindInputError, match="got 0"):
        gpt.bind(max_tokens=0).invoke("Hi")
    assert recorder.count == 0


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "greater than 0"),
        (-1, "greater than 0"),
        (1.5, "fractional part"),
        (True, "max_tokens must be a number, got True"),
    ],
)
def test_a_model_max_tokens_that_is_no_positive_integer_is_refused(
    make_model: ModelFactory, value: object, reason: str
) -> None:
    with pytest.raises(SegmindInputError, match="max_tokens") as raised:
        make_model(ChatSegmindGPT4o, max_tokens=value)

    assert reason in str(raised.value)


@pytest.mark.parametrize(
    "slug", ["claude-opus-4.8", "claude-opus-5", "Claude-Opus-4-9"]
)
def test_claude_opus_after_the_catalogue_takes_no_sampling_either(
    make_model: ModelFactory, recorder: Recorder, slug: str
) -> None:
    with pytest.raises(SegmindInputError, match="does not accept temperature"):
        make_model(ChatSegmind, model=slug, temperature=0.5)
    model = make_model(ChatSegmind, model=slug)
    with pytest.raises(SegmindInputError, match="does not accept top_p"):
        model.invoke("Hi", top_p=0.9)
    assert recorder.requests == []


def test_claude_opus_4_7_outside_the_catalogue_is_the_first_without_sampling(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    # Written with a dash, 4.7 has no catalogue profile: the version decides.
    with pytest.raises(SegmindInputError, match=r"claude-opus-4-7.*temperature"):
        make_model(ChatSegmind, model="claude-opus-4-7", temperature=0.2)
    assert recorder.requests == []

    make_model(ChatSegmind, model="claude-opus-4-6", temperature=0.2).invoke("Hi")

    assert recorder.last.body["temperature"] == 0.2


def test_a_dated_opus_4_slug_takes_sampling() -> None:
    # "20250514" is a date, not a minor version.
    model = ChatSegmind(model="claude-opus-4-20250514", temperature=0.2)
    assert model.temperature == 0.2


def test_a_profile_allowing_sampling_lets_a_new_opus_take_it(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    model = make_model(
        ChatSegmind,
        model="claude-opus-5",
        temperature=0.5,
        profile={"temperature": True},
    )
    model.invoke("Hi")
    assert recorder.last.body["temperature"] == 0.5
