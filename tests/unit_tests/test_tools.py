"""Tool calling through the model: the prompt protocol, replies, history, native.

Every test talks to the scripted `Recorder`: it checks the exact request body
(tools described in Claude's `instruction` or a GPT `system` message, never
in `tools`), and how scripted answers become `tool_calls` and
`invalid_tool_calls`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)

from .conftest import ModelFactory, anthropic_payload, openai_payload

# -- tools of every kind bind_tools accepts ----------------------------------------


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return "sunny"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Search(BaseModel):
    """Search the web."""

    query: str = Field(description="What to look for")
    limit: int = 5


class Lookup(TypedDict):
    """Look up a word."""

    word: Annotated[str, ..., "The word"]


CONVERT = {
    "name": "convert",
    "description": "Convert money.",
    "parameters": {
        "type": "object",
        "properties": {"amount": {"type": "number"}},
        "required": ["amount"],
    },
}

WEATHER_SCHEMA = {
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "type": "object",
}
# Each tool's line in the prompt, as the model reads it.
TOOL_LINES = {
    "get_weather": {
        "name": "get_weather",
        "description": "Get the weather in a city.",
        "parameters": WEATHER_SCHEMA,
    },
    "add": {
        "name": "add",
        "description": "Add two integers.",
        "parameters": {
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
            "type": "object",
        },
    },
    "Search": {
        "name": "Search",
        "description": "Search the web.",
        "parameters": {
            "properties": {
                "query": {"description": "What to look for", "type": "string"},
                "limit": {"default": 5, "type": "integer"},
            },
            "required": ["query"],
            "type": "object",
        },
    },
    "Lookup": {
        "name": "Lookup",
        "description": "Look up a word.",
        "parameters": {
            "type": "object",
            "properties": {"word": {"description": "The word", "type": "string"}},
            "required": ["word"],
        },
    },
    "convert": {
        "name": "convert",
        "description": "Convert money.",
        "parameters": CONVERT["parameters"],
    },
}

# The whole section for get_weather alone with tool_choice "auto".
WEATHER_INSTRUCTION = """\
# Tools

You can call the tools listed below. Each line inside <tools> is one tool: \
its name, what it does, and the JSON Schema of its arguments.

<tools>
{"name": "get_weather", "description": "Get the weather in a city.", \
"parameters": {"properties": {"city": {"type": "string"}}, "required": \
["city"], "type": "object"}}
</tools>

To call a tool, answer with a block that holds one JSON object with the keys \
"name" and "arguments", exactly like this:

<tool_call>
{"name": "<tool name>", "arguments": {<arguments as a JSON object>}}
</tool_call>

Rules:
- "arguments" must be a JSON object that satisfies the tool's schema.
- To call several tools at once, write one block per call, one after another.
- You may write a short sentence before the first block; write nothing after \
the last block. Stop there: the results will come back in <tool_result> \
blocks in the next message.
- Calls in the conversation history also show an "id"; never write one \
yourself.
- Call a tool only when it helps to answer; otherwise answer normally, with \
no tool_call block."""

RULE_AUTO = (
    "Call a tool only when it helps to answer; otherwise answer normally, "
    "with no tool_call block."
)
RULE_ANY = "You must call at least one tool in this answer."
RULE_WEATHER = 'You must call the tool "get_weather" in this answer.'
CALL_ID = re.compile(r"^call_[0-9a-f]{24}$")


def block(name: str, arguments: Any) -> str:
    call = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
    return f"<tool_call>\n{call}\n</tool_call>"


# -- the two request dialects ------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: str
    cls: type[ChatSegmind]
    answer: Callable[[str], dict[str, Any]]
    raw_stop: str

    def system_prompt(self, body: dict[str, Any]) -> str | None:
        """All system text of a request, as the model reads it."""
        if self.name == "claude":
            return body.get("instruction")
        texts = [m["content"] for m in body["messages"] if m["role"] == "system"]
        return "\n\n".join(texts) if texts else None


CLAUDE = Dialect("claude", ChatSegmindClaude, anthropic_payload, "end_turn")
GPT = Dialect("gpt", ChatSegmindGPT4o, openai_payload, "stop")


@pytest.fixture(params=[CLAUDE, GPT], ids=lambda d: d.name)
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param


@pytest.fixture
def model(dialect: Dialect, make_model: ModelFactory) -> ChatSegmind:
    return make_model(dialect.cls)


def tool_lines(system: str) -> list[dict[str, Any]]:
    """The tools listed in a system prompt, one JSON line each."""
    lines = system.split("\n")
    section = lines[lines.index("<tools>") + 1 : lines.index("</tools>")]
    return [json.loads(line) for line in section]


def choice_rule(system: str) -> str:
    """The prompt's tool-choice rule (its last rule line)."""
    return system.rsplit("\n- ", 1)[1]


# -- binding: the prompt, never `tools` --------------------------------------------


def test_the_tools_section_is_exactly_the_documented_protocol(model, dialect, recorder):
    model.bind_tools([get_weather]).invoke("Hi")

    assert dialect.system_prompt(recorder.last.body) == WEATHER_INSTRUCTION


def test_every_kind_of_tool_is_listed_by_its_json_line(model, dialect, recorder):
    llm = model.bind_tools([get_weather, add, Search, Lookup, CONVERT])

    llm.invoke([SystemMessage("Be brief."), HumanMessage("Hi")])

    body = recorder.last.body
    assert "tools" not in body
    assert "tool_choice" not in body
    system = dialect.system_prompt(body)
    assert system.startswith("Be brief.\n\n# Tools\n")
    assert tool_lines(system) == list(TOOL_LINES.values())


def test_claude_tools_follow_the_user_system_prompt_in_the_instruction(
    claude, recorder
):
    claude.bind_tools([get_weather]).invoke(
        [SystemMessage("Be brief."), HumanMessage("Hi")]
    )

    assert recorder.last.body == {
        "instruction": f"Be brief.\n\n{WEATHER_INSTRUCTION}",
        "messages": [{"role": "user", "content": "Hi"}],
    }


def test_gpt_tools_are_a_system_message_after_the_user_ones(gpt, recorder):
    gpt.bind_tools([get_weather]).invoke(
        [SystemMessage("Be brief."), SystemMessage("Be kind."), HumanMessage("Hi")]
    )

    assert recorder.last.body == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "system", "content": "Be kind."},
            {"role": "system", "content": WEATHER_INSTRUCTION},
            {"role": "user", "content": "Hi"},
        ]
    }


@pytest.mark.parametrize(
    ("tool_choice", "rule"),
    [
        pytest.param(None, RULE_AUTO, id="default"),
        pytest.param("auto", RULE_AUTO, id="auto"),
        pytest.param("any", RULE_ANY, id="any"),
        pytest.param("required", RULE_ANY, id="required"),
        pytest.param(True, RULE_ANY, id="true"),
        pytest.param("get_weather", RULE_WEATHER, id="name"),
        pytest.param(
            {"type": "function", "function": {"name": "get_weather"}},
            RULE_WEATHER,
            id="openai-dict",
        ),
        pytest.param(
            {"type": "tool", "name": "get_weather"},
            RULE_WEATHER,
            id="anthropic-dict",
        ),
        pytest.param({"type": "any"}, RULE_ANY, id="anthropic-any"),
        pytest.param({"type": "auto"}, RULE_AUTO, id="anthropic-auto"),
    ],
)
def test_tool_choice_sets_the_rule(model, dialect, recorder, tool_choice, rule):
    llm = model.bind_tools([add, get_weather], tool_choice=tool_choice)

    llm.invoke("Hi")

    system = dialect.system_prompt(recorder.last.body)
    assert choice_rule(system) == rule
    other_rules = {RULE_AUTO, RULE_ANY, RULE_WEATHER} - {rule}
    assert not any(other in system for other in other_rules)


@pytest.mark.parametrize("tool_choice", ["none", False])
def test_tool_choice_none_sends_no_tools_and_leaves_blocks_as_text(
    model, dialect, recorder, tool_choice
):
    reply = "Sure.\n" + block("get_weather", {"city": "Paris"})
    recorder.reply(dialect.answer(reply))

    message = model.bind_tools([get_weather], tool_choice=tool_choice).invoke("Hi")

    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hi"}]}
    assert message.content == reply
    assert message.tool_calls == []
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize(
    "tool_choice",
    [
        pytest.param("get_time", id="name"),
        pytest.param(
            {"type": "function", "function": {"name": "get_time"}},
            id="openai-dict",
        ),
        pytest.param(
            {"type": "tool", "name": "get_time"},
            id="anthropic-dict",
        ),
    ],
)
def test_an_unknown_tool_name_fails_at_bind_time(model, recorder, tool_choice):
    with pytest.raises(SegmindInputError) as raised:
        model.bind_tools([get_weather, add], tool_choice=tool_choice)

    assert str(raised.value) == (
        "tool_choice 'get_time' names no bound tool; bound tools: "
        "['get_weather', 'add'], or use 'auto', 'any', 'required' or 'none'"
    )
    assert recorder.count == 0


# -- replies: tool calls out of the text -------------------------------------------


def test_prose_and_two_calls_become_content_and_tool_calls(
    model, dialect, recorder, call
):
    recorder.reply(
        dialect.answer(
            "I'll check both cities.\n"
            + block("get_weather", {"city": "Paris"})
            + "\n"
            + block("get_weather", {"city": "Zürich"})
        )
    )

    message = call(model.bind_tools([get_weather]), "Weather in Paris and Zürich?")

    assert message.content == "I'll check both cities."
    ids = [tool_call["id"] for tool_call in message.tool_calls]
    assert message.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "Paris"},
            "id": ids[0],
            "type": "tool_call",
        },
        {
            "name": "get_weather",
            "args": {"city": "Zürich"},
            "id": ids[1],
            "type": "tool_call",
        },
    ]
    assert all(CALL_ID.match(call_id) for call_id in ids), ids
    assert len(set(ids)) == 2
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "tool_calls"
    assert message.response_metadata["stop_reason"] == dialect.raw_stop


def test_call_ids_differ_from_one_answer_to_the_next(model, dialect, recorder):
    llm = model.bind_tools([get_weather])
    ids = set()
    for _ in range(3):
        recorder.reply(dialect.answer(block("get_weather", {"city": "Paris"})))
        ids.add(llm.invoke("Hi").tool_calls[0]["id"])

    assert len(ids) == 3


def test_a_reply_without_calls_is_left_alone(model, dialect, recorder):
    recorder.reply(dialect.answer("  It is sunny in Paris.\n"))

    message = model.bind_tools([get_weather]).invoke("Hi")

    assert message.content == "  It is sunny in Paris.\n"
    assert message.tool_calls == []
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("raw", "name", "error"),
    [
        (
            '{"name": "get_weather", "arguments": {}}',
            "get_weather",
            "arguments.city: Field required",
        ),
        (
            '{"name": "get_weather", "arguments": {"city": 75}}',
            "get_weather",
            "arguments.city: Input should be a valid string, got 75",
        ),
        (
            '{"name": "get_time", "arguments": {"zone": "UTC"}}',
            "get_time",
            "no tool is named 'get_time'; tools: ['get_weather']",
        ),
        (
            '{"name": "get_weather", "arguments": "city=Paris"}',
            "get_weather",
            '"arguments" is not JSON',
        ),
        (
            '{"name": "get_weather", "arguments": {"city": }',
            None,
            "the block is not a JSON object: Expecting value: line 1 column 47 "
            "(char 46)",
        ),
    ],
    ids=["missing-arg", "wrong-type", "unknown-tool", "non-json-args", "bad-json"],
)
def test_unusable_calls_become_invalid_tool_calls(
    model, dialect, recorder, call, raw, name, error
):
    recorder.reply(dialect.answer(f"Checking.\n<tool_call>\n{raw}\n</tool_call>"))

    message = call(model.bind_tools([get_weather]), "Hi")

    assert message.content == "Checking."
    assert message.tool_calls == []
    [invalid] = message.invalid_tool_calls
    assert invalid == {
        "type": "invalid_tool_call",
        "name": name,
        "args": f"<tool_call>{raw}</tool_call>",  # the block as written
        "id": invalid["id"],
        "error": error,
    }
    assert CALL_ID.match(invalid["id"])
    assert message.response_metadata["finish_reason"] == "stop"


def test_valid_and_invalid_calls_are_split_in_order(model, dialect, recorder):
    recorder.reply(
        dialect.answer(
            block("get_weather", {"city": "Paris"})
            + block("get_weather", {"town": "Rome"})
            + block("add", {"a": 1, "b": 2})
            + block("get_weather", {"city": "Oslo"})
        )
    )

    message = model.bind_tools([get_weather, add]).invoke("Hi")

    assert message.content == ""
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("add", {"a": 1, "b": 2}),
        ("get_weather", {"city": "Oslo"}),
    ]
    assert [(c["name"], c["args"], c["error"]) for c in message.invalid_tool_calls] == [
        (
            "get_weather",
            '<tool_call>{"name": "get_weather", "arguments": {"town": "Rome"}}'
            "</tool_call>",
            "arguments.city: Field required",
        )
    ]
    all_ids = [c["id"] for c in [*message.tool_calls, *message.invalid_tool_calls]]
    assert len(set(all_ids)) == 4
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_arguments_of_every_bound_tool_kind_are_checked(model, dialect, recorder):
    recorder.reply(
        dialect.answer(
            block("Search", {"query": "cats", "limit": 3})
            + block("Search", {"query": "cats", "limit": "three"})
            + block("Lookup", {"word": "chat"})
            + block("convert", {"amount": 2.5})
            + block("convert", {"amount": True})
        )
    )

    message = model.bind_tools([Search, Lookup, CONVERT]).invoke("Hi")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("Search", {"query": "cats", "limit": 3}),
        ("Lookup", {"word": "chat"}),
        ("convert", {"amount": 2.5}),
    ]
    assert [c["error"] for c in message.invalid_tool_calls] == [
        "arguments.limit: Input should be a valid integer, unable to parse string "
        "as an integer, got 'three'",
        "arguments.amount should be number, got True",
    ]


# -- streaming ---------------------------------------------------------------------


def collect(llm: Any, api: str, prompt: str) -> list[AIMessageChunk]:
    if api == "stream":
        return list(llm.stream(prompt))

    async def run() -> list[AIMessageChunk]:
        return [chunk async for chunk in llm.astream(prompt)]

    return asyncio.run(run())


@pytest.mark.parametrize("api", ["stream", "astream"])
def test_a_stream_is_one_chunk_whose_tool_call_chunks_rebuild_the_calls(
    model, dialect, recorder, api
):
    recorder.reply(
        dialect.answer(
            "On it.\n"
            + block("get_weather", {"city": "Zürich"})
            + block("add", {"a": 1, "b": 2})
        )
    )

    chunks = collect(model.bind_tools([get_weather, add]), api, "Hi")

    [chunk] = chunks
    assert chunk.content == "On it."
    ids = [c["id"] for c in chunk.tool_calls]
    assert chunk.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "Zürich"},
            "id": ids[0],
            "type": "tool_call",
        },
        {"name": "add", "args": {"a": 1, "b": 2}, "id": ids[1], "type": "tool_call"},
    ]
    # One whole chunk: langchain-core derives its tool_call_chunks from the
    # calls (with no index, as nothing follows to merge by index).
    assert [
        (c["name"], json.loads(c["args"]), c["id"]) for c in chunk.tool_call_chunks
    ] == [
        ("get_weather", {"city": "Zürich"}, ids[0]),
        ("add", {"a": 1, "b": 2}, ids[1]),
    ]
    merged = chunk + AIMessageChunk(content="")
    assert merged.tool_calls == chunk.tool_calls
    assert merged.response_metadata["finish_reason"] == "tool_calls"


def test_streaming_invoke_gives_the_same_calls(make_model, dialect, recorder):
    llm = make_model(dialect.cls, streaming=True).bind_tools([get_weather])
    recorder.reply(dialect.answer(block("get_weather", {"city": "Paris"})))

    message = llm.invoke("Hi")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert CALL_ID.match(message.tool_calls[0]["id"])
    assert message.invalid_tool_calls == []


MIXED_REPLY = block("get_weather", {"city": "Paris"}) + block("get_weather", {})
INVALID_ONLY_REPLY = block("get_weather", {})


@pytest.mark.parametrize("api", ["stream", "astream"])
def test_a_stream_keeps_invalid_calls_next_to_valid_ones(model, dialect, recorder, api):
    recorder.reply(dialect.answer(MIXED_REPLY))

    [chunk] = collect(model.bind_tools([get_weather]), api, "Hi")

    assert [c["args"] for c in chunk.tool_calls] == [{"city": "Paris"}]
    assert [c["error"] for c in chunk.invalid_tool_calls] == [
        "arguments.city: Field required"
    ]


@pytest.mark.parametrize(
    "reply", [INVALID_ONLY_REPLY, MIXED_REPLY], ids=["invalid-only", "mixed"]
)
def test_streaming_invoke_keeps_invalid_calls_invalid(
    make_model, dialect, recorder, reply
):
    llm = make_model(dialect.cls, streaming=True).bind_tools([get_weather])
    recorder.reply(dialect.answer(reply))

    message = llm.invoke("Hi")

    assert [c["args"] for c in message.tool_calls] == (
        [{"city": "Paris"}] if reply == MIXED_REPLY else []
    )
    # langchain-core rebuilds merged chunks' calls from their arguments and has
    # no place for a reason, so only the call itself survives the merge: it
    # must stay invalid, with the model's block as its arguments.
    [invalid] = message.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert (
        invalid["args"]
        == '<tool_call>{"name": "get_weather", "arguments": {}}</tool_call>'
    )
    assert invalid["error"] in ("arguments.city: Field required", None)


# -- history: past calls and results as tagged text --------------------------------

PARIS = {"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}
ROME = {"name": "get_weather", "args": {"city": "Rome"}, "id": "c2"}
PARIS_TEXT = (
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}, '
    '"id": "c1"}\n</tool_call>'
)
ROME_TEXT = (
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}, '
    '"id": "c2"}\n</tool_call>'
)
HISTORY = [
    SystemMessage("Be brief."),
    HumanMessage("Weather in Paris and Rome?"),
    AIMessage("Checking.", tool_calls=[PARIS, ROME]),
    ToolMessage("sunny", tool_call_id="c1", name="get_weather"),
    ToolMessage(
        [{"type": "text", "text": "city "}, {"type": "text", "text": "not found"}],
        tool_call_id="c2",
        name="get_weather",
        status="error",
    ),
    HumanMessage("And?"),
]
ASSISTANT_TEXT = f"Checking.\n{PARIS_TEXT}\n\n{ROME_TEXT}\n"
RESULT_1 = '<tool_result id="c1" name="get_weather">\nsunny\n</tool_result>\n'
RESULT_2 = (
    '<tool_result id="c2" name="get_weather" status="error">\n'
    "city not found\n</tool_result>\n"
)


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def test_claude_history_is_tagged_text_in_alternating_turns(claude, recorder):
    claude.invoke(HISTORY)

    assert recorder.last.body == {
        "instruction": "Be brief.",
        "messages": [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {"role": "assistant", "content": ASSISTANT_TEXT},
            {
                "role": "user",
                "content": [text(RESULT_1), text(RESULT_2), text("And?")],
            },
        ],
    }


def test_gpt_history_is_tagged_text_in_user_messages(gpt, recorder):
    gpt.invoke(HISTORY)

    assert recorder.last.body == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {"role": "assistant", "content": ASSISTANT_TEXT},
            {"role": "user", "content": RESULT_1},
            {"role": "user", "content": RESULT_2},
            {"role": "user", "content": "And?"},
        ]
    }


def test_binding_tools_changes_only_the_system_prompt(model, dialect, recorder):
    model.invoke(HISTORY)
    model.bind_tools([get_weather]).invoke(HISTORY)

    plain, bound = recorder.bodies

    def conversation(body: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in body["messages"] if m["role"] != "system"]

    assert conversation(bound) == conversation(plain)
    assert dialect.system_prompt(bound) == f"Be brief.\n\n{WEATHER_INSTRUCTION}"


TOOL_USE = {
    "type": "tool_use",
    "id": "c1",
    "name": "get_weather",
    "input": {"city": "Paris"},
}
V1_CALL = {
    "type": "tool_call",
    "id": "c1",
    "name": "get_weather",
    "args": {"city": "Paris"},
}


@pytest.mark.parametrize(
    "assistant",
    [
        AIMessage("Checking.", tool_calls=[PARIS]),
        AIMessage([text("Checking."), TOOL_USE], tool_calls=[PARIS]),
        AIMessage([text("Checking."), TOOL_USE]),
        AIMessage([text("Checking."), V1_CALL], tool_calls=[PARIS]),
        AIMessage([text("Checking."), V1_CALL]),
    ],
    ids=[
        "tool_calls",
        "tool_use+tool_calls",
        "tool_use-only",
        "v1-block+tool_calls",
        "v1-block-only",
    ],
)
def test_every_spelling_of_a_past_call_renders_once(
    model, dialect, recorder, assistant
):
    model.invoke(
        [
            HumanMessage("Weather?"),
            assistant,
            ToolMessage("sunny", tool_call_id="c1", name="get_weather"),
        ]
    )

    messages = recorder.last.body["messages"]
    assert messages[1] == {
        "role": "assistant",
        "content": f"Checking.\n{PARIS_TEXT}\n",
    }
    assert messages[2] == {"role": "user", "content": RESULT_1}


# A result built by hand, as in many LangChain examples: no `name`.
UNNAMED_HISTORY = [
    HumanMessage("Weather in Paris?"),
    AIMessage(
        "Checking.",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}],
    ),
    ToolMessage(content="sunny", tool_call_id="call_1"),
]
CALL_1_TEXT = (
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}, '
    '"id": "call_1"}\n</tool_call>'
)
NAMED_RESULT = '<tool_result id="call_1" name="get_weather">\nsunny\n</tool_result>\n'


def test_claude_names_a_hand_built_result_after_its_call(claude, recorder):
    claude.invoke(UNNAMED_HISTORY)

    assert recorder.last.slug == "claude-3.5-sonnet"
    assert recorder.last.body == {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": f"Checking.\n{CALL_1_TEXT}\n"},
            {"role": "user", "content": NAMED_RESULT},
        ]
    }


def test_gpt_names_a_hand_built_result_after_its_call(gpt, recorder):
    gpt.bind_tools([get_weather]).invoke(UNNAMED_HISTORY)

    assert recorder.last.slug == "gpt-4o"
    assert recorder.last.body == {
        "messages": [
            {"role": "system", "content": WEATHER_INSTRUCTION},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": f"Checking.\n{CALL_1_TEXT}\n"},
            {"role": "user", "content": NAMED_RESULT},
        ]
    }


OPENAI_CALL_1 = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


@pytest.mark.parametrize(
    "assistant",
    [
        AIMessage([text("Checking."), {**TOOL_USE, "id": "call_1"}]),
        AIMessage([text("Checking."), {**V1_CALL, "id": "call_1"}]),
        AIMessage("Checking.", additional_kwargs={"tool_calls": [OPENAI_CALL_1]}),
    ],
    ids=["tool_use-block", "v1-block", "openai-additional_kwargs"],
)
def test_a_result_is_named_after_a_call_in_any_spelling(model, recorder, assistant):
    model.invoke([UNNAMED_HISTORY[0], assistant, UNNAMED_HISTORY[2]])

    messages = recorder.last.body["messages"]
    assert messages[1] == {
        "role": "assistant",
        "content": f"Checking.\n{CALL_1_TEXT}\n",
    }
    assert messages[2] == {"role": "user", "content": NAMED_RESULT}


def test_an_anthropic_tool_result_block_is_named_after_its_call(model, recorder):
    model.invoke(
        [
            *UNNAMED_HISTORY[:2],
            HumanMessage(
                [{"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"}]
            ),
        ]
    )

    assert recorder.last.body["messages"][2] == {
        "role": "user",
        "content": NAMED_RESULT,
    }


def test_a_reused_call_id_names_the_result_after_the_latest_call(model, recorder):
    # Some models number their calls per answer, so ids repeat across turns.
    model.invoke(
        [
            *UNNAMED_HISTORY,
            AIMessage(
                "", tool_calls=[{"name": "get_time", "args": {}, "id": "call_1"}]
            ),
            ToolMessage("noon", tool_call_id="call_1"),
        ]
    )

    messages = recorder.last.body["messages"]
    assert messages[2]["content"] == NAMED_RESULT
    assert messages[4] == {
        "role": "user",
        "content": '<tool_result id="call_1" name="get_time">\nnoon\n</tool_result>\n',
    }


@pytest.mark.parametrize(
    ("result", "header"),
    [
        pytest.param(
            ToolMessage("sunny", tool_call_id="call_9"),
            '<tool_result id="call_9">',
            id="no-matching-call",
        ),
        pytest.param(
            ToolMessage("sunny", tool_call_id="call_1", name="weather"),
            '<tool_result id="call_1" name="weather">',
            id="own-name-kept",
        ),
    ],
)
def test_a_result_keeps_its_own_name_or_none(model, recorder, result, header):
    model.invoke([*UNNAMED_HISTORY[:2], result])

    assert recorder.last.body["messages"][2] == {
        "role": "user",
        "content": f"{header}\nsunny\n</tool_result>\n",
    }


def test_a_call_made_after_the_result_does_not_name_it(gpt, recorder):
    gpt.invoke(
        [
            HumanMessage("Weather in Paris?"),
            ToolMessage("sunny", tool_call_id="call_1"),
            UNNAMED_HISTORY[1],
        ]
    )

    assert recorder.last.body["messages"][1] == {
        "role": "user",
        "content": '<tool_result id="call_1">\nsunny\n</tool_result>\n',
    }


def test_a_call_without_prose_renders_as_the_block_alone(model, recorder):
    model.invoke(
        [
            HumanMessage("Weather?"),
            AIMessage("", tool_calls=[PARIS]),
            ToolMessage("sunny", tool_call_id="c1"),
        ]
    )

    assistant = recorder.last.body["messages"][1]
    assert assistant["role"] == "assistant"
    # Surrounding new lines are layout, not part of the contract.
    assert assistant["content"].strip() == PARIS_TEXT


IMAGE_DATA = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
    "WjR9awAAAABJRU5ErkJggg=="
)
IMAGE_RESULT = ToolMessage(
    [
        text("Here is the chart."),
        {"type": "image", "base64": IMAGE_DATA, "mime_type": "image/png"},
    ],
    tool_call_id="c1",
)
IMAGE_HISTORY = [
    HumanMessage("Plot it."),
    AIMessage("", tool_calls=[{"name": "plot", "args": {}, "id": "c1"}]),
    IMAGE_RESULT,
]


def test_claude_keeps_an_image_from_a_tool_result(claude, recorder):
    claude.invoke(IMAGE_HISTORY)

    assert recorder.last.body["messages"][2] == {
        "role": "user",
        "content": [
            text('<tool_result id="c1" name="plot">\nHere is the chart.'),
            {
                "type": "image",
                "source": {
                    "type": "base64",
                    "media_type": "image/png",
                    "data": IMAGE_DATA,
                },
            },
            text("\n</tool_result>\n"),
        ],
    }


def test_gpt_keeps_an_image_from_a_tool_result(gpt, recorder):
    gpt.invoke(IMAGE_HISTORY)

    assert recorder.last.body["messages"][2] == {
        "role": "user",
        "content": [
            text('<tool_result id="c1" name="plot">\nHere is the chart.'),
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{IMAGE_DATA}"},
            },
            text("\n</tool_result>\n"),
        ],
    }


def test_claude_turns_alternate_through_a_long_tool_loop(claude, recorder):
    history: list[BaseMessage] = [
        HumanMessage("Plan a trip."),
        AIMessage("", tool_calls=[PARIS]),
        ToolMessage("sunny", tool_call_id="c1"),
        AIMessage("Now Rome.", tool_calls=[ROME]),
        ToolMessage("rainy", tool_call_id="c2"),
        AIMessage("", tool_calls=[{**PARIS, "id": "c3"}, {**ROME, "id": "c4"}]),
        ToolMessage("sunny", tool_call_id="c3"),
        ToolMessage("rainy", tool_call_id="c4"),
    ]

    claude.bind_tools([get_weather]).invoke(history)

    messages = recorder.last.body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3 + ["user"]
    assert messages[-1] == {
        "role": "user",
        "content": [
            text('<tool_result id="c3" name="get_weather">\nsunny\n</tool_result>\n'),
            text('<tool_result id="c4" name="get_weather">\nrainy\n</tool_result>\n'),
        ],
    }
    assert messages[3] == {"role": "assistant", "content": f"Now Rome.\n{ROME_TEXT}\n"}


# -- tool calls that come back natively --------------------------------------------


def openai_native_answer(arguments: str) -> dict[str, Any]:
    payload = openai_payload(None, finish_reason="tool_calls")
    payload["choices"][0]["message"]["tool_calls"] = [
        {
            "id": "call_abc",
            "type": "function",
            "function": {"name": "get_weather", "arguments": arguments},
        }
    ]
    return payload


ANTHROPIC_NATIVE_ANSWER = anthropic_payload(
    content=[
        text("Let me check."),
        {
            "type": "tool_use",
            "id": "toolu_01",
            "name": "get_weather",
            "input": {"city": "Paris"},
        },
    ],
    stop_reason="tool_use",
)


@pytest.mark.parametrize("bound", [False, True], ids=["plain", "tools-bound"])
@pytest.mark.parametrize(
    ("answer", "content", "call_id"),
    [
        (openai_native_answer('{"city": "Paris"}'), "", "call_abc"),
        (ANTHROPIC_NATIVE_ANSWER, "Let me check.", "toolu_01"),
    ],
    ids=["openai", "anthropic"],
)
def test_native_tool_calls_in_answers_become_tool_calls(
    claude, recorder, answer, content, call_id, bound
):
    recorder.reply(answer)
    llm = claude.bind_tools([get_weather]) if bound else claude

    message = llm.invoke("Hi")

    assert message.content == content
    assert message.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "Paris"},
            "id": call_id,
            "type": "tool_call",
        }
    ]
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_native_call_with_broken_arguments_is_invalid(gpt, recorder):
    recorder.reply(openai_native_answer('{"city": "Par'))

    message = gpt.invoke("Hi")

    assert message.tool_calls == []
    assert [(c["name"], c["args"], c["id"]) for c in message.invalid_tool_calls] == [
        ("get_weather", '{"city": "Par', "call_abc")
    ]


# -- native_tools=True: `tools` in the body ----------------------------------------


@pytest.mark.parametrize(
    ("tool_choice", "claude_choice", "gpt_choice"),
    [
        ("auto", {"type": "auto"}, "auto"),
        ("any", {"type": "any"}, "required"),
        ("required", {"type": "any"}, "required"),
        (
            "get_weather",
            {"type": "tool", "name": "get_weather"},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
        ("none", {"type": "none"}, "none"),
    ],
)
def test_native_tools_go_in_the_body_in_the_dialect_format(
    make_model, dialect, recorder, tool_choice, claude_choice, gpt_choice
):
    llm = make_model(dialect.cls, native_tools=True)

    llm.bind_tools([get_weather], tool_choice=tool_choice).invoke(
        [SystemMessage("Be brief."), HumanMessage("Hi")]
    )

    if dialect is CLAUDE:
        expected = {
            "instruction": "Be brief.",
            "messages": [{"role": "user", "content": "Hi"}],
            "tools": [
                {
                    "name": "get_weather",
                    "description": "Get the weather in a city.",
                    "input_schema": WEATHER_SCHEMA,
                }
            ],
            "tool_choice": claude_choice,
        }
    else:
        expected = {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
            ],
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "Get the weather in a city.",
                        "parameters": WEATHER_SCHEMA,
                    },
                }
            ],
            "tool_choice": gpt_choice,
        }
    assert recorder.last.body == expected


def test_native_claude_history_uses_tool_use_and_tool_result_blocks(
    make_model, recorder
):
    make_model(ChatSegmindClaude, native_tools=True).invoke(HISTORY)

    assert recorder.last.body["messages"] == [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": [
                text("Checking."),
                {
                    "type": "tool_use",
                    "id": "c1",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "c2",
                    "name": "get_weather",
                    "input": {"city": "Rome"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "c1",
                    "content": [text("sunny")],
                },
                {
                    "type": "tool_result",
                    "tool_use_id": "c2",
                    "content": [text("city "), text("not found")],
                    "is_error": True,
                },
                text("And?"),
            ],
        },
    ]


def test_native_gpt_history_uses_tool_calls_and_tool_messages(make_model, recorder):
    make_model(ChatSegmindGPT4o, native_tools=True).invoke(HISTORY)

    assert recorder.last.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Paris"}',
                    },
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Rome"}',
                    },
                },
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "c2", "content": "city not found"},
        {"role": "user", "content": "And?"},
    ]


def test_native_gpt_assistant_with_only_calls_has_null_content(make_model, recorder):
    make_model(ChatSegmindGPT4o, native_tools=True).invoke(
        [
            HumanMessage("Weather?"),
            AIMessage("", tool_calls=[PARIS]),
            ToolMessage("sunny", tool_call_id="c1"),
        ]
    )

    assert recorder.last.body["messages"][1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }


# -- tools and a JSON-schema answer in one call ------------------------------------

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"temperature": {"type": "number"}},
    "required": ["temperature"],
}
RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "Weather", "schema": ANSWER_SCHEMA},
}
ANSWER_RULE = (
    "\n- When you answer without calling a tool, your whole answer must be one "
    "JSON object (no prose, no code fences) that satisfies this JSON Schema:\n"
    "<answer_schema>\n"
    '{"type": "object", "properties": {"temperature": {"type": "number"}}, '
    '"required": ["temperature"]}\n'
    "</answer_schema>"
)


def test_the_answer_schema_moves_into_the_prompt(model, dialect, recorder, call):
    recorder.reply(dialect.answer('{"temperature": 21.5}'))
    llm = model.bind_tools([get_weather]).bind(response_format=RESPONSE_FORMAT)

    message = call(llm, "Hi")

    body = recorder.last.body
    assert "response_format" not in body
    assert "tools" not in body
    assert dialect.system_prompt(body) == WEATHER_INSTRUCTION + ANSWER_RULE
    assert message.content == '{"temperature": 21.5}'
    assert message.tool_calls == []
    assert message.invalid_tool_calls == []


def test_with_an_answer_schema_tool_calls_still_parse(model, dialect, recorder):
    recorder.reply(dialect.answer(block("get_weather", {"city": "Paris"})))
    llm = model.bind_tools([get_weather]).bind(response_format=RESPONSE_FORMAT)

    message = llm.invoke("Hi")

    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]


def test_tool_choice_none_keeps_the_response_format(model, recorder):
    llm = model.bind_tools([get_weather], tool_choice="none")

    llm.bind(response_format=RESPONSE_FORMAT).invoke("Hi")

    assert recorder.last.body == {
        "messages": [{"role": "user", "content": "Hi"}],
        "response_format": RESPONSE_FORMAT,
    }


def test_native_tools_send_the_response_format_as_is(make_model, dialect, recorder):
    llm = make_model(dialect.cls, native_tools=True).bind_tools([get_weather])

    llm.bind(response_format=RESPONSE_FORMAT).invoke("Hi")

    body = recorder.last.body
    assert body["response_format"] == RESPONSE_FORMAT
    assert [t.get("name") or t["function"]["name"] for t in body["tools"]] == [
        "get_weather"
    ]
    assert dialect.system_prompt(body) is None


def test_per_call_tools_work_like_bound_ones(model, dialect, recorder):
    recorder.reply(dialect.answer(block("get_weather", {"city": "Paris"})))
    openai_tool = {"type": "function", "function": TOOL_LINES["get_weather"]}

    message = model.invoke("Hi", tools=[openai_tool], tool_choice="required")

    assert choice_rule(dialect.system_prompt(recorder.last.body)) == RULE_ANY
    assert "tools" not in recorder.last.body
    assert [c["args"] for c in message.tool_calls] == [{"city": "Paris"}]
