"""How the arguments of a protocol tool call are judged, as a user sees it.

Tools with a pydantic model (model classes, `BaseTool`s with a model schema,
functions) are validated by pydantic itself; JSON Schema tools by the
package's checker, where `oneOf` means exactly one option. Each test scripts
the reply of the fake gateway and reads `tool_calls` / `invalid_tool_calls`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pytest
from langchain_core.tools import InjectedToolArg, StructuredTool, tool
from pydantic import BaseModel, Field, field_validator, model_validator
from typing_extensions import TypedDict

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o

from .conftest import ModelFactory, Recorder, anthropic_payload, openai_payload

CALL_ID = re.compile(r"^call_[0-9a-f]{24}$")


# -- tools -------------------------------------------------------------------------


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: int = Field(ge=0)


class Adopt(BaseModel):
    """Adopt a pet."""

    pet: Annotated[Cat | Dog, Field(discriminator="kind")]


class Book(BaseModel):
    """Book a table."""

    city: str

    @field_validator("city")
    @classmethod
    def _capitalised(cls, city: str) -> str:
        if not city[:1].isupper():
            raise ValueError("write the city with a capital letter")
        return city


class Tidy(BaseModel):
    """A model whose validator sorts its input in place."""

    tags: list[str]

    @model_validator(mode="before")
    @classmethod
    def _sorted(cls, data: Any) -> Any:
        data["tags"].sort()
        return data


class Broken(BaseModel):
    """A model whose validator has a bug."""

    x: int

    @field_validator("x")
    @classmethod
    def _buggy(cls, x: int) -> int:
        raise RuntimeError("the validator crashed")


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Forecast(BaseModel):
    city: str
    days: int = Field(default=1, le=7)


def forecast(city: str, days: int = 1) -> str:
    """Forecast the weather."""
    return "sunny"


FORECAST_TOOL = StructuredTool.from_function(forecast, args_schema=Forecast)


@tool
def lookup(city: str, user_id: Annotated[str, InjectedToolArg]) -> str:
    """Look a city up for a user (the user is injected, never asked for)."""
    return city


class Lookup(TypedDict):
    """Look up a word."""

    word: str


# A JSON Schema tool: the amount is either a whole number of cents or a
# decimal string; a number like 5 is both an integer and a number.
PAY = {
    "name": "pay",
    "description": "Pay an amount.",
    "parameters": {
        "type": "object",
        "properties": {
            "amount": {
                "oneOf": [
                    {"type": "integer"},
                    {"type": "number"},
                    {"type": "string", "enum": ["all"]},
                ]
            }
        },
        "required": ["amount"],
    },
}


# -- the fake gateway, in both dialects --------------------------------------------


@pytest.fixture(
    params=[
        (ChatSegmindClaude, anthropic_payload),
        (ChatSegmindGPT4o, openai_payload),
    ],
    ids=["claude", "gpt"],
)
def model_and_answer(
    request: pytest.FixtureRequest, make_model: ModelFactory
) -> tuple[ChatSegmind, Callable[[str], dict[str, Any]]]:
    cls, answer = request.param
    return make_model(cls), answer


def block(name: str, arguments: Any) -> str:
    call = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
    return f"<tool_call>\n{call}\n</tool_call>"


def reply_with(
    model_and_answer: tuple[ChatSegmind, Callable[[str], dict[str, Any]]],
    recorder: Recorder,
    tools: list[Any],
    *calls: tuple[str, Any],
) -> Any:
    """Bind `tools`, script one reply holding `calls`, and invoke."""
    model, answer = model_and_answer
    recorder.reply(answer("".join(block(name, args) for name, args in calls)))
    return model.bind_tools(tools).invoke("Hi")


def outcome(message: Any) -> tuple[list[Any], list[str | None]]:
    """The valid calls' arguments, and the invalid calls' reasons."""
    return (
        [(c["name"], c["args"]) for c in message.tool_calls],
        [c["error"] for c in message.invalid_tool_calls],
    )


# -- JSON Schema tools: oneOf is exactly one ---------------------------------------


def test_one_of_accepts_exactly_one_matching_option(model_and_answer, recorder):
    message = reply_with(
        model_and_answer,
        recorder,
        [PAY],
        ("pay", {"amount": 2.5}),
        ("pay", {"amount": "all"}),
        ("pay", {"amount": 5}),
        ("pay", {"amount": "half"}),
    )

    assert outcome(message) == (
        [("pay", {"amount": 2.5}), ("pay", {"amount": "all"})],
        [
            "arguments.amount matches 2 of the oneOf options, it must match "
            "exactly one, got 5",
            "arguments.amount should be integer, got 'half'",
        ],
    )


def test_a_typed_dict_tool_keeps_the_json_schema_check(model_and_answer, recorder):
    message = reply_with(model_and_answer, recorder, [Lookup], ("Lookup", {"word": 5}))

    assert outcome(message) == ([], ["arguments.word should be string, got 5"])
