"""What reading a reply may cost: bounded however hostile the reply.

A reply's calls are read up to the 128th (the rest is one refused call, left
unread); arguments nest at most 100 levels; a string that runs on past its
block is looked for over later blocks within a budget. That reading stays
linear is timed in the benchmark (section 8), not here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ._payloads import CALL, SECOND, read
from .conftest import Recorder


def test_a_reply_of_many_unusable_blocks_is_read_up_to_the_cap(gpt, recorder):
    # Past the 128th block the rest is one refused call, left unread.
    message = read(gpt, recorder, "<tool_call></tool_call>" * 20_000 + "{")

    *blocks, rest = message.invalid_tool_calls
    assert [c["error"] for c in blocks] == ["the block is not a JSON object"] * 128
    assert rest["error"] == "the reply has more than 128 calls: the rest is not read"
    assert message.tool_calls == []


@pytest.mark.parametrize("depth", [150, 100_000], ids=["deep", "past-the-stack"])
def test_deep_arguments_given_as_a_json_string_are_an_invalid_call(
    gpt: Any, recorder: Recorder, depth: int
) -> None:
    arguments = json.dumps('{"a": ' * depth + "{}" + "}" * depth)  # a JSON string
    reply = f'<tool_call>{{"name": "f", "arguments": {arguments}}}</tool_call>'

    message = read(gpt, recorder, reply)

    assert message.tool_calls == []
    assert [(c["name"], c["error"]) for c in message.invalid_tool_calls] == [
        ("f", '"arguments" is nested too deeply (more than 100 levels)')
    ]


def test_calls_past_the_128th_of_a_reply_are_one_refused_call_unread(gpt, recorder):
    calls = [{"name": "f", "arguments": {"x": n}} for n in range(200)]
    reply = "".join(f"<tool_call>{json.dumps(call)}</tool_call>" for call in calls)

    message = read(gpt, recorder, reply)

    assert [c["args"] for c in message.tool_calls] == [{"x": n} for n in range(128)]
    (unread,) = message.invalid_tool_calls
    assert unread["error"] == "the reply has more than 128 calls: the rest is not read"
    assert unread["args"].startswith(f"<tool_call>{json.dumps(calls[128])}")
    assert message.content == ""  # the rest is not prose either


def test_an_array_of_more_than_128_calls_leaves_the_rest_unread(gpt, recorder):
    calls = [{"name": "f", "arguments": {"x": n}} for n in range(200)]

    message = read(gpt, recorder, f"<tool_call>{json.dumps(calls)}</tool_call>")

    assert len(message.tool_calls) == 128
    (unread,) = message.invalid_tool_calls
    assert unread["error"] == "the reply has more than 128 calls: the rest is not read"
    assert json.dumps(calls[128]) in unread["args"]


def test_a_block_after_an_array_past_128_calls_is_in_the_one_unread_call(gpt, recorder):
    calls = [{"name": "f", "arguments": {"x": n}} for n in range(130)]
    later = json.dumps({"name": "f", "arguments": {"x": "later"}})
    reply = (
        f"<tool_call>{json.dumps(calls)}</tool_call> Done with f. "
        f"<tool_call>{later}</tool_call> And more."
    )

    message = read(gpt, recorder, reply)

    assert message.content == "Done with f."  # prose up to the next block
    assert len(message.tool_calls) == 128
    (unread,) = message.invalid_tool_calls
    assert unread["error"] == "the reply has more than 128 calls: the rest is not read"
    assert json.dumps(calls[129]) in unread["args"]
    assert unread["args"].endswith(f"<tool_call>{later}</tool_call> And more.")


@pytest.mark.parametrize(
    ("last", "error"),
    [
        ("{oops", "the block is not a JSON object"),
        (f"{CALL} and {SECOND}", "text after the calls is no call"),
    ],
    ids=["not-json", "text-after-the-call"],
)
def test_the_128th_calls_block_is_read_as_any_other(gpt, recorder, last, error):
    reply = f"<tool_call>{CALL}</tool_call>" * 127 + f"<tool_call>{last}</tool_call>"

    message = read(gpt, recorder, reply)

    (refused,) = message.invalid_tool_calls  # and no unread rest: there is none
    assert refused["error"].startswith(error)


def test_a_block_of_white_space_is_one_invalid_call(gpt, recorder):
    # 400 KB: read backtracking over the run, it took minutes (the benchmark's
    # section 8 times such replies).
    message = read(gpt, recorder, "<tool_call>\n" + " \n" * 200_000)

    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1


def test_a_string_cut_off_at_the_end_of_the_reply_is_one_invalid_call(gpt, recorder):
    # 2 MB: looked for again and again past the reply's end (quadratic), 50 s.
    message = read(gpt, recorder, "x" * 2_000_000 + '<tool_call>{"x": "')

    (refused,) = message.invalid_tool_calls
    assert refused["error"].startswith("the block is not a JSON object")


def test_reading_across_blocks_stops_when_a_reply_has_spent_its_budget(gpt, recorder):
    # Each block opens a string that only the next block closes, so reading
    # each looks 8 blocks ahead: together, 8 times the reply's length.
    hostile = ('<tool_call>{"k": "' + "x" * 1000) * 60 + '"'
    text = "".join(f"Example {n}: <tool_call>{{}}</tool_call>\n" for n in range(40))
    call = json.dumps({"name": "f", "arguments": {"text": text}})
    once = json.dumps({"name": "f", "arguments": {"text": "a <tool_call> b"}})

    message = read(
        gpt,
        recorder,
        f"{hostile}\n<tool_call>{call}</tool_call>\n<tool_call>{once}</tool_call>",
    )

    # The argument that writes the tag 40 times is no longer read whole: its
    # call is invalid, and nothing is made from a part of it. The first 8
    # blocks ahead are still read: one that writes the tag once is made.
    assert [c["args"] for c in message.tool_calls] == [{"text": "a <tool_call> b"}]
    assert any('"text": "Example 0:' in c["args"] for c in message.invalid_tool_calls)
