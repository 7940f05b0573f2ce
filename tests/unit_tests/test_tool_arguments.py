"""How the arguments of a protocol tool call are judged, as a user sees it.

A tool with a pydantic model (model classes, `BaseTool`s with a model schema,
functions) is validated by pydantic itself; a JSON-Schema-only tool needs a
known name, a JSON object and its required keys. Each test scripts the fake
gateway's reply and reads `tool_calls` / `invalid_tool_calls`.
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Annotated, Any, Literal

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import InjectedToolArg, StructuredTool, Tool, tool
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict

from langchain_segmind import SegmindInputError

from ._payloads import block, outcome
from .conftest import Recorder, openai_payload


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: int = Field(ge=0)


class Adopt(BaseModel):
    """Adopt a pet."""

    pet: Annotated[Cat | Dog, Field(discriminator="kind")]


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


class Interrupted(BaseModel):
    """A model whose validator is interrupted (Ctrl-C)."""

    x: int

    @field_validator("x")
    @classmethod
    def _interrupted(cls, x: int) -> int:
        raise KeyboardInterrupt


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Forecast(BaseModel):
    city: str
    days: int = Field(default=1, le=7)


def forecast(city: str, days: int = 1) -> str:
    """Forecast the weather."""
    return "sunny"


@tool
def lookup(city: str, user_id: Annotated[str, InjectedToolArg]) -> str:
    """Look a city up for a user (the user is injected, never asked for)."""
    return city


class Word(TypedDict):
    """Look up a word."""

    word: str


PAY = {
    "name": "pay",
    "description": "Pay an amount.",
    "parameters": {
        "type": "object",
        "properties": {"amount": {"type": "integer"}, "note": {"type": "string"}},
        "required": ["amount", "to"],
    },
}


def test_a_pydantic_model_decides_with_its_own_rules(gpt, recorder):
    assert outcome(
        gpt,
        recorder,
        [Adopt],
        ("Adopt", {"pet": {"kind": "dog", "barks": 2}}),
        ("Adopt", {"pet": {"kind": "dog", "barks": -1}}),
        ("Adopt", {"pet": {"kind": "cow"}}),
        ("Adopt", {"pet": "cat"}),
    ) == (
        [("Adopt", {"pet": {"kind": "dog", "barks": 2}})],
        [
            "arguments.pet.dog.barks: Input should be greater than or equal to 0, "
            "got -1",
            "arguments.pet: Input tag 'cow' found using 'kind' does not match any of "
            "the expected tags: 'cat', 'dog', got {'kind': 'cow'}",
            "arguments.pet: Input should be a valid dictionary or object to extract "
            "fields from, got 'cat'",
        ],
    )


class SafeOp(BaseModel):
    """Operate on a scratch file."""

    path: str = Field(pattern=r"^/tmp/")


def test_a_tool_with_nothing_to_run_is_still_checked_by_its_model(gpt, recorder):
    schema_only = StructuredTool(
        name="SafeOp", description="Operate on a scratch file.", args_schema=SafeOp
    )
    assert outcome(
        gpt, recorder, [schema_only], ("SafeOp", {"path": "/etc/passwd"})
    ) == (
        [],
        ["arguments.path: String should match pattern '^/tmp/', got '/etc/passwd'"],
    )


def test_a_second_tool_of_the_same_name_cannot_loosen_the_first(gpt, recorder):
    looser = {"name": "SafeOp", "parameters": {"type": "object"}}

    assert outcome(
        gpt,
        recorder,
        [SafeOp, looser],
        ("SafeOp", {"path": "/etc/passwd"}),
        ("SafeOp", {"path": "/tmp/a"}),
    ) == (
        [("SafeOp", {"path": "/tmp/a"})],
        ["arguments.path: String should match pattern '^/tmp/', got '/etc/passwd'"],
    )


def test_a_call_of_another_tool_than_the_forced_one_is_invalid(gpt, recorder):
    recorder.reply(
        openai_payload(block("SafeOp", {"path": "/tmp/a"}) + block("pay", {"to": "m"}))
    )
    pay = {"name": "pay", "parameters": {"type": "object"}}

    message = gpt.bind_tools([SafeOp, pay], tool_choice="SafeOp").invoke("Hi")

    assert [c["name"] for c in message.tool_calls] == ["SafeOp"]
    assert [c["error"] for c in message.invalid_tool_calls] == [
        "tool_choice requires a call of 'SafeOp', not 'pay'"
    ]


def test_a_valid_call_keeps_the_arguments_as_written(gpt, recorder):
    assert outcome(
        gpt,
        recorder,
        [Tidy, add],
        ("Tidy", {"tags": ["b", "a"]}),
        ("add", {"a": "1", "b": 2}),  # pydantic's lax mode accepts "1"
    ) == ([("Tidy", {"tags": ["b", "a"]}), ("add", {"a": "1", "b": 2})], [])


def test_a_crashing_validator_makes_the_call_invalid_not_the_invoke(gpt, recorder):
    assert outcome(gpt, recorder, [Broken], ("Broken", {"x": 1})) == (
        [],
        ["arguments could not be validated: RuntimeError: the validator crashed"],
    )


def test_an_interrupt_in_a_validator_reaches_the_caller(gpt, recorder):
    with pytest.raises(KeyboardInterrupt):
        outcome(gpt, recorder, [Interrupted], ("Interrupted", {"x": 1}))


def test_several_errors_are_reported_together(gpt, recorder):
    assert outcome(gpt, recorder, [add], ("add", {"a": "x", "b": "y"})) == (
        [],
        [
            "arguments.a: Input should be a valid integer, unable to parse string "
            "as an integer, got 'x'; arguments.b: Input should be a valid integer, "
            "unable to parse string as an integer, got 'y'"
        ],
    )


class Five(BaseModel):
    """Take five numbers."""

    a: int
    b: int
    c: int
    d: int
    e: int


def test_at_most_three_errors_are_reported_and_the_rest_are_counted(gpt, recorder):
    assert outcome(gpt, recorder, [Five], ("Five", {}), ("Five", {"a": 1, "b": 2})) == (
        [],
        [
            "arguments.a: Field required; arguments.b: Field required; "
            "arguments.c: Field required; and 2 more",
            "arguments.c: Field required; arguments.d: Field required; "
            "arguments.e: Field required",
        ],
    )


def test_an_item_of_a_list_is_named_by_its_index(gpt, recorder):
    def total(prices: list[int]) -> int:
        """Add prices up."""
        return sum(prices)

    assert outcome(gpt, recorder, [total], ("total", {"prices": [1, "x"]})) == (
        [],
        [
            "arguments.prices[1]: Input should be a valid integer, unable to parse "
            "string as an integer, got 'x'"
        ],
    )


def test_a_tools_args_schema_and_injected_arguments_are_respected(gpt, recorder):
    forecast_tool = StructuredTool.from_function(forecast, args_schema=Forecast)

    assert outcome(
        gpt,
        recorder,
        [forecast_tool, lookup],
        ("forecast", {"city": "Oslo", "days": 9}),
        ("lookup", {"city": "Oslo"}),
    ) == (
        [("lookup", {"city": "Oslo"})],
        ["arguments.days: Input should be less than or equal to 7, got 9"],
    )


class Weather(BaseModel):
    """A tool's argument model with validators and a config of its own."""

    model_config = ConfigDict(extra="forbid")
    city: str

    @model_validator(mode="before")
    @classmethod
    def _town_is_a_city(cls, data: Any) -> Any:
        if isinstance(data, dict) and "town" in data:
            data = {
                "city": data["town"],
                **{k: v for k, v in data.items() if k != "town"},
            }
        return data

    @field_validator("city")
    @classmethod
    def _capitalised(cls, city: str) -> str:
        if not city[:1].isupper():
            raise ValueError("city must be capitalised")
        return city


@tool(args_schema=Weather)
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_a_tools_own_model_judges_with_its_validators_and_config(gpt, recorder):
    valid, errors = outcome(
        gpt,
        recorder,
        [weather],
        ("weather", {"town": "Paris"}),  # the tool's validator accepts it
        ("weather", {"city": "paris"}),
        ("weather", {"city": "Paris", "zip": 1}),
    )

    assert valid == [("weather", {"town": "Paris"})]
    assert weather.invoke(valid[0][1]) == "sunny in Paris"
    assert errors == [
        "arguments.city: Value error, city must be capitalised, got 'paris'",
        "arguments.zip: Extra inputs are not permitted, got 1",
    ]


def test_per_call_tools_are_validated_by_their_model(gpt, recorder):
    recorder.reply(openai_payload(block("add", {"a": 1})))

    message = gpt.invoke("Hi", tools=[add])

    assert [c["error"] for c in message.invalid_tool_calls] == [
        "arguments.b: Field required"
    ]


def test_a_json_schema_tool_needs_its_required_keys_and_nothing_more(gpt, recorder):
    assert outcome(
        gpt,
        recorder,
        [PAY, Word],
        ("pay", {"amount": "lots", "to": "Bo", "extra": [1]}),
        ("pay", {"note": "hi"}),
        ("Word", {}),
    ) == (
        [("pay", {"amount": "lots", "to": "Bo", "extra": [1]})],
        [
            "arguments.amount: Field required; arguments.to: Field required",
            "arguments.word: Field required",
        ],
    )


@pytest.mark.parametrize("depth", [150, 100_000], ids=["deep", "past-the-stack"])
def test_deeply_nested_arguments_are_an_invalid_call(gpt, recorder, depth):
    arguments = '{"a": ' * depth + "{}" + "}" * depth
    recorder.reply(
        openai_payload(
            f'<tool_call>{{"name": "add", "arguments": {arguments}}}</tool_call>'
        )
    )

    message = gpt.bind_tools([add]).invoke("Hi")

    assert message.tool_calls == []
    assert [c["error"] for c in message.invalid_tool_calls] == [
        '"arguments" is nested too deeply (more than 100 levels)'
    ]


def test_a_truncated_fenced_call_is_an_invalid_call(gpt, recorder):
    # A reply cut off by max_tokens inside a code fence (timed in the benchmark).
    recorder.reply(openai_payload("<tool_call>\n```json\n" + "\n" * 50_000))

    message = gpt.bind_tools([add]).invoke("Hi")

    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1


def search(query: str) -> str:
    """Search the web."""
    return query


def test_a_single_string_tool_needs_its_one_argument(
    gpt: Any, recorder: Recorder
) -> None:
    # A `Tool` without args_schema takes one string, described as `__arg1`.
    web = Tool(name="search", func=search, description="Search the web.")

    assert outcome(
        gpt, recorder, [web], ("search", {"__arg1": "cats"}), ("search", {})
    ) == ([("search", {"__arg1": "cats"})], ["arguments.__arg1: Field required"])


def test_a_single_string_tool_given_a_model_is_checked_by_it(
    gpt: Any, recorder: Recorder
) -> None:
    weather = Tool(
        name="forecast", func=forecast, description="Forecast.", args_schema=Forecast
    )

    assert outcome(
        gpt, recorder, [weather], ("forecast", {"city": "Oslo", "days": 9})
    ) == (
        [],
        ["arguments.days: Input should be less than or equal to 7, got 9"],
    )


def test_arguments_beside_the_name_of_plain_fields_or_of_no_parameters_are_valid(
    gpt: Any, recorder: Recorder
) -> None:
    ping = {"name": "ping", "description": "Ping the service."}  # no parameters
    beside = '<tool_call>{"name": "add", "a": 1, "b": 2}</tool_call>'
    recorder.reply(openai_payload(beside + '<tool_call>{"name": "ping"}</tool_call>'))

    message = gpt.bind_tools([add, ping]).invoke("Hi")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("add", {"a": 1, "b": 2}),
        ("ping", {}),
    ]


def test_tools_bound_again_with_strict_keep_their_models_check(
    gpt: Any, recorder: Recorder
) -> None:
    # The tools of one binding, reused for another (strict re-describes them).
    tools = gpt.bind_tools([add]).kwargs["tools"]
    recorder.reply(openai_payload(block("add", {"a": "x", "b": 2})))

    message = gpt.bind_tools(tools, strict=True).invoke("Hi")

    assert message.tool_calls == []
    assert [c["error"] for c in message.invalid_tool_calls] == [
        "arguments.a: Input should be a valid integer, unable to parse string as "
        "an integer, got 'x'"
    ]


class Lookup(TypedDict, total=False):
    """Look a city up."""

    city: str
    days: int


def test_tools_given_per_call_with_strict_are_described_as_bind_tools_does(
    gpt: Any, recorder: Recorder
) -> None:
    # Under strict every key of a TypedDict is required: this call lacks one.
    recorder.reply(openai_payload(block("Lookup", {"city": "Paris"})))
    recorder.reply(openai_payload(block("Lookup", {"city": "Paris"})))

    bound = gpt.bind_tools([Lookup], strict=True).invoke("Hi")
    per_call = gpt.invoke("Hi", tools=[Lookup], strict=True)

    assert bound.tool_calls == per_call.tool_calls == []
    assert [c["error"] for c in per_call.invalid_tool_calls] == [
        c["error"] for c in bound.invalid_tool_calls
    ]
    assert per_call.invalid_tool_calls[0]["error"] == "arguments.days: Field required"
    assert recorder.bodies[0] == recorder.bodies[1]  # strict is not a body field


def test_pickled_tools_whose_model_imports_keep_its_check(
    gpt: Any, recorder: Recorder
) -> None:
    tools = pickle.loads(pickle.dumps(gpt.bind_tools([Forecast]).kwargs["tools"]))
    recorder.reply(openai_payload(block("Forecast", {"city": "Paris", "days": 9})))

    message = gpt.bind_tools(tools).invoke("Hi")

    assert [c["error"] for c in message.invalid_tool_calls] == [
        "arguments.days: Input should be less than or equal to 7, got 9"
    ]


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy])
def test_copied_tools_keep_their_models_check(
    gpt: Any, recorder: Recorder, clone: Any
) -> None:
    tools = [clone(each) for each in gpt.bind_tools([add]).kwargs["tools"]]
    recorder.reply(openai_payload(block("add", {"a": "x", "b": 2})))

    message = gpt.bind_tools(tools).invoke("Hi")

    assert [c["error"] for c in message.invalid_tool_calls] == [
        "arguments.a: Input should be a valid integer, unable to parse string as "
        "an integer, got 'x'"
    ]


@pytest.mark.parametrize("tools", [5, "get_weather", {"name": "f"}])
def test_per_call_tools_that_are_no_list_are_refused_before_sending(
    gpt: Any, recorder: Any, tools: object
) -> None:
    with pytest.raises(SegmindInputError, match="tools must be a list, got"):
        gpt.invoke("Hi", tools=tools)
    assert recorder.count == 0


def numbers(values: list[int]) -> int:
    """Add up numbers."""
    return sum(values)


def test_a_long_list_of_plain_values_is_checked_not_refused(gpt, recorder):
    values = list(range(100_001))

    assert outcome(gpt, recorder, [numbers], ("numbers", {"values": values})) == (
        [("numbers", {"values": values})],
        [],
    )


def test_a_call_whose_argument_holds_a_lone_surrogate_goes_back_as_written(
    gpt, recorder
):
    recorder.reply(
        openai_payload(
            '<tool_call>{"name": "forecast", "arguments": '
            '{"city": "\\ud800"}}</tool_call>'
        )
    )
    message = gpt.bind_tools([forecast]).invoke("Hi")
    (call,) = message.tool_calls
    assert call["args"] == {"city": "\ud800"}

    gpt.bind_tools([forecast]).invoke(
        ["Hi", message, ToolMessage("sunny", tool_call_id=call["id"])]
    )

    assert "\\ud800" in json.dumps(recorder.last.body["messages"][2]["content"])


@pytest.mark.parametrize(
    "parameters",
    [{"type": "object", "required": [["a"]]}, ["not", "a", "schema"]],
    ids=["required-not-names", "parameters-not-an-object"],
)
def test_a_malformed_json_schema_tool_still_reads_its_calls(gpt, recorder, parameters):
    tool = {"type": "function", "function": {"name": "f", "parameters": parameters}}
    recorder.reply(openai_payload(block("f", {})))

    message = gpt.bind_tools([tool]).invoke("Hi")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("f", {})]
