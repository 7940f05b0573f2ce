"""Async calls behave like sync ones, and the shared async client survives loops."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_segmind import (
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindBadRequestError,
)

CONVERSATION = [
    SystemMessage("Be brief."),
    HumanMessage("first"),
    HumanMessage("second"),
    AIMessage("ok"),
    HumanMessage("third"),
]


def _comparable(message: AIMessage) -> dict:
    return {
        "content": message.content,
        "usage_metadata": message.usage_metadata,
        "response_metadata": message.response_metadata,
        "tool_calls": message.tool_calls,
    }


@pytest.mark.parametrize("fixture", ["aclaude", "agpt"])
async def test_ainvoke_sends_and_returns_what_invoke_does(request, recorder, fixture):
    model = request.getfixturevalue(fixture)
    options = {"temperature": 0.5, "max_tokens": 20, "stop": ["\n\n"], "top_p": 0.9}

    sync_message = model.invoke(CONVERSATION, **options)
    async_message = await model.ainvoke(CONVERSATION, **options)

    sync_sent, async_sent = recorder.requests
    assert async_sent.url == sync_sent.url
    assert async_sent.body == sync_sent.body
    assert dict(async_sent.headers) == dict(sync_sent.headers)
    assert _comparable(async_message) == _comparable(sync_message)
    assert async_message.content == "echo: third"


@pytest.mark.parametrize(
    ("cls", "slug"),
    [(ChatSegmindClaude, "claude-3.5-sonnet"), (ChatSegmindGPT4o, "gpt-4o")],
)
async def test_abatch_matches_batch(make_model, recorder, cls, slug):
    model = make_model(cls)
    inputs = [f"question {n}" for n in range(5)]

    sync_results = model.batch(inputs)
    async_results = await model.abatch(inputs, config={"max_concurrency": 2})

    assert [m.content for m in async_results] == [f"echo: {q}" for q in inputs]
    assert [_comparable(m) for m in async_results] == [
        _comparable(m) for m in sync_results
    ]
    assert recorder.count == 10
    assert {sent.slug for sent in recorder.requests} == {slug}
    sent_questions = sorted(
        sent.body["messages"][0]["content"] for sent in recorder.requests
    )
    assert sent_questions == sorted(inputs * 2)


async def test_abatch_returns_errors_in_place(make_model, recorder):
    model = make_model(max_retries=0)
    recorder.fail(400, "bad")  # the first request sent fails

    results = await model.abatch(
        ["a", "b"], return_exceptions=True, config={"max_concurrency": 1}
    )

    assert isinstance(results[0], SegmindBadRequestError)
    assert isinstance(results[1], AIMessage)
    assert results[1].content == "echo: b"


async def test_concurrent_ainvoke_calls_keep_their_answers(claude, recorder):
    questions = [f"q{n}" for n in range(8)]

    answers = await asyncio.gather(*(claude.ainvoke(q) for q in questions))

    assert [a.content for a in answers] == [f"echo: {q}" for q in questions]


# -- the shared async client, across event loops ------------------------------------


# -- no leak across event loops ------------------------------------------------------
