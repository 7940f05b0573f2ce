"""What users get back: text, usage and metadata, from all three answer shapes."""

from __future__ import annotations

import json
import operator
from functools import reduce

import httpx2
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_segmind import ChatSegmind, SegmindResponseError

# -- Anthropic shape ----------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8-bom"])
def test_a_long_answer_full_of_commas_is_read(gpt, recorder, bom):
    # 300,000 commas in one string: text, not values to parse.
    csv = "1," * 300_000
    body = bom + json.dumps(recorder.openai_payload(csv)).encode()
    recorder.queue(httpx2.Response(200, content=body))

    assert gpt.invoke("All the ones, as CSV").content == csv


def test_200_000_strings_holding_commas_are_within_the_budget_of_values(gpt, recorder):
    payload = recorder.openai_payload("many words", logprobs=["a,b"] * 200_000)
    recorder.reply(payload)

    assert gpt.invoke("Hi").content == "many words"


def test_a_utf16_answer_cannot_hide_its_values_behind_fake_quotes(gpt, recorder):
    # In UTF-16 "\u2200" is the bytes 00 22: a quote to a byte-wise reader.
    payload = recorder.openai_payload("hi")
    text = json.dumps(payload)[:-1] + ', "x": ["\u2200", ' + "[]," * 300_000
    body = (text + ' "\u2200"]}').encode("utf-16-le")
    headers = {"content-type": "application/json"}
    recorder.queue(httpx2.Response(200, content=body, headers=headers))

    with pytest.raises(SegmindResponseError, match="more than 250,000 values"):
        gpt.invoke("Hi")


def test_a_v2_answer_holding_half_an_emoji_is_read(make_model, recorder):
    # The output's own text holds a lone surrogate (its escape, decoded).
    output = json.dumps(recorder.openai_payload("cut \ud83d"), ensure_ascii=False)
    recorder.reply({"request_id": "job-1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    result = json.dumps({"status": "COMPLETED", "output": output})  # escaped
    recorder.queue(httpx2.Response(200, content=result.encode()))

    model = make_model(ChatSegmind, model="gpt-4o", api_version="v2")

    assert model.invoke("Hi").content == "cut \ud83d"


def test_anthropic_text_blocks_are_concatenated(claude, recorder):
    recorder.reply(
        recorder.anthropic_payload(
            content=[
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "text", "text": "Hello, "},
                {"type": "text", "text": None},  # no text: skipped
                {"type": "text", "text": "world"},
            ]
        )
    )

    message = claude.invoke("Hi")

    assert isinstance(message, AIMessage)
    assert message.content == "Hello, world"


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length")],
)
def test_anthropic_stop_reason_maps_to_finish_reason(
    claude, recorder, stop_reason, finish_reason
):
    recorder.reply(recorder.anthropic_payload(stop_reason=stop_reason))

    metadata = claude.invoke("Hi").response_metadata

    assert metadata["finish_reason"] == finish_reason
    assert metadata["stop_reason"] == stop_reason


def test_anthropic_usage(claude, recorder):
    recorder.reply(recorder.anthropic_payload())

    assert claude.invoke("Hi").usage_metadata == {
        "input_tokens": 31,
        "output_tokens": 4,
        "total_tokens": 35,
    }


def test_anthropic_cache_tokens_are_input_token_details(claude, recorder):
    usage = {
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 20,
    }
    recorder.reply(recorder.anthropic_payload(usage=usage))

    message = claude.invoke("Hi")

    assert message.usage_metadata == {
        "input_tokens": 130,  # cached prompt tokens count as input
        "output_tokens": 5,
        "total_tokens": 135,
        "input_token_details": {"cache_read": 100, "cache_creation": 20},
    }
    assert message.response_metadata["token_usage"] == {  # the three counts
        "input_tokens": 130,
        "output_tokens": 5,
        "total_tokens": 135,
    }


def test_anthropic_missing_usage_gives_no_usage_metadata(claude, recorder):
    payload = recorder.anthropic_payload()
    del payload["usage"]
    recorder.reply(payload)

    message = claude.invoke("Hi")

    assert message.content == "Hello!"
    assert message.usage_metadata is None


def test_anthropic_id_and_upstream_model_are_kept(claude, recorder):
    recorder.reply(recorder.anthropic_payload(id="msg_abc"))

    metadata = claude.invoke("Hi").response_metadata

    assert metadata["id"] == "msg_abc"
    assert metadata["upstream_model"] == "claude-3-5-sonnet-20240620"


# -- OpenAI shape -------------------------------------------------------------------


def test_openai_text(gpt, recorder):
    recorder.reply(recorder.openai_payload("Hi from GPT"))

    message = gpt.invoke("Hi")

    assert message.content == "Hi from GPT"
    assert message.response_metadata["finish_reason"] == "stop"


def test_openai_content_parts_are_concatenated(gpt, recorder):
    parts = [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]
    recorder.reply(recorder.openai_payload(parts))

    assert gpt.invoke("Hi").content == "Hello"


def test_openai_finish_reason_length(gpt, recorder):
    recorder.reply(recorder.openai_payload(finish_reason="length"))

    metadata = gpt.invoke("Hi").response_metadata

    assert metadata["finish_reason"] == "length"
    assert metadata["stop_reason"] == "length"


def test_openai_usage(gpt, recorder):
    recorder.reply(recorder.openai_payload())

    assert gpt.invoke("Hi").usage_metadata == {
        "input_tokens": 289,
        "output_tokens": 7,
        "total_tokens": 296,
    }


def test_a_token_count_that_is_a_boolean_is_not_read_as_one(gpt, recorder):
    payload = recorder.openai_payload()
    payload["usage"]["prompt_tokens"] = True
    recorder.reply(payload)

    usage = gpt.invoke("Hi").usage_metadata

    assert usage is not None
    assert usage["input_tokens"] == 0
    assert usage["output_tokens"] == 7


def test_openai_reasoning_tokens_are_output_token_details(gpt, recorder):
    payload = recorder.openai_payload()
    payload["usage"]["completion_tokens_details"] = {"reasoning_tokens": 5}
    recorder.reply(payload)

    assert gpt.invoke("Hi").usage_metadata == {
        "input_tokens": 289,
        "output_tokens": 7,  # OpenAI's count includes the reasoning
        "total_tokens": 296,
        "output_token_details": {"reasoning": 5},
    }


def test_openai_missing_usage_gives_no_usage_metadata(gpt, recorder):
    payload = recorder.openai_payload()
    del payload["usage"]
    recorder.reply(payload)

    message = gpt.invoke("Hi")

    assert message.content == "Hello!"
    assert message.usage_metadata is None


def test_openai_refusal_is_reported(gpt, recorder):
    payload = recorder.openai_payload(None)
    payload["choices"][0]["message"]["refusal"] = "I can't help with that."
    recorder.reply(payload)

    message = gpt.invoke("Hi")

    assert message.content == ""
    assert message.response_metadata["refusal"] == "I can't help with that."


def test_an_openai_refusal_given_as_a_content_part_is_reported(gpt, recorder):
    payload = recorder.openai_payload(None)
    refusal = {"type": "refusal", "refusal": "I can't assist with that."}
    payload["choices"][0]["message"]["content"] = [refusal]
    recorder.reply(payload)

    message = gpt.invoke("Hi")

    assert message.content == ""
    assert message.response_metadata["refusal"] == "I can't assist with that."
    assert [block["type"] for block in message.content_blocks] == ["refusal"]


def test_no_refusal_key_without_a_refusal(gpt, recorder):
    assert "refusal" not in gpt.invoke("Hi").response_metadata


# -- Gemini shape -------------------------------------------------------------------


@pytest.fixture
def gemini(make_model) -> ChatSegmind:
    return make_model(ChatSegmind, model="gemini-2.5-pro")


def test_gemini_parts_are_concatenated(gemini, recorder):
    recorder.reply(recorder.gemini_payload("Hello ", "from ", "Gemini"))

    message = gemini.invoke("Hi")

    assert message.content == "Hello from Gemini"
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["model_name"] == "gemini-2.5-pro"


@pytest.mark.parametrize(
    ("reason", "finish_reason"),
    [
        ("MAX_TOKENS", "length"),
        ("RECITATION", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "malformed_function_call"),  # none to map to
    ],
)
def test_gemini_finish_reasons_are_normalised(gemini, recorder, reason, finish_reason):
    recorder.reply(recorder.gemini_payload(finish_reason=reason))

    metadata = gemini.invoke("Hi").response_metadata

    assert metadata["finish_reason"] == finish_reason
    assert metadata["stop_reason"] == reason


def test_gemini_usage_metadata(gemini, recorder):
    recorder.reply(recorder.gemini_payload())

    assert gemini.invoke("Hi").usage_metadata == {
        "input_tokens": 12,
        "output_tokens": 8,
        "total_tokens": 20,
    }


def test_gemini_thinking_tokens_count_as_output(gemini, recorder):
    usage = {
        "promptTokenCount": 10,
        "candidatesTokenCount": 5,
        "thoughtsTokenCount": 100,
        "totalTokenCount": 115,
    }
    recorder.reply(recorder.gemini_payload("42", usageMetadata=usage))

    assert gemini.invoke("6*7?").usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 105,
        "total_tokens": 115,
        "output_token_details": {"reasoning": 100},
    }


@pytest.mark.parametrize(
    "fields",
    [{}, {"candidates": []}, {"candidates": {"x": 1}}, {"candidates": 5}],
    ids=["no-candidates", "empty-candidates", "object-candidates", "number"],
)
def test_a_prompt_gemini_blocked_is_a_refusal(gemini, recorder, fields):
    recorder.reply(
        {
            "promptFeedback": {"blockReason": "SAFETY"},
            "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
            "modelVersion": "gemini-2.5-pro",
            **fields,
        }
    )

    message = gemini.invoke("something unsafe")

    assert message.content == ""
    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.response_metadata["refusal"] == (
        "Gemini blocked the prompt (SAFETY)"
    )
    assert message.content_blocks == [
        {"type": "refusal", "refusal": "Gemini blocked the prompt (SAFETY)"}
    ]


@pytest.mark.parametrize("reason", [["SAFETY"], {}])
def test_a_finish_reason_of_another_type_is_no_refusal(gemini, recorder, reason):
    recorder.reply(recorder.gemini_payload(finish_reason=reason))

    message = gemini.invoke("Hi")

    assert message.text == "Hello!"
    assert "refusal" not in message.response_metadata


@pytest.mark.parametrize(
    "reason", ["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII"]
)
def test_an_answer_gemini_blocked_is_a_refusal(gemini, recorder, reason):
    payload = recorder.gemini_payload(finish_reason=reason)
    payload["candidates"][0]["content"]["parts"] = []
    recorder.reply(payload)

    message = gemini.invoke("something unsafe")

    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.content_blocks == [
        {"type": "refusal", "refusal": f"Gemini blocked the answer ({reason})"}
    ]


@pytest.mark.parametrize("dialect_payload", ["openai", "anthropic", "gemini"])
def test_an_answer_with_an_empty_id_gets_an_id(make_model, recorder, dialect_payload):
    payload = getattr(recorder, f"{dialect_payload}_payload")()
    payload["responseId" if dialect_payload == "gemini" else "id"] = ""
    recorder.reply(payload)

    message = make_model().invoke("Hi")

    # `""` would be one id shared by every such answer, each replacing the
    # last in an agent's state; without one, langchain-core gives its run's.
    assert message.id
    assert message.response_metadata["id"] is None


def test_gemini_missing_usage_gives_no_usage_metadata(gemini, recorder):
    payload = recorder.gemini_payload()
    del payload["usageMetadata"]
    recorder.reply(payload)

    assert gemini.invoke("Hi").usage_metadata is None


def test_shape_decides_not_slug(claude, recorder):
    """Segmind passes the provider's JSON through: parse by shape only."""
    recorder.reply(recorder.gemini_payload("gemini text"))
    recorder.reply(recorder.openai_payload("openai text"))

    assert claude.invoke("Hi").content == "gemini text"
    assert claude.invoke("Hi").content == "openai text"


# -- tolerance ----------------------------------------------------------------------

EXTRA_KEYS = {"segmind_trace": {"node": "a1"}, "x_future_field": [1, 2, 3]}
MINIMAL_ANSWERS = {
    "anthropic": {
        "type": "message",
        "content": [{"type": "text", "text": "ok", "citations": None}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1, "service_tier": "standard"},
    },
    "openai": {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ok", "annotations": []},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 1,
            "completion_tokens": 1,
            "total_tokens": 2,
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
        "service_tier": "default",
    },
    "gemini": {
        "candidates": [
            {
                "content": {"parts": [{"text": "ok"}]},
                "finishReason": "STOP",
                "safetyRatings": [],
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 1,
            "candidatesTokenCount": 1,
            "totalTokenCount": 2,
            "promptTokensDetails": [],
        },
    },
}


@pytest.mark.parametrize("shape", sorted(MINIMAL_ANSWERS))
def test_unknown_extra_keys_are_tolerated(claude, recorder, shape):
    recorder.reply({**MINIMAL_ANSWERS[shape], **EXTRA_KEYS})

    message = claude.invoke("Hi")

    assert message.content == "ok"
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 1


# -- headers and metadata -----------------------------------------------------------


def test_every_segmind_header_is_response_metadata(claude, recorder):
    recorder.reply(
        recorder.anthropic_payload(),
        headers={
            "x-remaining-credits": "5506.989519907738",
            "x-cost": "0.0123",
            "x-request-id": "req-42",
            "x-generation-time": "1.92",
        },
    )

    metadata = claude.invoke("Hi").response_metadata

    assert metadata["remaining_credits"] == pytest.approx(5506.989519907738)
    assert isinstance(metadata["remaining_credits"], float)
    assert metadata["cost"] == pytest.approx(0.0123)
    assert metadata["request_id"] == "req-42"
    assert metadata["generation_time"] == pytest.approx(1.92)


def test_absent_headers_are_none(claude, recorder):
    recorder.reply(recorder.anthropic_payload(), headers={})

    metadata = claude.invoke("Hi").response_metadata

    for key in ("remaining_credits", "cost", "request_id", "generation_time"):
        assert key in metadata
        assert metadata[key] is None


@pytest.mark.parametrize(
    ("fixture", "slug"), [("claude", "claude-3.5-sonnet"), ("gpt", "gpt-4o")]
)
def test_model_name_is_the_slug_called_not_the_upstream_id(
    request, recorder, fixture, slug
):
    message = request.getfixturevalue(fixture).invoke("Hi")

    assert message.response_metadata["model_name"] == slug
    assert message.response_metadata["model_provider"] == "segmind"


def test_model_name_follows_a_per_call_model(claude, recorder):
    message = claude.invoke("Hi", model="claude-4.5-sonnet")

    assert message.response_metadata["model_name"] == "claude-4.5-sonnet"


# -- stop sequences -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_stop", "call_stop"),
    [(["END"], None), (None, ["END"]), (["NEVER"], ["END"])],
    ids=["model-field", "per-call", "per-call-wins"],
)
def test_stop_is_applied_to_the_text_when_the_server_ignores_it(
    make_model, recorder, model_stop, call_stop
):
    recorder.reply(  # the server wrote on past the stop sequence, to its limit
        recorder.anthropic_payload(
            "Roses are red END violets", stop_reason="max_tokens"
        )
    )
    model = make_model(stop=model_stop)

    message = model.invoke("Hi", stop=call_stop)

    assert message.content == "Roses are red "
    assert message.response_metadata["finish_reason"] == "stop"


def test_earliest_stop_sequence_wins(claude, recorder):
    recorder.reply(recorder.openai_payload("one two three"))

    assert claude.invoke("Hi", stop=["three", "two"]).content == "one "


def test_a_stop_sequence_at_the_start_leaves_no_text(claude, recorder):
    recorder.reply(recorder.anthropic_payload("END of story"))

    assert claude.invoke("Hi", stop=["END"]).content == ""


def test_an_empty_stop_string_cuts_nothing(claude, recorder):
    recorder.reply(recorder.anthropic_payload("one two three"))

    message = claude.invoke("Hi", stop=["", "four"])

    assert message.content == "one two three"
    assert message.response_metadata["finish_reason"] == "stop"


def test_text_without_stop_sequence_is_untouched(claude, recorder):
    recorder.reply(recorder.anthropic_payload("long answer", stop_reason="max_tokens"))

    message = claude.invoke("Hi", stop=["END"])

    assert message.content == "long answer"
    assert message.response_metadata["finish_reason"] == "length"


# -- streaming ----------------------------------------------------------------------

EXPECTED_USAGE = {"input_tokens": 31, "output_tokens": 4, "total_tokens": 35}


def _check_single_last_chunk(chunks: list[AIMessageChunk], slug: str) -> None:
    assert len(chunks) == 1
    (chunk,) = chunks
    assert isinstance(chunk, AIMessageChunk)
    assert chunk.chunk_position == "last"
    assert chunk.content == "Hello!"
    merged = reduce(operator.add, chunks)
    assert merged.usage_metadata == EXPECTED_USAGE
    assert merged.response_metadata["model_name"] == slug
    assert merged.response_metadata["finish_reason"] == "stop"


def test_stream_yields_exactly_one_last_chunk(claude, recorder):
    recorder.reply(recorder.anthropic_payload())

    chunks = list(claude.stream("Hi"))

    _check_single_last_chunk(chunks, "claude-3.5-sonnet")
    assert recorder.count == 1


async def test_astream_yields_exactly_one_last_chunk(claude, recorder):
    recorder.reply(recorder.anthropic_payload())

    chunks = [chunk async for chunk in claude.astream("Hi")]

    _check_single_last_chunk(chunks, "claude-3.5-sonnet")
    assert recorder.count == 1


def test_streamed_chunk_matches_the_invoked_message(claude, recorder):
    recorder.reply(recorder.anthropic_payload())
    recorder.reply(recorder.anthropic_payload())

    invoked = claude.invoke("Hi")
    (chunk,) = claude.stream("Hi")

    assert chunk.content == invoked.content
    assert chunk.usage_metadata == invoked.usage_metadata
    assert chunk.response_metadata == invoked.response_metadata


def test_streaming_invoke_counts_usage_once(make_model, recorder):
    recorder.reply(recorder.anthropic_payload())
    model = make_model(streaming=True)

    message = model.invoke("Hi")

    assert message.content == "Hello!"
    assert message.usage_metadata == EXPECTED_USAGE
    assert message.response_metadata["model_name"] == "claude-3.5-sonnet"
    assert recorder.count == 1


def test_stream_with_per_call_model_and_stop(claude, recorder):
    recorder.reply(recorder.anthropic_payload("keep|cut"))

    (chunk,) = claude.stream("Hi", model="claude-4.5-sonnet", stop=["|"])

    assert chunk.content == "keep"
    assert chunk.response_metadata["model_name"] == "claude-4.5-sonnet"
    assert recorder.last.slug == "claude-4.5-sonnet"
