"""Edges of the own HTTP/1.1 connections found in review, on loopback servers.

Each test starts a small raw-socket server of its own: a peer that closes
every connection at once, one that refuses a large body part way with an
answer, a process holding more than 1024 file descriptors, and a fork while
another thread holds the pools' lock.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from langchain_segmind import (
    ChatSegmindGPT4o,
    SegmindBadRequestError,
    SegmindConnectionError,
    _clients,
    _transport,
)
from langchain_segmind._connections import Origin, PoolRegistry

API_KEY = "sk-edge-test-key"
ANSWER = (
    b'{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],'
    b'"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
)
OK = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER)
)


@pytest.fixture(autouse=True)
def pools(monkeypatch: pytest.MonkeyPatch) -> PoolRegistry:
    """Fresh pools, so connection counts start at zero."""
    fresh = PoolRegistry(_clients.shared_ssl_context)
    monkeypatch.setattr(_clients, "POOLS", fresh)
    monkeypatch.setattr(_transport, "POOLS", fresh)
    return fresh


def serve(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """Run `handle` on each accepted connection, in a thread; yield the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def read_head(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


def read_request(connection: socket.socket) -> bool:
    data = read_head(connection)
    if not data:
        return False
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


def model_on(port: int, **fields: Any) -> ChatSegmindGPT4o:
    fields.setdefault("max_retries", 0)
    return ChatSegmindGPT4o(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{port}/v1", **fields
    )


@pytest.fixture
def closing_port() -> Iterator[int]:
    """A server that closes every connection as soon as it accepts it."""
    yield from serve(lambda connection: connection.close())


async def test_a_connection_closed_before_the_request_is_a_connection_error(
    closing_port: int,
) -> None:
    model = model_on(closing_port, timeout=5.0)

    async def one() -> BaseException | None:
        try:
            await model.ainvoke("hi")
        except BaseException as error:  # collected for the assert below
            return error
        return None

    # Many at once, so that some connections are closed before their write:
    # such a write is dropped silently, and the call used to wait out its
    # whole timeout (SegmindTimeoutError, never retried).
    errors = await asyncio.gather(*(one() for _ in range(30)))
    assert {type(error) for error in errors} == {SegmindConnectionError}


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A server that answers 413 after the head, without reading the body."""

    def refuse(connection: socket.socket) -> None:
        read_head(connection)
        body = b'{"error":"request entity too large"}'
        connection.sendall(
            b"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
        )
        connection.close()  # with the body unread: the client's send breaks

    yield from serve(refuse)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_answer_sent_while_the_body_is_refused_is_read(
    mode: str, refusing_port: int
) -> None:
    model = model_on(refusing_port, max_retries=2, timeout=10.0)
    large = "A" * (16 * 1024 * 1024)  # far more than the socket buffers hold
    invoke: Callable[[str], Any] = (
        model.invoke
        if mode == "sync"
        else lambda text: asyncio.run(model.ainvoke(text))
    )
    with pytest.raises(SegmindBadRequestError) as caught:
        invoke(large)
    assert caught.value.status_code == 413
    assert caught.value.message == "request entity too large"


@pytest.fixture
def answering_port() -> Iterator[int]:
    """A keep-alive server answering every request with a chat completion."""

    def answer(connection: socket.socket) -> None:
        while read_request(connection):
            connection.sendall(OK)
        connection.close()

    yield from serve(answer)


def test_connections_are_reused_on_descriptors_above_1024(
    answering_port: int, pools: PoolRegistry
) -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the descriptor limit ({hard}) is too low")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    fillers: list[int] = []
    try:
        # Occupy the descriptors below 1030, as a busy server process would,
        # so the pool's sockets get numbers that select() cannot watch.
        while not fillers or fillers[-1] < 1030:
            fillers.append(os.open(os.devnull, os.O_RDONLY))
        model = model_on(answering_port)
        origin = Origin("http", "127.0.0.1", answering_port)
        for _ in range(5):
            assert model.invoke("hi").content == "ok"

        async def five_calls() -> None:
            for _ in range(5):
                assert (await model.ainvoke("hi")).content == "ok"
            assert pools.async_pool(origin).opened == 1

        asyncio.run(five_calls())
        assert pools.sync_pool(origin).opened == 1
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_fork_while_another_thread_holds_the_pools_lock_does_not_hang() -> None:
    held, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with _clients.POOLS._lock:
            held.set()
            release.wait()

    threading.Thread(target=hold_the_lock, daemon=True).start()
    held.wait()
    pid = os.fork()
    if pid == 0:  # the child: the fork hooks have run; try the pools
        _clients.POOLS.sync_pool(Origin("http", "127.0.0.1", 9))
        os._exit(0)
    release.set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung on the pools' lock")
