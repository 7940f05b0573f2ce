"""What `tool_choice` asks of the model: the rule it adds, and the forms refused.

The choice is one rule at the end of the tools' instruction; `"none"`
describes no tools at all. A choice the package cannot read fails at bind
time, before anything is sent.
"""

from __future__ import annotations

from typing import Any

import pytest

from langchain_segmind import SegmindInputError

from ._payloads import RULE_ANY, add, block, choice_rule, get_weather

RULE_AUTO = (
    "Call a tool only when it helps to answer; otherwise answer normally, "
    "with no tool_call block."
)
RULE_WEATHER = 'You must call the tool "get_weather" in this answer.'


@pytest.mark.parametrize(
    ("tool_choice", "rule"),
    [
        pytest.param(None, RULE_AUTO, id="default"),
        pytest.param("any", RULE_ANY, id="any"),
        pytest.param("required", RULE_ANY, id="required"),
        pytest.param(True, RULE_ANY, id="true"),
        pytest.param("get_weather", RULE_WEATHER, id="name"),
        pytest.param(
            {"type": "function", "function": {"name": "get_weather"}},
            RULE_WEATHER,
            id="openai-dict",
        ),
        pytest.param({"type": "tool", "name": "get_weather"}, RULE_WEATHER, id="anth"),
        pytest.param({"type": "any"}, RULE_ANY, id="anthropic-any"),
    ],
)
def test_tool_choice_sets_the_rule(model, dialect, recorder, tool_choice, rule):
    model.bind_tools([add, get_weather], tool_choice=tool_choice).invoke("Hi")

    assert choice_rule(dialect.system_prompt(recorder.last.body)) == rule


@pytest.mark.parametrize("tool_choice", ["none", False])
def test_tool_choice_none_sends_no_tools_and_leaves_blocks_as_text(
    model, dialect, recorder, tool_choice
):
    reply = "Sure.\n" + block("get_weather", {"city": "Paris"})
    recorder.reply(dialect.answer(reply))

    message = model.bind_tools([get_weather], tool_choice=tool_choice).invoke("Hi")

    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hi"}]}
    assert (message.content, message.tool_calls) == (reply, [])


def test_an_unknown_tool_choice_fails_at_bind_time(model, recorder):
    with pytest.raises(SegmindInputError) as raised:
        model.bind_tools([get_weather, add], tool_choice={"name": "get_time"})

    assert str(raised.value) == (
        "tool_choice 'get_time' names no bound tool; bound tools: "
        "['get_weather', 'add'], or use 'auto', 'any', 'required' or 'none'"
    )
    assert recorder.count == 0


@pytest.mark.parametrize(
    "tool_choice",
    [
        {"type": "allowed_tools", "mode": "auto", "tools": []},
        {"type": "function"},
        {"type": "tool"},
        {"type": "get_weather"},
        {"function_calling_config": {"mode": "ANY"}},
    ],
    ids=[
        "openai-allowed-tools",
        "function-without-name",
        "tool-without-name",
        "type",
        "gemini-no-type",
    ],
)
def test_a_dict_naming_no_tool_is_refused_as_a_form_not_read(
    model: Any, recorder: Any, tool_choice: dict[str, Any]
) -> None:
    with pytest.raises(SegmindInputError) as raised:
        model.bind_tools([get_weather, add], tool_choice=tool_choice)

    assert str(raised.value).startswith(
        f"tool_choice {tool_choice!r} is not a form the package reads: name a tool"
    )
    assert recorder.count == 0
