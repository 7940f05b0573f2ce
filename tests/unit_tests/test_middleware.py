"""`InvalidToolCallRetryMiddleware` for `create_agent`, its hook called directly.

The agent runs are in the emulator tier; here each reply's invalid calls and
the error `ToolMessage`s the hook answers them with.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

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
