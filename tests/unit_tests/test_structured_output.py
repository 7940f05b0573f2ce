"""`with_structured_output` with `method="json_schema"`, the default.

The body it sends (Segmind's `response_format`) and how answers parse: fenced,
after inline reasoning, of another root than an object, or not as the schema
says. Schemas: pydantic v2 and v1 classes, TypedDicts and JSON schemas. The
other methods, and the arguments, are in test_structured_output_methods.py;
answers that do not parse in test_structured_output_errors.py.
"""

from __future__ import annotations

import contextlib
import json
from typing import Annotated, Any, Generic, Literal, TypeVar

import pytest
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel, Field, RootModel
from typing_extensions import TypedDict

from langchain_segmind import SegmindInputError

from ._payloads import (
    JOKE_JSON,
    JOKE_SCHEMA,
    JOKE_VALUES,
    PROPERTIES,
    SCHEMA_IDS,
    SCHEMAS,
    Joke,
    joke_call,
    run,
    system_prompt,
)
from .conftest import openai_payload

T = TypeVar("T")

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


class Tree(BaseModel):
    name: str
    children: list[Tree] = []


class Cat(BaseModel):
    kind: Literal["cat"]
    meows: int


class Dog(BaseModel):
    kind: Literal["dog"]
    barks: int


class Pet(BaseModel):
    pet: Annotated[Cat | Dog, Field(discriminator="kind")]


class Page(BaseModel, Generic[T]):
    items: list[T]


@pytest.mark.parametrize("strict", [None, True])
def test_a_recursive_model_is_sent_with_its_nesting(gpt, recorder, strict):
    recorder.reply(openai_payload('{"name": "a", "children": [{"name": "b"}]}'))

    result = gpt.with_structured_output(Tree, strict=strict).invoke("Hi")

    schema = recorder.last.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    assert schema["$defs"]["Tree"]["properties"].keys() == {"name", "children"}
    if strict:
        assert schema["$defs"]["Tree"]["additionalProperties"] is False
    assert result == Tree(name="a", children=[Tree(name="b")])


def test_a_strict_discriminated_union_is_sent_as_closed_alternatives(gpt, recorder):
    recorder.reply(openai_payload('{"pet": {"kind": "cat", "meows": 1}}'))

    result = gpt.with_structured_output(Pet, strict=True).invoke("Hi")

    schema = recorder.last.body["response_format"]["json_schema"]["schema"]
    assert "oneOf" not in json.dumps(schema)
    assert "discriminator" not in json.dumps(schema)
    cat, dog = schema["properties"]["pet"]["anyOf"]
    assert cat["additionalProperties"] is dog["additionalProperties"] is False
    assert result == Pet(pet=Cat(kind="cat", meows=1))


class Pets(BaseModel):
    pets: list[Annotated[Cat | Dog, Field(discriminator="kind")]]


def test_a_strict_discriminated_union_of_items_is_sent_as_alternatives(gpt, recorder):
    recorder.reply(openai_payload('{"pets": [{"kind": "dog", "barks": 2}]}'))

    result = gpt.with_structured_output(Pets, strict=True).invoke("Hi")

    schema = json.dumps(recorder.last.body["response_format"]["json_schema"]["schema"])
    assert "oneOf" not in schema
    assert "discriminator" not in schema
    assert result == Pets(pets=[Dog(kind="dog", barks=2)])


def test_a_json_schema_whose_root_ref_points_nowhere_is_read_as_written(gpt, recorder):
    schema = {"title": "Answer", "type": "object", "$ref": "#/$defs/Missing"}
    recorder.reply(openai_payload('{"a": 1}'))

    assert gpt.with_structured_output(schema).invoke("Hi") == {"a": 1}


class Detector(BaseModel):
    discriminator: str
    oneOf: int  # noqa: N815 - a field named like the keyword
    where: dict[str, Any] = {"oneOf": [1], "discriminator": "d"}  # a value too


@pytest.mark.parametrize("strict", [None, True])
def test_names_and_values_like_union_keywords_are_sent_as_written(
    gpt, recorder, strict
):
    recorder.reply(openai_payload('{"discriminator": "d", "oneOf": 1}'))

    result = gpt.with_structured_output(Detector, strict=strict).invoke("Hi")

    schema = recorder.last.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"].keys() == {"discriminator", "oneOf", "where"}
    where = schema["properties"]["where"]
    assert where["default"] == {"oneOf": [1], "discriminator": "d"}
    assert result == Detector(discriminator="d", oneOf=1)


def test_a_property_named_like_a_keyword_may_require_others(gpt, recorder):
    # `dependentRequired` maps property names to lists of names, not to schemas.
    schema = {
        "title": "Feature",
        "type": "object",
        "properties": {"properties": {"type": "object"}, "id": {"type": "string"}},
        "dependentRequired": {"properties": ["id"]},
    }
    recorder.reply(openai_payload('{"id": "a", "properties": {}}'))

    result = gpt.with_structured_output(schema, strict=True).invoke("Hi")

    sent = recorder.last.body["response_format"]["json_schema"]["schema"]
    assert sent["dependentRequired"] == {"properties": ["id"]}
    assert result == {"id": "a", "properties": {}}


class MaybePet(BaseModel):
    pet: Annotated[Cat | Dog, Field(discriminator="kind")] | None = None


@pytest.mark.parametrize("strict", [None, True])
def test_an_optional_discriminated_union_is_sent_as_alternatives(gpt, recorder, strict):
    recorder.reply(openai_payload('{"pet": {"kind": "cat", "meows": 1}}'))

    result = gpt.with_structured_output(MaybePet, strict=strict).invoke("Hi")

    schema = json.dumps(recorder.last.body["response_format"]["json_schema"]["schema"])
    assert "oneOf" not in schema
    assert "discriminator" not in schema  # its mapping names `$defs` not sent
    assert result == MaybePet(pet=Cat(kind="cat", meows=1))


def test_a_fenced_answer_whose_string_holds_a_fence_is_read_whole(gpt, recorder):
    code = "```python\nprint(1)\n```"
    answer = json.dumps({"code": code})
    recorder.reply(openai_payload(f"```\n{answer}\n```"))
    schema = {"title": "Snippet", "type": "object", "properties": {"code": {}}}

    assert gpt.with_structured_output(schema).invoke("Hi") == {"code": code}


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        (Page[Joke], "Page_Joke_"),
        ({"title": "Movie review", "type": "object", "properties": {}}, "Movie_review"),
        ({"type": "object", "properties": {}}, "response"),
    ],
    ids=["generic-model", "title-with-a-space", "untitled"],
)
def test_the_response_formats_name_follows_openais_rule(gpt, recorder, schema, name):
    recorder.reply(openai_payload("{}"))

    with contextlib.suppress(OutputParserException):
        gpt.with_structured_output(schema).invoke("Hi")

    assert recorder.last.body["response_format"]["json_schema"]["name"] == name


@pytest.mark.parametrize(
    "answer",
    [
        {"content": None, "refusal": "I can't help with that."},
        {"content": "I can't help with that.", "refusal": "I can't help with that."},
    ],
    ids=["no-content", "content-too"],
)
def test_a_refusal_is_reported_as_one(gpt, recorder, answer):
    payload = openai_payload("")
    payload["choices"][0]["message"] |= answer
    recorder.reply(payload)

    with pytest.raises(OutputParserException, match="the model refused to answer"):
        gpt.with_structured_output(Joke).invoke("Hi")


def test_claudes_refusal_stop_reason_is_reported_as_one(claude, recorder):
    recorder.reply(recorder.anthropic_payload('{"setup": "', stop_reason="refusal"))

    with pytest.raises(OutputParserException, match="the model refused to answer"):
        claude.with_structured_output(Joke).invoke("Hi")


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
@pytest.mark.parametrize(
    ("strict", "sent"),
    [(True, {**OPENAI_SPEC, "strict": True}), (None, OPENAI_SPEC)],
    ids=["strict", "as-given"],
)
def test_openais_json_schema_spec_is_sent_as_written(
    model, dialect, recorder, schema, strict, sent
):
    recorder.reply(dialect.answer('{"setup": "Why?"}'))  # lacks a required key
    structured = model.with_structured_output(schema, strict=strict, include_raw=True)

    result = structured.invoke("Hi")

    assert recorder.last.body["response_format"] == {
        "type": "json_schema",
        "json_schema": sent,
    }
    assert "punchline" in str(result["parsing_error"])


def test_an_openai_specs_schema_core_cannot_read_is_still_checked_as_written(
    gpt, recorder
):
    spec = {"name": "A", "schema": {"type": "Object", "required": ["a"]}}
    recorder.reply(openai_payload('{"b": 1}'))

    with pytest.raises(OutputParserException, match=r"required keys \['a'\]"):
        gpt.with_structured_output(spec).invoke("Hi")


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
        f"```JSON\n{JOKE_JSON}\n```",
        f"```json5\n{JOKE_JSON}\n```",
        f"```{JOKE_JSON}```",
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
        "upper-case-fence-tag",
        "json5-fence-tag",
        "fence-on-one-line",
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


def test_a_schema_behind_a_chain_of_references_is_checked(gpt, recorder):
    schema = {
        "$ref": "#/$defs/Outer",
        "$defs": {
            "Outer": {"$ref": "#/$defs/Inner"},
            "Inner": {"type": "object", "required": ["a"]},
        },
    }
    recorder.reply(openai_payload('{"b": 1}'))

    with pytest.raises(OutputParserException, match=r"required keys \['a'\]"):
        gpt.with_structured_output(schema, method="json_mode").invoke("Hi")


LIST_SCHEMA = {"title": "Fruits", "type": "array", "items": {"type": "string"}}
MAYBE = {"title": "Maybe", "type": ["object", "null"], "properties": {}}
COLOUR_SCHEMA = {"title": "Colour", "enum": ["red", "green"]}
EITHER = {
    "title": "E",
    "anyOf": [{"type": "array"}, {"type": "object"}],
    "required": ["a"],
}


@pytest.mark.parametrize(
    ("schema", "reply", "parsed"),
    [
        (LIST_SCHEMA, '["apples", "pears"]\nBoth are fruit.', ["apples", "pears"]),
        (COLOUR_SCHEMA, '"red"', "red"),
        (LIST_SCHEMA, '{"plan": "fruit"}\n</think>\n["apples"]', ["apples"]),
        (LIST_SCHEMA, '[\n  "a </think>{b}",\n  "c"\n]', ["a </think>{b}", "c"]),
    ],
    ids=[
        "array",
        "enum",
        "after-r1-reasoning-written-as-an-object",
        "pretty-array-whose-line-starts-a-string-with-the-tag",
    ],
)
def test_a_json_schema_of_another_root_is_sent_and_read_as_written(
    gpt, recorder, schema, reply, parsed
):
    recorder.reply(openai_payload(reply))

    assert gpt.with_structured_output(schema).invoke("Hi") == parsed
    sent = recorder.last.body["response_format"]["json_schema"]
    assert sent == {"name": schema["title"], "schema": schema}


@pytest.mark.parametrize(
    "html", ["<think>a</think>", "quoted: 'you </think>{} lol'", 'a \\"</think>{']
)
@pytest.mark.parametrize("indent", [None, 2], ids=["one-line", "pretty"])
def test_an_answer_whose_string_writes_a_closing_reasoning_tag_is_read(
    gpt, recorder, html, indent
):
    answer = {"flagged": True, "html": html, "tags": [1, html], html: [html]}
    recorder.reply(openai_payload(json.dumps(answer, indent=indent)))

    assert gpt.with_structured_output(method="json_mode").invoke("Hi") == answer


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
@pytest.mark.parametrize("line", ["</think>", "  </think> closes it", "</think>{"])
def test_a_multi_line_string_with_a_line_that_starts_closing_reasoning_is_read(
    model, dialect, recorder, method, line
):
    html = f"<pre>\n{line}\n</pre>"
    recorder.reply(dialect.answer(f'{{\n  "html": "{html}",\n  "n": 1\n}}'))

    schema = {"title": "Page", "type": "object", "properties": {"html": {}, "n": {}}}
    answer = model.with_structured_output(schema, method=method).invoke("Hi")

    assert answer == {"html": html, "n": 1}


def test_an_answer_inside_reasoning_that_never_ends_is_refused(gpt, recorder):
    recorder.reply(openai_payload('<think>\nDraft: ```json\n{"a": 1}\n```\nbut'))

    with pytest.raises(OutputParserException, match="reasoning that never ends"):
        gpt.with_structured_output(method="json_mode").invoke("Hi")


@pytest.mark.parametrize("kind", ["integer", "number"])
def test_a_boolean_answer_is_no_number(gpt, recorder, kind):
    recorder.reply(openai_payload("true"))  # a bool is an int to Python

    with pytest.raises(OutputParserException, match="JSON bool"):
        gpt.with_structured_output({"title": "N", "type": kind}).invoke("Hi")


@pytest.mark.parametrize(
    ("schema", "reply"),
    [
        (LIST_SCHEMA, "1. apples\n2. pears"),
        (LIST_SCHEMA, "true"),
        (LIST_SCHEMA, '{"a": 1}'),
        (MAYBE, "[1]"),  # a list of types, none of them an array
    ],
)
def test_an_answer_of_another_type_than_the_schemas_is_refused(
    gpt, recorder, schema, reply
):
    recorder.reply(openai_payload(reply))

    with pytest.raises(OutputParserException):
        gpt.with_structured_output(schema).invoke("Hi")


@pytest.mark.parametrize(
    ("schema", "reply", "parsed"),
    [
        ({"title": "S", "type": "string"}, '"red"\nIt is red.', "red"),
        ({"title": "B", "type": "boolean"}, "true, it is", True),
        ({"title": "I", "type": "integer"}, "```json\n42\n```\nThat is all.", 42),
        ({"title": "I", "type": "integer"}, "3.0", 3.0),
        ({"title": "N", "type": "number"}, "2.5", 2.5),
        (MAYBE, "null", None),
        (
            {"$ref": "#/$defs/L", "$defs": {"L": LIST_SCHEMA}},
            '["apples"]',
            ["apples"],
        ),
        ({"title": "Fruits", "items": {"type": "string"}}, '["apples"]', ["apples"]),
        (RootModel[list[str]], '["a", "b"]', RootModel[list[str]](["a", "b"])),
        (EITHER, "[1]", [1]),  # an array has no keys to require
        ({"$ref": "https://example.com/fruits.json"}, '["a"]', ["a"]),
    ],
    ids=[
        "string-remark",
        "boolean-remark",
        "fenced-number",
        "whole-float",
        "fraction",
        "type-list",
        "ref-to-array",
        "items-only",
        "root-model",
        "array-or-object-with-required-keys",
        "remote-ref",
    ],
)
def test_a_scalar_or_root_answer_is_read_as_its_schema_says(
    gpt, recorder, schema, reply, parsed
):
    recorder.reply(openai_payload(reply))

    assert gpt.with_structured_output(schema).invoke("Hi") == parsed


@pytest.mark.parametrize("reply", ["42 apples", "42 apples\nThat is all."])
def test_a_number_with_prose_after_it_on_its_line_is_refused(gpt, recorder, reply):
    # Prose, not JSON: a remark after a bare number must start on a new line.
    recorder.reply(openai_payload(reply))

    with pytest.raises(OutputParserException):
        gpt.with_structured_output({"title": "N", "type": "integer"}).invoke("Hi")


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
