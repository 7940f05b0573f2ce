"""langchain 1.x agents and their middleware, end to end against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import (
    ModelCallLimitMiddleware,
    ModelRefusalMiddleware,
    SummarizationMiddleware,
)
from langchain.agents.structured_output import (
    StructuredOutputValidationError,
    ToolStrategy,
)
from langchain_core.exceptions import ContextOverflowError, ModelRefusalError
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import ChatSegmind, SegmindContextOverflowError
from langchain_segmind.middleware import InvalidToolCallRetryMiddleware
from langchain_segmind.testing import SegmindEmulator

WORDS_PER_TURN = 40


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"It is sunny in {city}."


def words(body: Any) -> int:
    texts = [body.get("instruction") or ""]
    texts += [str(message["content"]) for message in body["messages"]]
    return sum(len(text.split()) for text in texts)


def long_history(turns: int) -> list[HumanMessage | AIMessage]:
    history: list[HumanMessage | AIMessage] = []
    for turn in range(turns):
        words = " ".join(f"w{turn}x{i}" for i in range(WORDS_PER_TURN))
        history.append(HumanMessage(f"question {turn}: {words}"))
        history.append(AIMessage(f"answer {turn}: {words}"))
    return history


def test_summarization_recovers_when_the_summary_prompt_overflows(
    segmind_emulator: SegmindEmulator,
) -> None:
    llm = ChatSegmind(model="claude-4.5-sonnet")
    summarization = SummarizationMiddleware(
        model=llm, trigger=("messages", 20), keep=("messages", 4)
    )
    agent = create_agent(llm, tools=[get_weather], middleware=[summarization])
    history = long_history(15)  # 30 messages, about 1,300 words
    # The summary prompt (history plus about 400 words of instructions) does
    # not fit; the middleware's retry with the middle cut out does.
    segmind_emulator.context_window = 1_300

    result = agent.invoke({"messages": [*history, HumanMessage("And now?")]})

    sizes = [words(r.body) for r in segmind_emulator.requests]
    # The summary prompt was refused as too long, then sent again shorter.
    assert sizes[0] > 1_300 >= sizes[1]
    assert all(size <= 1_300 for size in sizes[1:])
    assert isinstance(result["messages"][-1], AIMessage)
    assert len(result["messages"]) < len(history)  # the history was summarized


async def test_overflow_is_langchains_context_overflow_error(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.context_window = 10
    llm = ChatSegmind(model="gpt-4o")

    with pytest.raises(ContextOverflowError) as raised:
        await llm.ainvoke("this prompt is a good deal longer than ten words, surely")

    assert isinstance(raised.value, SegmindContextOverflowError)
    assert raised.value.status_code == 400


def test_refusal_middleware_sees_a_refusal(segmind_emulator: SegmindEmulator) -> None:
    segmind_emulator.script_payloads(
        {
            "id": "msg_refused",
            "type": "message",
            "role": "assistant",
            "model": "claude-4.5-sonnet",
            "content": [{"type": "text", "text": "I can't help with that."}],
            "stop_reason": "refusal",
            "usage": {"input_tokens": 12, "output_tokens": 7},
        }
    )
    agent = create_agent(
        ChatSegmind(model="claude-4.5-sonnet"), middleware=[ModelRefusalMiddleware()]
    )

    with pytest.raises(ModelRefusalError):
        agent.invoke({"messages": [HumanMessage("something forbidden")]})


def test_an_agent_calls_a_tool_and_answers(segmind_emulator: SegmindEmulator) -> None:
    agent = create_agent(ChatSegmind(model="gpt-4o"), tools=[get_weather])

    result = agent.invoke({"messages": [HumanMessage("Weather in 'Paris'?")]})

    tool_results = [m for m in result["messages"] if m.type == "tool"]
    assert tool_results[0].content == "It is sunny in Paris."
    assert "It is sunny in Paris." in result["messages"][-1].text


def call_block(arguments: str) -> str:
    call = f'{{"name": "get_weather", "arguments": {arguments}}}'
    return f"<tool_call>\n{call}\n</tool_call>"


async def test_an_invalid_call_is_answered_with_its_error_and_the_model_retries(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_replies(
        call_block('{"town": "Paris"}'), call_block('{"city": "Paris"}'), "Sunny."
    )
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        middleware=[InvalidToolCallRetryMiddleware()],
    )

    result = await agent.ainvoke({"messages": [HumanMessage("Weather in Paris?")]})

    error, tool_result = [m for m in result["messages"] if m.type == "tool"]
    assert error.status == "error"
    assert "arguments.city: Field required" in error.text
    assert tool_result.content == "It is sunny in Paris."
    assert result["messages"][-1].text == "Sunny."
    retry = segmind_emulator.requests[1].body["messages"][-1]["content"]
    assert "arguments.city: Field required" in retry


def test_an_invalid_calls_error_reaches_the_model_when_the_agent_streams(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_replies(call_block('{"town": "Paris"}'), "Sunny.")
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        middleware=[InvalidToolCallRetryMiddleware()],
    )

    chunks = agent.stream(
        {"messages": [HumanMessage("Weather in Paris?")]}, stream_mode="messages"
    )

    assert "Sunny." in [chunk.text for chunk, _ in chunks]
    retry = segmind_emulator.requests[1].body["messages"][-1]["content"]
    assert "arguments.city: Field required" in retry


def test_an_invalid_calls_error_reaches_the_model_beside_a_valid_calls_result(
    segmind_emulator: SegmindEmulator,
) -> None:
    both = call_block('{"city": "Paris"}') + "\n" + call_block('{"town": "Rome"}')
    segmind_emulator.script_replies(both, "Sunny in Paris.")
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        middleware=[InvalidToolCallRetryMiddleware()],
    )

    result = agent.invoke({"messages": [HumanMessage("Weather in Paris and Rome?")]})

    assert result["messages"][-1].text == "Sunny in Paris."
    assert len(segmind_emulator.requests) == 2
    results = str(segmind_emulator.requests[1].body["messages"])
    assert "It is sunny in Paris." in results
    assert "arguments.city: Field required" in results


def test_invalid_calls_are_retried_at_most_max_retries_times_in_a_row(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_replies(*[call_block('{"town": "Paris"}')] * 3)
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        middleware=[InvalidToolCallRetryMiddleware()],  # max_retries=2
    )

    result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})

    assert len(segmind_emulator.requests) == 3
    last = result["messages"][-1]
    assert isinstance(last, AIMessage)
    assert last.tool_calls == []
    assert last.invalid_tool_calls


def test_listed_first_its_retries_count_toward_a_model_call_limit(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_replies(*[call_block('{"town": "Paris"}')] * 6)
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        middleware=[
            InvalidToolCallRetryMiddleware(max_retries=5),
            ModelCallLimitMiddleware(run_limit=2, exit_behavior="end"),
        ],
    )

    agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})

    assert len(segmind_emulator.requests) == 2


class Weather(BaseModel):
    city: str
    weather: str


def test_invalid_calls_are_retried_in_an_agent_with_a_tool_strategy(
    segmind_emulator: SegmindEmulator,
) -> None:
    answer = '{"name": "Weather", "arguments": {"city": "Paris", "weather": "sunny"}}'
    segmind_emulator.script_replies(
        call_block('{"town": "Paris"}'), f"<tool_call>\n{answer}\n</tool_call>"
    )
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[get_weather],
        response_format=ToolStrategy(Weather),
        middleware=[InvalidToolCallRetryMiddleware()],
    )

    result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})

    assert result["structured_response"] == Weather(city="Paris", weather="sunny")


@pytest.mark.parametrize(
    "arguments",
    ['{"city": "Paris"}', '{"city": "Paris", "weather": 7}'],
    ids=["a-required-key-missing", "a-wrong-type"],
)
def test_a_tool_strategy_answer_that_does_not_fit_gets_its_error_handling(
    segmind_emulator: SegmindEmulator, arguments: str
) -> None:
    answer = f'{{"name": "Weather", "arguments": {arguments}}}'
    segmind_emulator.script_replies(f"<tool_call>\n{answer}\n</tool_call>")
    agent = create_agent(
        ChatSegmind(model="gpt-4o"),
        tools=[],
        response_format=ToolStrategy(Weather, handle_errors=False),
    )

    with pytest.raises(StructuredOutputValidationError):
        agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})
    assert len(segmind_emulator.requests) == 1


def test_an_agents_answer_followed_by_a_remark_is_its_structured_response(
    segmind_emulator: SegmindEmulator,
) -> None:
    answer = '{"city": "Paris", "weather": "sunny"}\nHope this helps!'
    segmind_emulator.script_replies(call_block('{"city": "Paris"}'), answer)
    agent = create_agent(
        ChatSegmind(model="gpt-4o"), tools=[get_weather], response_format=Weather
    )

    result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})

    assert result["structured_response"] == Weather(city="Paris", weather="sunny")


@tool
def search_and_measure(city: str) -> list[dict[str, Any]]:
    """Search the web about a city and measure its weather."""
    return [
        {
            "type": "search_result",
            "source": f"https://example.com/{city}",
            "title": f"About {city}",
            "content": [{"type": "text", "text": f"{city} is on a river."}],
        },
        {"type": "json", "json": {"city": city, "celsius": 21}},
    ]


@pytest.mark.parametrize("slug", ["gpt-4o", "claude-4.5-sonnet"])
def test_a_tools_search_result_and_json_blocks_reach_the_model_as_text(
    segmind_emulator: SegmindEmulator, slug: str
) -> None:
    agent = create_agent(ChatSegmind(model=slug), tools=[search_and_measure])

    result = agent.invoke({"messages": [HumanMessage("About 'Paris'?")]})

    sent = segmind_emulator.requests[-1].body["messages"][-1]["content"]
    assert "Title: About Paris\nSource: https://example.com/Paris\n" in sent
    assert 'Paris is on a river.\n{"city": "Paris", "celsius": 21}' in sent
    assert "Paris is on a river." in result["messages"][-1].text
