"""Reasoning, refusals, native tool calls and content blocks of answers; what goes back.

Answers come from the recorder in each provider's shape; the message a user
gets back is checked as they see it: `content`, `.text`, `additional_kwargs`,
`tool_calls`, `content_blocks`. The history cases check the body sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import ModelRefusalError
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    messages_from_dict,
    messages_to_dict,
)

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindUnsupportedContentError,
)
from tests.unit_tests._payloads import block, get_weather
from tests.unit_tests.conftest import (
    LANGCHAIN_AGENTS_1_5,
    anthropic_payload,
    gemini_payload,
    openai_payload,
)

THINKING = {"type": "thinking", "thinking": "Add the numbers.", "signature": "sig-1"}
REDACTED = {"type": "redacted_thinking", "data": "opaque"}
WEATHER_CALL = {
    "type": "tool_use",
    "id": "toolu_1",
    "name": "weather",
    "input": {"city": "Paris"},
}


def claude_thinking_answer(recorder: Any) -> None:
    recorder.reply(
        recorder.anthropic_payload(
            content=[THINKING, REDACTED, {"type": "text", "text": "4"}]
        )
    )


def test_claude_thinking_is_reasoning_never_text(recorder: Any, claude: Any) -> None:
    claude_thinking_answer(recorder)
    message = claude.invoke("2+2?")
    assert message.content == "4"
    assert message.text == "4"
    assert message.additional_kwargs["reasoning_content"] == "Add the numbers."
    assert message.additional_kwargs["thinking_blocks"] == [THINKING, REDACTED]
    assert message.content_blocks == [
        {
            "type": "reasoning",
            "reasoning": "Add the numbers.",
            "extras": {"signature": "sig-1"},
        },
        {"type": "non_standard", "value": REDACTED},
        {"type": "text", "text": "4"},
    ]


def test_two_claude_thinking_blocks_stay_apart_in_the_reasoning(
    recorder: Any, claude: Any
) -> None:
    second = {"type": "thinking", "thinking": "Check it.", "signature": "sig-2"}
    recorder.reply(
        recorder.anthropic_payload(
            content=[THINKING, second, {"type": "text", "text": "4"}]
        )
    )
    message = claude.invoke("2+2?")
    assert message.additional_kwargs["reasoning_content"] == (
        "Add the numbers.\n\nCheck it."
    )
    assert message.text == "4"


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_an_openai_style_answer_carries_is_reasoning(
    field: str, recorder: Any, make_model: Any
) -> None:
    # DeepSeek's name for it, and the shorter one other OpenAI-style servers use.
    payload = recorder.openai_payload("4")
    payload["choices"][0]["message"][field] = "Two and two."
    recorder.reply(payload)
    message = make_model(ChatSegmind, model="deepseek-reasoner").invoke("2+2?")
    assert message.additional_kwargs == {"reasoning_content": "Two and two."}
    assert message.text == "4"
    assert message.content_blocks == [
        {"type": "reasoning", "reasoning": "Two and two."},
        {"type": "text", "text": "4"},
    ]


def test_gemini_thought_parts_are_reasoning(recorder: Any, make_model: Any) -> None:
    payload = recorder.gemini_payload("4")
    parts = payload["candidates"][0]["content"]["parts"]
    parts.insert(0, {"text": "Thinking it over.", "thought": True})
    recorder.reply(payload)
    message = make_model(ChatSegmind, model="gemini-2.5-pro").invoke("2+2?")
    assert message.text == "4"
    assert message.additional_kwargs == {"reasoning_content": "Thinking it over."}


CANNOT = [{"type": "text", "text": "I can't help with that."}]
CYBER = {"type": "refusal", "category": "cyber", "explanation": "Malware."}


@pytest.mark.parametrize(
    ("content", "details", "refusal"),
    [
        (CANNOT, None, "I can't help with that."),
        ([], None, "The model declined to answer."),
        ([], CYBER, "Malware."),  # the policy's explanation
        (CANNOT, {"type": "refusal", "explanation": ["?"]}, "I can't help with that."),
    ],
    ids=["text", "no-text", "explained", "explanation-not-text"],
)
def test_claude_refusal_is_a_refusal_block(
    recorder: Any, claude: Any, content: list[Any], details: Any, refusal: str
) -> None:
    recorder.reply(
        recorder.anthropic_payload(
            content=content, stop_reason="refusal", stop_details=details
        )
    )
    message = claude.invoke("something bad")
    assert message.additional_kwargs["refusal"] == refusal
    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.response_metadata.get("stop_details") == details
    assert {"type": "refusal", "refusal": refusal} in message.content_blocks


def test_claude_answer_cut_at_the_context_window_finishes_by_length(
    recorder: Any, claude: Any
) -> None:
    stop_reason = "model_context_window_exceeded"
    recorder.reply(recorder.anthropic_payload("Half an ans", stop_reason=stop_reason))
    metadata = claude.invoke("Hi").response_metadata
    assert metadata["finish_reason"] == "length"  # as for `max_tokens`
    assert metadata["stop_reason"] == stop_reason


def test_openai_refusal_is_a_refusal_block(recorder: Any, gpt: Any) -> None:
    payload = recorder.openai_payload(None)
    payload["choices"][0]["message"]["refusal"] = "No."
    recorder.reply(payload)
    message = gpt.invoke("something bad")
    assert message.text == ""
    assert message.content_blocks == [{"type": "refusal", "refusal": "No."}]


@LANGCHAIN_AGENTS_1_5
def test_refusal_middleware_sees_the_refusal(recorder: Any, gpt: Any) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelRefusalMiddleware

    payload = recorder.openai_payload(None)
    payload["choices"][0]["message"]["refusal"] = "No."
    recorder.reply(payload)
    agent = create_agent(gpt, middleware=[ModelRefusalMiddleware()])
    with pytest.raises(ModelRefusalError):
        agent.invoke({"messages": [HumanMessage("something bad")]})


def test_native_tool_calls_become_tool_call_blocks(recorder: Any, gpt: Any) -> None:
    payload = recorder.openai_payload("Checking.", finish_reason="tool_calls")
    payload["choices"][0]["message"]["tool_calls"] = [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
        },
        {
            "id": "call_2",
            "type": "function",
            "function": {"name": "weather", "arguments": "{not json"},
        },
    ]
    recorder.reply(payload)
    message = gpt.invoke("weather?")
    blocks = message.content_blocks
    assert blocks[0] == {"type": "text", "text": "Checking."}
    assert blocks[1] == {
        "type": "tool_call",
        "id": "call_1",
        "name": "weather",
        "args": {"city": "Paris"},
    }
    assert blocks[2]["type"] == "invalid_tool_call"
    assert (blocks[2]["id"], blocks[2]["args"]) == ("call_2", "{not json")


def test_a_v1_streamed_invalid_call_is_stored_and_read_back(
    recorder: Any, make_model: Any
) -> None:
    # As a chat history stores a message: `messages_to_dict`.
    recorder.reply(recorder.openai_payload(block("get_weather", {"town": "Paris"})))
    llm = make_model(ChatSegmindGPT4o, output_version="v1").bind_tools([get_weather])
    (chunk,) = llm.stream("Weather in Paris?")

    (restored,) = messages_from_dict(messages_to_dict([chunk]))

    assert [call["name"] for call in restored.invalid_tool_calls] == ["get_weather"]
    assert "index" not in chunk.invalid_tool_calls[0]


def test_native_arguments_with_a_repeated_key_are_an_invalid_call(
    recorder: Any, gpt: Any
) -> None:
    arguments = '{"amount": 1, "to": "alice", "to": "mallory"}'
    payload = recorder.openai_payload(None, finish_reason="tool_calls")
    payload["choices"][0]["message"]["tool_calls"] = [
        {
            "id": "c",
            "type": "function",
            "function": {"name": "pay", "arguments": arguments},
        }
    ]
    recorder.reply(payload)
    message = gpt.invoke("pay alice")
    assert message.tool_calls == []
    [refused] = message.invalid_tool_calls
    assert refused["args"] == arguments
    assert "the key 'to' is repeated" in (refused["error"] or "")


@pytest.mark.parametrize("named", [{}, {"name": ""}, {"name": None}])
def test_a_native_call_without_a_name_is_an_invalid_call(
    recorder: Any, gpt: Any, named: dict[str, Any]
) -> None:
    payload = recorder.openai_payload(None, finish_reason="tool_calls")
    function = {**named, "arguments": '{"x": 1}'}
    payload["choices"][0]["message"]["tool_calls"] = [
        {"id": "c", "type": "function", "function": function}
    ]
    recorder.reply(payload)
    message = gpt.invoke("Hi")
    assert message.tool_calls == []
    [refused] = message.invalid_tool_calls
    assert (refused["args"], refused["error"]) == ('{"x": 1}', "the call names no tool")
    assert refused["name"] is None  # as a <tool_call> block without a name


def test_claude_tool_use_blocks_become_tool_calls(recorder: Any, claude: Any) -> None:
    recorder.reply(
        recorder.anthropic_payload(
            stop_reason="tool_use",
            content=[
                {"type": "text", "text": "Checking."},
                WEATHER_CALL,
                {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": [1]},
            ],
        )
    )
    message = claude.invoke("weather?")
    assert message.content == "Checking."
    assert message.tool_calls == [
        {
            "type": "tool_call",
            "id": "toolu_1",
            "name": "weather",
            "args": {"city": "Paris"},
        }
    ]
    assert message.invalid_tool_calls == [
        {
            "type": "invalid_tool_call",
            "id": "toolu_2",
            "name": "weather",
            "args": "[1]",
            "error": "the arguments are not a JSON object",
        }
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_claude_tool_use_blocks_are_checked_against_bound_tools(
    recorder: Any, claude: Any
) -> None:
    def weather(city: str, days: int) -> str:
        """Forecast the weather."""
        return "sunny"

    complete = {**WEATHER_CALL, "id": "toolu_2", "input": {"city": "Oslo", "days": 2}}
    recorder.reply(recorder.anthropic_payload(content=[WEATHER_CALL, complete]))
    message = claude.bind_tools([weather]).invoke("weather?")
    assert [(c["id"], c["args"]) for c in message.tool_calls] == [
        ("toolu_2", {"city": "Oslo", "days": 2})
    ]
    [invalid] = message.invalid_tool_calls
    assert (invalid["id"], invalid["error"]) == (
        "toolu_1",
        "arguments.days: Field required",
    )


@pytest.mark.parametrize(
    ("slug", "payload"),
    [
        pytest.param(
            "claude-3.5-sonnet",
            anthropic_payload(content=["stray", None, {"type": "text", "text": "4"}]),
            id="claude-content",
        ),
        pytest.param(
            "gemini-2.5-pro",
            gemini_payload(candidates=[{"content": {"parts": [7, {"text": "4"}]}}]),
            id="gemini-parts",
        ),
        pytest.param(
            "gemini-2.5-pro",
            gemini_payload(candidates=[{"content": {"parts": [{"text": "4"}]}}, 7]),
            id="gemini-candidates",
        ),
        pytest.param(
            "gpt-4o",
            openai_payload("4", choices=[*openai_payload("4")["choices"], 7]),
            id="openai-choices",
        ),
    ],
)
def test_answer_items_that_are_not_objects_are_skipped(
    recorder: Any, make_model: Any, slug: str, payload: dict[str, Any]
) -> None:
    recorder.reply(payload)
    message = make_model(ChatSegmind, model=slug).invoke("2+2?")
    assert message.content == "4"
    assert (message.tool_calls, message.invalid_tool_calls) == ([], [])


def test_output_version_v1_gives_standard_blocks(
    recorder: Any, make_model: Any
) -> None:
    claude_thinking_answer(recorder)
    message = make_model(ChatSegmindClaude, output_version="v1").invoke("2+2?")
    assert isinstance(message.content, list)
    assert [block["type"] for block in message.content] == [
        "reasoning",
        "non_standard",
        "text",
    ]
    assert message.text == "4"


def test_stream_chunk_has_the_same_blocks(recorder: Any, claude: Any) -> None:
    claude_thinking_answer(recorder)
    chunks = list(claude.stream("2+2?"))
    assert len(chunks) == 1
    assert isinstance(chunks[0], AIMessageChunk)
    assert [block["type"] for block in chunks[0].content_blocks] == [
        "reasoning",
        "non_standard",
        "text",
    ]


def test_v1_content_list_is_read_without_repeating_blocks() -> None:
    message = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "r"},
            {"type": "text", "text": "t"},
            {"type": "tool_call", "id": "c1", "name": "f", "args": {}},
            {"type": "invalid_tool_call", "id": "c2", "name": "f", "args": "{"},
            {"type": "refusal", "refusal": "no"},
        ],
        tool_calls=[{"id": "c1", "name": "f", "args": {}}],
        invalid_tool_calls=[{"id": "c2", "name": "f", "args": "{", "error": None}],
        additional_kwargs={"reasoning_content": "r", "refusal": "no"},
        response_metadata={"model_provider": "segmind"},
    )
    assert [block["type"] for block in message.content_blocks] == [
        "reasoning",
        "text",
        "tool_call",
        "invalid_tool_call",
        "refusal",
    ]


# --- what goes back out -------------------------------------------------------------


def test_thinking_blocks_go_back_first_to_claude(recorder: Any, claude: Any) -> None:
    claude_thinking_answer(recorder)
    answer = claude.invoke("2+2?")
    claude.invoke([HumanMessage("2+2?"), answer, HumanMessage("And 3+3?")])
    assert recorder.last.body["messages"][1] == {
        "role": "assistant",
        "content": [THINKING, REDACTED, {"type": "text", "text": "4"}],
    }


def test_thinking_blocks_go_first_in_a_merged_claude_turn(
    recorder: Any, claude: Any
) -> None:
    # Two replies in a row (an agent's limit message, then the model's) are
    # one Claude turn; Anthropic refuses a turn with thinking not first.
    claude.invoke(
        [
            HumanMessage("2+2?"),
            AIMessage("Model call limits exceeded."),
            AIMessage("4", additional_kwargs={"thinking_blocks": [THINKING]}),
            HumanMessage("And 3+3?"),
        ]
    )
    assert recorder.last.body["messages"][1]["content"] == [
        THINKING,
        {"type": "text", "text": "Model call limits exceeded."},
        {"type": "text", "text": "4"},
    ]


def test_other_dialects_drop_reasoning(recorder: Any, gpt: Any) -> None:
    history = AIMessage(
        "4",
        additional_kwargs={"thinking_blocks": [THINKING], "reasoning_content": "r"},
    )
    gpt.invoke([HumanMessage("2+2?"), history, HumanMessage("And 3+3?")])
    assert recorder.last.body["messages"][1] == {"role": "assistant", "content": "4"}


def test_v1_reasoning_history_is_not_sent(recorder: Any, claude: Any) -> None:
    history = AIMessage(
        [
            {"type": "reasoning", "reasoning": "r"},
            {"type": "text", "text": "4"},
            {"type": "refusal", "refusal": "no"},
        ]
    )
    claude.invoke([HumanMessage("2+2?"), history, HumanMessage("And 3+3?")])
    assert recorder.last.body["messages"][1] == {"role": "assistant", "content": "4"}


OUTPUT_ONLY = ": it describes a model's output, not an input"


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ({"type": "reasoning", "reasoning": "r"}, OUTPUT_ONLY),
        ({"type": "thinking", "thinking": "t", "signature": "s"}, OUTPUT_ONLY),
        ({"type": "refusal", "refusal": "no"}, OUTPUT_ONLY),
        ({"type": "citation", "url": "https://example.com"}, OUTPUT_ONLY),
        ({"type": "non_standard", "value": {"grounding": []}}, ""),
    ],
    ids=["reasoning", "thinking", "refusal", "citation", "non_standard"],
)
def test_output_blocks_are_dropped_from_history_but_refused_from_the_user(
    recorder: Any, claude: Any, block: dict[str, Any], reason: str
) -> None:
    claude.invoke([HumanMessage("2+2?"), AIMessage([block, "4"]), HumanMessage("Ok")])
    assert recorder.last.body["messages"][1] == {"role": "assistant", "content": "4"}

    with pytest.raises(SegmindUnsupportedContentError) as caught:
        claude.invoke([HumanMessage(["2+2?", block])])
    assert caught.value.block_type == block["type"]
    assert str(caught.value) == (
        f"{block['type']!r} content is not supported for Segmind model "
        f"'claude-3.5-sonnet'{reason}"
    )
    assert recorder.count == 1


@pytest.mark.parametrize(
    ("model_class", "field", "value"),
    [
        (ChatSegmindClaude, "thinking", {"type": "enabled", "budget_tokens": 2048}),
        (ChatSegmindGPT4o, "reasoning_effort", "high"),
    ],
)
def test_reasoning_settings_pass_through_as_body_fields(
    recorder: Any, make_model: Any, model_class: type, field: str, value: Any
) -> None:
    make_model(model_class).invoke("Hi", **{field: value})
    assert recorder.last.body[field] == value
    make_model(model_class, model_kwargs={field: value}).invoke("Hi")
    assert recorder.last.body[field] == value


def test_a_choice_whose_message_is_not_an_object_is_an_empty_answer(
    recorder: Any, gpt: Any
) -> None:
    choice = {"index": 0, "message": 7, "finish_reason": "stop"}
    recorder.reply(openai_payload(choices=[choice]))
    message = gpt.invoke("Hi")
    assert (message.content, message.tool_calls) == ("", [])
    assert message.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize("arguments", [" ", "null"])
def test_native_arguments_left_empty_are_no_arguments(
    recorder: Any, gpt: Any, arguments: str
) -> None:
    payload = recorder.openai_payload(None, finish_reason="tool_calls")
    function = {"name": "now", "arguments": arguments}
    payload["choices"][0]["message"]["tool_calls"] = [
        {"id": "c", "type": "function", "function": function}
    ]
    recorder.reply(payload)
    message = gpt.invoke("what time is it?")
    assert message.tool_calls == [
        {"type": "tool_call", "id": "c", "name": "now", "args": {}}
    ]
    assert message.invalid_tool_calls == []


def test_a_prompt_blocked_for_another_reason_finishes_as_filtered(
    recorder: Any, make_model: Any
) -> None:
    recorder.reply({"promptFeedback": {"blockReason": "OTHER"}})
    message = make_model(ChatSegmind, model="gemini-2.5-pro").invoke("Hi")
    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.response_metadata["refusal"] == "Gemini blocked the prompt (OTHER)"


def test_a_block_reason_that_is_not_text_blocks_nothing(
    recorder: Any, make_model: Any
) -> None:
    recorder.reply(gemini_payload("4", promptFeedback={"blockReason": 1}))
    message = make_model(ChatSegmind, model="gemini-2.5-pro").invoke("Hi")
    assert message.content == "4"
    assert message.response_metadata["finish_reason"] == "stop"
    assert "refusal" not in message.response_metadata


def test_the_providers_total_is_kept_when_it_counts_more(
    recorder: Any, make_model: Any
) -> None:
    usage = {
        "promptTokenCount": 10,
        "candidatesTokenCount": 5,
        "toolUsePromptTokenCount": 3,  # counted in Gemini's total only
        "totalTokenCount": 18,
    }
    recorder.reply(gemini_payload(usageMetadata=usage))
    message = make_model(ChatSegmind, model="gemini-2.5-pro").invoke("Hi")
    assert message.usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 18,
    }


@pytest.mark.parametrize(
    ("details", "token_details"),
    [
        pytest.param(
            {"prompt_tokens_details": {"cached_tokens": 100}},
            {"input_token_details": {"cache_read": 100}},
            id="cached",
        ),
        pytest.param(
            {
                "prompt_tokens_details": {"audio_tokens": 40, "cache_write_tokens": 60},
                "completion_tokens_details": {"audio_tokens": 2, "reasoning_tokens": 0},
            },
            {
                "input_token_details": {"audio": 40, "cache_creation": 60},
                "output_token_details": {"audio": 2, "reasoning": 0},
            },
            id="audio-and-cache-writes",
        ),
    ],
)
def test_openai_token_details_are_reported_as_chat_openai_reports_them(
    recorder: Any, gpt: Any, details: dict[str, Any], token_details: dict[str, Any]
) -> None:
    counts = {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127}
    recorder.reply(recorder.openai_payload(usage=counts | details))
    message = gpt.invoke("Hi")
    assert message.usage_metadata == {
        "input_tokens": 120,
        "output_tokens": 7,
        "total_tokens": 127,
        **token_details,
    }


def test_anthropic_cache_writes_by_lifetime_are_input_token_details(
    recorder: Any, claude: Any
) -> None:
    usage = {
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 30,
        "cache_creation": {
            "ephemeral_5m_input_tokens": 10,
            "ephemeral_1h_input_tokens": 20,
        },
    }
    recorder.reply(recorder.anthropic_payload(usage=usage))
    assert claude.invoke("Hi").usage_metadata == {
        "input_tokens": 40,  # the breakdown is not counted twice
        "output_tokens": 5,
        "total_tokens": 45,
        "input_token_details": {
            "cache_read": 0,
            "cache_creation": 0,  # as `ChatAnthropic`: in the breakdown only
            "ephemeral_5m_input_tokens": 10,
            "ephemeral_1h_input_tokens": 20,
        },
    }
    zeros = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
    recorder.reply(recorder.anthropic_payload(usage=usage | {"cache_creation": zeros}))
    details = claude.invoke("Hi").usage_metadata["input_token_details"]
    assert details["cache_creation"] == 30  # a breakdown of nothing replaces nothing


def test_openai_fingerprint_and_service_tier_are_response_metadata(
    recorder: Any, gpt: Any
) -> None:
    recorder.reply(recorder.openai_payload(service_tier="default"))
    recorder.reply(recorder.openai_payload(system_fingerprint=None))
    metadata = gpt.invoke("Hi").response_metadata
    assert metadata["system_fingerprint"] == "fp_01"
    assert metadata["service_tier"] == "default"
    assert "system_fingerprint" not in gpt.invoke("Hi").response_metadata


def test_an_anthropic_answer_without_its_type_is_read(
    recorder: Any, claude: Any
) -> None:
    payload = recorder.anthropic_payload("Hello, typeless")
    del payload["type"]
    recorder.reply(payload)
    assert claude.invoke("Hi").content == "Hello, typeless"


def test_openai_logprobs_asked_for_are_response_metadata(
    recorder: Any, gpt: Any
) -> None:
    # As `ChatOpenAI`'s: `llm.bind(logprobs=True)`, then `response_metadata`.
    token = {"token": "Hi", "logprob": -0.25, "bytes": [72, 105], "top_logprobs": []}
    logprobs = {"content": [token], "refusal": None}
    for each in (logprobs, logprobs, None):  # OpenAI's `null`: not asked for
        payload = recorder.openai_payload("Hi")
        payload["choices"][0]["logprobs"] = each
        recorder.reply(payload)

    message = gpt.invoke("Hi", logprobs=True)
    (chunk,) = gpt.stream("Hi", logprobs=True)

    assert recorder.last.body["logprobs"] is True
    assert message.response_metadata["logprobs"] == logprobs
    assert chunk.response_metadata["logprobs"] == logprobs
    assert "logprobs" not in gpt.invoke("Hi").response_metadata


def test_claude_thinking_tokens_are_reasoning_tokens(
    recorder: Any, claude: Any
) -> None:
    # As `ChatAnthropic`: a breakdown of `output_tokens`, not added to them.
    usage = {"input_tokens": 10, "output_tokens": 40}
    details = {"output_tokens_details": {"thinking_tokens": 25}}
    recorder.reply(recorder.anthropic_payload(usage=usage | details))
    assert claude.invoke("Hi").usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 40,
        "total_tokens": 50,
        "output_token_details": {"reasoning": 25},
    }


def test_the_stop_sequence_claude_stopped_at_is_response_metadata(
    recorder: Any, claude: Any
) -> None:
    recorder.reply(recorder.anthropic_payload())
    recorder.reply(
        recorder.anthropic_payload(
            "1, 2", stop_reason="stop_sequence", stop_sequence="3"
        )
    )
    assert "stop_sequence" not in claude.invoke("Hi").response_metadata
    assert claude.invoke("Hi").response_metadata["stop_sequence"] == "3"


def test_an_openai_audio_answer_keeps_its_clip_and_transcript(
    recorder: Any, gpt: Any
) -> None:
    # With `modalities=["text", "audio"]`: where `ChatOpenAI` has it.
    audio = {"id": "audio_1", "data": "UklGRg==", "expires_at": 1, "transcript": "Hi"}
    payload = recorder.openai_payload(None)
    payload["choices"][0]["message"]["audio"] = audio
    recorder.reply(payload)
    assert gpt.invoke("Hi").additional_kwargs == {"audio": audio}
