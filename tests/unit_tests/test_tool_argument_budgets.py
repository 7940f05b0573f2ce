"""What checking a protocol tool call's arguments may cost, as a user sees it.

Recursive schemas, unions and tags are checked within a budget that grows
with the reply; past it a call is invalid, never a hang.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from ._payloads import block, outcome
from .conftest import openai_payload


def node(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"child": value}
    return value


RECURSIVE = {
    "name": "tree",
    "description": "A tree.",
    "parameters": {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
        "required": ["root"],
        "$defs": {
            "node": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {"child": {"$ref": "#/$defs/node"}},
                    }
                ]
                * 3
            }
        },
    },
}


class A(BaseModel):
    child: A | B | C | None = None


class B(BaseModel):
    child: A | B | C | None = None


class C(BaseModel):
    child: A | B | C | None = None


class Tree(BaseModel):
    """A tree whose nodes may be any of three identical models."""

    root: A | B | C


@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
def test_a_recursive_schema_is_checked_without_hanging(gpt, recorder, api):
    recorder.reply(
        openai_payload(
            block("tree", {"root": node(20, {})})
            + block("Tree", {"root": node(20, {})})
        )
    )
    llm = gpt.bind_tools([RECURSIVE, Tree])

    message = llm.invoke("Hi") if api == "invoke" else asyncio.run(llm.ainvoke("Hi"))

    assert [c["name"] for c in message.tool_calls] == ["tree"]
    assert [(c["name"], c["error"]) for c in message.invalid_tool_calls] == [
        ("Tree", "the arguments nest too many alternatives of the schema to be checked")
    ]


def test_the_budget_for_checking_alternatives_is_the_whole_replys(gpt, recorder):
    # Each call alone is within the budget; four together are not.
    calls = [("Tree", {"root": node(7, {})})] * 4

    valid, errors = outcome(gpt, recorder, [Tree], *calls)

    assert len(valid) == 3
    assert errors == [
        "with the reply's other calls, the arguments nest too many alternatives "
        "of the schema to be checked"
    ]


class Store(BaseModel):
    """Store values."""

    values: list[int | str]


def test_the_budget_grows_with_the_reply_for_long_plain_arguments(gpt, recorder):
    calls = [("Store", {"values": list(range(17_000))})] * 2

    valid, errors = outcome(gpt, recorder, [Store], *calls)

    assert (len(valid), errors) == (2, [])


def test_the_replys_budget_stops_growing_past_ten_times_a_calls(gpt, recorder):
    # Each call is within its budget and long; thirteen together need more
    # than eleven calls' budgets, however long their text.
    calls = [("Store", {"values": list(range(30_000))})] * 13

    valid, errors = outcome(gpt, recorder, [Store], *calls)

    assert len(valid) == 12
    assert errors == [
        "with the reply's other calls, the arguments nest too many alternatives "
        "of the schema to be checked"
    ]


def test_the_budget_grows_with_native_calls_too(gpt, recorder):
    arguments = json.dumps({"values": list(range(17_000))})
    native = {"type": "function", "function": {"name": "Store", "arguments": arguments}}
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": f"c{n}", **native} for n in range(2)],
    }
    recorder.reply(openai_payload(choices=[{"index": 0, "message": message}]))

    reply = gpt.bind_tools([Store]).invoke("Hi")

    assert (len(reply.tool_calls), reply.invalid_tool_calls) == (2, [])


def test_a_shallow_recursive_model_is_still_validated(gpt, recorder):
    assert outcome(
        gpt,
        recorder,
        [Tree],
        ("Tree", {"root": node(3, {})}),
        ("Tree", {"root": node(3, 7)}),
    )[0] == [("Tree", {"root": node(3, {})})]


class TA(BaseModel):
    child: tuple[TA | TB | TC | None]


class TB(BaseModel):
    child: tuple[TA | TB | TC | None]


class TC(BaseModel):
    child: tuple[TA | TB | TC | None]


class TupleTree(BaseModel):
    """A tree whose nodes hold their child in a one-item tuple."""

    root: TA | TB | TC


def test_a_recursive_tuple_schema_is_checked_without_hanging(gpt, recorder):
    arguments: dict[str, Any] = {"child": [None]}
    for _ in range(14):
        arguments = {"child": [arguments]}
    recorder.reply(openai_payload(block("TupleTree", {"root": arguments})))

    message = gpt.bind_tools([TupleTree]).invoke("Hi")

    assert message.tool_calls == []
    assert [c["error"] for c in message.invalid_tool_calls] == [
        "the arguments nest too many alternatives of the schema to be checked"
    ]


class FirstKind(BaseModel):
    kind: Literal[1]
    root: A | B | C


class SecondKind(BaseModel):
    kind: Literal[2]
    root: A | B | C


class Tagged(BaseModel):
    """Trees behind a discriminator whose tags are integers."""

    item: Annotated[FirstKind | SecondKind, Field(discriminator="kind")]


def test_a_recursive_schema_behind_an_integer_tag_is_counted(gpt, recorder):
    arguments = {"item": {"kind": 1, "root": node(20, {})}}

    assert outcome(gpt, recorder, [Tagged], ("Tagged", arguments)) == (
        [],
        ["the arguments nest too many alternatives of the schema to be checked"],
    )


class Ping(BaseModel):
    kind: Literal["ping"]
    next: Rally | None = None


class Pong(BaseModel):
    kind: Literal["pong"]
    next: Rally | None = None


Rally = Annotated[Ping | Pong, Field(discriminator="kind")]


class Volley(BaseModel):
    """A chain of tagged nodes: pydantic follows each tag, not every alternative."""

    first: Rally


def test_a_deep_chain_behind_a_tag_is_checked_not_refused(gpt, recorder):
    arguments: dict[str, Any] = {"kind": "pong"}
    for _ in range(30):
        arguments = {"kind": "ping", "next": arguments}

    assert outcome(gpt, recorder, [Volley], ("Volley", {"first": arguments})) == (
        [("Volley", {"first": arguments})],
        [],
    )
