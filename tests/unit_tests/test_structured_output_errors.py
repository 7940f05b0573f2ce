"""Structured answers that do not parse: `OutputParserException`, or with
`include_raw=True` the parsing error beside the raw message, for every method
and when streamed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from pydantic import BaseModel, field_validator

from ._payloads import (
    JOKE_JSON,
    JOKE_VALUES,
    SCHEMA_IDS,
    SCHEMAS,
    Joke,
    joke_call,
)

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


class Tagged(BaseModel):
    tags: list[str]

    @field_validator("tags", mode="before")
    @classmethod
    def lower(cls, tags: Any) -> Any:
        return [tag.lower() for tag in tags]  # an int among them: AttributeError


@pytest.mark.parametrize("method", ["json_schema", "json_mode", "function_calling"])
def test_an_answer_that_crashes_a_validator_is_a_parsing_error(
    model, dialect, recorder, method
):
    reply = '{"tags": ["A", 1]}'
    if method == "function_calling":
        reply = joke_call("Tagged", reply)
    recorder.reply(dialect.answer(reply))
    recorder.reply(dialect.answer(reply))
    structured = model.with_structured_output(Tagged, method=method)

    with pytest.raises(OutputParserException, match="'int' object has no attr"):
        structured.invoke("Hi")
    with_raw = model.with_structured_output(Tagged, method=method, include_raw=True)
    assert isinstance(with_raw.invoke("Hi")["parsing_error"], OutputParserException)


def test_include_raw_with_a_good_answer(model, dialect, recorder):
    recorder.reply(dialect.answer(JOKE_JSON))

    result = model.with_structured_output(Joke, include_raw=True).invoke("Hi")

    assert result["raw"].content == JOKE_JSON
    assert result["parsed"] == Joke(**JOKE_VALUES)
    assert result["parsing_error"] is None
