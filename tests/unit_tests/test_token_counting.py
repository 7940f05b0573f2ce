"""Token counting: `get_num_tokens`, `get_num_tokens_from_messages`, `trim_messages`.

The counts are estimates that need no tokenizer package. They are checked
against the request the package really sends (recorded by the fake gateway):
re-counting that body's text with the same rule gives the same number.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from langchain_core.language_models import base as core_base
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.utils import count_tokens_approximately, trim_messages
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from tests.unit_tests.conftest import ModelFactory, Recorder

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return "sunny"


class Forecast(BaseModel):
    """A weather forecast for some days."""

    city: str
    days: int


@pytest.fixture(autouse=True)
def _no_default_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if langchain-core's GPT-2 fallback (needs transformers) is used."""

    def refuse(text: str) -> list[int]:
        raise ImportError("transformers is not installed")

    monkeypatch.setattr(core_base, "_get_token_ids_default_method", refuse)


def _tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def recount_openai_body(body: dict[str, Any]) -> int:
    """The estimate's rule applied to a sent OpenAI-dialect body."""
    total = 0
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            text, images = content, 0
        else:
            text = "".join(p["text"] for p in content if p["type"] == "text")
            images = sum(p["type"] == "image_url" for p in content)
        total += _tokens(message["role"] + message.get("name", "") + text)
        total += 3 + 85 * images
    return total


CONVERSATION: list[BaseMessage] = [
    SystemMessage("Be brief."),
    HumanMessage("What's the weather in Paris?", name="bob"),
    AIMessage(
        "", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}]
    ),
    ToolMessage("sunny", tool_call_id="c1", name="get_weather"),
    AIMessage("It is sunny in Paris."),
    HumanMessage(
        [
            {"type": "text", "text": "And in this picture?"},
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
        ]
    ),
]


# -- no tokenizer needed -------------------------------------------------------------


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_counts_need_no_tokenizer_package(cls: type[ChatSegmind]) -> None:
    llm = cls()  # no key either: counting sends nothing
    assert llm.get_num_tokens("") == 0
    assert llm.get_num_tokens("hello world") == 3  # 11 characters
    assert llm.get_num_tokens("x" * 400) == 100
    # "user" and the text, 15 characters, plus 3 for the message.
    assert llm.get_num_tokens_from_messages([HumanMessage("hello world")]) == 7
    assert llm.get_num_tokens_from_messages([]) == 0


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_plain_text_agrees_with_langchain_cores_approximate_counter(
    cls: type[ChatSegmind],
) -> None:
    messages: list[BaseMessage] = [
        SystemMessage("You are a helpful assistant who answers in French."),
        HumanMessage("Tell me a joke about cats.", name="alice"),
        AIMessage("Pourquoi les chats n'aiment-ils pas l'ordinateur ?"),
        HumanMessage([{"type": "text", "text": "Another one, please."}]),
    ]
    expected = count_tokens_approximately(messages)
    assert cls().get_num_tokens_from_messages(messages) == expected


def test_a_custom_tokenizer_is_used_when_given() -> None:
    llm = ChatSegmindGPT4o(custom_get_token_ids=lambda text: [0] * len(text.split()))
    assert llm.get_num_tokens("one two three four") == 4
    # Per message: "user" + text as words, plus 3.
    assert llm.get_num_tokens_from_messages([HumanMessage("one two three")]) == 6


# -- the text the package sends ------------------------------------------------------


def test_the_estimate_counts_the_body_that_is_sent(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    gpt.invoke(CONVERSATION)
    sent = recount_openai_body(recorder.last.body)
    assert gpt.get_num_tokens_from_messages(CONVERSATION) == sent


def test_an_image_counts_a_fixed_85_tokens_whatever_its_size() -> None:
    llm = ChatSegmindClaude()
    big_png = PNG + "A" * 40_000

    def asking(*image: str) -> list[BaseMessage]:
        blocks: list[str | dict[str, Any]] = [{"type": "text", "text": "What is it?"}]
        blocks += [
            {"type": "image", "base64": data, "mime_type": "image/png"}
            for data in image
        ]
        return [HumanMessage(blocks)]

    text_only = llm.get_num_tokens_from_messages(asking())
    assert llm.get_num_tokens_from_messages(asking(PNG)) == text_only + 85
    assert llm.get_num_tokens_from_messages(asking(big_png)) == text_only + 85
    assert llm.get_num_tokens_from_messages(asking(PNG, PNG)) == text_only + 170


def test_bound_tools_count_the_protocol_prompt_that_is_sent(
    gpt: ChatSegmindGPT4o, recorder: Recorder
) -> None:
    tools = [get_weather, Forecast]
    gpt.bind_tools(tools).invoke(CONVERSATION)
    body = recorder.last.body
    assert "# Tools" in body["messages"][1]["content"]  # the protocol's prompt

    with_tools = gpt.get_num_tokens_from_messages(CONVERSATION, tools=tools)
    assert with_tools == recount_openai_body(body)
    without = gpt.get_num_tokens_from_messages(CONVERSATION)
    assert with_tools - without > _tokens(json.dumps(Forecast.model_json_schema()))


def test_claude_counts_the_tool_prompt_joined_into_the_instruction(
    claude: ChatSegmindClaude, recorder: Recorder
) -> None:
    claude.invoke(CONVERSATION)
    plain_instruction = recorder.last.body["instruction"]
    claude.bind_tools([get_weather]).invoke(CONVERSATION)
    tool_prompt_chars = len(recorder.last.body["instruction"]) - len(plain_instruction)
    assert tool_prompt_chars > 1000

    added = claude.get_num_tokens_from_messages(
        CONVERSATION, tools=[get_weather]
    ) - claude.get_num_tokens_from_messages(CONVERSATION)
    # One more system message: its text, and 3 tokens (up to the joints' rounding).
    assert added == pytest.approx(tool_prompt_chars / 4 + 3, abs=3)


def test_native_tools_count_the_tool_fields_of_the_body(
    make_model: ModelFactory, recorder: Recorder
) -> None:
    llm = make_model(ChatSegmindGPT4o, native_tools=True)
    messages: list[BaseMessage] = [HumanMessage("What's the weather in Paris?")]
    llm.bind_tools([get_weather]).invoke(messages)
    body = recorder.last.body
    tool_fields = {"tools": body["tools"], "tool_choice": body["tool_choice"]}

    assert llm.get_num_tokens_from_messages(
        messages, tools=[get_weather]
    ) == recount_openai_body(body) + _tokens(json.dumps(tool_fields))


def test_messages_a_call_would_refuse_are_still_estimated() -> None:
    video = HumanMessage(
        [
            {"type": "text", "text": "What happens here?"},
            {"type": "video", "base64": "AAAA", "mime_type": "video/mp4"},
        ]
    )
    llm = ChatSegmindClaude()
    plain = HumanMessage("What happens here?")
    count = llm.get_num_tokens_from_messages([plain, video])
    assert count == (
        llm.get_num_tokens_from_messages([plain]) + count_tokens_approximately([video])
    )


def test_tools_that_cannot_be_described_raise() -> None:
    with pytest.raises(ValueError, match="cannot describe the tools"):
        ChatSegmindGPT4o().get_num_tokens_from_messages(
            [HumanMessage("hi")], tools=[42]
        )


# -- trim_messages -------------------------------------------------------------------


def test_trim_messages_with_the_model_as_token_counter() -> None:
    llm = ChatSegmindClaude()
    history: list[BaseMessage] = [SystemMessage("Be brief.")]
    for turn in range(10):
        history.append(HumanMessage(f"Question number {turn}: " + "why? " * 20))
        history.append(AIMessage(f"Answer number {turn}: " + "because. " * 20))
    budget = 200

    trimmed = trim_messages(
        history,
        max_tokens=budget,
        token_counter=llm,
        strategy="last",
        include_system=True,
        start_on="human",
    )

    assert trimmed[0] == history[0]
    assert trimmed[-1] == history[-1]
    assert 3 <= len(trimmed) < len(history)
    assert llm.get_num_tokens_from_messages(trimmed) <= budget
    # One more exchange would not have fit.
    longer = [history[0], *history[-(len(trimmed) + 1) :]]
    assert llm.get_num_tokens_from_messages(longer) > budget
