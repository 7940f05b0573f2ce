"""`with_structured_output`: the body each method sends, and how answers parse.

Methods: `"json_schema"` (Segmind's `response_format`), `"function_calling"`
(the tool protocol, the schema's tool required) and `"json_mode"`
(`json_object` for GPT, an instruction for Claude). Schemas: pydantic v2 and
v1 classes, TypedDicts and JSON schemas.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, RootModel
from pydantic.v1 import BaseModel as BaseModelV1
from typing_extensions import TypedDict

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)

from .conftest import ModelFactory, anthropic_payload, openai_payload


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


class JokeV1(BaseModelV1):
    """A joke."""

    setup: str
    punchline: str


class JokeDict(TypedDict):
    """A joke."""

    setup: str
    punchline: str


JOKE_SCHEMA = {
    "title": "JokeSchema",
    "description": "A joke.",
    "type": "object",
    "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
    "required": ["setup", "punchline"],
}
PROPERTIES = {"setup": {"type": "string"}, "punchline": {"type": "string"}}
JOKE_VALUES = {
    "setup": "Why did the cat sit on the laptop?",
    "punchline": "To keep an eye on the mouse.",
}
JOKE_JSON = json.dumps(JOKE_VALUES)
JSON_MODE_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose and no code fences."
)


@dataclass(frozen=True)
class Schema:
    """A schema in one of the accepted forms, and what it sends and parses to."""

    value: Any
    name: str
    json_schema: dict[str, Any]
    parsed: Any


SCHEMAS = [
    Schema(
        Joke,
        "Joke",
        {
            "title": "Joke",
            "description": "A joke.",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
            "type": "object",
        },
        Joke(**JOKE_VALUES),
    ),
    Schema(
        JokeV1,
        "JokeV1",
        {
            "title": "JokeV1",
            "description": "A joke.",
            "type": "object",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
        },
        JokeV1(**JOKE_VALUES),
    ),
    Schema(
        JokeDict,
        "JokeDict",
        {
            "title": "JokeDict",
            "description": "A joke.",
            "type": "object",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
        },
        JOKE_VALUES,
    ),
    Schema(JOKE_SCHEMA, "JokeSchema", JOKE_SCHEMA, JOKE_VALUES),
]
SCHEMA_IDS = ["pydantic", "pydantic-v1", "typeddict", "json-schema"]


@dataclass(frozen=True)
class Dialect:
    name: str
    cls: type[ChatSegmind]
    answer: Callable[[str], dict[str, Any]]


CLAUDE = Dialect("claude", ChatSegmindClaude, anthropic_payload)
GPT = Dialect("gpt", ChatSegmindGPT4o, openai_payload)


@pytest.fixture(params=[CLAUDE, GPT], ids=lambda d: d.name)
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param


@pytest.fixture
def model(dialect: Dialect, make_model: ModelFactory) -> ChatSegmind:
    return make_model(dialect.cls)


def run(runnable: Any, api: str, prompt: Any = "Tell me a joke about cats.") -> Any:
    """One call through `invoke` or `ainvoke`."""
    if api == "invoke":
        return runnable.invoke(prompt)
    return asyncio.run(runnable.ainvoke(prompt))


# -- method="json_schema" (the default) ---------------------------------------------


@pytest.mark.parametrize("schema", SCHEMAS, ids=SCHEMA_IDS)
@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
def test_json_schema_sends_the_response_format_and_parses_the_answer(
    model, dialect, recorder, schema, api
):
    recorder.reply(dialect.answer(JOKE_JSON))

    result = run(model.with_structured_output(schema.value), api)

    assert recorder.last.body == {
        "messages": [{"role": "user", "content": "Tell me a joke about cats."}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": schema.name,
                "schema": schema.json_schema,
                "description": "A joke.",
            },
        },
    }
    assert type(result) is type(schema.parsed)
    assert result == schema.parsed


@pytest.mark.parametrize("strict", [True, False])
def test_json_schema_passes_the_strict_flag(model, recorder, strict):
    model.with_structured_output(JOKE_SCHEMA, strict=strict, include_raw=True).invoke(
        "Hi"
    )

    spec = recorder.last.body["response_format"]["json_schema"]
    assert spec["strict"] is strict
    assert spec["name"] == "JokeSchema"


class Rated(BaseModel):
    """A rated joke."""

    setup: str
    rating: int | None = None
    author: Joke | None = None


def test_a_strict_json_schema_is_one_strict_mode_accepts(gpt, recorder):
    recorder.reply(openai_payload('{"setup": "s", "rating": null, "author": null}'))

    result = gpt.with_structured_output(Rated, strict=True).invoke("Hi")

    schema = recorder.last.body["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["setup", "rating", "author"]
    joke = schema["properties"]["author"]["anyOf"][0]
    assert (joke["additionalProperties"], joke["required"]) == (
        False,
        ["setup", "punchline"],
    )
    assert result == Rated(setup="s")


def test_json_schema_without_a_description_sends_none(model, dialect, recorder):
    schema = {
        "title": "Point",
        "type": "object",
        "properties": {"x": {"type": "integer"}},
    }
    recorder.reply(dialect.answer('{"x": 3}'))

    assert model.with_structured_output(schema).invoke("Hi") == {"x": 3}
    assert recorder.last.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Point", "schema": schema},
    }


OPENAI_SPEC = {"name": "JokeSpec", "schema": JOKE_SCHEMA, "strict": False}


@pytest.mark.parametrize(
    "schema",
    [OPENAI_SPEC, {"type": "json_schema", "json_schema": OPENAI_SPEC}],
    ids=["spec", "response-format"],
)
def test_openais_json_schema_spec_is_sent_as_written(model, dialect, recorder, schema):
    recorder.reply(dialect.answer('{"setup": "Why?"}'))  # lacks a required key
    structured = model.with_structured_output(schema, strict=True, include_raw=True)

    result = structured.invoke("Hi")

    assert recorder.last.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {**OPENAI_SPEC, "strict": True},
    }
    assert "punchline" in str(result["parsing_error"])


@pytest.mark.parametrize("schema", SCHEMAS, ids=SCHEMA_IDS)
@pytest.mark.parametrize(
    "reply",
    [
        f"```json\n{JOKE_JSON}\n```",
        f"```\n{JOKE_JSON}\n```",
        f"Here it is:\n```json\n{JOKE_JSON}\n```",
        f"```json\n{JOKE_JSON}\n```\nHope this helps!",
        f"{JOKE_JSON}\n\nThe joke plays on the word mouse.",
        f'<think>\nMaybe {{"setup": "no"}}? Better:\n</think>\n{JOKE_JSON}',
        f'<think>It wants "a joke"</think>\n{JOKE_JSON}',
        f'Maybe {{"setup": "no"}}? No.</think>\n\n{JOKE_JSON}',
    ],
    ids=[
        "json-fence",
        "bare-fence",
        "prose-then-fence",
        "fence-then-remark",
        "object-then-remark",
        "after-inline-reasoning",
        "after-inline-reasoning-closed-after-a-quote",
        "after-inline-reasoning-of-r1",
    ],
)
def test_a_fenced_answer_still_parses(model, dialect, recorder, schema, reply):
    recorder.reply(dialect.answer(reply))

    assert model.with_structured_output(schema.value).invoke("Hi") == schema.parsed


def test_openais_spec_with_function_calling_describes_its_schema(gpt, recorder):
    recorder.reply(openai_payload(joke_call("JokeSpec")))

    result = gpt.with_structured_output(OPENAI_SPEC, method="function_calling").invoke(
        "Hi"
    )

    assert result == JOKE_VALUES
    assert json.dumps(JOKE_SCHEMA["properties"]) in system_prompt(recorder.last.body)


class PartialJoke(TypedDict, total=False):
    """A joke whose keys may each be missing."""

    setup: str
    punchline: str


@pytest.mark.parametrize(
    ("schema", "reply", "parsed", "method"),
    [
        (PartialJoke, '{"setup": "Why?"}', {"setup": "Why?"}, "json_schema"),
        (PartialJoke, '{"setup": "Why?"}', {"setup": "Why?"}, "json_mode"),
        (
            {"type": "array", "items": {"type": "integer"}},
            "[1, 2]",
            [1, 2],
            "json_schema",
        ),
        (
            {"type": "object", "properties": {"a": {}, "b": {}}, "required": ["a"]},
            '{"a": 1}',
            {"a": 1},
            "json_mode",
        ),
    ],
    ids=["typeddict-not-total", "typeddict-json-mode", "array-schema", "untitled"],
)
def test_a_dict_answer_is_checked_as_its_schema_says(
    gpt, recorder, schema, reply, parsed, method
):
    recorder.reply(openai_payload(reply))
    recorder.reply(openai_payload('{"b": 1}'))
    structured = gpt.with_structured_output(schema, method=method)

    assert structured.invoke("Hi") == parsed
    if isinstance(schema, dict) and "required" in schema:
        with pytest.raises(OutputParserException, match=r"required keys \['a'\]"):
            structured.invoke("Hi")


LIST_SCHEMA = {"title": "Fruits", "type": "array", "items": {"type": "string"}}
MAYBE = {"title": "Maybe", "type": ["object", "null"], "properties": {}}
COLOUR_SCHEMA = {"title": "Colour", "enum": ["red", "green"]}


@pytest.mark.parametrize(
    ("schema", "reply", "parsed"),
    [
        (LIST_SCHEMA, '["apples", "pears"]\nBoth are fruit.', ["apples", "pears"]),
        (COLOUR_SCHEMA, '"red"', "red"),
    ],
    ids=["array", "enum"],
)
def test_a_json_schema_of_another_root_is_sent_and_read_as_written(
    gpt, recorder, schema, reply, parsed
):
    recorder.reply(openai_payload(reply))

    assert gpt.with_structured_output(schema).invoke("Hi") == parsed
    sent = recorder.last.body["response_format"]["json_schema"]
    assert sent == {"name": schema["title"], "schema": schema}


def test_an_answer_whose_string_writes_a_closing_reasoning_tag_is_read(gpt, recorder):
    recorder.reply(openai_payload('{"html": "<think>a</think>"}'))

    assert gpt.with_structured_output(method="json_mode").invoke("Hi") == {
        "html": "<think>a</think>"
    }


def test_an_answer_inside_reasoning_that_never_ends_is_refused(gpt, recorder):
    recorder.reply(openai_payload('<think>\nDraft: ```json\n{"a": 1}\n```\nbut'))

    with pytest.raises(OutputParserException, match="reasoning that never ends"):
        gpt.with_structured_output(method="json_mode").invoke("Hi")


@pytest.mark.parametrize("reply", ["1. apples\n2. pears", "true", '{"a": 1}'])
def test_an_answer_of_another_type_than_the_schemas_is_refused(gpt, recorder, reply):
    recorder.reply(openai_payload(reply))

    with pytest.raises(OutputParserException):
        gpt.with_structured_output(LIST_SCHEMA).invoke("Hi")


@pytest.mark.parametrize(
    ("schema", "reply", "parsed"),
    [
        ({"title": "S", "type": "string"}, '"red"\nIt is red.', "red"),
        ({"title": "B", "type": "boolean"}, "true, it is", True),
        ({"title": "I", "type": "integer"}, "```json\n42\n```\nThat is all.", 42),
        ({"title": "I", "type": "integer"}, "3.0", 3.0),
        (MAYBE, "null", None),
        (
            {"$ref": "#/$defs/L", "$defs": {"L": LIST_SCHEMA}},
            '["apples"]',
            ["apples"],
        ),
        ({"title": "Fruits", "items": {"type": "string"}}, '["apples"]', ["apples"]),
        (RootModel[list[str]], '["a", "b"]', RootModel[list[str]](["a", "b"])),
    ],
    ids=[
        "string-remark",
        "boolean-remark",
        "fenced-number",
        "whole-float",
        "type-list",
        "ref-to-array",
        "items-only",
        "root-model",
    ],
)
def test_a_scalar_or_root_answer_is_read_as_its_schema_says(
    gpt, recorder, schema, reply, parsed
):
    recorder.reply(openai_payload(reply))

    assert gpt.with_structured_output(schema).invoke("Hi") == parsed


@pytest.mark.parametrize("reply", ["[1, 2]", '"yes"', "null"])
def test_json_mode_without_a_schema_asks_for_an_object(gpt, recorder, reply):
    recorder.reply(openai_payload(reply))

    with pytest.raises(OutputParserException, match="root does not allow"):
        gpt.with_structured_output(method="json_mode").invoke("Hi")


@pytest.mark.parametrize(
    "schema",
    [
        {"title": "Any"},
        {"title": "R", "required": ["a"]},
        {"title": "Maybe", "type": ["object"]},
    ],
    ids=["unconstrained", "required-only", "type-list"],
)
def test_json_mode_with_a_schema_asks_for_an_object_too(gpt, recorder, schema):
    recorder.reply(openai_payload("[1, 2]"))

    with pytest.raises(OutputParserException, match="root does not allow"):
        gpt.with_structured_output(schema, method="json_mode").invoke("Hi")


def test_a_schema_without_type_is_sent_as_written_and_read_by_its_keywords(
    gpt, recorder
):
    fruits = {"title": "Fruits", "items": {"type": "string"}}
    either = {"title": "Either", "items": {}, "properties": PROPERTIES}
    recorder.reply(openai_payload("42"))
    recorder.reply(openai_payload(JOKE_JSON))

    with pytest.raises(OutputParserException):
        gpt.with_structured_output(fruits).invoke("Hi")
    assert recorder.last.body["response_format"]["json_schema"]["schema"] == fruits
    assert gpt.with_structured_output(either).invoke("Hi") == JOKE_VALUES


def test_a_spec_with_an_unknown_type_is_sent_and_its_answer_returned(gpt, recorder):
    spec = {"name": "X", "schema": {"type": "Object", "properties": PROPERTIES}}
    recorder.reply(openai_payload(JOKE_JSON))

    assert gpt.with_structured_output(spec).invoke("Hi") == JOKE_VALUES


@pytest.mark.parametrize("reply", ["42", "null", '["setup"]'])
def test_a_schema_with_properties_and_no_type_asks_for_an_object(gpt, recorder, reply):
    schema = {"title": "Joke", "properties": PROPERTIES, "required": ["setup"]}
    recorder.reply(openai_payload(reply))

    with pytest.raises(OutputParserException):
        gpt.with_structured_output(schema).invoke("Hi")


@pytest.mark.parametrize(
    ("schema", "method", "strict"),
    [
        (MAYBE, "json_schema", True),
        ({"type": "json_object"}, "json_schema", None),
        (LIST_SCHEMA, "json_mode", None),
        (COLOUR_SCHEMA, "json_schema", True),
        ({"title": "Odd", "type": {"a": 1}}, "json_schema", None),
    ],
    ids=["type-list-strict", "wrapper", "json-mode-array", "strict-enum", "odd-type"],
)
def test_a_schema_that_cannot_work_is_refused_when_built(
    gpt, recorder, schema, method, strict
):
    with pytest.raises(SegmindInputError):
        gpt.with_structured_output(schema, method=method, strict=strict)
    assert recorder.count == 0


BAD_REPLIES = {
    "not-json": "Sorry, I can't tell jokes.",
    "missing-field": '{"setup": "Why?"}',
    "wrong-type": '{"setup": "Why?", "punchline": ["To", "keep"]}',
    "cut-off": '{"setup": "Why?", "punchline": "To keep an',  # at max_tokens
    "a-list": f"[{JOKE_JSON}]",
    "null": "null",
}


@pytest.mark.parametrize("reply", list(BAD_REPLIES))
@pytest.mark.parametrize("schema", SCHEMAS, ids=SCHEMA_IDS)
def test_a_bad_answer_raises_output_parser_exception(
    model, dialect, recorder, reply, schema
):
    if reply == "wrong-type" and schema.name in ("JokeDict", "JokeSchema"):
        pytest.skip("only pydantic checks the types of a dict answer")
    recorder.reply(dialect.answer(BAD_REPLIES[reply]))

    with pytest.raises(OutputParserException):
        model.with_structured_output(schema.value).invoke("Hi")


@pytest.mark.parametrize("method", ["json_schema", "json_mode", "function_calling"])
@pytest.mark.parametrize("api", ["stream", "astream"])
def test_a_bad_answer_raises_when_streamed_too(model, dialect, recorder, method, api):
    reply = BAD_REPLIES["missing-field"]
    if method == "function_calling":
        reply = joke_call("Joke", reply)
    recorder.reply(dialect.answer(reply))
    structured = model.with_structured_output(Joke, method=method)

    async def collect() -> list[Any]:
        return [chunk async for chunk in structured.astream("Hi")]

    with pytest.raises(OutputParserException):
        list(structured.stream("Hi")) if api == "stream" else asyncio.run(collect())


@pytest.mark.parametrize("method", ["json_schema", "json_mode", "function_calling"])
@pytest.mark.parametrize("good", [True, False], ids=["good", "bad"])
def test_include_raw_streams_one_complete_result(
    model, dialect, recorder, method, good
):
    reply = JOKE_JSON if good else BAD_REPLIES["missing-field"]
    if method == "function_calling":
        reply = joke_call("Joke", reply)
    recorder.reply(dialect.answer(reply))

    structured = model.with_structured_output(Joke, method=method, include_raw=True)
    [result] = list(structured.stream("Hi"))

    assert isinstance(result["raw"], AIMessage)
    assert result["parsed"] == (Joke(**JOKE_VALUES) if good else None)
    assert isinstance(result["parsing_error"], None | OutputParserException)
    assert (result["parsing_error"] is None) == good


@pytest.mark.parametrize("reply", list(BAD_REPLIES))
def test_include_raw_returns_the_parsing_error_instead(model, dialect, recorder, reply):
    recorder.reply(dialect.answer(BAD_REPLIES[reply]))

    result = model.with_structured_output(Joke, include_raw=True).invoke("Hi")

    assert set(result) == {"raw", "parsed", "parsing_error"}
    assert isinstance(result["raw"], AIMessage)
    assert result["raw"].content == BAD_REPLIES[reply]
    assert result["parsed"] is None
    assert isinstance(result["parsing_error"], OutputParserException)


def test_include_raw_with_a_good_answer(model, dialect, recorder):
    recorder.reply(dialect.answer(JOKE_JSON))

    result = model.with_structured_output(Joke, include_raw=True).invoke("Hi")

    assert result["raw"].content == JOKE_JSON
    assert result["parsed"] == Joke(**JOKE_VALUES)
    assert result["parsing_error"] is None


# -- method="function_calling" -------------------------------------------------------


def joke_call(name: str, arguments: str = JOKE_JSON) -> str:
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def system_prompt(body: dict[str, Any]) -> str:
    if "instruction" in body:
        return body["instruction"]
    [system] = [m["content"] for m in body["messages"] if m["role"] == "system"]
    return system


@pytest.mark.parametrize("schema", SCHEMAS, ids=SCHEMA_IDS)
@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
def test_function_calling_requires_the_schema_tool_and_parses_the_call(
    model, dialect, recorder, schema, api
):
    recorder.reply(dialect.answer(joke_call(schema.name)))

    result = run(
        model.with_structured_output(schema.value, method="function_calling"), api
    )

    body = recorder.last.body
    assert "response_format" not in body
    assert "tools" not in body
    assert [m for m in body["messages"] if m["role"] != "system"] == [
        {"role": "user", "content": "Tell me a joke about cats."}
    ]
    prompt = system_prompt(body)
    assert prompt.startswith("# Tools\n")
    assert f'{{"name": "{schema.name}", "description": "A joke.", ' in prompt
    assert prompt.endswith(
        f'\n- You must call the tool "{schema.name}" in this answer.'
    )
    assert type(result) is type(schema.parsed)
    assert result == schema.parsed


def test_function_calling_with_include_raw_keeps_the_tool_call(
    model, dialect, recorder
):
    recorder.reply(dialect.answer("Sure.\n" + joke_call("Joke")))

    result = model.with_structured_output(
        Joke, method="function_calling", include_raw=True
    ).invoke("Hi")

    assert result["parsed"] == Joke(**JOKE_VALUES)
    assert result["parsing_error"] is None
    assert result["raw"].content == "Sure."
    assert [c["name"] for c in result["raw"].tool_calls] == ["Joke"]


FUNCTION_CALLING_BAD_REPLIES = {
    "call-breaks-schema": joke_call("Joke", '{"setup": "Why?"}'),
    "no-call": "Why did the cat sit on the laptop? To keep an eye on the mouse.",
}


@pytest.mark.parametrize("reply", list(FUNCTION_CALLING_BAD_REPLIES))
@pytest.mark.parametrize("schema", [Joke, JOKE_SCHEMA], ids=["pydantic", "dict"])
def test_function_calling_bad_answer_raises(model, dialect, recorder, reply, schema):
    recorder.reply(dialect.answer(FUNCTION_CALLING_BAD_REPLIES[reply]))

    with pytest.raises(OutputParserException):
        model.with_structured_output(schema, method="function_calling").invoke("Hi")


@pytest.mark.parametrize("reply", list(FUNCTION_CALLING_BAD_REPLIES))
def test_function_calling_bad_answer_lands_in_parsing_error(
    model, dialect, recorder, reply
):
    recorder.reply(dialect.answer(FUNCTION_CALLING_BAD_REPLIES[reply]))

    result = model.with_structured_output(
        Joke, method="function_calling", include_raw=True
    ).invoke("Hi")

    assert result["parsed"] is None
    assert isinstance(result["parsing_error"], OutputParserException)


def test_function_calling_with_a_pydantic_v1_schema_checks_the_types(
    model, dialect, recorder
):
    recorder.reply(
        dialect.answer(joke_call("JokeV1", '{"setup": "Why?", "punchline": []}'))
    )

    with pytest.raises(OutputParserException, match="JokeV1"):
        model.with_structured_output(JokeV1, method="function_calling").invoke("Hi")


# -- method="json_mode" --------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "parsed"),
    [(None, JOKE_VALUES), (Joke, Joke(**JOKE_VALUES)), (JokeDict, JOKE_VALUES)],
    ids=["no-schema", "pydantic", "typeddict"],
)
def test_json_mode_for_gpt_sends_json_object_and_the_instruction(
    gpt, recorder, schema, parsed
):
    recorder.reply(openai_payload(JOKE_JSON))

    result = gpt.with_structured_output(schema, method="json_mode").invoke(
        [SystemMessage("Be funny."), HumanMessage("A joke on cats.")]
    )

    assert recorder.last.body == {
        "messages": [
            {"role": "system", "content": "Be funny."},
            {"role": "user", "content": "A joke on cats."},
            {"role": "system", "content": JSON_MODE_INSTRUCTION},
        ],
        "response_format": {"type": "json_object"},
    }
    assert result == parsed


@pytest.mark.parametrize(
    ("schema", "parsed"),
    [(None, JOKE_VALUES), (Joke, Joke(**JOKE_VALUES)), (JokeDict, JOKE_VALUES)],
    ids=["no-schema", "pydantic", "typeddict"],
)
def test_json_mode_for_claude_sends_only_the_instruction(
    claude, recorder, schema, parsed
):
    recorder.reply(anthropic_payload(JOKE_JSON))

    result = claude.with_structured_output(schema, method="json_mode").invoke(
        [SystemMessage("Be funny."), HumanMessage("A joke on cats.")]
    )

    assert recorder.last.body == {
        "instruction": f"Be funny.\n\n{JSON_MODE_INSTRUCTION}",
        "messages": [{"role": "user", "content": "A joke on cats."}],
    }
    assert result == parsed


def test_json_mode_bad_answer_raises(model, dialect, recorder):
    recorder.reply(dialect.answer("no JSON here"))

    with pytest.raises(OutputParserException):
        model.with_structured_output(method="json_mode").invoke("Hi")


# -- response_format given per call -------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "response_format", "refused", "supported"),
    [
        (
            ChatSegmindClaude,
            {"type": "json_object"},
            "'json_object'",
            "['json_schema']",
        ),
        (ChatSegmindClaude, {"type": "text"}, "'text'", "['json_schema']"),
        (
            ChatSegmindGPT4o,
            {"type": "xml"},
            "'xml'",
            "['json_object', 'json_schema', 'text']",
        ),
        (
            ChatSegmindGPT4o,
            {"schema": {}},
            "None",
            "['json_object', 'json_schema', 'text']",
        ),
    ],
    ids=["claude-json-object", "claude-text", "gpt-xml", "gpt-no-type"],
)
def test_a_response_format_the_dialect_lacks_is_refused_naming_the_supported_ones(
    make_model: ModelFactory,
    recorder: Any,
    cls: type[ChatSegmind],
    response_format: dict[str, Any],
    refused: str,
    supported: str,
) -> None:
    model = make_model(cls)

    with pytest.raises(SegmindInputError) as raised:
        model.invoke("Hi", response_format=response_format)

    assert str(raised.value) == (
        f"response_format type {refused} is not supported for Segmind model "
        f"{model.model!r}; supported: {supported}"
    )
    assert recorder.count == 0


# -- arguments and tracing ---------------------------------------------------------


def test_an_unknown_method_is_refused_before_any_request(model, recorder):
    with pytest.raises(SegmindInputError) as raised:
        model.with_structured_output(Joke, method="xml")

    assert str(raised.value) == (
        "unknown structured-output method 'xml'; use 'json_schema', "
        "'function_calling' or 'json_mode'"
    )
    assert recorder.count == 0


def test_unexpected_arguments_are_refused(model, recorder):
    with pytest.raises(SegmindInputError) as raised:
        model.with_structured_output(Joke, tool_choice="any", foo=1)

    assert str(raised.value) == "unexpected arguments: ['foo', 'tool_choice']"
    assert recorder.count == 0


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_a_schema_is_required_except_for_json_mode(model, recorder, method):
    with pytest.raises(SegmindInputError, match=f"method='{method}' needs a schema"):
        model.with_structured_output(None, method=method)

    assert recorder.count == 0


class OptionsRecorder(BaseCallbackHandler):
    """Keeps the `options` LangChain passes to `on_chat_model_start`."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[dict[str, Any] | None] = []

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.options.append(options)


@pytest.mark.parametrize(
    ("method", "reply"),
    [
        ("json_schema", JOKE_JSON),
        ("function_calling", joke_call("Joke")),
        ("json_mode", JOKE_JSON),
    ],
)
def test_callbacks_see_the_structured_output_format(
    model, dialect, recorder, method, reply
):
    recorder.reply(dialect.answer(reply))
    handler = OptionsRecorder()
    runnable = model.with_structured_output(Joke, method=method)

    result = runnable.invoke("Hi", config={"callbacks": [handler]})

    assert result == Joke(**JOKE_VALUES)
    [options] = handler.options
    assert options["ls_structured_output_format"] == {
        "kwargs": {"method": method, "strict": None},
        "schema": SCHEMAS[0].json_schema,
    }
    # Tracing data stays out of the request.
    assert "ls_structured_output_format" not in recorder.last.body


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_a_schema_that_cannot_be_described_is_an_input_error(gpt, method):
    with pytest.raises(SegmindInputError):
        gpt.with_structured_output(42, method=method)


def test_json_object_for_an_openai_slug_also_sends_the_json_instruction(gpt, recorder):
    # The provider refuses `json_object` unless a message says "JSON".
    gpt.invoke("Hi", response_format={"type": "json_object"})

    body = recorder.last.body
    assert body["response_format"] == {"type": "json_object"}
    assert {"role": "system", "content": JSON_MODE_INSTRUCTION} in body["messages"]


def test_a_response_format_in_model_kwargs_is_checked_like_a_per_call_one(
    make_model, recorder
):
    claude = make_model(
        ChatSegmindClaude, model_kwargs={"response_format": {"type": "json_object"}}
    )
    with pytest.raises(SegmindInputError, match="'json_object' is not supported"):
        claude.invoke("Hi")
    assert recorder.requests == []

    schema = {"type": "json_schema", "json_schema": {"name": "P", "schema": PROPERTIES}}
    gpt = make_model(ChatSegmindGPT4o, model_kwargs={"response_format": schema})
    gpt.invoke("Hi")
    assert recorder.last.body["response_format"] == schema
