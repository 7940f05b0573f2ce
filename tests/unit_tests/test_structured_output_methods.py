"""`with_structured_output` by the other methods, and what it takes.

Methods: `"function_calling"` (the tool protocol, the schema's tool required)
and `"json_mode"` (`json_object` for GPT, an instruction for Claude). Then a
`response_format` given per call or in `model_kwargs`, the arguments refused
before any request, and the structured-output format callbacks see. The
`"json_schema"` method is in test_structured_output.py, TypedDict schemas in
test_structured_output_typeddicts.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)
from tests import CallbackRecorder

from ._payloads import (
    JOKE_JSON,
    JOKE_SCHEMA,
    JOKE_VALUES,
    PROPERTIES,
    SCHEMA_IDS,
    SCHEMAS,
    Joke,
    JokeDict,
    JokeV1,
    joke_call,
    run,
    system_prompt,
)
from .conftest import ModelFactory, anthropic_payload, openai_payload

JSON_MODE_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose and no code fences."
)


# -- method="function_calling" -------------------------------------------------------


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


def test_function_calling_without_a_call_says_just_that(model, dialect, recorder):
    recorder.reply(dialect.answer(FUNCTION_CALLING_BAD_REPLIES["no-call"]))

    with pytest.raises(OutputParserException) as raised:
        model.with_structured_output(Joke, method="function_calling").invoke("Hi")
    [first_line, *_] = str(raised.value).splitlines()  # core adds a link after it
    assert first_line == "the model made no valid call to the output schema"


@pytest.mark.parametrize("streaming", [False, True])
def test_function_calling_says_why_the_call_was_refused(
    make_model, dialect, recorder, streaming
):
    model = make_model(dialect.cls, streaming=streaming)  # core drops it streamed
    recorder.reply(dialect.answer(FUNCTION_CALLING_BAD_REPLIES["call-breaks-schema"]))

    with pytest.raises(OutputParserException, match="punchline: Field required"):
        model.with_structured_output(Joke, method="function_calling").invoke("Hi")


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


def test_json_mode_with_a_schema_core_cannot_describe_reads_any_json(gpt, recorder):
    # As core's JsonOutputParser; a TypedDict core cannot describe wants an
    # object (test_structured_output_typeddicts.py).
    recorder.reply(openai_payload("[1, 2]"))
    structured = gpt.with_structured_output(list[int], method="json_mode")

    assert structured.invoke("Hi") == [1, 2]


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
    handler = CallbackRecorder()
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


@pytest.mark.parametrize("schema", [42, {"foo": 1}], ids=["number", "no-schema-keys"])
@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_a_schema_that_cannot_be_described_is_an_input_error(gpt, method, schema):
    with pytest.raises(SegmindInputError):
        gpt.with_structured_output(schema, method=method)


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
    gpt.invoke("Hi", response_format={"type": "json_object"})  # the call's wins
    assert recorder.last.body["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
@pytest.mark.parametrize(
    ("schema", "include_raw", "output"),
    [
        (Joke, False, Joke.model_json_schema()),
        (Joke, True, {"type": "object"}),
        (JOKE_SCHEMA, False, {"type": "object"}),
        (JokeV1, False, {"title": "parse_structured_output_output"}),
    ],
    ids=["pydantic", "include-raw", "dict", "pydantic-v1"],
)
def test_the_output_schema_names_what_the_runnable_returns(
    gpt, method, schema, include_raw, output
):
    runnable = gpt.with_structured_output(
        schema, method=method, include_raw=include_raw
    )

    described = runnable.get_output_jsonschema()

    assert {key: described.get(key) for key in output} == output


def test_an_answer_schema_that_is_no_object_is_not_described_as_one(gpt):
    schema = {"title": "Scores", "type": "array", "items": {"type": "integer"}}

    described = gpt.with_structured_output(schema).get_output_jsonschema()

    assert described.get("type") != "object"


SPENT_ON_REASONING = {
    "claude": anthropic_payload(
        content=[{"type": "thinking", "thinking": "Let me see", "signature": "s1"}],
        stop_reason="max_tokens",
    ),
    "gpt": openai_payload("", finish_reason="length"),
    "cut-off": openai_payload('{"setup": "Why?", "punch', finish_reason="length"),
}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
@pytest.mark.parametrize("answer", list(SPENT_ON_REASONING))
def test_an_answer_cut_off_at_its_token_limit_says_to_raise_it(
    gpt, recorder, method, answer
):
    recorder.reply(SPENT_ON_REASONING[answer])

    limit = r"cut off at its token limit .*: raise max_tokens"
    with pytest.raises(OutputParserException, match=limit):
        gpt.with_structured_output(Joke, method=method).invoke("Hi")
