"""How a model's tagged reply is read: the layouts and spellings the protocol takes.

Each test scripts one reply of the fake gateway for a model bound to a
JSON-Schema tool `f` and reads the `AIMessage` it becomes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from .conftest import Recorder, openai_payload

F = {"name": "f", "description": "", "parameters": {"type": "object"}}
CALL = '{"name": "f", "arguments": {"x": "Paris"}}'


def read(gpt: Any, recorder: Recorder, reply: str) -> AIMessage:
    recorder.reply(openai_payload(reply))
    return gpt.bind_tools([F]).invoke("Hi")


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
        ('{"name": "f", "arguments": [1]}', "f", '"arguments" is not an object'),
        ('{"name": "f", "arguments": "x=1"}', "f", '"arguments" is not JSON'),
    ],
    ids=["array", "no-name", "array-args", "non-json-string-args"],
)
def test_unusable_blocks_carry_the_reason(gpt, recorder, body, name, error):
    message = read(gpt, recorder, f"Calling.\n<tool_call>{body}</tool_call>")

    assert message.content == "Calling."
    [invalid] = message.invalid_tool_calls
    assert invalid["name"] == name
    assert invalid["error"].startswith(error)  # maybe with json's explanation


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


def test_a_reply_of_many_unusable_blocks_is_read_whole(gpt, recorder):
    # Each block's object is searched for where the block starts: a reply of
    # many empty blocks and one stray brace is read in one pass.
    message = read(gpt, recorder, "<tool_call></tool_call>" * 20_000 + "{")

    assert len(message.invalid_tool_calls) == 20_000
    assert message.tool_calls == []
