"""Inputs at the edges: each fails with a typed error, or works, never leaks."""

from __future__ import annotations

import traceback

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, ValidationError

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    SegmindServerError,
)

SECRET = "sk-SECRET-123"


class Joke(BaseModel):
    setup: str


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return city


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: ChatSegmindClaude(api_key=SECRET, temperature=1.5), id="temp"
        ),
        pytest.param(lambda: ChatSegmind(api_key=SECRET), id="no-model"),
        pytest.param(
            lambda: ChatSegmindClaude(api_key=SECRET, base_url="api.segmind.com"),
            id="base-url",
        ),
    ],
)
def test_validation_errors_never_print_the_key(build) -> None:
    # Checks of the package raise its SegmindInputError, others pydantic's.
    with pytest.raises((ValidationError, SegmindInputError)) as raised:
        build()
    assert SECRET not in str(raised.value)
    assert SECRET not in "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )


def test_base_url_needs_a_scheme() -> None:
    with pytest.raises(SegmindInputError, match="http:// or https://"):
        ChatSegmindClaude(base_url="api.segmind.com/v1")


def test_tracebacks_with_locals_do_not_hold_the_key(make_model, recorder) -> None:
    model = make_model(api_key=SECRET)
    recorder.fail(400, "bad request")
    with pytest.raises(SegmindError) as raised:
        model.invoke("hi")
    text = "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )
    assert "model = " in text  # the locals are there...
    assert SECRET not in text  # ...but not the key


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"api_key": "clé-SECRET"}, id="key"),
        pytest.param({"default_headers": {"x-tag": "café"}}, id="header"),
    ],
)
def test_non_ascii_headers_are_an_input_error(make_model, recorder, fields) -> None:
    with pytest.raises(SegmindInputError) as raised:
        make_model(**fields).invoke("hi")
    assert "SECRET" not in repr(raised.value)
    assert recorder.count == 0


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_a_schema_class_as_response_format(make_model, recorder, cls) -> None:
    make_model(cls).invoke("hi", response_format=Joke)
    response_format = recorder.last.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Joke"
    assert response_format["json_schema"]["schema"]["required"] == ["setup"]


def test_an_unusable_response_format_is_an_input_error(make_model, recorder) -> None:
    with pytest.raises(SegmindInputError, match="response_format"):
        make_model().invoke("hi", response_format=42)
    assert recorder.count == 0


def test_anthropic_format_tools_keep_their_schema(make_model, recorder) -> None:
    tool = {
        "name": "get_weather",
        "description": "Weather.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    make_model().bind(tools=[tool]).invoke("hi")
    assert '"required": ["city"]' in recorder.last.body["instruction"]


@pytest.mark.parametrize(("status", "attempts"), [(501, 1), (505, 1), (503, 3)])
def test_only_passing_server_errors_are_retried(
    make_model, recorder, status, attempts
) -> None:
    for _ in range(3):
        recorder.fail(status)
    with pytest.raises(SegmindServerError) as raised:
        make_model(max_retries=2).invoke("hi")
    assert raised.value.status_code == status
    assert recorder.count == attempts


def test_non_numeric_credit_headers_read_as_none(make_model, recorder) -> None:
    recorder.reply(
        {
            "type": "message",
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
        },
        headers={"x-remaining-credits": "n/a", "x-cost": "free"},
    )
    metadata = make_model().invoke("hi").response_metadata
    assert metadata["remaining_credits"] is None
    assert metadata["cost"] is None


def test_a_queued_job_with_an_unknown_status_fails(make_model, recorder) -> None:
    base = "https://api.segmind.com/v2/requests/r1"
    recorder.reply(
        {
            "request_id": "r1",
            "status": "QUEUED",
            "status_url": f"{base}/status",
            "response_url": base,
        }
    )
    recorder.reply({"status": "PAUSED"})
    with pytest.raises(SegmindResponseError, match="PAUSED"):
        make_model(api_version="v2").invoke([HumanMessage("hi")])
    assert recorder.count == 2
