"""How a model's tagged reply is read: the layouts and spellings the protocol takes.

Each test scripts one reply of the fake gateway for a model bound to a
JSON-Schema tool `f` and reads the `AIMessage` it becomes. The last tests
check how a history's calls and results (Anthropic-style `tool_use` and
`tool_result` blocks, a custom tool's output) are written back in the
protocol's text.
"""

from __future__ import annotations

import datetime
import json
from importlib.metadata import version
from types import MappingProxyType
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from langchain_segmind import SegmindInputError

from ._payloads import CALL, DRAFT, SECOND, F, read
from .conftest import Recorder, openai_payload


@pytest.mark.parametrize(
    ("reply", "prose"),
    [
        (f"<tool_call>\n{CALL}\n</tool_call>", ""),
        (f"Let me check.\n<tool_call>\n{CALL}\n", "Let me check."),
        (f"<tool_call>\n```json\n{CALL}\n```\n</tool_call>", ""),
        (f"<tool_call>Sure: {CALL} done</tool_call>", ""),
        (f"<tool_call>{CALL}</tool_call>\nThat is all.", "That is all."),
    ],
    ids=["bare", "unterminated", "fenced", "chatter", "prose-after"],
)
def test_one_call_in_any_layout(gpt, recorder, reply, prose):
    message = read(gpt, recorder, reply)

    assert message.content == prose
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("f", {"x": "Paris"})
    ]
    assert message.invalid_tool_calls == []


@pytest.mark.parametrize(
    "body",
    [
        f"[{CALL}, {SECOND}]",
        f"```json\n[\n  {CALL},\n  {SECOND}\n]\n```",
        f"{CALL}\n{SECOND}",
        f"Calling: {CALL}\n{SECOND}",
        f"```json5\n{CALL}\n{SECOND}\n```",
    ],
    ids=["array", "fenced-array", "one-after-another", "chatter-first", "json5-fence"],
)
def test_several_calls_in_one_block_are_each_a_call(gpt, recorder, body):
    message = read(gpt, recorder, f"<tool_call>\n{body}\n</tool_call>")

    assert [c["args"] for c in message.tool_calls] == [{"x": "Paris"}, {"x": "Rome"}]
    assert message.invalid_tool_calls == []
    assert message.content == ""


def test_without_parallel_calls_only_the_first_of_a_block_is_kept(gpt, recorder):
    recorder.reply(openai_payload(f"<tool_call>[{CALL}, {SECOND}]</tool_call>"))

    message = gpt.bind_tools([F], parallel_tool_calls=False).invoke("Hi")

    assert [c["args"] for c in message.tool_calls] == [{"x": "Paris"}]


def test_anthropics_disable_parallel_tool_use_keeps_only_the_first_call(gpt, recorder):
    choice = {"type": "auto", "disable_parallel_tool_use": True}
    for _ in range(2):
        recorder.reply(openai_payload(f"<tool_call>[{CALL}, {SECOND}]</tool_call>"))

    bound = gpt.bind_tools([F], tool_choice=choice).invoke("Hi")
    per_call = gpt.invoke("Hi", tools=[F], tool_choice=choice)

    for message in (bound, per_call):
        assert [c["args"] for c in message.tool_calls] == [{"x": "Paris"}]


@pytest.mark.parametrize(
    "field",
    [
        '"args": {"x": 1}',
        '"parameters": {"x": 1}',
        '"input": {"x": 1}',
        '"arguments": "{\\"x\\": 1}"',
    ],
    ids=["args", "parameters", "input", "json-string"],
)
def test_argument_spellings(gpt, recorder, field):
    message = read(gpt, recorder, f'<tool_call>{{"name": "f", {field}}}</tool_call>')

    assert [c["args"] for c in message.tool_calls] == [{"x": 1}]


@pytest.mark.parametrize(
    ("body", "name", "error"),
    [
        ("[1, 2]", None, "the block is not a JSON object"),
        ('{"arguments": {}}', None, 'the call has no "name" string'),
        ('{"name": "", "arguments": {}}', None, 'the call has no "name" string'),
        ('{"name": 1, "arguments": {}}', None, 'the call has no "name" string'),
        ('{"name": "f", "arguments": [1]}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": "x=1"}', "f", '"arguments" is not JSON'),
        (
            '{"name": "f", "arguments": {}, "name": "pay"}',
            None,
            "the block is not a JSON object: the key 'name' is repeated",
        ),
        (
            '{"name": "f", "arguments": "{\\"x\\": 1, \\"x\\": 2}"}',
            "f",
            "\"arguments\" is not JSON: the key 'x' is repeated",
        ),
        ('{"name": "f", "arguments": {"x": NaN}}', None, "the block is not a JSON"),
        ('{"name": "f", "arguments": {"x": 1e999}}', None, "the block is not a JSON"),
    ],
    ids=[
        "array",
        "no-name",
        "empty-name",
        "number-name",
        "array-args",
        "non-json-string-args",
        "repeated-name",
        "repeated-argument-in-a-string",
        "nan",
        "infinite",
    ],
)
def test_unusable_blocks_carry_the_reason(gpt, recorder, body, name, error):
    message = read(gpt, recorder, f"Calling.\n<tool_call>{body}</tool_call>")

    assert message.content == "Calling."
    [invalid] = message.invalid_tool_calls
    assert invalid["name"] == name
    assert invalid["error"].startswith(error)  # maybe with json's explanation


def test_an_unusable_call_keeps_its_block_as_written(gpt, recorder):
    block = (
        '<tool_call>Calling: ```json\n{"name": "f", "arguments": 1}\n```</tool_call>'
    )

    (invalid,) = read(gpt, recorder, block).invalid_tool_calls

    assert invalid["args"] == block


def test_a_closing_tag_inside_a_string_argument_does_not_cut_the_call(gpt, recorder):
    arguments = {"html": "<p>the tag </tool_call> ends a call</p>"}
    call = json.dumps({"name": "f", "arguments": arguments})

    message = read(gpt, recorder, f"<tool_call>\n{call}\n</tool_call>")

    assert [c["args"] for c in message.tool_calls] == [arguments]
    assert message.content == ""


def test_removing_a_block_never_leaves_a_whole_block_in_the_prose(gpt, recorder):
    message = read(
        gpt,
        recorder,
        '<tool_<tool_call>{"name": "f"}</tool_call>call>{"name": "f"}</tool_call>',
    )

    assert "<tool_call>" not in message.content
    assert len(message.tool_calls) == 1


def test_an_escaped_tag_in_a_reply_is_prose(gpt, recorder):
    reply = f"I would write &lt;tool_call>{CALL}&lt;/tool_call>."

    message = read(gpt, recorder, reply)

    assert (message.content, message.tool_calls) == (reply, [])


CLEANUP = {
    "name": "cleanup",
    "description": "Delete old files.",
    "parameters": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "days": {"type": "integer"}},
    },
}


def test_arguments_written_beside_the_name_are_the_arguments(
    gpt: Any, recorder: Recorder
) -> None:
    reply = '<tool_call>{"name": "cleanup", "path": "old-cache", "days": 9}</tool_call>'
    recorder.reply(openai_payload(reply))

    message = gpt.bind_tools([CLEANUP]).invoke("Hi")

    assert [c["args"] for c in message.tool_calls] == [{"path": "old-cache", "days": 9}]


class Search(BaseModel):
    query_text: str = Field(alias="query")


class Lookup(BaseModel):
    word: str = Field(validation_alias="term")


class Forecast(BaseModel):
    model_config = ConfigDict(extra="allow")
    city: str


class Define(BaseModel):
    word: str = Field(
        validation_alias=AliasChoices("term", "lemma", AliasPath("entry", "word"))
    )


class Spell(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    word: str = Field(validation_alias="term")


@pytest.mark.parametrize(
    ("tool", "beside", "args"),
    [
        (F, '"anything": 1', {"anything": 1}),
        (Search, '"query": "cats"', {"query": "cats"}),
        (Lookup, '"term": "cat"', {"term": "cat"}),
        (Forecast, '"city": "Oslo", "days": 3', {"city": "Oslo", "days": 3}),
        (Define, '"lemma": "cat"', {"lemma": "cat"}),
        (Define, '"entry": {"word": "cat"}', {"entry": {"word": "cat"}}),
        (Spell, '"word": "cat"', {"word": "cat"}),
    ],
    ids=[
        "a-free-form-tool",
        "an-alias",
        "a-validation-alias",
        "a-model-open-to-more",
        "an-alias-choice",
        "an-alias-paths-first-key",
        "a-name-the-model-validates-by",
    ],
)
def test_arguments_beside_the_name_may_be_any_the_tool_takes(
    gpt: Any, recorder: Recorder, tool: Any, beside: str, args: dict[str, Any]
) -> None:
    name = "f" if tool is F else tool.__name__
    recorder.reply(openai_payload(f'<tool_call>{{"name": "{name}", {beside}}}'))

    message = gpt.bind_tools([tool]).invoke("Hi")

    assert [c["args"] for c in message.tool_calls] == [args]


def test_keys_beside_the_name_are_arguments_of_a_tool_open_to_more_properties(
    gpt: Any, recorder: Recorder
) -> None:
    open_tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look a city up.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": True,
            },
        },
    }
    recorder.reply(
        openai_payload(
            '<tool_call>{"name": "lookup", "city": "Paris", "units": "metric"}'
            "</tool_call>"
        )
    )

    message = gpt.bind_tools([open_tool]).invoke("Hi")

    assert message.invalid_tool_calls == []
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("lookup", {"city": "Paris", "units": "metric"})
    ]


@pytest.mark.parametrize(
    "beside",
    ['"params": {"path": "old-cache", "days": 9}', '"path": "old-cache", "dayz": 9'],
    ids=["a-wrapper-of-another-name", "a-misspelled-argument"],
)
def test_keys_beside_the_name_that_are_not_arguments_make_an_invalid_call(
    gpt: Any, recorder: Recorder, beside: str
) -> None:
    # Run, the call would leave the tool's arguments at their defaults.
    recorder.reply(openai_payload(f'<tool_call>{{"name": "cleanup", {beside}}}'))

    message = gpt.bind_tools([CLEANUP]).invoke("Hi")

    assert message.tool_calls == []
    (refused,) = message.invalid_tool_calls
    assert refused["error"].startswith('no "arguments" object, and [')


class Page(BaseModel):
    word: str = Field("", alias="query", validation_alias="term")


class Entry(BaseModel):
    model_config = ConfigDict(validate_by_alias=False, validate_by_name=True)
    word: str = Field("", alias="term")


@pytest.mark.parametrize(
    ("tool", "beside"),
    [
        (Page, '"query": "cat"'),
        (Page, '"word": "cat"'),
        pytest.param(
            Entry,
            '"term": "cat"',
            marks=pytest.mark.skipif(
                tuple(int(p) for p in version("pydantic").split(".")[:2]) < (2, 11),
                reason="needs pydantic 2.11's validate_by_alias",
            ),
        ),
    ],
    ids=["an-alias-validation-ignores", "a-field-name", "an-alias-of-a-model-by-name"],
)
def test_keys_beside_the_name_that_validation_ignores_make_an_invalid_call(
    gpt: Any, recorder: Recorder, tool: Any, beside: str
) -> None:
    # Validated, the call would leave the argument at its default.
    recorder.reply(
        openai_payload(f'<tool_call>{{"name": "{tool.__name__}", {beside}}}')
    )

    message = gpt.bind_tools([tool]).invoke("Hi")

    assert message.tool_calls == []
    (refused,) = message.invalid_tool_calls
    key = beside.split('"')[1]
    assert refused["error"] == (
        f'no "arguments" object, and [{key!r}] are not arguments of {tool.__name__!r}'
    )


@pytest.mark.parametrize(  # as a native call's
    "call",
    [
        '{"name": "f", "id": "x"}',
        '{"name": "f", "arguments": null}',
        '{"name": "f", "arguments": "null"}',
        '{"name": "f", "arguments": " "}',
    ],
    ids=["name-only", "null-arguments", "null-as-text", "blank-text"],
)
def test_a_call_of_only_a_name_is_a_call_without_arguments(
    gpt: Any, recorder: Recorder, call: str
) -> None:
    message = read(gpt, recorder, f"<tool_call>{call}</tool_call>")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("f", {})]


REAL = '<tool_call>{"name": "f", "arguments": {"x": "real"}}</tool_call>'


@pytest.mark.parametrize(
    ("reply", "made"),
    [
        (f"<think>\nI could {DRAFT}, but no.\n</think>\n\nDone.", []),
        (f"<think>\nFirst {DRAFT}?\n</think>\n{REAL}", [{"x": "real"}]),
        (f" <thinking>{DRAFT}\n</thinking>{REAL}", [{"x": "real"}]),
        (f"<think></think>\n{REAL}", [{"x": "real"}]),
        (f"<think>\nNot {DRAFT}; this one.</think>{REAL}", [{"x": "real"}]),
        (f'<think>It asks "where?"</think>\n{REAL}', [{"x": "real"}]),
        (f"<Think>\n{DRAFT}\n</Think>\n{REAL}", [{"x": "real"}]),
    ],
    ids=[
        "rejected",
        "drafted-then-made",
        "thinking-tag",
        "empty",
        "closed-mid-line",
        "closed-after-a-quote",
        "capitalised",
    ],
)
def test_a_call_written_in_inline_reasoning_is_not_made(
    gpt: Any, recorder: Recorder, reply: str, made: list[dict[str, str]]
) -> None:
    message = read(gpt, recorder, reply)

    assert [c["args"] for c in message.tool_calls] == made
    assert message.invalid_tool_calls == []
    assert message.text.startswith(reply.strip()[:10])  # the reasoning stays


@pytest.mark.parametrize(
    ("reply", "made"),
    [
        (f"I could {DRAFT}, but no.\n</think>\n\nDone.", []),
        (f"I could {DRAFT}, but no.</think>\n\n{REAL}", [{"x": "real"}]),
        (f"I could {DRAFT}, no.</think>{REAL}", [{"x": "real"}]),
        (f"{REAL}\nThat was after the\n</think>\n", []),
        (f'I could {DRAFT}, but they said "no</think>\n\nDone.', []),
        (f'I could {DRAFT} on a 6.1" screen.</think>{REAL}', [{"x": "real"}]),
        (f'I could {DRAFT} as {{"x": "a</think>\n</think>\n\nDone.', []),
        (f'I could: ["a", "</think>{DRAFT}\n</think>\n{REAL}', [{"x": "real"}]),
        (f'{DRAFT}, "no\n{{"x": "a</think>{{"y": "b</think>{REAL}', [{"x": "real"}]),
        (f'I could {DRAFT} as {{"x": "Par\n</think>\n{REAL}', [{"x": "real"}]),
    ],
    ids=[
        "draft",
        "draft-then-call",
        "draft-then-call-right-after-the-close",
        "call-then-a-line-closing-reasoning",
        "close-after-an-open-quote-in-prose",
        "close-after-an-inch-mark",
        "close-in-a-json-string-then-one-on-the-next-line",
        "close-in-a-string-after-a-comma",
        "quotes-counted-per-line",
        "a-string-left-open-on-the-line-before",
    ],
)
def test_without_an_opening_tag_a_block_before_the_close_is_refused_not_made(
    gpt: Any, recorder: Recorder, reply: str, made: list[dict[str, str]]
) -> None:
    # R1 style: the opening tag was in the prompt. A block before `</think>`
    # may be a draft or a call: never made, never lost in silence.
    message = read(gpt, recorder, reply)

    assert [c["args"] for c in message.tool_calls] == made
    (refused,) = message.invalid_tool_calls
    assert refused["error"].startswith("the call comes before the reasoning's")


@pytest.mark.parametrize(
    "reply",
    [
        f"<think>Quoting `</think>`: {DRAFT}?</think>{REAL}",
        f'<think>The tag "</think>" then {DRAFT}</think>{REAL}',
        f"<think>Not \u201c</think>\u201d: {DRAFT}</think>{REAL}",
        f"<think>Quoting `</think>`: {DRAFT}, `</think>`</think>{REAL}",
    ],
    ids=["backticks", "quotes", "typographic-quotes", "between-two-quoted"],
)
def test_a_block_after_a_quoted_closing_tag_in_reasoning_is_refused(
    gpt: Any, recorder: Recorder, reply: str
) -> None:
    # The quoted tag may be a mention, or the reasoning's real end: the block
    # after it may be a draft or a call, never made nor dropped in silence.
    message = read(gpt, recorder, reply)

    assert [c["args"] for c in message.tool_calls] == [{"x": "real"}]
    (refused,) = message.invalid_tool_calls
    assert refused["args"] == DRAFT


@pytest.mark.parametrize(
    "reply",
    [
        '<tool_call>{"name": "f", "arguments": {"x": "a\\n</think>"}}</tool_call>',
        f"{REAL}\nThe tag `</think>` closes reasoning, and </think> too.",
        f'{REAL}<tool_call>{{"name": "f", "arguments": {{"x": "a </think>{{"}}}}'
        "</tool_call>",
        '<tool_call>{"name": "f", "arguments": {"x": "</think>{ a </think>{"}}'
        "</tool_call>",
        '<tool_call>{"name": "f", "arguments": {"x": ["</think>{"]}}</tool_call>',
        '<tool_call>{"name": "f", "arguments": {"x": [1, "</think>{"]}}</tool_call>',
    ],
    ids=[
        "in-the-arguments",
        "in-prose-after-the-call",
        "before-a-brace-in-a-string",
        "twice-before-a-brace-in-a-string",
        "in-an-array-s-first-string",
        "in-a-string-after-a-number",
    ],
)
def test_a_closing_reasoning_tag_after_a_call_leaves_it_made(
    gpt: Any, recorder: Recorder, reply: str
) -> None:
    message = read(gpt, recorder, reply)

    assert len(message.tool_calls) == reply.count("<tool_call>")
    assert message.invalid_tool_calls == []


def test_a_call_in_reasoning_that_never_ends_is_invalid(
    gpt: Any, recorder: Recorder
) -> None:
    message = read(gpt, recorder, f"<think>\nMaybe {DRAFT} and then")

    assert message.text == f"<think>\nMaybe {DRAFT} and then"
    assert message.tool_calls == []
    assert [c["error"] for c in message.invalid_tool_calls] == [
        "the call is inside reasoning that never ends (no closing tag)"
    ]


# -- Anthropic-style tool blocks in a history, as the protocol writes them ----------

WEATHER_CALL_TEXT = (
    '<tool_call>\n{"name": "weather", "arguments": {"city": "Paris"}, '
    '"id": "toolu_1"}\n</tool_call>\n'
)


@pytest.mark.parametrize(
    ("result", "written"),
    [
        pytest.param(
            {"content": "sunny"},
            '<tool_result id="toolu_1" name="weather">\nsunny\n</tool_result>\n',
            id="text",
        ),
        pytest.param(
            {"content": [{"type": "text", "text": "no such city"}], "is_error": True},
            '<tool_result id="toolu_1" name="weather" status="error">\n'
            "no such city\n</tool_result>\n",
            id="blocks-and-error",
        ),
        pytest.param(
            {"content": 21},
            '<tool_result id="toolu_1" name="weather">\n21\n</tool_result>\n',
            id="a-number",
        ),
    ],
)
def test_tool_use_and_tool_result_blocks_are_sent_as_protocol_text(
    gpt: Any, recorder: Recorder, result: dict[str, Any], written: str
) -> None:
    call = {"id": "toolu_1", "name": "weather", "input": {"city": "Paris"}}
    gpt.invoke(
        [
            HumanMessage("Weather in Paris?"),
            AIMessage(["Checking.", {"type": "tool_use", **call}]),
            HumanMessage([{"type": "tool_result", "tool_use_id": "toolu_1", **result}]),
        ]
    )

    assert recorder.last.body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": f"Checking.\n{WEATHER_CALL_TEXT}"},
        {"role": "user", "content": written},
    ]


@pytest.mark.parametrize(
    ("given", "arguments"),
    [([1], {}), (MappingProxyType({"city": "Paris"}), {"city": "Paris"})],
    ids=["no-object", "a-mapping-not-a-dict"],
)
def test_a_tool_use_blocks_input_goes_back_as_its_arguments_if_an_object(
    gpt: Any, recorder: Recorder, given: Any, arguments: dict[str, Any]
) -> None:
    block = {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": given}

    gpt.invoke([HumanMessage("Weather?"), AIMessage([block])])

    call = {"name": "weather", "arguments": arguments, "id": "toolu_1"}
    assert recorder.last.body["messages"][1]["content"] == (
        f"<tool_call>\n{json.dumps(call)}\n</tool_call>\n"
    )


@pytest.mark.parametrize("content", ["", []], ids=["v0-empty-text", "v1-no-blocks"])
def test_a_past_call_without_prose_is_written_alike_in_either_output_version(
    gpt: Any, recorder: Recorder, content: Any
) -> None:
    call = {"name": "weather", "args": {"city": "Paris"}, "id": "toolu_1"}
    gpt.invoke(
        [
            HumanMessage("Weather in Paris?"),
            AIMessage(content, tool_calls=[call]),
            ToolMessage("sunny", tool_call_id="toolu_1"),
        ]
    )

    assert recorder.last.body["messages"][1] == {
        "role": "assistant",
        "content": WEATHER_CALL_TEXT,
    }


def test_a_past_call_after_thinking_alone_opens_its_text(
    claude: Any, recorder: Recorder
) -> None:
    thinking = {"type": "thinking", "thinking": "Look it up.", "signature": "s1"}
    call = {"name": "weather", "args": {"city": "Paris"}, "id": "toolu_1"}
    claude.invoke(
        [
            HumanMessage("Weather in Paris?"),
            AIMessage(
                "", tool_calls=[call], additional_kwargs={"thinking_blocks": [thinking]}
            ),
            ToolMessage("sunny", tool_call_id="toolu_1"),
        ]
    )

    assert recorder.last.body["messages"][1]["content"] == [
        thinking,
        {"type": "text", "text": WEATHER_CALL_TEXT},
    ]


def test_an_image_from_a_tool_result_stays_inside_the_result(gpt, recorder):
    image = {"type": "image", "url": "https://example.com/chart.png"}
    gpt.invoke(
        [
            HumanMessage("Plot it."),
            AIMessage("", tool_calls=[{"name": "plot", "args": {}, "id": "c1"}]),
            ToolMessage([{"type": "text", "text": "Chart:"}, image], tool_call_id="c1"),
        ]
    )

    assert recorder.last.body["messages"][2]["content"] == [
        {"type": "text", "text": '<tool_result id="c1" name="plot">\nChart:'},
        {"type": "image_url", "image_url": {"url": "https://example.com/chart.png"}},
        {"type": "text", "text": "\n</tool_result>\n"},
    ]


def test_json_blocks_from_a_tool_do_not_run_into_what_follows(gpt, recorder):
    rows = [{"type": "json", "json": {"day": 1}}, {"type": "json", "json": {"day": 2}}]
    gpt.invoke(
        [
            HumanMessage("Which days?"),
            AIMessage("", tool_calls=[{"name": "days", "args": {}, "id": "c1"}]),
            ToolMessage([*rows, "Both free."], tool_call_id="c1"),
        ]
    )

    assert recorder.last.body["messages"][2]["content"] == (
        '<tool_result id="c1" name="days">\n{"day": 1}\n{"day": 2}\nBoth free.'
        "\n</tool_result>\n"
    )


def test_a_past_call_json_cannot_carry_is_refused_before_sending(gpt, recorder):
    call = {"name": "book", "args": {"day": datetime.date(2025, 1, 2)}, "id": "c1"}
    history = [
        HumanMessage("Book it."),
        AIMessage("", tool_calls=[call]),
        ToolMessage("booked", tool_call_id="c1"),
    ]

    with pytest.raises(
        SegmindInputError,
        match="cannot be written as JSON: Object of type date is not JSON serializable",
    ):
        gpt.invoke(history)
    assert recorder.requests == []


@pytest.mark.parametrize("output", ["27", 27], ids=["text", "a-number"])
def test_a_custom_tools_output_goes_back_as_its_result(gpt, recorder, output):
    # A thread of ChatOpenAI's with a tool made by langchain-openai's
    # `@custom_tool`: its result is this block (core's `ToolNode` keeps it).
    result = [{"type": "custom_tool_call_output", "output": output}]
    call = {"name": "execute_code", "args": {"__arg1": "print(3**3)"}, "id": "call_9"}
    gpt.invoke(
        [
            HumanMessage("What is 3**3?"),
            AIMessage("", tool_calls=[call]),
            ToolMessage(result, tool_call_id="call_9", name="execute_code"),
        ]
    )

    assert recorder.last.body["messages"][2]["content"] == (
        '<tool_result id="call_9" name="execute_code">\n27\n</tool_result>\n'
    )
