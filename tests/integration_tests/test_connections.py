"""The package's own HTTP/1.1 connections, against real servers on loopback.

Chat calls go over `_connections`' pools unless they need httpx (`_routing`).
These tests check that from the outside: what the servers see (connections
accepted, requests received, who closed what) and what the caller gets.

- The tier's `emulator` shows the default path at work: keep-alive reuse,
  per-event-loop pools and concurrency bounds.
- `ScriptedServer`, a small threaded raw-socket server of this file, plays
  what the emulator cannot: idle connections closed by the server, answers
  that end their connection, other framings and codings, answers cut off,
  garbage, silence, a proxy, and TLS (with the test-only certificate in
  tests/fixtures/tls/).
- Cancellation, routing to httpx (proxy variables, unusual URLs) and a
  forked child's pools are checked the same way.

Every test gets fresh pools (the `pools` fixture), so that connection counts
do not depend on the tests before it, and no proxy variables. Retries wait
through a `FastClock`, so they cost no time.

Run with `--allow-hosts=127.0.0.1,localhost,::1` under pytest-socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import logging
import os
import select
import socket
import ssl
import threading
import time
import traceback
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindConnectionError,
    SegmindError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
    _clients,
    _connections,
    _httpx_path,
    _transport,
)
from langchain_segmind._connections import Origin, PoolRegistry
from langchain_segmind._http1 import encode_request
from langchain_segmind._routing import route_for
from langchain_segmind.testing import SegmindEmulator
from tests.integration_tests.support import MODES, REPLY, FastClock, call, new_model

TLS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
CERT = TLS_DIR / "localhost-cert.pem"
KEY = TLS_DIR / "localhost-key.pem"

API_KEY = "connections-test-key"
WAIT = 5.0
"""The longest a test waits for something a server thread does."""

PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


# -- a scripted HTTP/1.1 server ------------------------------------------------------


@dataclass
class Request:
    """One request as the scripted server read it."""

    number: int
    """1-based, over the whole server."""
    connection: int
    """The 1-based number of the connection it came on."""
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class Exchange:
    """What a responder gets: the request and the connection to answer on."""

    def __init__(
        self, server: ScriptedServer, sock: socket.socket, request: Request
    ) -> None:
        self.server = server
        self.sock = sock
        self.request = request
        self.closed = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        """End the connection (an orderly FIN, after what was sent)."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.server.closed_by_server.add(self.request.connection)
        self.server.event("server-closed").set()

    def hold(self, seconds: float, until: threading.Event | None = None) -> None:
        """Answer nothing for `seconds`, or until `until` is set.

        Returns early when the server stops or the client closes the connection
        (then `closed` is set and the connection counted in `closed_by_client`).
        """
        deadline = time.monotonic() + seconds
        while not self.server.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or (until is not None and until.is_set()):
                return
            readable, _, _ = select.select([self.sock], [], [], min(left, 0.01))
            if readable and not isinstance(self.sock, ssl.SSLSocket):
                try:
                    data = self.sock.recv(1, socket.MSG_PEEK)
                except OSError:
                    data = b""
                if not data:
                    self.closed = True
                    self.sock.close()
                    self.server.note_client_closed(self.request.connection)
                    return


Responder = Callable[[Exchange], None]
"""Answers one request; calls `exchange.close()` to end the connection."""


@dataclass
class ScriptedServer:
    """A threaded HTTP/1.1 server on loopback whose answers are scripted.

    Each connection is served on its own thread, requests one after another,
    until either side closes it. `respond` writes whatever bytes it likes.
    """

    respond: Responder
    tls: ssl.SSLContext | None = None
    host: str = "127.0.0.1"
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    closed_by_client: set[int] = field(default_factory=set)
    closed_by_server: set[int] = field(default_factory=set)
    tls_failures: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    _events: dict[str, threading.Event] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sockets: list[socket.socket] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.host, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    def url(self, host: str | None = None) -> str:
        """The base URL of a chat model served here (`host` names the server)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.authority(host)}/v1"

    def authority(self, host: str | None = None) -> str:
        host = host or self.host
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    @property
    def origin(self) -> Origin:
        return Origin("https" if self.tls else "http", self.host, self.port)

    def event(self, name: str) -> threading.Event:
        with self._lock:
            return self._events.setdefault(name, threading.Event())

    def wait_for(self, name: str) -> None:
        assert self.event(name).wait(WAIT), f"the server never saw {name!r}"

    def note_client_closed(self, connection: int) -> None:
        self.closed_by_client.add(connection)
        self.event("client-closed").set()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):  # wakes the accept loop
            socket.create_connection((self.host, self.port), timeout=1).close()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(WAIT)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            if self.stopping.is_set():
                sock.close()
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connections += 1
            self._spawn(self._serve, sock, self.connections)

    def _serve(self, sock: socket.socket, number: int) -> None:
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except OSError:  # ssl.SSLError among them
                self.tls_failures += 1
                sock.close()
                return
        with self._lock:
            self._sockets.append(sock)
        buffer = bytearray()
        while not self.stopping.is_set():
            try:
                request = self._read_request(sock, buffer, number)
            except (OSError, ValueError):  # reset, or not HTTP at all
                request = None
            if request is None:
                if number not in self.closed_by_server:
                    self.note_client_closed(number)
                sock.close()
                return
            exchange = Exchange(self, sock, request)
            self.event(f"request-{request.number}").set()
            try:
                self.respond(exchange)
            except OSError:
                exchange.closed = True
            if exchange.closed:
                return

    def _read_request(
        self, sock: socket.socket, buffer: bytearray, connection: int
    ) -> Request | None:
        while b"\r\n\r\n" not in buffer:
            data = sock.recv(65536)
            if not data:
                return None
            buffer += data
        end = buffer.index(b"\r\n\r\n")
        head = bytes(buffer[:end]).decode("latin-1")
        del buffer[: end + 4]
        request_line, *lines = head.split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(buffer) < length:
            data = sock.recv(65536)
            if not data:
                return None
            buffer += data
        body = bytes(buffer[:length])
        del buffer[:length]
        with self._lock:
            request = Request(
                len(self.requests) + 1, connection, method, target, headers, body
            )
            self.requests.append(request)
        return request


# -- answers -------------------------------------------------------------------------


def completion(text: str) -> bytes:
    """An OpenAI-shaped chat completion, as Segmind passes it through."""
    return json.dumps(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "model": "gpt-4o",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }
    ).encode()


def pong(exchange: Exchange) -> bytes:
    """The body that answers `exchange`'s request: `pong <number>`."""
    return completion(f"pong {exchange.request.number}")


def head(
    status: int = 200,
    headers: Sequence[tuple[str, str]] = (),
    *,
    version: str = "HTTP/1.1",
) -> bytes:
    lines = [f"{version} {status} Whatever", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def whole(
    body: bytes,
    status: int = 200,
    headers: Sequence[tuple[str, str]] = (),
    *,
    version: str = "HTTP/1.1",
) -> bytes:
    """An answer framed by its content-length."""
    framing = [("Content-Length", str(len(body)))]
    return head(status, [*framing, *headers], version=version) + body


def chunked(body: bytes, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """`body` in chunks of 7 bytes, with a chunk extension and a trailer."""
    parts = [head(200, [("Transfer-Encoding", "chunked"), *headers])]
    for start in range(0, len(body), 7):
        piece = body[start : start + 7]
        parts.append(f"{len(piece):x};ext=1\r\n".encode() + piece + b"\r\n")
    parts.append(b"0\r\nX-Trailer: yes\r\n\r\n")
    return b"".join(parts)


def raw_deflate(body: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


def reply(exchange: Exchange) -> None:
    """A plain keep-alive answer."""
    exchange.send(whole(pong(exchange)))


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def pools(monkeypatch: pytest.MonkeyPatch) -> Iterator[PoolRegistry]:
    """Fresh pools for the test: `_transport` sends through this registry."""
    registry = PoolRegistry(_clients.shared_ssl_context)
    monkeypatch.setattr(_clients, "POOLS", registry)
    # `_transport` imported the name, so it must be replaced there too.
    monkeypatch.setattr(_transport, "POOLS", registry)
    yield registry
    for pool in list(registry._sync.values()):  # no public listing of pools
        pool.close()


@pytest.fixture
def httpx_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The URLs sent through httpx during the test, on fresh shared clients."""
    calls: list[str] = []
    sync_exchange, async_exchange = _httpx_path.exchange, _httpx_path.aexchange

    def exchange(http: Any, request: Any, timeout: float | None) -> Any:
        calls.append(str(request.url))
        return sync_exchange(http, request, timeout)

    async def aexchange(http: Any, request: Any, timeout: float | None) -> Any:
        calls.append(str(request.url))
        return await async_exchange(http, request, timeout)

    monkeypatch.setattr(_httpx_path, "exchange", exchange)
    monkeypatch.setattr(_httpx_path, "aexchange", aexchange)
    # httpx clients read the proxy variables when created: the test's own.
    monkeypatch.setattr(_clients, "_sync_client", None)
    monkeypatch.setattr(_clients, "_async_clients", {})
    yield calls
    if _clients._sync_client is not None:
        _clients._sync_client.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., ScriptedServer]]:
    """`serve(respond, tls=None, host=...)`: a running `ScriptedServer`."""
    servers: list[ScriptedServer] = []

    def start(
        respond: Responder, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> ScriptedServer:
        server = ScriptedServer(respond, tls, host)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def model_on(base_url: str, **fields: Any) -> ChatSegmind:
    """A GPT-4o model on `base_url` whose retries wait through a `FastClock`."""
    fields.setdefault("max_retries", 0)
    fields.setdefault("timeout", WAIT)
    fields.setdefault("api_key", API_KEY)
    model = ChatSegmindGPT4o(base_url=base_url, **fields)
    model._clock = FastClock()
    return model


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def eventually(predicate: Callable[[], bool]) -> None:
    """Wait (letting the event loop run) until `predicate()` holds."""
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


async def opened(registry: PoolRegistry, origin: Origin, mode: str) -> int:
    """Connections opened by this mode's pool for `origin` (the running loop's)."""
    if mode == "sync":
        return registry.sync_pool(origin).opened
    return registry.async_pool(origin).opened


def origin_of(emulator: SegmindEmulator) -> Origin:
    parts = urlsplit(emulator.base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    return Origin(parts.scheme, parts.hostname, parts.port)


# -- the default path: the own pools, on the emulator --------------------------------


def test_sequential_invokes_share_one_connection(
    emulator: SegmindEmulator, pools: PoolRegistry, httpx_calls: list[str]
) -> None:
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT)
    assert model.http_client is None
    for number in range(5):
        assert model.invoke(f"call {number}").content == REPLY + f"call {number}"
    assert emulator.connections_opened == 1
    assert len(emulator.requests) == 5
    assert pools.sync_pool(origin_of(emulator)).opened == 1
    assert httpx_calls == []


async def test_sequential_ainvokes_share_one_connection(
    emulator: SegmindEmulator, pools: PoolRegistry, httpx_calls: list[str]
) -> None:
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT)
    assert model.http_async_client is None
    for number in range(5):
        message = await model.ainvoke(f"call {number}")
        assert message.content == REPLY + f"call {number}"
    assert emulator.connections_opened == 1
    assert len(emulator.requests) == 5
    assert pools.async_pool(origin_of(emulator)).opened == 1
    assert httpx_calls == []


def test_each_asyncio_run_gets_a_connection_of_its_own(
    emulator: SegmindEmulator, pools: PoolRegistry, httpx_calls: list[str]
) -> None:
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def three_calls(run: int) -> list[Any]:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return [(await model.ainvoke(f"run {run} call {i}")).content for i in range(3)]

    for run in range(3):
        assert asyncio.run(three_calls(run)) == [
            REPLY + f"run {run} call {i}" for i in range(3)
        ]
        assert emulator.connections_opened == run + 1
    assert len(emulator.requests) == 9
    assert httpx_calls == []
    # The pools of closed loops are dropped (with their loops) by a later loop.
    gc.collect()
    assert [loop() is None for loop in loops[:2]] == [True, True]


@pytest.mark.filterwarnings("error::ResourceWarning")
def test_asyncio_run_closes_its_connections_before_its_loop_closes(
    serve: Callable[..., ScriptedServer],
) -> None:
    server = serve(reply)
    model = model_on(server.url())

    async def two_calls() -> None:
        await model.ainvoke("one")
        await model.ainvoke("two")

    for run in range(1, 3):
        asyncio.run(two_calls())
        # Closed by the client as the loop shut down, not left to the
        # garbage collector (which would warn, failing this test).
        deadline = time.monotonic() + WAIT
        while run not in server.closed_by_client and time.monotonic() < deadline:
            time.sleep(0.01)
        assert run in server.closed_by_client
    gc.collect()
    assert len(server.requests) == 4


async def test_abatch_opens_no_more_connections_than_its_concurrency(
    emulator: SegmindEmulator, pools: PoolRegistry
) -> None:
    emulator.latency = 0.03
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT)
    prompts: list[Any] = [f"prompt {i}" for i in range(40)]
    replies = await model.abatch(prompts, config={"max_concurrency": 8})
    assert [r.content for r in replies] == [REPLY + p for p in prompts]
    assert len(emulator.requests) == 40
    assert 1 <= emulator.connections_opened <= 8
    assert pools.async_pool(origin_of(emulator)).opened == emulator.connections_opened


def test_batch_opens_no_more_connections_than_its_threads(
    emulator: SegmindEmulator, pools: PoolRegistry
) -> None:
    emulator.latency = 0.03
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT)
    prompts: list[Any] = [f"prompt {i}" for i in range(40)]
    replies = model.batch(prompts, config={"max_concurrency": 8})
    assert [r.content for r in replies] == [REPLY + p for p in prompts]
    assert len(emulator.requests) == 40
    assert 1 <= emulator.connections_opened <= 8
    assert pools.sync_pool(origin_of(emulator)).opened == emulator.connections_opened
    # Another round reuses the idle connections: still no more than 8 in all.
    model.batch(prompts[:8], config={"max_concurrency": 8})
    assert len(emulator.requests) == 48
    assert emulator.connections_opened <= 8


# -- what the request looks like on the wire -----------------------------------------


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        pytest.param(
            "::1",
            marks=pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback"),
        ),
    ],
)
async def test_request_on_the_wire(
    mode: str,
    host: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
    httpx_calls: list[str],
) -> None:
    server = serve(reply, host=host)
    prompt = "h\u00e9llo \u2713 \u65e5\u672c"  # non-ASCII: UTF-8 in the body
    model = model_on(server.url())
    assert (await call(model, mode, prompt)).content == "pong 1"
    (request,) = server.requests
    assert (request.method, request.target) == ("POST", "/v1/gpt-4o")
    assert request.headers["host"] == server.authority()
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["content-length"] == str(len(request.body))
    assert json.loads(request.body)["messages"][-1]["content"] == prompt
    assert httpx_calls == []
    assert await opened(pools, server.origin, mode) == 1


# -- connections the server ends -----------------------------------------------------


def reply_then_close(exchange: Exchange) -> None:
    """Answer as keep-alive, then drop the connection (a server's idle timeout)."""
    exchange.send(whole(pong(exchange)))
    exchange.close()


@pytest.mark.parametrize("mode", MODES)
async def test_idle_connection_closed_by_server_is_not_reused(
    mode: str, serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(reply_then_close)
    model = model_on(server.url())  # max_retries=0: a stale reuse would fail
    assert (await call(model, mode, "one")).content == "pong 1"
    server.wait_for("server-closed")
    await asyncio.sleep(0.05)  # the event loop hears of the close
    assert (await call(model, mode, "two")).content == "pong 2"
    assert [r.connection for r in server.requests] == [1, 2]
    assert await opened(pools, server.origin, mode) == 2


async def test_async_pool_sees_a_close_its_loop_has_not_processed(
    serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(reply_then_close)
    pool = pools.async_pool(server.origin)
    request = encode_request("GET", "/", {"host": f"127.0.0.1:{server.port}"}, None)
    assert (await pool.exchange(request, WAIT)).status_code == 200
    # The loop is blocked until the server has closed: the FIN is in the
    # socket, but no callback of the loop has seen it.
    server.wait_for("server-closed")
    assert (await pool.exchange(request, WAIT)).status_code == 200
    assert pool.opened == 2


def test_sync_pool_sees_a_close_at_once(
    serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(reply_then_close)
    pool = pools.sync_pool(server.origin)
    request = encode_request("GET", "/", {"host": f"127.0.0.1:{server.port}"}, None)
    assert pool.exchange(request, WAIT).status_code == 200
    server.wait_for("server-closed")
    assert pool.exchange(request, WAIT).status_code == 200
    assert pool.opened == 2


def close_announced(exchange: Exchange) -> None:
    """`Connection: close`, yet the server keeps serving the connection."""
    exchange.send(whole(pong(exchange), headers=[("Connection", "close")]))


def http10(exchange: Exchange) -> None:
    """An HTTP/1.0 answer without keep-alive; the server keeps serving."""
    exchange.send(whole(pong(exchange), version="HTTP/1.0"))


def until_close(exchange: Exchange) -> None:
    """No length and no chunking: the body ends with the connection."""
    exchange.send(head(200) + pong(exchange))
    exchange.close()


def stray_bytes(exchange: Exchange) -> None:
    """A whole answer followed by bytes nobody asked for."""
    exchange.send(whole(pong(exchange)) + b"HTTP/1.1 200 OK\r\n")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "respond",
    [close_announced, http10, until_close, stray_bytes],
    ids=["connection-close", "http-1.0", "body-until-close", "stray-bytes"],
)
async def test_connections_that_cannot_carry_another_request_are_not_reused(
    mode: str,
    respond: Responder,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
) -> None:
    server = serve(respond)
    model = model_on(server.url())
    for number in (1, 2, 3):
        assert (await call(model, mode, "hi")).content == f"pong {number}"
    assert [r.connection for r in server.requests] == [1, 2, 3]
    assert await opened(pools, server.origin, mode) == 3


# -- framings and codings ------------------------------------------------------------

FRAMINGS: dict[str, Callable[[bytes], bytes]] = {
    "content-length": whole,
    "chunked": chunked,
    "gzip": lambda body: whole(
        gzip.compress(body), headers=[("Content-Encoding", "gzip")]
    ),
    "gzip-chunked": lambda body: chunked(
        gzip.compress(body), headers=[("Content-Encoding", "gzip")]
    ),
    "deflate": lambda body: whole(
        zlib.compress(body), headers=[("Content-Encoding", "deflate")]
    ),
    "raw-deflate": lambda body: whole(
        raw_deflate(body), headers=[("Content-Encoding", "deflate")]
    ),
    "interim-100": lambda body: b"HTTP/1.1 100 Continue\r\n\r\n" + whole(body),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("framing", list(FRAMINGS))
async def test_answer_framings_and_codings(
    mode: str,
    framing: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
) -> None:
    encode = FRAMINGS[framing]
    server = serve(lambda exchange: exchange.send(encode(pong(exchange))))
    model = model_on(server.url())
    assert (await call(model, mode, "one")).content == "pong 1"
    assert (await call(model, mode, "two")).content == "pong 2"
    assert [r.connection for r in server.requests] == [1, 1]
    assert await opened(pools, server.origin, mode) == 1
    assert "gzip" in server.requests[0].headers["accept-encoding"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("framing", ["content-length", "chunked", "gzip"])
async def test_large_answers(
    mode: str, framing: str, serve: Callable[..., ScriptedServer]
) -> None:
    text = "0123456789abcdef" * 65_536  # 1 MiB

    def respond(exchange: Exchange) -> None:
        body = completion(text)
        if framing == "chunked":
            exchange.send(head(200, [("Transfer-Encoding", "chunked")]))
            for start in range(0, len(body), 100_000):
                piece = body[start : start + 100_000]
                exchange.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            exchange.send(b"0\r\n\r\n")
        else:
            exchange.send(FRAMINGS[framing](body))

    server = serve(respond)
    model = model_on(server.url())
    assert (await call(model, mode, "one")).content == text
    assert (await call(model, mode, "two")).content == text
    assert [r.connection for r in server.requests] == [1, 1]


@pytest.mark.parametrize("mode", MODES)
async def test_expired_idle_connections_are_closed_not_reused(
    mode: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_connections, "IDLE_EXPIRY_SECONDS", -1.0)
    server = serve(reply)
    model = model_on(server.url())
    for number in (1, 2, 3):
        assert (await call(model, mode, "hi")).content == f"pong {number}"
    assert [r.connection for r in server.requests] == [1, 2, 3]
    await eventually(lambda: server.closed_by_client == {1, 2})


# -- answers cut off -----------------------------------------------------------------


def cut_off(status: int, *, chunks: bool = False) -> Responder:
    """The head of a `status` answer and part of its body, then the end."""

    def respond(exchange: Exchange) -> None:
        body = pong(exchange)
        if chunks:
            exchange.send(chunked(body)[: -len(body) // 2])
        else:
            exchange.send(whole(body, status)[: -len(body) // 2])
        exchange.close()

    return respond


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("chunks", [False, True], ids=["content-length", "chunked"])
async def test_ok_answer_cut_off_is_a_response_error_and_not_retried(
    mode: str, chunks: bool, serve: Callable[..., ScriptedServer]
) -> None:
    server = serve(cut_off(200, chunks=chunks))
    model = model_on(server.url(), max_retries=2)
    with pytest.raises(SegmindResponseError) as caught:
        await call(model, mode, "hi")
    assert caught.value.status_code == 200
    assert "cut off" in caught.value.message
    assert len(server.requests) == 1  # it may have been billed: sent once
    assert model._clock.waits == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
async def test_server_error_answer_cut_off_is_retried(
    mode: str, serve: Callable[..., ScriptedServer]
) -> None:
    server = serve(cut_off(503))
    model = model_on(server.url(), max_retries=2)
    with pytest.raises(SegmindServerError) as caught:
        await call(model, mode, "hi")
    assert caught.value.status_code == 503
    assert len(server.requests) == 3
    assert [r.connection for r in server.requests] == [1, 2, 3]


# -- silence, refusal and garbage ----------------------------------------------------


def silent_then_late(exchange: Exchange) -> None:
    """Answer the first request only after the client's timeout; the rest at once."""
    if exchange.request.number == 1:
        exchange.hold(0.6)
    if not exchange.closed:
        exchange.send(whole(pong(exchange)))


@pytest.mark.parametrize("mode", MODES)
async def test_no_answer_within_the_timeout(
    mode: str, serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(silent_then_late)
    model = model_on(server.url(), timeout=0.3)
    with pytest.raises(SegmindTimeoutError):
        await call(model, mode, "one")
    # The late answer to the first request must not become the next one's.
    assert (await call(model, mode, "two")).content == "pong 2"
    assert [r.connection for r in server.requests] == [1, 2]
    await eventually(lambda: server.closed_by_client == {1})
    assert await opened(pools, server.origin, mode) == 2


def never_answer(exchange: Exchange) -> None:
    exchange.hold(WAIT)
    exchange.close()  # so that a client without a timeout cannot hang the test


@pytest.mark.parametrize("mode", MODES)
async def test_timeout_is_not_retried(
    mode: str, serve: Callable[..., ScriptedServer]
) -> None:
    server = serve(never_answer)
    model = model_on(server.url(), timeout=0.2, max_retries=3)
    with pytest.raises(SegmindTimeoutError):
        await call(model, mode, "hi")
    assert len(server.requests) == 1


def trickle(exchange: Exchange) -> None:
    """A head that never ends: one byte every 20 ms, each well within any timeout."""
    exchange.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(150):  # 3 s at most, then the end of the connection
        exchange.hold(0.02)
        if exchange.closed:
            return
        exchange.send(b"a")
    exchange.close()


@pytest.mark.parametrize("mode", MODES)
async def test_timeout_bounds_the_whole_answer_not_each_read(
    mode: str, serve: Callable[..., ScriptedServer]
) -> None:
    server = serve(trickle)
    model = model_on(server.url(), timeout=0.3)
    with pytest.raises(SegmindTimeoutError):
        await call(model, mode, "hi")
    await eventually(lambda: server.closed_by_client == {1})


@pytest.mark.parametrize("mode", MODES)
async def test_tls_handshake_without_answer_times_out(
    mode: str, serve: Callable[..., ScriptedServer]
) -> None:
    server = serve(reply)  # plain TCP: it waits for an HTTP head, never for TLS
    model = model_on(server.url().replace("http:", "https:"), timeout=0.3)
    with pytest.raises(SegmindTimeoutError):
        await call(model, mode, "hi")
    assert server.requests == []


@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused(mode: str) -> None:
    model = model_on(f"http://127.0.0.1:{free_port()}/v1", max_retries=2)
    with pytest.raises(SegmindConnectionError) as caught:
        await call(model, mode, "hi")
    assert caught.value.status_code is None
    # Refused connections are retried, as documented.
    assert len(model._clock.waits) == 2  # type: ignore[attr-defined]


GARBAGE = {
    "no-status-code": b"HTTP/1.1 OK\r\nContent-Length: 2\r\n\r\n{}",
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "http-2-status-line": b"HTTP/2 200\r\nContent-Length: 2\r\n\r\n{}",
    "bad-header-line": b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n{}",
    "bad-content-length": b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n{}",
    "bad-chunk-size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "corrupt-gzip": (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"
    ),
    "unknown-coding": (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}"
    ),
    "endless-head": b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"x" * 70_000,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("garbage", list(GARBAGE))
async def test_malformed_answers_raise_typed_errors(
    mode: str, garbage: str, serve: Callable[..., ScriptedServer]
) -> None:
    def respond(exchange: Exchange) -> None:
        exchange.send(GARBAGE[garbage])
        exchange.hold(WAIT)  # no end of connection to lean on

    server = serve(respond)
    model = model_on(server.url(), timeout=1.0, max_retries=2)
    # Found malformed as it arrives, not left waiting until the timeout; and
    # not retried, since the server took the request and may have billed it.
    with pytest.raises(SegmindResponseError, match="not valid HTTP"):
        await call(model, mode, "hi")
    assert len(server.requests) == 1


def corrupt_until_close(exchange: Exchange) -> None:
    """A gzip-coded body that runs to the end of the connection, and is not gzip."""
    exchange.send(head(200, [("Content-Encoding", "gzip")]) + b"not gzip at all")
    exchange.close()


def test_corrupt_body_ending_with_the_connection_sync(
    serve: Callable[..., ScriptedServer],
) -> None:
    server = serve(corrupt_until_close)
    with pytest.raises(SegmindResponseError):
        model_on(server.url(), max_retries=2).invoke("hi")
    assert len(server.requests) == 1


async def test_corrupt_body_ending_with_the_connection_async(
    serve: Callable[..., ScriptedServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(corrupt_until_close)
    model = model_on(server.url(), max_retries=2)
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        with pytest.raises(SegmindResponseError):
            await model.ainvoke("hi")
        await asyncio.sleep(0.05)  # asyncio's handlers of the closed transport
    assert len(server.requests) == 1
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


# -- cancellation --------------------------------------------------------------------


def slow_first(exchange: Exchange) -> None:
    """Answer the first request only when released (or late); the rest at once."""
    if exchange.request.number == 1:  # longer than any wait of the test
        exchange.hold(3 * WAIT, until=exchange.server.event("release"))
    if not exchange.closed:
        exchange.send(whole(pong(exchange)))


async def test_cancelled_ainvoke_leaves_the_pool_usable(
    serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(slow_first)
    model = model_on(server.url())
    task = asyncio.create_task(model.ainvoke("one"))
    await asyncio.to_thread(server.wait_for, "request-1")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The cancelled call's connection is closed, not handed to the next call.
    await eventually(lambda: server.closed_by_client == {1})
    server.event("release").set()
    assert (await model.ainvoke("two")).content == "pong 2"
    assert [r.connection for r in server.requests] == [1, 2]
    assert pools.async_pool(server.origin).opened == 2


async def test_cancelled_ainvoke_under_wait_for_timeout(
    serve: Callable[..., ScriptedServer], pools: PoolRegistry
) -> None:
    server = serve(slow_first)
    model = model_on(server.url())
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(model.ainvoke("one"), 0.2)
    server.event("release").set()
    results = await asyncio.gather(model.ainvoke("two"), model.ainvoke("three"))
    assert sorted(r.content for r in results) == ["pong 2", "pong 3"]
    assert 1 not in {r.connection for r in server.requests[1:]}


# -- routing: what goes through httpx ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ],
)
def test_any_proxy_variable_routes_to_httpx(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://api.segmind.com/v1/gpt-4o"
    assert route_for(url) is not None
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert route_for(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@127.0.0.1:8000/v1/gpt-4o",
        "http://user@127.0.0.1:8000/v1/gpt-4o",
        "http://127.0.0.1:8000/v1/caf\u00e9/gpt-4o",
        "http://127.0.0.1:8000/v1/with space/gpt-4o",
        "http://b\u00fccher.example/v1/gpt-4o",
        "ftp://127.0.0.1/v1/gpt-4o",
        "http://127.0.0.1:99999/v1/gpt-4o",
    ],
)
def test_unusual_urls_route_to_httpx(url: str) -> None:
    assert route_for(url) is None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "host", ["a..b", "a" * 64 + ".example"], ids=["empty-label", "long-label"]
)
async def test_hosts_the_resolver_cannot_encode_raise_typed_errors(
    mode: str, host: str
) -> None:
    model = model_on(f"http://{host}/v1")
    with pytest.raises(SegmindError):
        await call(model, mode, "hi")


def test_plain_urls_have_a_route() -> None:
    route = route_for("https://api.segmind.com/v1/gpt-4o?x=1")
    assert route is not None
    assert route.origin == Origin("https", "api.segmind.com", 443)
    assert (route.target, route.host_header) == ("/v1/gpt-4o?x=1", "api.segmind.com")
    ipv6 = route_for("http://[::1]:8080/v1/x")
    assert ipv6 is not None
    assert ipv6.origin == Origin("http", "::1", 8080)
    assert ipv6.host_header == "[::1]:8080"


@pytest.mark.parametrize("mode", MODES)
async def test_proxy_environment_sends_calls_through_httpx(
    mode: str,
    emulator: SegmindEmulator,
    pools: PoolRegistry,
    httpx_calls: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    model = new_model(emulator, ChatSegmindGPT4o, max_retries=0, timeout=WAIT)
    assert (await call(model, mode, "hi")).content == REPLY + "hi"
    assert httpx_calls == [f"{emulator.base_url}/gpt-4o"]
    assert await opened(pools, origin_of(emulator), mode) == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["http_proxy", "HTTP_PROXY", "ALL_PROXY"])
async def test_proxy_from_the_environment_is_used(
    mode: str,
    name: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
    httpx_calls: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = serve(reply)
    monkeypatch.setenv(name, proxy.url().removesuffix("/v1"))
    # Nobody listens at the gateway's address: only the proxy can answer.
    gateway = f"127.0.0.1:{free_port()}"
    model = model_on(f"http://{gateway}/v1")
    assert (await call(model, mode, "hi")).content == "pong 1"
    (request,) = proxy.requests
    assert request.target == f"http://{gateway}/v1/gpt-4o"  # absolute form
    assert request.headers["x-api-key"] == API_KEY
    assert len(httpx_calls) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/v1/caf\u00e9", "/v1/caf%C3%A9/gpt-4o"),
        ("/v1/with space", "/v1/with%20space/gpt-4o"),
    ],
)
async def test_unusual_paths_go_through_httpx(
    mode: str,
    path: str,
    target: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
    httpx_calls: list[str],
) -> None:
    server = serve(reply)
    model = model_on(f"http://127.0.0.1:{server.port}{path}")
    assert (await call(model, mode, "hi")).content == "pong 1"
    assert [r.target for r in server.requests] == [target]
    assert len(httpx_calls) == 1
    assert await opened(pools, server.origin, mode) == 0


@pytest.mark.parametrize("mode", MODES)
async def test_credentials_in_the_url_go_through_httpx(
    mode: str,
    serve: Callable[..., ScriptedServer],
    pools: PoolRegistry,
    httpx_calls: list[str],
) -> None:
    server = serve(reply)
    model = model_on(f"http://user:secret@127.0.0.1:{server.port}/v1")
    assert (await call(model, mode, "hi")).content == "pong 1"
    (request,) = server.requests
    assert request.headers["authorization"].startswith("Basic ")
    assert request.headers["x-api-key"] == API_KEY
    assert len(httpx_calls) == 1
    assert await opened(pools, server.origin, mode) == 0


# -- fork ----------------------------------------------------------------------------

ORIGINAL_POOLS = _clients.POOLS
"""The process's registry, the one `_clients` registered with `os.register_at_fork`."""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_forked_child_opens_its_own_connections(
    emulator: SegmindEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_clients, "POOLS", ORIGINAL_POOLS)
    monkeypatch.setattr(_transport, "POOLS", ORIGINAL_POOLS)
    model = new_model(emulator, ChatSegmindGPT4o, timeout=WAIT, max_retries=0)
    assert model.invoke("parent").content == REPLY + "parent"
    before = emulator.connections_opened  # an idle connection is in the pool
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            code = 0 if model.invoke("child").content == REPLY + "child" else 3
        finally:
            os._exit(code)
    deadline = time.monotonic() + WAIT
    while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(waited[1]) == 0
    # The child did not write on the parent's socket: it opened its own...
    assert emulator.connections_opened == before + 1
    # ...and the parent's connection is intact and still reused.
    assert model.invoke("parent again").content == REPLY + "parent again"
    assert emulator.connections_opened == before + 1


# -- TLS -----------------------------------------------------------------------------


@pytest.fixture
def tls_server(serve: Callable[..., ScriptedServer]) -> ScriptedServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    return serve(reply, tls=context)


@pytest.fixture
def trust_test_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust the test certificate alone, through SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setattr(_clients, "_ssl_context", None)  # rebuilt from the env


@pytest.mark.usefixtures("trust_test_certificate")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_https_over_the_own_pool(
    mode: str,
    host: str,
    tls_server: ScriptedServer,
    pools: PoolRegistry,
    httpx_calls: list[str],
) -> None:
    model = model_on(tls_server.url(host))
    assert (await call(model, mode, "one")).content == "pong 1"
    assert (await call(model, mode, "two")).content == "pong 2"
    assert [r.connection for r in tls_server.requests] == [1, 1]
    assert tls_server.requests[0].headers["host"] == f"{host}:{tls_server.port}"
    assert httpx_calls == []
    origin = Origin("https", host, tls_server.port)
    assert await opened(pools, origin, mode) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_untrusted_certificate_is_a_connection_error(
    mode: str,
    tls_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setattr(_clients, "_ssl_context", None)  # the default trust store
    model = model_on(tls_server.url())
    with pytest.raises(SegmindConnectionError) as caught:
        await call(model, mode, "hi")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert tls_server.requests == []
    await eventually(lambda: tls_server.tls_failures == 1)


# -- the key in tracebacks -----------------------------------------------------------


def _rendered_with_locals(error: BaseException) -> str:
    """The traceback as a reporter that shows local variables would print it,
    following every chained exception, suppressed ones too."""
    texts = []
    seen: BaseException | None = error
    while seen is not None:
        texts.append(
            "".join(
                traceback.TracebackException.from_exception(
                    seen, capture_locals=True
                ).format()
            )
        )
        seen = seen.__cause__ or seen.__context__
    return "\n".join(texts)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("failure", ["refused", "malformed"])
async def test_tracebacks_with_locals_do_not_hold_the_key(
    mode: str, failure: str, serve: Callable[..., ScriptedServer]
) -> None:
    if failure == "refused":
        url = f"http://127.0.0.1:{free_port()}/v1"
    else:

        def respond(exchange: Exchange) -> None:
            exchange.send(b"not http at all\r\n\r\n")
            exchange.close()

        url = serve(respond).url()
    model = model_on(url)
    with pytest.raises(SegmindError) as caught:
        await call(model, mode, "hi")
    rendered = _rendered_with_locals(caught.value)
    assert "HTTP request" in rendered  # the request bytes are among the locals...
    assert API_KEY not in rendered  # ...but their repr hides the key
