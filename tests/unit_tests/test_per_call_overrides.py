"""Per-call keyword arguments are checked like fields: bad ones fail before sending."""

from __future__ import annotations

import math

import pytest

from langchain_segmind import ChatSegmind, ChatSegmindGPT4o, SegmindInputError


def test_a_single_stop_string_is_one_sequence(gpt, recorder, call):
    message = call(gpt, "Hi", stop="\n\n")

    assert recorder.last.body["stop"] == ["\n\n"]
    assert message.content == "echo: Hi"  # not cut at each character


def test_a_tuple_of_stop_strings_is_taken_as_a_list(gpt, recorder, call):
    message = call(gpt, "Hi", stop=("Hi", "END"))

    assert recorder.last.body["stop"] == ["Hi", "END"]
    assert message.content == "echo: "


def test_a_claude_slug_in_capitals_keeps_claudes_temperature_limit(
    make_model, recorder, call
):
    model = make_model(ChatSegmind, model="Claude-Sonnet-4.5")

    with pytest.raises(SegmindInputError, match="between 0 and 1 "):
        call(model, "Hi", temperature=1.5)
    assert recorder.count == 0


def test_a_per_call_model_that_is_no_string_is_refused(gpt, recorder):
    with pytest.raises(SegmindInputError, match="model 5 is not a Segmind model slug"):
        gpt.invoke("Hi", model=5)

    assert recorder.count == 0


def test_a_timeout_of_a_whole_day_is_the_longest_taken(gpt, recorder, call):
    message = call(gpt, "Hi", timeout=24 * 3600)

    assert message.content == "echo: Hi"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stop": [1]}, "stop must be"),
        ({"stop": 5}, "stop must be"),
        ({"timeout": "5"}, "timeout must be"),
        ({"timeout": -1}, "timeout must be"),
        ({"timeout": 0}, r"timeout must be .*, got 0$"),  # no per-phase advice
        ({"timeout": math.nan}, "timeout must be"),
        ({"timeout": math.inf}, "timeout must be"),
        ({"timeout": 24 * 3600 + 1}, r"timeout must be .* in \(0, 86400\]"),
        ({"max_retries": "2"}, "max_retries must be"),
        ({"max_retries": -1}, "max_retries must be"),
        ({"max_retries": True}, "max_retries must be"),
        ({"temperature": "0.5"}, "temperature must be a number"),
        ({"temperature": True}, "temperature must be a number, got bool"),
        ({"temperature": math.nan}, "temperature must be between"),
        ({"extra_headers": ["x-a", "b"]}, "headers must be a mapping"),
        ({"extra_headers": "x"}, "headers must be a mapping"),
        ({"extra_headers": {1: "x"}}, "1 is not a valid HTTP header name"),
        ({"extra_headers": {"x-a": 5}}, "'x-a' is not printable ASCII text"),
        ({"top_p": math.nan}, "cannot be sent as JSON"),
        ({"top_k": math.inf}, "cannot be sent as JSON"),
        ({"foo": {1, 2}}, "cannot be sent as JSON"),  # a set
        ({"foo": b"1"}, "cannot be sent as JSON"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_a_bad_override_fails_before_sending(gpt, recorder, call, kwargs, match):
    with pytest.raises(SegmindInputError, match=match):
        call(gpt, "Hi", **kwargs)

    assert recorder.count == 0


@pytest.mark.parametrize(
    "name",
    [
        "model_name",
        "stop_sequences",
        "base_url",
        "api_version",
        "default_headers",
        "max_tokens_to_sample",
    ],
)
def test_a_field_that_is_no_call_option_is_refused_not_sent(gpt, recorder, name):
    with pytest.raises(SegmindInputError, match=f"'{name}'.*cannot be set per call"):
        gpt.invoke("Hi", **{name: "gpt-5"})
    with pytest.raises(SegmindInputError, match="cannot be set per call"):
        gpt.bind(**{name: "gpt-5"}).invoke("Hi")

    assert recorder.count == 0


def test_a_body_field_json_cannot_carry_fails_at_call_time(make_model, recorder):
    model = make_model(ChatSegmindGPT4o, model_kwargs={"top_p": math.nan})

    with pytest.raises(SegmindInputError, match="cannot be sent as JSON"):
        model.invoke("Hi")

    assert recorder.count == 0


def test_an_extra_body_that_holds_itself_fails_at_call_time(gpt, recorder):
    cyclic: dict[str, object] = {}
    cyclic["extra_body"] = cyclic

    with pytest.raises(SegmindInputError, match="cannot be sent as JSON"):
        gpt.invoke("Hi", extra_body=cyclic)

    assert recorder.count == 0


def test_extra_body_fields_are_merged_into_the_body(make_model, recorder, call):
    model = make_model(
        ChatSegmindGPT4o, model_kwargs={"top_k": 1}, extra_body={"top_k": 5, "seed": 1}
    )

    call(model.bind(extra_body={"seed": 2}), "Hi")

    body = recorder.last.body
    assert (body["top_k"], body["seed"]) == (5, 2)
    assert "extra_body" not in body


@pytest.mark.parametrize(
    "build",
    [
        lambda make_model: make_model(ChatSegmindGPT4o, extra_body={"apiKey": "sk"}),
        lambda make_model: make_model(ChatSegmindGPT4o).bind(extra_body={"token": 1}),
        lambda make_model: make_model(ChatSegmindGPT4o).bind(extra_body=["top_k"]),
    ],
    ids=["credential-on-the-model", "credential-per-call", "not-a-mapping"],
)
def test_bad_extra_body_fields_fail_before_sending(make_model, recorder, call, build):
    with pytest.raises(SegmindInputError):
        call(build(make_model), "Hi")

    assert recorder.count == 0
