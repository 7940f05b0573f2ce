"""The live tier: the real Segmind API, only when SEGMIND_API_KEY is set.

Run with `pytest tests/integration_tests -m live -rs`. Every test here is
skipped without a key. Each call is billed by Segmind.

`SEGMIND_LIVE_CLAUDE_MODEL` / `SEGMIND_LIVE_GPT_MODEL` pick other slugs for the
two classes (e.g. `claude-4.5-sonnet` if `claude-3.5-sonnet` has been retired).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langchain_tests.integration_tests import ChatModelIntegrationTests
from pydantic import BaseModel, Field

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from tests.integration_tests.support import StandardSuiteFlags

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("SEGMIND_API_KEY"),
        reason="live Segmind API tests need SEGMIND_API_KEY (calls are billed)",
    ),
]


def _slug_override(variable: str) -> dict[str, Any]:
    slug = os.environ.get(variable)
    return {"model": slug} if slug else {}


CLAUDE_PARAMS = _slug_override("SEGMIND_LIVE_CLAUDE_MODEL")
GPT_PARAMS = _slug_override("SEGMIND_LIVE_GPT_MODEL")


class SegmindLiveStandardTests(StandardSuiteFlags, ChatModelIntegrationTests):
    """The standard suite against api.segmind.com (key from the environment)."""

    # PDF input: the package renders documents for both dialects, but whether
    # the gateway forwards them is undocumented; switch on once verified live.
    @property
    def supports_pdf_inputs(self) -> bool:
        return False


class TestChatSegmindClaudeLive(SegmindLiveStandardTests):
    @property
    def chat_model_class(self) -> type[ChatSegmind]:
        return ChatSegmindClaude

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return CLAUDE_PARAMS

    @property
    def model_override_value(self) -> str:
        return "claude-4-sonnet"


class TestChatSegmindGPT4oLive(SegmindLiveStandardTests):
    @property
    def chat_model_class(self) -> type[ChatSegmind]:
        return ChatSegmindGPT4o

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return GPT_PARAMS

    @property
    def model_override_value(self) -> str:
        # Not an o-series/gpt-5 slug: those reject temperature=0, which the
        # standard tests set.
        return "gpt-4-turbo"


# -- smoke tests --------------------------------------------------------------------

MODELS = [
    pytest.param((ChatSegmindClaude, CLAUDE_PARAMS), id="claude"),
    pytest.param((ChatSegmindGPT4o, GPT_PARAMS), id="gpt"),
]


@pytest.fixture(params=MODELS)
def live_model(request: pytest.FixtureRequest) -> ChatSegmind:
    cls, params = request.param
    return cls(temperature=0, max_tokens=200, **params)


def test_invoke_with_system_prompt_reports_credits(live_model: ChatSegmind) -> None:
    message = live_model.invoke(
        [
            ("system", "Answer with exactly one lowercase word and nothing else."),
            ("human", "What colour is the sky on a clear day?"),
        ]
    )

    assert isinstance(message, AIMessage)
    assert "blue" in message.text.lower()
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] > 0
    assert message.usage_metadata["output_tokens"] > 0
    metadata = message.response_metadata
    assert metadata["model_provider"] == "segmind"
    assert metadata["model_name"] == live_model.model
    assert isinstance(metadata["remaining_credits"], float)
    assert metadata["remaining_credits"] >= 0
    assert isinstance(metadata["request_id"], str)
    assert metadata["request_id"]


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="the person's first name")
    age: int = Field(description="the person's age in years")


def test_structured_output(live_model: ChatSegmind) -> None:
    person = live_model.with_structured_output(Person).invoke(
        "Alice turned 30 last week. Extract the person."
    )

    assert isinstance(person, Person)
    assert person.name.strip().lower() == "alice"
    assert person.age == 30


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is sunny in {city}."


def test_tool_call(live_model: ChatSegmind) -> None:
    message = live_model.bind_tools([get_weather]).invoke(
        "Use the get_weather tool to find out the weather in Paris."
    )

    assert isinstance(message, AIMessage)
    assert [call["name"] for call in message.tool_calls] == ["get_weather"]
    assert "paris" in message.tool_calls[0]["args"]["city"].lower()
    assert message.response_metadata["finish_reason"] == "tool_calls"
