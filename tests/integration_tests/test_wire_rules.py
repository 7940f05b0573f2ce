"""Issue 12's wire rules against real sockets on loopback, sync and async.

Each test runs a call through `invoke` (mode "sync") and through `ainvoke` in
its own `asyncio.run` (mode "async"), against either the tier's emulator or a
raw server written here: a `RawServer` whose every accepted connection is
served by a small function, to misbehave exactly as a test needs (drip bytes,
never answer, cut an answer off, reset, redirect, stream forever, ...).
Servers stop themselves and join their threads when the test ends.

Timing tests use the real clock and small timeouts; each asserts the bound
of the rule, `timeout * 1.1 + 0.1` seconds. Retry tests use a `FastClock`, so
that backoff is virtual and the attempt counts are exact.

Run with `--allow-hosts=127.0.0.1,localhost,::1`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from langchain_segmind.testing._faults import gzipped_zeros
from langchain_segmind.transport import clients as _http
from tests.integration_tests.support import FastClock, new_model

KEY = "sk-ISSUE12-never-in-a-traceback-3f9a71"
"""The key of every model here; a module constant, so no test frame holds it."""

MODES = ["sync", "async"]
MIB = 1024 * 1024
MEMORY_BOUND = 100 * MIB
PROXY_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUEST_METHOD",
]
OPENAI_ANSWER = (
    b'{"id": "chatcmpl-raw", "object": "chat.completion", "model": "gpt-4o", '
    b'"choices": [{"index": 0, "message": {"role": "assistant", "content": '
    b'"raw server reply"}, "finish_reason": "stop"}], '
    b'"usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}}'
)
OK_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(OPENAI_ANSWER) + OPENAI_ANSWER
)


def bound(timeout: float) -> float:
    """The latest a call with `timeout` may end: the rule's 10 % + 0.1 s."""
    return timeout * 1.1 + 0.1


# -- calls -------------------------------------------------------------------------


def run(chat: ChatSegmind, mode: str, prompt: str = "Hi", **kwargs: Any) -> Any:
    """`chat.invoke`, or `chat.ainvoke` in a fresh `asyncio.run`."""
    if mode == "sync":
        return chat.invoke(prompt, **kwargs)
    return asyncio.run(chat.ainvoke(prompt, **kwargs))


def failure_of(action: Callable[[], Any]) -> BaseException:
    """What `action` raised (the test fails if it returned)."""
    try:
        result = action()
    except BaseException as error:  # any escape is the point
        return error
    pytest.fail(f"no error was raised; the call returned {result!r}")


def timed_failure(model: ChatSegmind, mode: str, **kwargs: Any) -> tuple[Any, float]:
    start = time.monotonic()
    error = failure_of(lambda: run(model, mode, **kwargs))
    return error, time.monotonic() - start


def raw_model(base_url: str, **fields: Any) -> ChatSegmind:
    """A GPT-4o model with the module's key, on the real clock.

    The key goes straight into the call, never into a local of this frame
    (rule 7's tests walk the frames of errors raised at construction).
    """
    return ChatSegmindGPT4o(base_url=base_url, api_key=KEY, **fields)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- raw servers -------------------------------------------------------------------

Handler = Callable[["RawServer", socket.socket], None]


class RawServer:
    """A loopback TCP server: each accepted connection is served by `handler`.

    Records every request it reads (`requests`, raw bytes) and counts accepted
    connections. `stop()` (or leaving the `with` block) closes the listener and
    every connection, wakes the handlers (they poll `stopping`) and joins their
    threads.
    """

    def __init__(self, handler: Handler, port: int = 0, backlog: int = 128) -> None:
        self.handler = handler
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(backlog)
        self.listener.settimeout(0.05)
        self.port = int(self.listener.getsockname()[1])
        self.stopping = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._sockets.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        try:
            self.handler(self, conn)
        except OSError:
            pass  # the client went away, or the server is stopping
        finally:
            conn.close()

    def read_request(self, conn: socket.socket) -> bytes | None:
        """Read one request (head and Content-Length body); `None` at EOF or stop."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = self._recv(conn)
            if not chunk:
                return None
            body += chunk
        request = head + b"\r\n\r\n" + body
        with self._lock:
            self.requests.append(request)
        return request

    def _recv(self, conn: socket.socket) -> bytes:
        while not self.stopping.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
        return b""

    def send(self, conn: socket.socket, data: bytes) -> None:
        """`sendall` that gives up when the server stops."""
        view = memoryview(data)
        while view and not self.stopping.is_set():
            try:
                sent = conn.send(view)
            except TimeoutError:
                continue
            view = view[sent:]

    def pause(self, seconds: float) -> bool:
        """Sleep `seconds`; `True` if the server is stopping."""
        return self.stopping.wait(seconds)

    def stop(self) -> None:
        self.stopping.set()
        # shutdown() wakes a thread blocked on the socket at once (Linux); the
        # threads also poll `stopping` every 50 ms where it does not.
        for sock in [self.listener, *self._sockets_now()]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(5)
        self.listener.close()
        for conn in self._sockets_now():  # accepted while stopping
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(5)
        assert not any(thread.is_alive() for thread in self._threads)

    def _sockets_now(self) -> list[socket.socket]:
        with self._lock:
            return list(self._sockets)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def header_lines(request: bytes) -> list[tuple[str, str]]:
    head = request.partition(b"\r\n\r\n")[0].decode("latin-1")
    pairs = []
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        pairs.append((name.strip().lower(), value.strip()))
    return pairs


# handlers ---------------------------------------------------------------------------


def never_answers(server: RawServer, conn: socket.socket) -> None:
    """Accept, read the request, say nothing until the server stops."""
    server.read_request(conn)
    server.pause(30)


def answers_ok(server: RawServer, conn: socket.socket) -> None:
    """A keep-alive server answering every request with a 200 OpenAI answer."""
    while server.read_request(conn) is not None:
        server.send(conn, OK_RESPONSE)


def drips_body(interval: float, first: float, cap: float = 3.0) -> Handler:
    """A 200 with its headers at once, then one body byte every `interval`
    seconds (the first after `first`), for at most `cap` seconds."""

    def handler(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        start = time.monotonic()
        server.send(
            conn,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n",
        )
        wait = first
        while not server.pause(wait) and time.monotonic() - start < cap:
            server.send(conn, b" ")
            wait = interval

    return handler


def drips_headers(interval: float, cap: float) -> Handler:
    """A status line, then one byte of a header every `interval` seconds."""

    def handler(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        start = time.monotonic()
        server.send(conn, b"HTTP/1.1 200 OK\r\nX-Drip: ")
        while not server.pause(interval) and time.monotonic() - start < cap:
            server.send(conn, b"a")

    return handler


def sends_then_closes(data: bytes) -> Handler:
    def handler(server: RawServer, conn: socket.socket) -> None:
        if server.read_request(conn) is not None:
            server.send(conn, data)

    return handler


def resets_after_reading(server: RawServer, conn: socket.socket) -> None:
    """Read the request, then close with SO_LINGER 0: the client gets a RST."""
    if server.read_request(conn) is not None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def redirects_to(status: int, location: str) -> Handler:
    answer = (
        f"HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()

    def handler(server: RawServer, conn: socket.socket) -> None:
        while server.read_request(conn) is not None:
            server.send(conn, answer)

    return handler


def streams_forever(chunked: bool) -> Handler:
    """A 200 whose body never ends: chunked, or without a Content-Length."""

    def handler(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        if chunked:
            server.send(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
            )
            piece = b"%x\r\n" % 65536 + b"[" * 65536 + b"\r\n"
        else:
            server.send(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\n\r\n",
            )
            piece = b"[" * 65536
        while not server.stopping.is_set():
            server.send(conn, piece)

    return handler


def serves_gzip(body: bytes) -> Handler:
    def handler(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        server.send(
            conn,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body),
        )
        server.send(conn, body)

    return handler


def fails_once_then_never_answers(server: RawServer, conn: socket.socket) -> None:
    """The first request gets a 503; any later one, silence."""
    if server.read_request(conn) is None:
        return
    if len(server.requests) == 1:
        body = b'{"error": "Service Unavailable"}'
        server.send(
            conn,
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        )
        return
    server.pause(30)


# -- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def warm(emulator: SegmindEmulator) -> None:
    """One sync and one async call first, so that timings exclude lazy imports."""
    model = new_model(emulator)
    run(model, "sync")
    run(model, "async")


def _close_default_clients() -> None:
    client = _http.DEFAULT_CLIENTS._sync
    if client is not None:
        client.close()
    _http.DEFAULT_CLIENTS.reset()


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    """Default clients built inside the test (so from its environment), and
    closed and forgotten after it (so later tests do not inherit them)."""
    _close_default_clients()
    yield
    _close_default_clients()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or certificate settings from the developer's environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SEGMIND_BASE_URL", raising=False)
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    return monkeypatch


# -- rule 1: `timeout` bounds the whole call ----------------------------------------


def assert_timed_out(error: BaseException, elapsed: float, timeout: float) -> None:
    assert isinstance(error, SegmindTimeoutError), repr(error)
    assert f"timeout={timeout:g}s" in str(error)
    assert "Raise `timeout`" in str(error)
    assert elapsed <= bound(timeout), f"took {elapsed:.3f}s for timeout={timeout}"


@pytest.mark.parametrize("mode", MODES)
def test_a_body_dripping_every_200ms_ends_at_the_timeout(warm, mode):
    # Bytes at 0.05 s, 0.25 s ... 0.85 s, 1.05 s: the deadline falls between two.
    # The sync path passes only because one 0.2 s gap fits in the rule's margin;
    # the 450 ms drip below shows what it does with a longer gap.
    with RawServer(drips_body(interval=0.2, first=0.05)) as server:
        model = raw_model(server.base_url, timeout=1.0, max_retries=2)

        error, elapsed = timed_failure(model, mode)

    assert_timed_out(error, elapsed, 1.0)
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_dripping_every_450ms_ends_at_the_timeout(warm, mode):
    # Bytes at 0.45 s, 0.9 s, 1.35 s: none near the deadline.
    with RawServer(drips_body(interval=0.45, first=0.45)) as server:
        model = raw_model(server.base_url, timeout=1.0, max_retries=2)

        error, elapsed = timed_failure(model, mode)

    assert_timed_out(error, elapsed, 1.0)
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_headers_dripping_end_at_the_timeout(warm, mode):
    # The drip stops after 1.4 s (the call should be long over by then).
    with RawServer(drips_headers(interval=0.2, cap=1.4)) as server:
        model = raw_model(server.base_url, timeout=1.0, max_retries=2)

        error, elapsed = timed_failure(model, mode)

    assert_timed_out(error, elapsed, 1.0)
    assert len(server.requests) == 1


@pytest.mark.parametrize("library", ["httpx2", "httpx"])
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda: drips_headers(interval=0.2, cap=1.6), id="headers"),
        pytest.param(lambda: drips_body(interval=0.85, first=0.85), id="body"),
    ],
)
def test_a_users_sync_client_is_bound_by_the_timeout_too(warm, library, answer):
    lib = pytest.importorskip(library)
    with RawServer(answer()) as server, lib.Client() as client:
        model = raw_model(
            server.base_url, timeout=1.0, max_retries=2, http_client=client
        )

        error, elapsed = timed_failure(model, "sync")

    assert_timed_out(error, elapsed, 1.0)
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_server_that_never_answers_times_out(warm, mode):
    with RawServer(never_answers) as server:
        model = raw_model(server.base_url, timeout=0.5, max_retries=2)

        error, elapsed = timed_failure(model, mode)

    assert_timed_out(error, elapsed, 0.5)
    assert error.is_retryable is False
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_connect_that_hangs_times_out(warm, mode):
    # A listener that never accepts, its queue full: further SYNs go unanswered.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(8)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            time.sleep(0.05)
            model = raw_model(f"http://127.0.0.1:{port}/v1", timeout=0.5)

            error, elapsed = timed_failure(model, mode)
        finally:
            for filler in fillers:
                filler.close()

    assert_timed_out(error, elapsed, 0.5)


@pytest.mark.parametrize("mode", MODES)
def test_retries_share_the_timeout(warm, mode):
    # A 503 at once, a backoff of 0.25-0.5 s, then an attempt that never ends.
    with RawServer(fails_once_then_never_answers) as server:
        model = raw_model(server.base_url, timeout=0.8, max_retries=5)

        error, elapsed = timed_failure(model, mode)

    assert_timed_out(error, elapsed, 0.8)
    assert len(server.requests) == 2


# -- rule 2: answers are bounded in size (and nesting) -----------------------------


def peak_memory_of(action: Callable[[], Any]) -> tuple[BaseException, float, int]:
    """Run `action`: what it raised, how long it took, the peak traced bytes."""
    gc.collect()
    tracemalloc.start()
    start = time.monotonic()
    try:
        error = failure_of(action)
        return error, time.monotonic() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "until-close"])
@pytest.mark.parametrize("mode", MODES)
def test_an_endless_answer_is_refused_without_holding_much_more_than_32_mib(
    mode, chunked
):
    with RawServer(streams_forever(chunked)) as server:
        model = raw_model(server.base_url, timeout=20.0, max_retries=2)

        error, elapsed, peak = peak_memory_of(lambda: run(model, mode))

    assert isinstance(error, SegmindResponseError), repr(error)
    assert "larger than 32 MiB" in str(error)
    assert error.is_retryable is False
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.0f} MiB"
    assert elapsed < 5.0
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_is_refused_without_being_inflated(mode):
    bomb = gzipped_zeros(1100)  # ~1.1 MB on the wire, 1.1 GiB inflated
    assert len(bomb) < 1.2 * MIB
    with RawServer(serves_gzip(bomb)) as server:
        model = raw_model(server.base_url, timeout=20.0, max_retries=2)

        error, elapsed, peak = peak_memory_of(lambda: run(model, mode))

    assert isinstance(error, SegmindResponseError), repr(error)
    assert "larger than 32 MiB once decompressed" in str(error)
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.0f} MiB"
    assert elapsed < 5.0
    assert len(server.requests) == 1


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("mode", MODES)
def test_a_5000_deep_answer_is_a_response_error(emulator, make_model, mode):
    emulator.inject(Fault(status=200, body=DEEP, content_type="application/json"))
    model = make_model(ChatSegmindGPT4o, max_retries=2)

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindResponseError), repr(error)
    assert "nested deeper than 128" in str(error)
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_5000_deep_error_body_is_a_typed_error(emulator, make_model, mode):
    body = '{"error": ' + DEEP + "}"
    emulator.inject(Fault(status=400, body=body, content_type="application/json"))
    model = make_model(ChatSegmindGPT4o, max_retries=2)

    error = failure_of(lambda: run(model, mode))

    assert type(error).__name__ == "SegmindBadRequestError", repr(error)
    assert error.status_code == 400
    assert len(emulator.requests) == 1


# -- rule 4: one Content-Length on the wire; the pooled connection stays usable -----


@pytest.mark.parametrize("mode", MODES)
def test_the_wire_has_one_content_length_and_the_connection_is_reused(
    mode, clean_env, fresh_clients
):
    with RawServer(answers_ok) as server:
        model = raw_model(server.base_url, default_headers={"X-Team": "t"})

        async def both() -> tuple[Any, Any]:
            first = await model.ainvoke("Hi", extra_headers={"x-trace": "1"})
            return first, await model.ainvoke("Again")

        if mode == "sync":
            first = model.invoke("Hi", extra_headers={"x-trace": "1"})
            second = model.invoke("Again")
        else:
            first, second = asyncio.run(both())

    assert first.content == second.content == "raw server reply"
    assert len(server.requests) == 2
    assert server.connections == 1  # the second call reused the connection
    for request in server.requests:
        names = [name for name, _ in header_lines(request)]
        body = request.partition(b"\r\n\r\n")[2]
        assert names.count("content-length") == 1
        assert dict(header_lines(request))["content-length"] == str(len(body))
        assert "transfer-encoding" not in names
        assert names.count("host") == 1
        assert names.count("x-api-key") == 1
        assert names.count("x-team") == 1
    assert dict(header_lines(server.requests[0]))["x-trace"] == "1"
    assert "x-trace" not in dict(header_lines(server.requests[1]))


# -- rule 5: redirects are never followed --------------------------------------------


def user_client(lib: Any, mode: str, **options: Any) -> Any:
    return (lib.Client if mode == "sync" else lib.AsyncClient)(**options)


def call_and_close(model: ChatSegmind, mode: str, client: Any) -> BaseException:
    """The error of one call; `client` (if any) closed on the call's own loop."""
    if mode == "sync":
        try:
            return failure_of(lambda: model.invoke("Hi"))
        finally:
            if client is not None:
                client.close()

    async def call() -> BaseException:
        try:
            await model.ainvoke("Hi")
        except Exception as error:
            return error
        finally:
            if client is not None:
                await client.aclose()
        pytest.fail("no error was raised")

    return asyncio.run(call())


@pytest.mark.parametrize("client_kind", ["default", "httpx2", "httpx"])
@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_is_not_followed_even_by_a_following_user_client(
    mode, status, client_kind
):
    with RawServer(answers_ok) as elsewhere:
        location = f"{elsewhere.url}/v1/gpt-4o"
        with RawServer(redirects_to(status, location)) as server:
            client = None
            fields: dict[str, Any] = {}
            if client_kind != "default":
                lib = httpx2 if client_kind == "httpx2" else httpx
                client = user_client(lib, mode, follow_redirects=True)
                field = "http_client" if mode == "sync" else "http_async_client"
                fields[field] = client
            model = raw_model(server.base_url, max_retries=2, **fields)

            error = call_and_close(model, mode, client)

    assert isinstance(error, SegmindResponseError), repr(error)
    assert error.status_code == status
    assert location in str(error)
    assert error.is_retryable is False
    assert len(server.requests) == 1
    assert elsewhere.connections == 0
    assert elsewhere.requests == []


# -- rule 6: a POST is never re-sent once an answer began ----------------------------

CUT_OFF_ANSWERS = {
    "half-a-status-line": b"HTTP/1.1 2",
    "status-line": b"HTTP/1.1 200 OK\r\n",
    "some-headers": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
    "part-of-the-body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b'Content-Length: 400\r\n\r\n{"id": "chatcmpl-1", "choi'
    ),
    "part-of-a-chunk": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n40\r\n{"id": "chat'
    ),
}


@pytest.mark.parametrize("answer", list(CUT_OFF_ANSWERS))
@pytest.mark.parametrize("mode", MODES)
def test_an_answer_cut_off_after_it_began_is_not_sent_again(mode, answer):
    with RawServer(sends_then_closes(CUT_OFF_ANSWERS[answer])) as server:
        model = raw_model(server.base_url, max_retries=2)
        model._clock = FastClock()

        error = failure_of(lambda: run(model, mode))

    assert isinstance(error, (SegmindResponseError, SegmindConnectionError)), error
    assert error.is_retryable is False
    assert "not retried" in str(error)
    assert len(server.requests) == 1
    assert server.connections == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_reset_after_the_request_was_read_is_not_sent_again(mode):
    with RawServer(resets_after_reading) as server:
        model = raw_model(server.base_url, max_retries=2)
        model._clock = FastClock()

        error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert error.is_retryable is False
    assert len(server.requests) == 1


@pytest.mark.parametrize("fault", ["reset", "truncated"])
@pytest.mark.parametrize("mode", MODES)
def test_emulator_resets_and_truncations_are_sent_once(
    emulator, make_model, mode, fault
):
    chosen = Fault.connection_reset() if fault == "reset" else Fault.truncated()
    emulator.inject(chosen, times=3)
    model = make_model(ChatSegmindGPT4o, max_retries=2)

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, (SegmindResponseError, SegmindConnectionError)), error
    assert error.is_retryable is False
    assert len(emulator.requests) == 1


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the transport's attempts (`_http.exchange` / `aexchange` calls)."""
    seen: list[str] = []
    exchange, aexchange = _http.exchange, _http.aexchange

    def counted(*args: Any) -> Any:
        seen.append("sync")
        return exchange(*args)

    async def acounted(*args: Any) -> Any:
        seen.append("async")
        return await aexchange(*args)

    monkeypatch.setattr(_http, "exchange", counted)
    monkeypatch.setattr(_http, "aexchange", acounted)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_a_closed_port_is_tried_exactly_max_retries_more_times(mode, attempts):
    model = raw_model(f"http://127.0.0.1:{closed_port()}/v1", max_retries=2)
    clock = model._clock = FastClock()

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "could not reach Segmind" in str(error)
    assert attempts == [mode] * 3
    assert clock.waits == [0.5, 1.0]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
@pytest.mark.parametrize("mode", MODES)
def test_429_and_5xx_are_tried_exactly_max_retries_more_times(
    emulator, make_model, mode, status
):
    fault = Fault.rate_limit(reset_in=0.0) if status == 429 else None
    emulator.inject(fault or Fault.server_error(status), times=3)
    model = make_model(ChatSegmindGPT4o, max_retries=2)

    error = failure_of(lambda: run(model, mode))

    expected = SegmindRateLimitError if status == 429 else SegmindServerError
    assert isinstance(error, expected), repr(error)
    assert error.status_code == status
    assert len(emulator.requests) == 3

    emulator.reset()
    emulator.inject(fault or Fault.server_error(status), times=2)
    assert run(model, mode).content
    assert len(emulator.requests) == 3


# -- rule 7: the key is in no frame of any error's traceback -------------------------


def assert_key_nowhere(error: BaseException) -> None:
    """Neither the error, its chain, nor any frame's locals show `KEY`."""
    seen: set[int] = set()

    def walk(item: BaseException | None) -> None:
        if item is None or id(item) in seen:
            return
        seen.add(id(item))
        for text in (str(item), repr(item), repr(item.args), repr(vars(item))):
            assert KEY not in text
        frame_count = 0
        tb = item.__traceback__
        while tb is not None:
            frame_count += 1
            for name, value in tb.tb_frame.f_locals.items():
                where = f"{tb.tb_frame.f_code.co_qualname}: {name}"
                assert KEY not in repr(value), where
            tb = tb.tb_next
        assert frame_count > 0  # there was a traceback to search
        rendered = traceback.TracebackException.from_exception(
            item, capture_locals=True
        )
        for line in rendered.format():
            assert KEY not in line, line
        walk(item.__cause__)
        walk(item.__context__)
        for inner in getattr(item, "exceptions", ()):
            walk(inner)

    walk(error)


def _timeout(mode: str) -> BaseException:
    with RawServer(never_answers) as server:
        return failure_of(lambda: run(raw_model(server.base_url, timeout=0.3), mode))


def _bad_header(mode: str) -> BaseException:
    model = raw_model("http://127.0.0.1:9/v1")
    return failure_of(lambda: run(model, mode, extra_headers={"x-t": "a\r\nb: c"}))


def _bad_default_header(mode: str) -> BaseException:
    return failure_of(
        lambda: raw_model("http://127.0.0.1:9/v1", default_headers={"x-t": "a\nb"})
    )


def _reserved_header_holding_the_key(mode: str) -> BaseException:
    # Built right here, not through raw_model: no frame of this module holds
    # the key, only the package's own.
    return failure_of(
        lambda: ChatSegmindGPT4o(
            base_url="http://127.0.0.1:9/v1",
            api_key=KEY,
            default_headers={"X-Api-Key": KEY},
        )
    )


def _bad_url(mode: str) -> BaseException:
    return failure_of(lambda: raw_model("http://127.0.0.1:99999/v1"))


def _bad_slug(mode: str) -> BaseException:
    model = raw_model("http://127.0.0.1:9/v1")
    return failure_of(lambda: run(model, mode, model="../../account/keys"))


def _unauthorized(mode: str) -> BaseException:
    with SegmindEmulator(api_key="another-key") as emulator:
        return failure_of(lambda: run(raw_model(emulator.base_url), mode))


def _refused(mode: str) -> BaseException:
    model = raw_model(f"http://127.0.0.1:{closed_port()}/v1", max_retries=1)
    model._clock = FastClock()
    return failure_of(lambda: run(model, mode))


def _cut_off(mode: str) -> BaseException:
    with RawServer(sends_then_closes(CUT_OFF_ANSWERS["part-of-the-body"])) as server:
        return failure_of(lambda: run(raw_model(server.base_url), mode))


def _reset(mode: str) -> BaseException:
    with RawServer(resets_after_reading) as server:
        return failure_of(lambda: run(raw_model(server.base_url), mode))


def _redirect(mode: str) -> BaseException:
    handler = redirects_to(307, "http://127.0.0.1:9/v1/gpt-4o")
    with RawServer(handler) as server:
        return failure_of(lambda: run(raw_model(server.base_url), mode))


def _too_large(mode: str) -> BaseException:
    with RawServer(streams_forever(chunked=True)) as server:
        return failure_of(lambda: run(raw_model(server.base_url), mode))


FAILURE_KINDS = [
    pytest.param(_timeout, id="timeout"),
    pytest.param(_bad_header, id="bad-header-per-call"),
    pytest.param(_bad_default_header, id="bad-default-header"),
    pytest.param(
        _reserved_header_holding_the_key,
        id="key-given-as-a-header",
    ),
    pytest.param(_bad_url, id="bad-url"),
    pytest.param(_bad_slug, id="bad-slug-per-call"),
    pytest.param(_unauthorized, id="401"),
    pytest.param(_refused, id="connection-refused"),
    pytest.param(_cut_off, id="cut-off-answer"),
    pytest.param(_reset, id="reset-after-the-request"),
    pytest.param(_redirect, id="redirect"),
    pytest.param(_too_large, id="body-too-large"),
]


@pytest.mark.parametrize("provoke", FAILURE_KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_the_key_is_in_no_frame_of_any_error(mode, provoke):
    error = provoke(mode)

    assert isinstance(error, SegmindError), repr(error)
    assert_key_nowhere(error)


def test_the_key_walk_finds_a_key_in_a_local():
    """The walk above can fail: a frame holding the key is reported."""

    def holds_the_key() -> None:
        header = {"x-api-key": KEY}
        raise SegmindConnectionError(f"{len(header)} header")

    error = failure_of(holds_the_key)
    with pytest.raises(AssertionError, match="holds_the_key: header"):
        assert_key_nowhere(error)


# -- rule 8: only SegmindErrors, whatever the environment ----------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_proxy_with_a_missing_certificate_file_is_a_segmind_error(
    mode, clean_env, fresh_clients
):
    clean_env.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    clean_env.setenv("SSL_CERT_FILE", "/nonexistent.pem")
    model = ChatSegmindGPT4o(api_key=KEY, max_retries=2)

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert not isinstance(error, FileNotFoundError)
    assert "could not set up the HTTP client" in str(error)
    assert "certificate" in str(error)
    assert error.is_retryable is False
    assert error.__cause__ is None
    assert error.__context__ is None


@pytest.mark.parametrize("mode", MODES)
def test_an_unreachable_proxy_is_a_retried_connection_error(
    mode, clean_env, fresh_clients, attempts
):
    clean_env.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    model = ChatSegmindGPT4o(api_key=KEY, max_retries=1)
    model._clock = FastClock()

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "could not reach Segmind" in str(error)
    assert attempts == [mode] * 2


@pytest.mark.parametrize("mode", MODES)
def test_a_proxy_url_with_port_99999_is_a_segmind_error(mode, clean_env, fresh_clients):
    clean_env.setenv("HTTP_PROXY", "http://127.0.0.1:99999")
    model = raw_model(f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindError), repr(error)
    assert not isinstance(error, (ExceptionGroup, OverflowError, OSError))


@pytest.mark.skipif(
    importlib.util.find_spec("socksio") is not None, reason="socksio is installed"
)
@pytest.mark.parametrize("mode", MODES)
def test_a_socks_proxy_without_socksio_is_a_setup_error(mode, clean_env, fresh_clients):
    clean_env.setenv("ALL_PROXY", f"socks5://127.0.0.1:{closed_port()}")
    model = raw_model(f"http://127.0.0.1:{closed_port()}/v1", max_retries=2)

    error = failure_of(lambda: run(model, mode))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "could not set up the HTTP client" in str(error)
    assert "billed" not in str(error)


WRAPPED_PORT = 99999 & 0xFFFF  # where httpx2's sync transport dials port 99999


def trap_on_wrapped_port() -> RawServer:
    try:
        return RawServer(sends_then_closes(b""), port=WRAPPED_PORT)
    except OSError:
        pytest.skip(f"port {WRAPPED_PORT} is in use")


@pytest.mark.parametrize("mode", MODES)
def test_a_base_url_port_99999_from_the_environment_never_sends(mode, clean_env):
    clean_env.setenv("SEGMIND_BASE_URL", "http://127.0.0.1:99999/v1")
    with trap_on_wrapped_port() as trap:
        refused_at_construction = False
        try:
            model = ChatSegmindGPT4o(api_key=KEY, max_retries=0, timeout=2.0)
        except SegmindInputError:
            refused_at_construction = True
        else:
            error = failure_of(lambda: run(model, mode))
            assert isinstance(error, SegmindError), repr(error)
            assert "ExceptionGroup" not in str(error)

    assert trap.requests == []
    assert refused_at_construction


# -- rule 9: concurrency stays within the pool's 100 connections ---------------------


@pytest.mark.parametrize("mode", MODES)
def test_300_concurrent_calls_use_at_most_100_connections(
    emulator, mode, clean_env, fresh_clients
):
    emulator.latency = 0.02
    model = new_model(emulator, max_retries=0, timeout=30.0)

    if mode == "async":

        async def all_at_once() -> list[Any]:
            calls = (model.ainvoke(f"question {n}") for n in range(300))
            return await asyncio.gather(*calls, return_exceptions=True)

        results = asyncio.run(all_at_once())
    else:
        with ThreadPoolExecutor(max_workers=150) as pool:
            results = list(
                pool.map(lambda n: model.invoke(f"question {n}"), range(300))
            )

    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert len(emulator.requests) == 300
    assert emulator.connections_opened <= _http.MAX_CONNECTIONS == 100
    assert emulator.connections_opened > 1


# -- rule 10: keepalive, proxies, clean shutdown --------------------------------------


def keepalive_options(sock: Any) -> dict[str, int]:
    found = {"SO_KEEPALIVE": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)}
    for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT"):
        if hasattr(socket, name):
            found[name] = sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, name))
    return found


def pooled_sockets(client: Any, port: int) -> list[Any]:
    """The sockets of `client`'s pooled connections to 127.0.0.1:`port`."""
    found = []
    for connection in client._transport._pool.connections:
        stream = connection._connection._network_stream
        sock = stream.get_extra_info("socket")
        if sock.getpeername()[1] == port:
            found.append(sock)
    return found


EXPECTED_TCP_KEEPALIVE = {
    name: value
    for name, value in {
        "TCP_KEEPIDLE": 60,
        "TCP_KEEPINTVL": 60,
        "TCP_KEEPCNT": 5,
    }.items()
    if hasattr(socket, name)
}


@pytest.mark.parametrize("mode", MODES)
def test_default_clients_set_tcp_keepalive(emulator, mode, clean_env, fresh_clients):
    model = new_model(emulator)

    async def call_and_look() -> list[dict[str, int]]:
        await model.ainvoke("Hi")
        client = _http.DEFAULT_CLIENTS.for_running_loop()
        return [keepalive_options(s) for s in pooled_sockets(client, emulator.port)]

    if mode == "sync":
        model.invoke("Hi")
        client = _http.DEFAULT_CLIENTS.sync()
        options = [keepalive_options(s) for s in pooled_sockets(client, emulator.port)]
    else:
        options = asyncio.run(call_and_look())

    assert options, "no pooled connection to the emulator"
    for found in options:
        assert found.pop("SO_KEEPALIVE") != 0
        assert found == EXPECTED_TCP_KEEPALIVE


def forwards(target_log: list[str]) -> Handler:
    """A plain-HTTP forward proxy: takes `POST http://host:port/path HTTP/1.1`,
    sends it on as `POST /path`, relays the answer, closes; logs request lines."""

    def handler(server: RawServer, conn: socket.socket) -> None:
        request = server.read_request(conn)
        if request is None:
            return
        head, _, body = request.partition(b"\r\n\r\n")
        request_line, *lines = head.decode("latin-1").split("\r\n")
        target_log.append(request_line)
        method, url, version = request_line.split(" ")
        parts = urlsplit(url)
        kept = [
            line
            for line in lines
            if line.split(":", 1)[0].strip().lower()
            not in ("connection", "proxy-connection", "keep-alive")
        ]
        upstream_head = "\r\n".join(
            [f"{method} {parts.path} {version}", *kept, "Connection: close"]
        )
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as up:
            up.sendall(upstream_head.encode("latin-1") + b"\r\n\r\n" + body)
            answer = b""
            while chunk := up.recv(65536):
                answer += chunk
        server.send(conn, answer)

    return handler


@pytest.mark.parametrize("mode", MODES)
def test_http_proxy_from_the_environment_carries_the_call(
    emulator, mode, clean_env, fresh_clients
):
    seen: list[str] = []
    with RawServer(forwards(seen)) as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        model = new_model(emulator)

        answer = run(model, mode)

    assert answer.content
    assert seen == [f"POST {emulator.base_url}/gpt-4o HTTP/1.1"]
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1"])
@pytest.mark.parametrize("mode", MODES)
def test_no_proxy_covering_the_host_bypasses_the_proxy(
    emulator, mode, no_proxy, clean_env, fresh_clients
):
    seen: list[str] = []
    with RawServer(forwards(seen)) as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        clean_env.setenv("NO_PROXY", no_proxy)
        model = new_model(emulator)

        answer = run(model, mode)

    assert answer.content
    assert seen == []
    assert proxy.connections == 0
    assert len(emulator.requests) == 1


def test_repeated_asyncio_runs_leave_no_resource_warning(emulator, clean_env):
    unraisable: list[str] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(repr(info.exc_value))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("error", ResourceWarning)
            model = new_model(emulator)
            for _ in range(4):
                assert asyncio.run(model.ainvoke("Hi")).content
            gc.collect()
    finally:
        sys.unraisablehook = previous_hook

    assert unraisable == []
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert _http.DEFAULT_CLIENTS._by_loop == {}  # every loop's client was closed
    assert len(emulator.requests) == 4


PYTEST_ASYNCIO_SUITE = """
    import gc

    import pytest

    from langchain_segmind import ChatSegmindGPT4o
    from langchain_segmind.transport import clients as _http
    from langchain_segmind.testing import SegmindEmulator


    @pytest.fixture(scope="module")
    def emulator():
        with SegmindEmulator() as running:
            yield running


    @pytest.mark.parametrize("n", range(3))
    async def test_ainvoke(emulator, n):
        model = ChatSegmindGPT4o(api_key=emulator.api_key, base_url=emulator.base_url)
        assert (await model.ainvoke(f"question {n}")).content


    def test_every_loop_closed_its_client(emulator):
        gc.collect()
        assert _http.DEFAULT_CLIENTS._by_loop == {}
        assert len(emulator.requests) == 3
"""
PYTEST_ASYNCIO_INI = """
    [pytest]
    asyncio_mode = auto
    asyncio_default_fixture_loop_scope = function
    filterwarnings =
        error::ResourceWarning
        error::pytest.PytestUnraisableExceptionWarning
"""


def test_no_resource_warning_under_pytest_asyncio(tmp_path: Path, clean_env):
    (tmp_path / "pytest.ini").write_text(textwrap.dedent(PYTEST_ASYNCIO_INI))
    (tmp_path / "test_loops.py").write_text(textwrap.dedent(PYTEST_ASYNCIO_SUITE))

    # Only pytest-asyncio among the installed plugins: it starts a second faster.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "asyncio"]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 passed" in output
    assert "ResourceWarning" not in output


# -- rule 11: user clients keep the deadline ------------------------------------------


@pytest.mark.parametrize("lib", [httpx2, httpx], ids=["httpx2", "httpx"])
@pytest.mark.parametrize("mode", MODES)
def test_a_user_client_without_a_timeout_still_ends_at_the_models(warm, mode, lib):
    with RawServer(never_answers) as server:
        client = user_client(lib, mode, timeout=None)
        field = "http_client" if mode == "sync" else "http_async_client"
        model = raw_model(server.base_url, timeout=0.4, **{field: client})

        start = time.monotonic()
        error = call_and_close(model, mode, client)
        elapsed = time.monotonic() - start

    assert_timed_out(error, elapsed, 0.4)
    assert len(server.requests) == 1
