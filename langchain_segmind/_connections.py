"""The package's own keep-alive connections to Segmind, sync and async.

A chat call is one small JSON request and one answer, so the default path
does not go through httpx: a request is encoded by `_http1`, written on a
pooled connection and read back, which costs about a tenth of httpx's CPU
(see docs/benchmarks.md). httpx still serves every call that needs more than
that: a client the user passed in, a proxy, a URL with credentials or a
non-ASCII host (`_routing` decides).

Pools are keyed by origin. Synchronous connections are shared by the whole
process; async ones belong to the event loop that opened them, so each loop
has its own pools. A pool keeps idle connections for reuse and opens a new
one only when none is idle, so no more connections are open than calls are
in flight. The API key is never stored here: it is in each request's bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from langchain_segmind._http1 import (
    ExchangeError,
    MalformedResponseError,
    Response,
    ResponseReader,
)

MAX_IDLE_CONNECTIONS = 128
"""Per pool; enough for the concurrency of a large `abatch`."""

IDLE_EXPIRY_SECONDS = 30.0
"""An idle connection older than this is closed rather than reused, before a
server or load balancer drops it on its own."""

_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Origin:
    """Where a connection goes: scheme, host and port."""

    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        """Whether connections to this origin use TLS."""
        return self.scheme == "https"


def _fresh(idle_since: float) -> bool:
    return time.monotonic() - idle_since <= IDLE_EXPIRY_SECONDS


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


def _quiet(sock: _HasFileno | None) -> bool:
    """Whether an idle connection's socket has nothing to read.

    An idle connection has nothing to read unless the peer closed it (or sent
    bytes nobody asked for); either way it cannot carry another request.
    """
    if sock is None:
        return False
    try:
        fd = sock.fileno()
        if fd < 0:  # closed
            return False
        if hasattr(select, "poll"):  # select() cannot watch descriptors >= 1024
            poller = select.poll()
            poller.register(fd, select.POLLIN)  # POLLHUP and POLLERR come anyway
            return not poller.poll(0)
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


# -- synchronous -------------------------------------------------------------------


class _SyncConnection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = ResponseReader()
        self.idle_since = time.monotonic()

    def exchange(self, request: bytes, deadline: float | None) -> Response:
        self.reader.start()
        try:
            self._set_timeout(deadline)
            try:
                self.sock.sendall(request)
            except TimeoutError:
                raise
            except OSError as error:
                return self._early_answer(deadline, error)
            return self._read_answer(deadline)
        except TimeoutError:
            raise self.reader.failure(
                "no answer within the timeout", timed_out=True
            ) from None
        except MalformedResponseError as error:
            raise self.reader.failure(str(error), malformed=True) from None
        except OSError as error:
            raise self.reader.failure(f"{type(error).__name__}: {error}") from None

    def _read_answer(self, deadline: float | None) -> Response:
        while True:
            self._set_timeout(deadline)
            data = self.sock.recv(_READ_SIZE)
            if not data:
                return self.reader.eof()
            response = self.reader.feed(data)
            if response is not None:
                return response

    def _early_answer(self, deadline: float | None, send_error: OSError) -> Response:
        """The answer a server sent before it stopped reading the request.

        A server may refuse a large body part way (413, 401) and close: its
        answer is what the caller needs, not the broken pipe.

        Raises:
            OSError: `send_error`, when no whole answer can be read.
        """
        try:
            response = self._read_answer(deadline)
        except (OSError, ExchangeError, MalformedResponseError):
            raise send_error from None
        return replace(response, reusable=False)

    def _set_timeout(self, deadline: float | None) -> None:
        seconds = _remaining(deadline)
        if seconds == 0.0:  # a zero timeout would make the socket non-blocking
            raise TimeoutError
        self.sock.settimeout(seconds)

    def usable(self) -> bool:
        """Whether an idle connection can carry another request.

        An idle connection has nothing to read unless the peer closed it.
        """
        return _fresh(self.idle_since) and _quiet(self.sock)

    def close(self) -> None:
        self.sock.close()


class SyncPool:
    """Keep-alive connections to one origin, shared by threads."""

    def __init__(self, origin: Origin, tls: Callable[[], ssl.SSLContext]) -> None:
        self.origin = origin
        self._tls = tls
        self._idle: deque[_SyncConnection] = deque()
        self._lock = threading.Lock()
        self.opened = 0

    def exchange(self, request: bytes, timeout: float | None) -> Response:
        """Send `request` and read its whole response.

        Raises:
            ExchangeError: It could not be sent, or its answer not read whole.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        connection = self._take_idle() or self._open(deadline)
        try:
            response = connection.exchange(request, deadline)
        except BaseException:
            connection.close()
            raise
        self._give_back(connection, response.reusable)
        return response

    def _take_idle(self) -> _SyncConnection | None:
        with self._lock:
            while self._idle:
                connection = self._idle.pop()
                if connection.usable():
                    return connection
                connection.close()
        return None

    def _open(self, deadline: float | None) -> _SyncConnection:
        origin = self.origin
        try:
            sock = socket.create_connection(
                (origin.host, origin.port), timeout=_remaining(deadline)
            )
        except TimeoutError:
            raise ExchangeError("could not connect in time", timed_out=True) from None
        except (OSError, ValueError) as error:  # ValueError: a host IDNA refuses
            raise ExchangeError(f"{type(error).__name__}: {error}") from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.tls:
                seconds = _remaining(deadline)
                if seconds == 0.0:
                    raise TimeoutError
                sock.settimeout(seconds)
                sock = self._tls().wrap_socket(sock, server_hostname=origin.host)
        except TimeoutError:
            sock.close()
            raise ExchangeError("TLS handshake timed out", timed_out=True) from None
        except OSError as error:
            sock.close()
            raise ExchangeError(f"{type(error).__name__}: {error}") from None
        self.opened += 1
        return _SyncConnection(sock)

    def _give_back(self, connection: _SyncConnection, reusable: bool) -> None:
        if reusable:
            connection.idle_since = time.monotonic()
            with self._lock:
                if len(self._idle) < MAX_IDLE_CONNECTIONS:
                    self._idle.append(connection)
                    return
        connection.close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            while self._idle:
                self._idle.pop().close()


# -- asyncio -----------------------------------------------------------------------


class _AsyncConnection(asyncio.Protocol):
    def __init__(self) -> None:
        self.reader = ResponseReader()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._answer: asyncio.Future[Response] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        answer = self._answer
        if answer is None or answer.done():
            self.close()  # bytes nobody asked for: the connection is unusable
            return
        try:
            response = self.reader.feed(data)
        except MalformedResponseError as error:
            answer.set_exception(self.reader.failure(str(error), malformed=True))
            self.close()
            return
        if response is not None:
            answer.set_result(response)

    def eof_received(self) -> None:
        self._settle_at_end()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._settle_at_end(exc)

    def _settle_at_end(self, exc: Exception | None = None) -> None:
        answer = self._answer
        if answer is None or answer.done():
            return
        if exc is not None:
            answer.set_exception(self.reader.failure(f"{type(exc).__name__}: {exc}"))
            return
        try:
            answer.set_result(self.reader.eof())
        except ExchangeError as error:
            answer.set_exception(error)
        except MalformedResponseError as error:  # a body that cannot be decoded
            answer.set_exception(self.reader.failure(str(error), malformed=True))

    def _time_out(self) -> None:
        answer = self._answer
        if answer is not None and not answer.done():
            answer.set_exception(
                self.reader.failure("no answer within the timeout", timed_out=True)
            )
            self.close()

    async def exchange(self, request: bytes, timeout: float | None) -> Response:
        assert self.transport is not None
        if self.closed or self.transport.is_closing():
            # Closed by the peer between connecting and now: a write would be
            # dropped silently, and the call would wait out its timeout.
            raise ExchangeError("the connection closed before the request was sent")
        loop = asyncio.get_running_loop()
        self.reader.start()
        answer: asyncio.Future[Response] = loop.create_future()
        self._answer = answer
        timer = None if timeout is None else loop.call_later(timeout, self._time_out)
        try:
            self.transport.write(request)
            return await answer
        finally:
            self._answer = None
            if timer is not None:
                timer.cancel()

    def usable(self) -> bool:
        # The loop may not have run since the peer closed: ask the socket too.
        return (
            not self.closed
            and self.transport is not None
            and not self.transport.is_closing()
            and _fresh(self.idle_since)
            and _quiet(self.transport.get_extra_info("socket"))
        )

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class AsyncPool:
    """Keep-alive connections to one origin, for one event loop."""

    def __init__(self, origin: Origin, tls: Callable[[], ssl.SSLContext]) -> None:
        self.origin = origin
        self._tls = tls
        self._idle: list[_AsyncConnection] = []
        self.opened = 0

    async def exchange(self, request: bytes, timeout: float | None) -> Response:
        """Send `request` and read its whole response.

        Raises:
            ExchangeError: It could not be sent, or its answer not read whole.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        connection = self._take_idle() or await self._open(timeout)
        try:
            response = await connection.exchange(request, _remaining(deadline))
        except BaseException:  # cancelled mid-answer too: the stream is unknown
            connection.close()
            raise
        if response.reusable and len(self._idle) < MAX_IDLE_CONNECTIONS:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return response

    def _take_idle(self) -> _AsyncConnection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable():
                return connection
            connection.close()
        return None

    async def _open(self, timeout: float | None) -> _AsyncConnection:
        origin = self.origin
        loop = asyncio.get_running_loop()
        try:
            connecting = loop.create_connection(
                _AsyncConnection,
                origin.host,
                origin.port,
                ssl=self._tls() if origin.tls else None,
            )
            _, connection = await asyncio.wait_for(connecting, timeout)
        except TimeoutError:
            raise ExchangeError("could not connect in time", timed_out=True) from None
        except (OSError, ValueError) as error:  # ValueError: a host IDNA refuses
            raise ExchangeError(f"{type(error).__name__}: {error}") from None
        self.opened += 1
        return connection

    def close(self) -> None:
        """Close every idle connection."""
        while self._idle:
            self._idle.pop().close()


# -- the pools of the process ------------------------------------------------------


class PoolRegistry:
    """Every pool of the process: one per origin, and per event loop for async."""

    def __init__(self, tls: Callable[[], ssl.SSLContext]) -> None:
        self._tls = tls
        self._lock = threading.Lock()
        self._sync: dict[Origin, SyncPool] = {}
        self._async: dict[asyncio.AbstractEventLoop, dict[Origin, AsyncPool]] = {}
        self._closers: dict[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = {}

    def sync_pool(self, origin: Origin) -> SyncPool:
        """The process's pool for `origin`."""
        pool = self._sync.get(origin)
        if pool is None:
            with self._lock:
                pool = self._sync.setdefault(origin, SyncPool(origin, self._tls))
        return pool

    def async_pool(self, origin: Origin) -> AsyncPool:
        """The running loop's pool for `origin`."""
        loop = asyncio.get_running_loop()
        pools = self._async.get(loop)
        if pools is None:
            with self._lock:  # threads may each run their own loop
                for closed in [old for old in self._async if old.is_closed()]:
                    del self._async[closed]
                    self._closers.pop(closed, None)
                pools = self._async.get(loop)
                if pools is None:
                    pools = self._async[loop] = {}
                    self._closers[loop] = _close_at_loop_shutdown(pools)
        pool = pools.get(origin)
        if pool is None:
            pool = pools[origin] = AsyncPool(origin, self._tls)
        return pool

    def forget_all(self) -> None:
        """Drop every pool: in a forked child, the parent's sockets are not ours.

        Takes no lock: another thread of the parent may have held it at the
        fork, and in the child nothing would ever release it.
        """
        self._lock = threading.Lock()
        self._sync = {}
        self._async = {}
        self._closers = {}


def _close_at_loop_shutdown(
    pools: dict[Origin, AsyncPool],
) -> AsyncGenerator[None, None]:
    """Close `pools`' idle connections when their event loop shuts down.

    A connection must be closed while its loop still runs; once the loop is
    closed, only the garbage collector releases it, with a ResourceWarning.
    `asyncio.run` (like any owner calling `loop.shutdown_asyncgens()`) closes
    every async generator the loop has seen start, while the loop still runs:
    the one returned here, started on the spot, closes the pools then.
    """

    async def close_when_closed() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            for pool in pools.values():
                pool.close()

    closer = close_when_closed()
    with contextlib.suppress(StopIteration):  # it stops at its `yield`
        closer.asend(None).send(None)
    return closer
