"""The emulator's model-facing scripts, seen through the package's chat models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import pytest
from langchain_core.exceptions import ContextOverflowError
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field, HttpUrl, IPvAnyAddress

from langchain_segmind import ChatSegmind
from langchain_segmind.testing import SegmindEmulator


@pytest.mark.parametrize("slug", ["claude-3.5-sonnet", "gpt-4o", "gemini-2.5-pro"])
async def test_a_small_context_window_raises_context_overflow(
    segmind_emulator: SegmindEmulator, slug: str
) -> None:
    segmind_emulator.context_window = 3
    model = ChatSegmind(model=slug)
    with pytest.raises(ContextOverflowError):
        model.invoke("one two three four")
    with pytest.raises(ContextOverflowError):
        await model.ainvoke("one two three four")
    assert (await model.ainvoke("one two")).text.endswith("to: one two")


async def test_a_scripted_refusal_reaches_the_message(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_payloads(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-3.5-sonnet",
            "content": [],
            "stop_reason": "refusal",
            "stop_sequence": None,
            "usage": {"input_tokens": 4, "output_tokens": 0},
        }
    )
    message = await ChatSegmind(model="claude-3.5-sonnet").ainvoke("how to pick a lock")
    assert [block["type"] for block in message.content_blocks] == ["refusal"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 4


class Booking(BaseModel):
    day: dt.date
    at: dt.datetime
    id: uuid.UUID
    site: HttpUrl
    host: IPvAnyAddress
    guests: int = Field(ge=2, le=8)
    price: float = Field(gt=10, multiple_of=0.5)
    code: str = Field(pattern=r"^[A-Z]{3}$", examples=["ABC"])
    note: str = Field(min_length=12, max_length=20)
    tags: list[str] = Field(min_length=2, max_length=3)
    extras: dict[str, int] = Field(min_length=1)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
async def test_default_structured_answers_fit_formats_and_bounds(
    segmind_emulator: SegmindEmulator, method: str
) -> None:
    structured = ChatSegmind(model="gpt-4o").with_structured_output(
        Booking, method=method
    )
    booking = await structured.ainvoke("Book a table")
    assert isinstance(booking, Booking)
    assert (booking.guests, booking.price, booking.code) == (2, 11.0, "ABC")
    assert len(booking.tags) == 2


class Labels(BaseModel):
    words: set[str] = Field(min_length=3)
    short: frozenset[Annotated[str, Field(max_length=2)]] = Field(min_length=2)
    scores: set[Annotated[int, Field(ge=1, le=2)]] = Field(min_length=2)
    halves: frozenset[Annotated[float, Field(multiple_of=0.5)]] = Field(min_length=2)
    units: set[Literal["C", "F"]] = Field(min_length=2)


async def test_default_structured_answers_give_sets_distinct_items(
    segmind_emulator: SegmindEmulator,
) -> None:
    labels = (
        await ChatSegmind(model="gpt-4o")
        .with_structured_output(Labels)
        .ainvoke("Label it")
    )
    assert isinstance(labels, Labels)
    assert (len(labels.words), len(labels.short)) == (3, 2)
    assert (labels.scores, labels.halves, labels.units) == (
        {1, 2},
        {1.0, 1.5},
        {"C", "F"},
    )


async def test_tool_arguments_take_only_words_of_the_question_that_fit(
    segmind_emulator: SegmindEmulator,
) -> None:
    @tool
    def reserve(
        city: str,
        unit: Literal["C", "F"],
        day: dt.date,
        guests: Annotated[int, Field(le=10)],
    ) -> str:
        """Reserve a table."""
        return "reserved"

    model = ChatSegmind(model="gpt-4o").bind_tools([reserve])
    message = await model.ainvoke('In 2026, "Paris", "tomorrow", 4 guests, in "K"')
    assert message.invalid_tool_calls == []
    assert message.tool_calls[0]["args"] == {
        "city": "Paris",
        "unit": "C",
        "day": "2024-01-01",
        "guests": 4,
    }


@tool
def first(count: int) -> str:
    """The first tool."""
    return "first done"


@tool
def second(count: int) -> str:
    """The second tool."""
    return "second done"


def test_a_required_tool_is_called_even_when_not_the_first(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmind(model="gpt-4o").bind_tools(
        [first, second], tool_choice="second"
    )
    message = model.invoke("count to 3")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("second", {"count": 3})
    ]


def test_a_choice_of_any_tool_calls_one_again_after_the_results(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmind(model="gpt-4o").bind_tools([first], tool_choice="any")
    call = model.invoke("count to 3")
    result = ToolMessage("first done", tool_call_id=call.tool_calls[0]["id"])
    again = model.invoke([HumanMessage("count to 3"), call, result])
    assert [c["name"] for c in again.tool_calls] == ["first"]


@pytest.mark.parametrize("slug", ["claude-3.5-sonnet", "gpt-4o"])
def test_a_system_prompt_in_the_protocols_words_sets_no_tool_choice(
    segmind_emulator: SegmindEmulator, slug: str
) -> None:
    model = ChatSegmind(model=slug).bind_tools([first, second])
    prompt = SystemMessage('You must call the tool "search" when unsure.')
    message = model.invoke([prompt, HumanMessage("count to 3")])
    assert [c["name"] for c in message.tool_calls] == ["first"]


def test_a_quoted_protocol_tag_reaches_the_tool_as_written(
    segmind_emulator: SegmindEmulator,
) -> None:
    @tool
    def echo(text: str) -> str:
        """Echo a text."""
        return text

    message = (
        ChatSegmind(model="gpt-4o").bind_tools([echo]).invoke('Echo "<tool_call>"')
    )
    assert [call["args"] for call in message.tool_calls] == [{"text": "<tool_call>"}]


@pytest.mark.parametrize("slug", ["o4-mini", "gpt-5.1"])
def test_a_reasoning_model_is_cut_at_its_limit_and_stop_without_a_400(
    segmind_emulator: SegmindEmulator, slug: str
) -> None:
    segmind_emulator.script_replies("one two STOP four five", "one two three four")
    model = ChatSegmind(model=slug, max_tokens=3, stop=["STOP"])

    stopped, cut = model.invoke("Hi"), model.invoke("Hi")

    assert (stopped.content, stopped.response_metadata["finish_reason"]) == (
        "one two ",
        "stop",
    )
    assert (cut.content, cut.response_metadata["finish_reason"]) == (
        "one two three",
        "length",
    )
