"""The text tool protocol on its own: parsing replies and the tools instruction.

No HTTP here: `parse_reply` is fuzzed with arbitrary text and with well-formed
calls rendered in every layout a model writes, and the instruction's writer
and its readers (used by the emulator) are checked to round-trip.

Run with ``-s`` to see how many examples were tried;
``SEGMIND_HYPOTHESIS_EXAMPLES`` sets the count per property (default 500).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langchain_segmind.conversion.types import ToolSpec
from langchain_segmind.tools.protocol import (
    ParsedCall,
    ParsedReply,
    parse_reply,
    read_answer_schema,
    read_tools_instruction,
    render_tools_instruction,
)

MAX_EXAMPLES = int(os.environ.get("SEGMIND_HYPOTHESIS_EXAMPLES", "500"))
PROPERTY_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COMPLETE_BLOCK = re.compile(r"<tool_call>.*?</tool_call>", re.S)

RULE_AUTO = (
    "Call a tool only when it helps to answer; otherwise answer normally, "
    "with no tool_call block."
)
RULE_ANY = "You must call at least one tool in this answer."


def rule_named(name: str) -> str:
    return f'You must call the tool "{name}" in this answer.'


def report(label: str, counts: Counter[str], cpu_seconds: float) -> None:
    """Print how many examples were tried, and how they ended."""
    detail = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if k != "tried")
    print(
        f"\n[hypothesis] {label}: tried {counts['tried']} examples "
        f"in {cpu_seconds:.1f}s CPU ({detail})"
    )


def run_property(label: str, prop: Callable[[], None], counts: Counter[str]) -> None:
    counts.clear()
    started = time.process_time()
    prop()
    report(label, counts, time.process_time() - started)
    assert counts["tried"] >= MAX_EXAMPLES


def assert_reached(counts: Counter[str], *outcomes: str) -> None:
    """Each outcome happened, or the property proves little (at full count)."""
    if MAX_EXAMPLES >= 200:
        missing = [outcome for outcome in outcomes if not counts[outcome]]
        assert not missing, f"never reached: {missing}"


# --- strategies -------------------------------------------------------------------

# Pieces of protocol syntax, so fuzzed text hits the parser's edges often.
FRAGMENTS = (
    "<tool_call>",
    "</tool_call>",
    "<tool_",
    "call>",
    "<tool_call",
    "{",
    "}",
    "[",
    "]",
    '"name"',
    '"arguments"',
    '"args"',
    '"x"',
    '"get_weather"',
    ":",
    ",",
    '"',
    "\\",
    "null",
    "1",
    "```",
    "```json",
    "\n",
    " ",
    "<tool_result>",
)
fragment_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=30
).map("".join)
IDENTIFIER_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
tool_names = st.builds(
    str.__add__,
    st.sampled_from(IDENTIFIER_START),
    st.text(alphabet=IDENTIFIER_START + "0123456789", max_size=6),
)
# Strings a tool argument may hold: any unicode, and protocol syntax.
STRING_PIECES = (
    "{",
    "}",
    '"',
    "\\",
    "```",
    "<tool_call>",
    "</tool_call>",
    "\n",
    "é",
    "😀",
    "city",
)
json_strings = st.text(max_size=6) | st.lists(
    st.sampled_from(STRING_PIECES), max_size=3
).map("".join)
json_keys = st.sampled_from(STRING_PIECES) | st.text(max_size=4)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | json_strings,
    lambda children: (
        st.lists(children, max_size=2)
        | st.dictionaries(json_keys, children, max_size=2)
    ),
    max_leaves=3,
)
json_objects = st.dictionaries(json_keys, json_values, max_size=3)
BLANKS = ("", " ", "\n", "\n\n", "\t", " \n ")


@dataclass(frozen=True)
class Layout:
    """How a model may lay out one block."""

    fenced: bool
    indent: int | None
    ascii_only: bool
    before: str
    after: str


# Drawn as one choice: cheaper than five draws per call.
layouts = st.sampled_from(
    [
        Layout(*choice)
        for choice in itertools.product(
            (False, True), (None, 2), (False, True), BLANKS, BLANKS[:3]
        )
    ]
)


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]
    layout: Layout
    separator: str  # white space before the block

    def block(self, *, terminated: bool = True) -> str:
        layout = self.layout
        payload = json.dumps(
            {"name": self.name, "arguments": self.arguments},
            indent=layout.indent,
            ensure_ascii=layout.ascii_only,
        )
        if layout.fenced:
            payload = f"```json\n{payload}\n```"
        close = "</tool_call>" if terminated else ""
        return (
            f"{self.separator}<tool_call>{layout.before}{payload}{layout.after}{close}"
        )


calls = st.builds(
    Call,
    name=tool_names,
    arguments=json_objects,
    layout=layouts,
    separator=st.sampled_from(BLANKS),
)


@dataclass(frozen=True)
class Reply:
    prose: str
    calls: list[Call]
    unterminated: bool

    def __post_init__(self) -> None:
        # Prose holds no call: drop opening tags (a map, not a filter, which
        # would reject most fragment texts).
        prose = self.prose
        while "<tool_call>" in prose:
            prose = prose.replace("<tool_call>", "")
        object.__setattr__(self, "prose", prose)

    def text(self) -> str:
        last = len(self.calls) - 1
        return self.prose + "".join(
            call.block(terminated=not (self.unterminated and i == last))
            for i, call in enumerate(self.calls)
        )


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    prose = draw(st.one_of(st.just(""), st.text(max_size=20), fragment_text))
    return Reply(
        prose=prose,
        calls=draw(st.lists(calls, min_size=1, max_size=4)),
        unterminated=draw(st.booleans()),
    )


def mutate(call: Call, start: int, length: int, insert: str) -> str:
    """A well-formed block with one slice replaced: near-misses of the protocol."""
    text = call.block()
    start %= len(text) + 1
    return text[:start] + insert + text[start + length :]


fuzz_text = st.one_of(
    st.text(),
    fragment_text,
    st.builds(mutate, calls, st.integers(0, 200), st.integers(0, 12), fragment_text),
)

# --- parse_reply: arbitrary text --------------------------------------------------

FUZZ_COUNTS: Counter[str] = Counter()


def check_call_shape(call: ParsedCall) -> str:
    assert isinstance(call, ParsedCall)
    assert isinstance(call.raw, str)
    if call.error is None:
        assert isinstance(call.name, str)
        assert call.name
        assert isinstance(call.arguments, dict)
        return "valid call"
    assert isinstance(call.error, str)
    assert call.error
    assert call.arguments is None
    return "invalid call"


@PROPERTY_SETTINGS
@given(text=fuzz_text)
def _parse_reply_never_raises(text: str) -> None:
    FUZZ_COUNTS["tried"] += 1
    reply = parse_reply(text)

    assert isinstance(reply, ParsedReply)
    assert isinstance(reply.prose, str)
    assert isinstance(reply.calls, tuple)
    assert bool(reply.calls) == ("<tool_call>" in text)
    assert len(reply.calls) <= text.count("<tool_call>")
    if not reply.calls:
        assert reply.prose == text
        FUZZ_COUNTS["no call"] += 1
    for call in reply.calls:
        FUZZ_COUNTS[check_call_shape(call)] += 1
    leftover = COMPLETE_BLOCK.search(reply.prose)
    assert leftover is None, f"a whole call block stayed in the prose: {reply!r}"


def test_parse_reply_never_raises_and_leaves_no_block_in_the_prose() -> None:
    run_property("parse_reply(fuzz)", _parse_reply_never_raises, FUZZ_COUNTS)
    assert_reached(FUZZ_COUNTS, "valid call", "invalid call", "no call")


# --- parse_reply: well-formed calls -----------------------------------------------

WELL_FORMED_COUNTS: Counter[str] = Counter()


@PROPERTY_SETTINGS
@given(reply=replies())
def _well_formed_calls_parse(reply: Reply) -> None:
    WELL_FORMED_COUNTS["tried"] += 1
    parsed = parse_reply(reply.text())

    assert [call.error for call in parsed.calls] == [None] * len(reply.calls)
    assert [(call.name, call.arguments) for call in parsed.calls] == [
        (call.name, call.arguments) for call in reply.calls
    ]
    assert parsed.prose == reply.prose.strip()
    WELL_FORMED_COUNTS[f"{len(reply.calls)} calls"] += 1
    if reply.unterminated:
        WELL_FORMED_COUNTS["unterminated"] += 1
    if any(call.layout.fenced for call in reply.calls):
        WELL_FORMED_COUNTS["fenced"] += 1


def test_well_formed_calls_always_parse_in_order_with_their_prose() -> None:
    run_property("parse_reply(calls)", _well_formed_calls_parse, WELL_FORMED_COUNTS)
    assert_reached(WELL_FORMED_COUNTS, "1 calls", "4 calls", "unterminated", "fenced")


WEATHER_CALL = '{"name": "get_weather", "arguments": {"city": "Paris"}}'


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        (f"<tool_call>\n{WEATHER_CALL}\n</tool_call>", ""),
        (f"Let me check.\n<tool_call>\n{WEATHER_CALL}\n</tool_call>", "Let me check."),
        (f"Let me check.\n<tool_call>\n{WEATHER_CALL}\n", "Let me check."),
        (f"<tool_call>\n```json\n{WEATHER_CALL}\n```\n</tool_call>", ""),
        (f"<tool_call>Sure: {WEATHER_CALL} done</tool_call>", ""),
        (f"<tool_call>{WEATHER_CALL}</tool_call>\nThat is all.", "That is all."),
    ],
    ids=["bare", "prose", "unterminated", "fenced", "chatter", "prose-after"],
)
def test_one_call_in_any_layout(text: str, prose: str) -> None:
    assert parse_reply(text) == ParsedReply(
        prose=prose,
        calls=(
            ParsedCall(
                raw=text.split("<tool_call>")[1].split("</tool_call>")[0].strip(),
                name="get_weather",
                arguments={"city": "Paris"},
            ),
        ),
    )


def test_text_without_a_call_is_returned_unchanged() -> None:
    text = '  Paris is sunny.\n{"name": "get_weather"}\n</tool_call> '

    assert parse_reply(text) == ParsedReply(prose=text, calls=())


@pytest.mark.parametrize("key", ["arguments", "args", "parameters", "input"])
def test_argument_key_synonyms(key: str) -> None:
    reply = parse_reply(f'<tool_call>{{"name": "f", "{key}": {{"x": 1}}}}</tool_call>')

    assert [(c.name, c.arguments, c.error) for c in reply.calls] == [
        ("f", {"x": 1}, None)
    ]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('"{\\"x\\": [1, \\"é\\"]}"', {"x": [1, "é"]}),
        ('""', {}),
        ('"  "', {}),
        (None, {}),
    ],
    ids=["json-string", "empty-string", "blank-string", "missing"],
)
def test_arguments_as_a_json_string_or_missing(
    arguments: str | None, expected: dict[str, Any]
) -> None:
    field = "" if arguments is None else f', "arguments": {arguments}'
    reply = parse_reply(f'<tool_call>{{"name": "f"{field}}}</tool_call>')

    assert [(c.name, c.arguments, c.error) for c in reply.calls] == [
        ("f", expected, None)
    ]


@pytest.mark.parametrize(
    ("block", "name", "error"),
    [
        (
            '{"name": "f", "arguments": {"x": }',
            None,
            "the block is not a JSON object: ",
        ),
        ("call f with x=1", None, "the block is not a JSON object"),
        ("", None, "the block is not a JSON object"),
        ("[1, 2]", None, "the block is not a JSON object"),
        ("7", None, "the block is not a JSON object"),
        ('{"arguments": {"x": 1}}', None, 'the call has no "name" string'),
        ('{"name": "", "arguments": {}}', None, 'the call has no "name" string'),
        ('{"name": 5, "arguments": {}}', None, 'the call has no "name" string'),
        ('{"name": "f", "arguments": [1]}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": 3}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": null}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": "[1]"}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": "x=1"}', "f", '"arguments" is not JSON'),
    ],
    ids=[
        "broken-json",
        "prose",
        "empty",
        "array",
        "number",
        "no-name",
        "empty-name",
        "number-name",
        "array-args",
        "number-args",
        "null-args",
        "string-array-args",
        "non-json-string-args",
    ],
)
def test_unusable_blocks_carry_the_raw_text_and_the_reason(
    block: str, name: str | None, error: str
) -> None:
    reply = parse_reply(f"Calling.\n<tool_call>\n{block}\n</tool_call>")

    assert reply.prose == "Calling."
    [call] = reply.calls
    assert call.raw == block
    assert call.name == name
    assert call.arguments is None
    assert call.error is not None
    if error.startswith("the block is not"):  # maybe with json's explanation
        assert call.error.startswith(error)
    else:
        assert call.error == error


TOO_DEEP = '"arguments" is nested too deeply (more than 100 levels)'


def nested_object(depth: int) -> str:
    """A JSON object `depth` levels deep: `{"a": {"a": ... {}}}`."""
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        pytest.param(nested_object(101), "f", id="object-101-levels"),
        pytest.param(json.dumps(nested_object(101)), "f", id="string-101-levels"),
        pytest.param(json.dumps("[" * 50_000), "f", id="string-past-the-stack"),
        pytest.param("[" * 50_000 + "]" * 50_000, None, id="block-past-the-stack"),
    ],
)
def test_arguments_nested_too_deeply_are_refused(arguments: str, name: str) -> None:
    text = f'<tool_call>{{"name": "f", "arguments": {arguments}}}</tool_call>'

    reply = parse_reply(text)

    assert reply.calls == (
        ParsedCall(
            raw=text[len("<tool_call>") : -len("</tool_call>")],
            name=name,
            error=TOO_DEEP,
        ),
    )
    assert reply.prose == ""


def test_arguments_nested_up_to_the_limit_are_read() -> None:
    arguments = json.loads(nested_object(100))

    reply = parse_reply(
        f'<tool_call>{{"name": "f", "arguments": {nested_object(100)}}}</tool_call>'
    )

    assert [(c.name, c.arguments, c.error) for c in reply.calls] == [
        ("f", arguments, None)
    ]


def test_valid_and_unusable_blocks_keep_their_order() -> None:
    reply = parse_reply(
        "<tool_call>{bad}</tool_call>\n"
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n'
        '<tool_call>{"name": "b", "arguments": 1}</tool_call>\n'
        '<tool_call>{"name": "c", "args": {"k": "v"}}</tool_call>'
    )

    assert [(c.name, c.arguments, c.error is None) for c in reply.calls] == [
        (None, None, False),
        ("a", {}, True),
        ("b", None, False),
        ("c", {"k": "v"}, True),
    ]
    assert reply.prose == ""


def test_closing_tag_inside_a_string_argument_does_not_cut_the_call() -> None:
    arguments = {"html": "<p>the tag </tool_call> ends a call</p>"}
    text = (
        "<tool_call>\n"
        + json.dumps({"name": "write_doc", "arguments": arguments})
        + "\n</tool_call>"
    )

    reply = parse_reply(text)

    assert [(c.name, c.arguments, c.error) for c in reply.calls] == [
        ("write_doc", arguments, None)
    ]
    assert reply.prose == ""


def test_removing_a_block_never_leaves_a_whole_block_in_the_prose() -> None:
    reply = parse_reply(
        '<tool_<tool_call>{"name": "a"}</tool_call>call>{"name": "b"}</tool_call>'
    )

    assert COMPLETE_BLOCK.search(reply.prose) is None, reply.prose


# --- the tools instruction --------------------------------------------------------

WEATHER = ToolSpec(
    name="get_weather",
    description="Get the weather in a city.",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
TIME = ToolSpec(
    name="get_time",
    description="L'heure à Zürich.",
    parameters={"type": "object", "properties": {}},
)
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"temperature": {"type": "number"}},
    "required": ["temperature"],
}


def tools_section(text: str) -> list[str]:
    """The lines between the `<tools>` and `</tools>` lines."""
    lines = text.split("\n")
    return lines[lines.index("<tools>") + 1 : lines.index("</tools>")]


@pytest.mark.parametrize(
    ("choice", "rule"),
    [("auto", RULE_AUTO), ("any", RULE_ANY), ("get_time", rule_named("get_time"))],
)
def test_instruction_lists_each_tool_and_the_choice_rule(
    choice: str, rule: str
) -> None:
    text = render_tools_instruction([WEATHER, TIME], choice)

    assert text.startswith("# Tools\n")
    assert tools_section(text) == [
        '{"name": "get_weather", "description": "Get the weather in a city.", '
        '"parameters": {"type": "object", "properties": {"city": {"type": '
        '"string"}}, "required": ["city"]}}',
        '{"name": "get_time", "description": "L\'heure à Zürich.", '
        '"parameters": {"type": "object", "properties": {}}}',
    ]
    assert '<tool_call>\n{"name": "<tool name>", "arguments": {' in text
    assert text.endswith(f"\n- {rule}")
    other_rules = {RULE_AUTO, RULE_ANY, rule_named("get_time")} - {rule}
    assert not any(other in text for other in other_rules)
    assert "<answer_schema>" not in text


def test_instruction_carries_the_answer_schema_when_given() -> None:
    text = render_tools_instruction([WEATHER], "auto", ANSWER_SCHEMA)

    assert text.endswith(
        "\n- When you answer without calling a tool, your whole answer must be "
        "one JSON object (no prose, no code fences) that satisfies this JSON "
        "Schema:\n<answer_schema>\n"
        '{"type": "object", "properties": {"temperature": {"type": "number"}}, '
        '"required": ["temperature"]}\n</answer_schema>'
    )
    assert f"\n- {RULE_AUTO}\n" in text
    assert read_answer_schema(text) == ANSWER_SCHEMA


@pytest.mark.parametrize(
    "text",
    ["", "Be brief.", "<answer_schema>not json</answer_schema>"],
    ids=["empty", "no-section", "not-json"],
)
def test_no_answer_schema_reads_as_none(text: str) -> None:
    assert read_answer_schema(text) is None


@pytest.mark.parametrize("text", ["", "You are helpful.", "<tools>\n\n</tools>"])
def test_no_tools_read_as_none_with_auto(text: str) -> None:
    assert read_tools_instruction(text) == ([], "auto")


def test_instruction_after_a_user_system_prompt_still_reads_back() -> None:
    system = "You are terse.\n\n" + render_tools_instruction([WEATHER, TIME], "any")

    assert read_tools_instruction(system) == ([WEATHER, TIME], "any")


ROUND_TRIP_COUNTS: Counter[str] = Counter()
LINE_SEPARATORS = ("\x85", "\u2028", "\u2029")
tool_texts = st.text(max_size=30) | st.lists(
    st.sampled_from(('"', "\\", "\n", "{", "é", "<tools>", "# Tools", "get")),
    max_size=6,
).map("".join)
# Some descriptions also hold a closing tag or a Unicode line separator,
# which once cut the section short or split a tool's line.
EDGE_FRAGMENTS = ("</tools>", *LINE_SEPARATORS)
descriptions = st.builds(
    str.__add__, tool_texts, st.sampled_from(("",) * 12 + EDGE_FRAGMENTS)
)
tool_specs = st.builds(
    ToolSpec,
    name=tool_names,
    description=descriptions,
    parameters=st.dictionaries(json_keys, json_strings | st.integers(), max_size=2),
)


@PROPERTY_SETTINGS
@given(
    tools=st.lists(tool_specs, min_size=1, max_size=3, unique_by=lambda t: t.name),
    data=st.data(),
)
def _instruction_round_trips(tools: list[ToolSpec], data: st.DataObject) -> None:
    ROUND_TRIP_COUNTS["tried"] += 1
    choice = data.draw(
        st.sampled_from(["auto", "any", *(t.name for t in tools)]), label="choice"
    )
    schema = data.draw(st.none() | json_objects, label="answer_schema")
    text = render_tools_instruction(tools, choice, schema)

    assert read_tools_instruction(text) == (tools, choice)
    kind = choice if choice in ("auto", "any") else "name"
    ROUND_TRIP_COUNTS[f"choice {kind}"] += 1
    assert read_answer_schema(text) == schema
    ROUND_TRIP_COUNTS["no schema" if schema is None else "schema"] += 1


def test_tools_choice_and_answer_schema_round_trip() -> None:
    run_property("render/read instruction", _instruction_round_trips, ROUND_TRIP_COUNTS)
    assert_reached(
        ROUND_TRIP_COUNTS, "choice auto", "choice any", "choice name", "schema"
    )


@pytest.mark.parametrize("separator", LINE_SEPARATORS, ids=["NEL", "LS", "PS"])
def test_a_description_with_a_unicode_line_separator_reads_back(
    separator: str,
) -> None:
    tool = ToolSpec("note", f"Keep a note.{separator}Plain text.", {"type": "object"})

    assert read_tools_instruction(render_tools_instruction([tool], "auto")) == (
        [tool],
        "auto",
    )


def test_a_description_naming_the_closing_tag_reads_back() -> None:
    tool = ToolSpec("html", "Write HTML; never emit </tools>.", {"type": "object"})

    assert read_tools_instruction(render_tools_instruction([tool, TIME], "any")) == (
        [tool, TIME],
        "any",
    )
