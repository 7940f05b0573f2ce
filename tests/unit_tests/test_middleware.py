"""`InvalidToolCallRetryMiddleware` for `create_agent`, its hook called directly.

The agent runs are in the emulator tier; here each reply's invalid calls and
the error `ToolMessage`s the hook answers them with.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    InvalidToolCall,
    ToolMessage,
)

from langchain_segmind.middleware import InvalidToolCallRetryMiddleware

from ._payloads import get_weather


def test_retry_middleware_answers_a_nameless_invalid_call_as_unknown(gpt, recorder):
    recorder.reply(
        recorder.openai_payload(
            '<tool_call>{"name": "get_weather", "arguments": {"city": }</tool_call>'
        )
    )
    reply = gpt.bind_tools([get_weather]).invoke("Hi")
    [invalid] = reply.invalid_tool_calls
    assert invalid["name"] is None  # the block is no JSON: no name can be read

    update = InvalidToolCallRetryMiddleware().after_model(
        {"messages": [HumanMessage("Hi"), reply]}, None
    )

    assert update is not None
    assert update["jump_to"] == "model"
    [answer] = update["messages"]
    assert (answer.name, answer.tool_call_id, answer.status) == (
        "unknown",
        invalid["id"],
        "error",
    )
    assert invalid["error"] in answer.content


def test_retry_middleware_answers_only_the_invalid_calls_that_have_an_id():
    # Another chat model's reply in the history may hold calls without an id.
    reply = AIMessage(
        "",
        invalid_tool_calls=[
            {
                "type": "invalid_tool_call",
                "name": "get_weather",
                "args": "{",
                "id": None,
                "error": "not JSON",
            },
            {
                "type": "invalid_tool_call",
                "name": "get_weather",
                "args": "{}",
                "id": "c1",
                "error": "arguments.city: Field required",
            },
        ],
    )

    update = InvalidToolCallRetryMiddleware().after_model(
        {"messages": [HumanMessage("Hi"), reply]}, None
    )

    assert update is not None
    assert [(m.tool_call_id, m.name) for m in update["messages"]] == [
        ("c1", "get_weather")
    ]


def invalid_call(call_id: str) -> InvalidToolCall:
    return InvalidToolCall(
        type="invalid_tool_call",
        name="get_weather",
        args="{}",
        id=call_id,
        error="arguments.city: Field required",
    )


def test_a_reply_with_a_valid_call_too_is_no_retry_of_the_ones_in_a_row():
    mixed = AIMessage(
        "",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "g1"}],
        invalid_tool_calls=[invalid_call("b1")],
    )
    history = [
        HumanMessage("Weather in Paris and Rome?"),
        mixed,
        ToolMessage("Sunny.", tool_call_id="g1"),
        ToolMessage("arguments.city: Field required", tool_call_id="b1"),
        AIMessage("", invalid_tool_calls=[invalid_call("b2")]),
    ]

    update = InvalidToolCallRetryMiddleware(max_retries=1).after_model(
        {"messages": history}, None
    )

    assert update is not None
    assert update["jump_to"] == "model"


def test_retries_are_counted_in_a_row_from_the_last_user_turn():
    earlier = [
        HumanMessage("Weather in Rome?"),
        AIMessage("", invalid_tool_calls=[invalid_call("b1")]),
        ToolMessage("arguments.city: Field required", tool_call_id="b1"),
        AIMessage("Which Rome?"),
        HumanMessage("Italy."),
    ]
    middleware = InvalidToolCallRetryMiddleware(max_retries=1)

    fresh = [*earlier, AIMessage("", invalid_tool_calls=[invalid_call("b2")])]
    update = middleware.after_model({"messages": fresh}, None)
    assert update is not None
    assert update["jump_to"] == "model"

    again = [
        *fresh,
        ToolMessage("arguments.city: Field required", tool_call_id="b2"),
        AIMessage("", invalid_tool_calls=[invalid_call("b3")]),
    ]
    assert middleware.after_model({"messages": again}, None) is None


def test_an_answer_before_the_reply_ends_the_retries_in_a_row():
    history = [
        HumanMessage("Weather in Rome?"),
        AIMessage("Which Rome?"),  # the agent ended there; invoked again
        AIMessage("", invalid_tool_calls=[invalid_call("b1")]),
    ]

    update = InvalidToolCallRetryMiddleware(max_retries=1).after_model(
        {"messages": history}, None
    )

    assert update is not None
    assert update["jump_to"] == "model"


def test_no_retry_leaves_the_agent_to_end():
    reply = AIMessage("", invalid_tool_calls=[invalid_call("b1")])
    middleware = InvalidToolCallRetryMiddleware(max_retries=0)
    state = {"messages": [HumanMessage("Hi"), reply]}

    assert middleware.after_model(state, None) is None


def test_a_negative_retry_count_is_refused():
    with pytest.raises(ValueError, match="max_retries must be >= 0, got -1"):
        InvalidToolCallRetryMiddleware(max_retries=-1)
