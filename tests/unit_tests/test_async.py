"""Async calls behave like sync ones, and the shared async client survives loops."""

from __future__ import annotations

import asyncio
import gc
import weakref

import httpx2
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_segmind import (
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindBadRequestError,
)
from langchain_segmind.transport import clients as _http

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


@pytest.fixture
def shared_async_clients(recorder, monkeypatch):
    """Make the default async clients talk to the recorder; list those made.

    Each entry is `(client, loop)`: a default client and the event loop it was
    created in.
    """
    created: list[tuple[httpx2.AsyncClient, asyncio.AbstractEventLoop]] = []
    real_new_client = _http._new_client

    def recording_new_client(kind, backend="httpx2"):
        client = real_new_client(kind, backend)
        if kind is httpx2.AsyncClient:
            created.append((client, asyncio.get_running_loop()))
        return client

    monkeypatch.setattr(
        _http, "async_transport", lambda proxy=None: httpx2.MockTransport(recorder)
    )
    monkeypatch.setattr(_http, "_new_client", recording_new_client)
    _http.DEFAULT_CLIENTS.reset()
    yield created
    _http.DEFAULT_CLIENTS.reset()


def test_repeated_asyncio_run_with_the_shared_client(shared_async_clients, recorder):
    model = ChatSegmindClaude(api_key="test-key")  # no http_async_client

    async def two_calls(n: int) -> list[str]:
        first = await model.ainvoke(f"run {n} call 1")
        second = await model.ainvoke(f"run {n} call 2")
        return [first.content, second.content]

    results = [asyncio.run(two_calls(n)) for n in range(3)]

    assert results == [
        [f"echo: run {n} call 1", f"echo: run {n} call 2"] for n in range(3)
    ]
    assert recorder.count == 6
    # One client per event loop, reused for both calls within the loop; none
    # is carried over to the next loop.
    assert len(shared_async_clients) == 3
    clients = [client for client, _loop in shared_async_clients]
    loops = [loop for _client, loop in shared_async_clients]
    assert len({id(c) for c in clients}) == 3
    assert len({id(loop) for loop in loops}) == 3
    # `asyncio.run` closed each loop's client as it shut the loop down.
    assert all(client.is_closed for client in clients)


async def test_shared_async_client_is_reused_within_a_loop(
    shared_async_clients, recorder
):
    claude = ChatSegmindClaude(api_key="test-key")
    gpt = ChatSegmindGPT4o(api_key="test-key")

    calls = 16
    for n in range(calls // 2):
        await claude.ainvoke(f"claude {n}")
    await asyncio.gather(*(gpt.ainvoke(f"gpt {n}") for n in range(calls // 2)))

    assert recorder.count == calls
    # Models share the loop's client, for sequential and concurrent calls.
    assert len(shared_async_clients) == 1
    assert all(
        loop is asyncio.get_running_loop() for _client, loop in shared_async_clients
    )


def test_asyncio_run_with_a_shared_client_after_a_failed_loop(
    shared_async_clients, recorder
):
    model = ChatSegmindClaude(api_key="test-key", max_retries=0)
    recorder.fail(400, "bad")

    with pytest.raises(SegmindBadRequestError, match="bad"):
        asyncio.run(model.ainvoke("Hi"))
    message = asyncio.run(model.ainvoke("again"))

    assert message.content == "echo: again"
    assert len(shared_async_clients) == 2


# -- no leak across event loops ------------------------------------------------------


class LoopHoldingTransport(httpx2.AsyncBaseTransport):
    """The recorder behind a transport that keeps its connections, like httpx's.

    A kept-alive TCP connection in httpx's pool holds its asyncio transport,
    which holds the event loop it was opened in (checked against a loopback
    server: loop <- _SelectorSocketTransport <- SocketStream <- AnyIOStream <-
    AsyncHTTP11Connection <- pool <- AsyncClient). This stand-in keeps the
    same reference, without sockets.
    """

    def __init__(self, recorder) -> None:
        self._mock = httpx2.MockTransport(recorder)
        self.kept_alive: list[asyncio.AbstractEventLoop] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.kept_alive.append(asyncio.get_running_loop())
        return await self._mock.handle_async_request(request)


def test_finished_event_loops_are_not_kept_alive(recorder, monkeypatch):
    monkeypatch.setattr(
        _http, "async_transport", lambda proxy=None: LoopHoldingTransport(recorder)
    )
    _http.DEFAULT_CLIENTS.reset()
    model = ChatSegmindGPT4o(api_key="test-key")
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def one_call() -> str:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return (await model.ainvoke("Hi")).content

    assert [asyncio.run(one_call()) for _ in range(3)] == ["echo: Hi"] * 3
    gc.collect()

    alive = [ref for ref in loops if ref() is not None]
    assert len(alive) <= 1, f"{len(alive)} finished event loops are still alive"
    _http.DEFAULT_CLIENTS.reset()
