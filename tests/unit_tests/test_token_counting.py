"""Token counting: `get_num_tokens`, `get_num_tokens_from_messages`, `trim_messages`.

The counts are langchain-core's approximate ones (`count_tokens_approximately`,
tools included): no tokenizer package is needed.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.utils import count_tokens_approximately, trim_messages
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)
from tests import TOO_DEEP_FOR_JSON

from ._payloads import get_weather

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


class Forecast(BaseModel):
    """A weather forecast for some days."""

    city: str
    days: int


CONVERSATION: list[BaseMessage] = [
    SystemMessage("You are a helpful assistant."),
    HumanMessage("What's the weather in Paris?"),
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
    # Per message: "Human: " and the text, counted as words.
    assert llm.get_num_tokens_from_messages([HumanMessage("one two three")]) == 4


def test_a_custom_tokenizer_counts_the_tool_descriptions_too() -> None:
    llm = ChatSegmindGPT4o(custom_get_token_ids=list)  # a token per character
    messages = [HumanMessage("Hi!")]
    short = {"name": "f", "description": "Short."}
    long = {"name": "f", "description": "A much longer description. " * 10}

    without = llm.get_num_tokens_from_messages(messages)
    with_short = llm.get_num_tokens_from_messages(messages, tools=[short])
    with_long = llm.get_num_tokens_from_messages(messages, tools=[long])

    assert without < with_short < with_long
    assert with_long - with_short == len(long["description"]) - len(
        short["description"]
    )


def test_token_ids_need_a_tokenizer_of_yours_and_download_none() -> None:
    # langchain-core's fallback would fetch GPT-2's tokenizer from the network.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NotImplementedError, match="custom_get_token_ids"):
            ChatSegmindClaude().get_token_ids("hello world")
    llm = ChatSegmindClaude(custom_get_token_ids=lambda text: [7] * len(text.split()))
    assert llm.get_token_ids("hello world") == [7, 7]


# -- core's estimate ---------------------------------------------------------------


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


def test_bound_tools_are_counted_as_core_counts_them() -> None:
    llm = ChatSegmindGPT4o()
    tools = [get_weather, Forecast]

    with_tools = llm.get_num_tokens_from_messages(CONVERSATION, tools=tools)

    described: list[Any] = [convert_to_openai_tool(tool) for tool in tools]
    assert with_tools == count_tokens_approximately(CONVERSATION, tools=described)
    assert with_tools > llm.get_num_tokens_from_messages(CONVERSATION)


def test_messages_a_call_would_refuse_are_still_estimated() -> None:
    video = HumanMessage(
        [
            {"type": "text", "text": "What happens here?"},
            {"type": "video", "base64": "AAAA", "mime_type": "video/mp4"},
        ]
    )
    assert ChatSegmindClaude().get_num_tokens_from_messages([video]) == (
        count_tokens_approximately([video])
    )


def test_tools_that_cannot_be_described_raise() -> None:
    with pytest.raises(ValueError, match="42"):
        ChatSegmindGPT4o().get_num_tokens_from_messages(
            [HumanMessage("hi")], tools=[42]
        )


@pytest.mark.parametrize("tokenizer", [None, str.split], ids=["estimate", "custom"])
def test_a_tool_json_cannot_write_is_an_input_error(tokenizer: Any) -> None:
    since = {"type": "string", "default": date(2020, 1, 1)}
    dated = {"title": "since", "type": "object", "properties": {"day": since}}
    llm = ChatSegmindGPT4o(custom_get_token_ids=tokenizer)

    with pytest.raises(SegmindInputError, match="not JSON serializable") as raised:
        llm.get_num_tokens_from_messages([HumanMessage("hi")], tools=[dated])
    assert isinstance(raised.value.__cause__, TypeError)


def test_a_message_too_deep_to_write_is_an_input_error() -> None:
    args: dict[str, Any] = {}
    for _ in range(TOO_DEEP_FOR_JSON):
        args = {"x": args}
    call = AIMessage("", tool_calls=[{"name": "f", "args": args, "id": "1"}])

    with pytest.raises(SegmindInputError, match="a message is nested too deeply"):
        ChatSegmindGPT4o().get_num_tokens_from_messages([call])


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
