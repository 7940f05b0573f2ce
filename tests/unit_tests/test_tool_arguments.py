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
from langchain_core.load import dumps
from langchain_core.tools import InjectedToolArg, StructuredTool, tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
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


# -- pydantic models decide for pydantic tools -------------------------------------


def test_a_discriminated_union_is_validated_as_the_model_says(
    model_and_answer, recorder
):
    message = reply_with(
        model_and_answer,
        recorder,
        [Adopt],
        ("Adopt", {"pet": {"kind": "cat"}}),
        ("Adopt", {"pet": {"kind": "fish"}}),
        ("Adopt", {"pet": {"kind": "dog", "barks": -1}}),
        ("Adopt", {"pet": {"kind": "dog"}}),
    )

    # The valid call keeps the arguments as written: no `lives` default added.
    assert outcome(message) == (
        [("Adopt", {"pet": {"kind": "cat"}})],
        [
            "arguments.pet: Input tag 'fish' found using 'kind' does not match "
            "any of the expected tags: 'cat', 'dog', got {'kind': 'fish'}",
            "arguments.pet.dog.barks: Input should be greater than or equal to 0, "
            "got -1",
            "arguments.pet.dog.barks: Field required",
        ],
    )
    invalid = message.invalid_tool_calls[0]
    assert invalid["name"] == "Adopt"
    assert invalid["args"] == (
        '<tool_call>{"name": "Adopt", "arguments": {"pet": {"kind": "fish"}}}'
        "</tool_call>"
    )
    assert CALL_ID.match(invalid["id"])


def test_pydantic_coercion_is_accepted_and_the_raw_arguments_are_kept(
    model_and_answer, recorder
):
    # Pydantic turns "3" into 3 (as the tool will when it runs), so the call
    # is valid; `tool_calls` still shows what the model wrote.
    message = reply_with(
        model_and_answer,
        recorder,
        [Adopt],
        ("Adopt", {"pet": {"kind": "dog", "barks": "3"}}),
    )

    assert outcome(message) == (
        [("Adopt", {"pet": {"kind": "dog", "barks": "3"}})],
        [],
    )


def test_the_models_own_validators_run(model_and_answer, recorder):
    message = reply_with(
        model_and_answer,
        recorder,
        [Book],
        ("Book", {"city": "Paris"}),
        ("Book", {"city": "paris"}),
    )

    assert outcome(message) == (
        [("Book", {"city": "Paris"})],
        [
            "arguments.city: Value error, write the city with a capital letter, "
            "got 'paris'"
        ],
    )


def test_a_validator_that_rewrites_its_input_leaves_the_call_as_written(
    model_and_answer, recorder
):
    message = reply_with(
        model_and_answer, recorder, [Tidy], ("Tidy", {"tags": ["b", "a"]})
    )

    assert outcome(message) == ([("Tidy", {"tags": ["b", "a"]})], [])


def test_a_crashing_validator_makes_the_call_invalid_not_the_invoke(
    model_and_answer, recorder
):
    message = reply_with(model_and_answer, recorder, [Broken], ("Broken", {"x": 1}))

    assert outcome(message) == (
        [],
        ["arguments could not be validated: RuntimeError: the validator crashed"],
    )


def test_several_errors_are_reported_together(model_and_answer, recorder):
    message = reply_with(
        model_and_answer, recorder, [add], ("add", {"a": "one", "b": [2]})
    )

    assert outcome(message) == (
        [],
        [
            "arguments.a: Input should be a valid integer, unable to parse string "
            "as an integer, got 'one'; arguments.b: Input should be a valid "
            "integer, got [2]"
        ],
    )


def test_a_function_tool_is_validated_through_its_signature(model_and_answer, recorder):
    message = reply_with(
        model_and_answer,
        recorder,
        [add],
        ("add", {"a": 1, "b": "2"}),
        ("add", {"a": 1}),
    )

    assert outcome(message) == (
        [("add", {"a": 1, "b": "2"})],
        ["arguments.b: Field required"],
    )


def test_a_tool_with_a_model_args_schema_uses_its_constraints(
    model_and_answer, recorder
):
    message = reply_with(
        model_and_answer,
        recorder,
        [FORECAST_TOOL],
        ("forecast", {"city": "Oslo", "days": 3}),
        ("forecast", {"city": "Oslo", "days": 30}),
    )

    assert outcome(message) == (
        [("forecast", {"city": "Oslo", "days": 3})],
        ["arguments.days: Input should be less than or equal to 7, got 30"],
    )


def test_an_injected_argument_is_not_asked_of_the_model(model_and_answer, recorder):
    message = reply_with(
        model_and_answer, recorder, [lookup], ("lookup", {"city": "Oslo"})
    )

    assert outcome(message) == ([("lookup", {"city": "Oslo"})], [])


def test_per_call_tools_are_validated_by_their_model(model_and_answer, recorder):
    model, answer = model_and_answer
    recorder.reply(answer(block("Adopt", {"pet": {"kind": "dog", "barks": -1}})))

    message = model.invoke("Hi", tools=[Adopt])

    assert outcome(message) == (
        [],
        ["arguments.pet.dog.barks: Input should be greater than or equal to 0, got -1"],
    )


class Paint(BaseModel):
    """Paint a wall."""

    model_config = ConfigDict(extra="forbid")

    color: str


@pytest.mark.parametrize("strict", [None, True])
def test_the_models_extra_setting_decides_about_unknown_keys(
    model_and_answer, recorder, strict
):
    model, answer = model_and_answer
    recorder.reply(
        answer(
            block("Book", {"city": "Oslo", "when": "noon"})
            + block("Paint", {"color": "red", "shade": "dark"})
        )
    )

    message = model.bind_tools([Book, Paint], strict=strict).invoke("Hi")

    assert outcome(message) == (
        [("Book", {"city": "Oslo", "when": "noon"})],
        ["arguments.shade: Extra inputs are not permitted, got 'dark'"],
    )


def test_bound_tools_are_still_langchains_openai_dicts(make_model):
    llm = make_model(ChatSegmindGPT4o).bind_tools([Adopt, add], strict=True)

    assert llm.kwargs["tools"] == [
        convert_to_openai_tool(Adopt, strict=True),
        convert_to_openai_tool(add, strict=True),
    ]
    # Serialized, the binding describes the same tools, in plain JSON.
    serialized = json.loads(dumps(llm))
    assert serialized["kwargs"]["kwargs"]["tools"] == llm.kwargs["tools"]


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


# -- arguments nested too deeply ---------------------------------------------------


def nested(depth: int) -> str:
    """A JSON array `depth` levels deep."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [150, 100_000], ids=["deep", "past-the-stack"])
def test_deeply_nested_arguments_are_an_invalid_call(model_and_answer, recorder, depth):
    model, answer = model_and_answer
    raw = f'{{"name": "pay", "arguments": {{"amount": {nested(depth)}}}}}'
    recorder.reply(answer(f"<tool_call>{raw}</tool_call>"))

    message = model.bind_tools([PAY]).invoke("Hi")

    assert message.tool_calls == []
    [invalid] = message.invalid_tool_calls
    assert invalid["error"] == (
        '"arguments" is nested too deeply (more than 100 levels)'
    )
    assert invalid["args"] == f"<tool_call>{raw}</tool_call>"


def test_deeply_nested_native_arguments_are_an_invalid_call(make_model, recorder):
    payload = openai_payload(None, finish_reason="tool_calls")
    payload["choices"][0]["message"]["tool_calls"] = [
        {
            "id": "call_abc",
            "type": "function",
            "function": {"name": "pay", "arguments": nested(100_000)},
        }
    ]
    recorder.reply(payload)

    message = make_model(ChatSegmindGPT4o).invoke("Hi")

    assert message.tool_calls == []
    assert [(c["id"], c["error"]) for c in message.invalid_tool_calls] == [
        ("call_abc", "the arguments are not a JSON object")
    ]
