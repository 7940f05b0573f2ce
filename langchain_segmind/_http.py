"""The one module that speaks HTTP: every request goes through an HTTPX client.

By default that is an `httpx2` client the package creates lazily and shares:
one per process for synchronous calls, one per event loop for async calls
(closed when `asyncio.run` shuts its loop down). It has explicit limits, TCP
keepalive, and proxies from the environment exactly as a plain
`httpx2.Client()` reads them. A client the user passes (httpx2, or a legacy
`httpx` one) is used as given: its transport, proxies, hooks and mocks.

One attempt is `exchange` / `aexchange`: send the request once, read the
answer within the deadline and the size bound, and turn every failure into a
`SegmindError` that says whether the request may be sent again (`classify`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import sys
import threading
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import httpx2

from langchain_segmind._body import BodyError, BoundedBody
from langchain_segmind._deadline import Deadline
from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    error_from_response,
)

if TYPE_CHECKING:
    import httpx

    SyncClient: TypeAlias = httpx2.Client | httpx.Client
    AsyncClient: TypeAlias = httpx2.AsyncClient | httpx.AsyncClient
else:
    SyncClient = AsyncClient = Any

MAX_CONNECTIONS = 100
LIMITS = httpx2.Limits(
    max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
)
# A call's connection sits idle until the whole answer is ready; NAT gateways
# drop idle connections after 120-350 s, so probe well before that.
KEEPALIVE_IDLE_SECONDS = 60
KEEPALIVE_INTERVAL_SECONDS = 60
KEEPALIVE_PROBES = 5
_NO_ANSWER = "Server disconnected without sending a response"


def keepalive_socket_options() -> list[tuple[int, int, int]]:
    """`SO_KEEPALIVE`, and the probe timings where the platform has them."""
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_SECONDS),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_SECONDS),
        ("TCP_KEEPCNT", KEEPALIVE_PROBES),
    ):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    return options


# -- clients ---------------------------------------------------------------------


def sync_transport(proxy: str | None = None) -> httpx2.BaseTransport:
    """The transport of the default sync client (tests replace this seam)."""
    transport = httpx2.HTTPTransport(
        proxy=proxy, limits=LIMITS, socket_options=keepalive_socket_options()
    )
    _bound_by_deadline(transport)
    return transport


# The deadline of the sync attempt running in this thread (or context).
_ATTEMPT_DEADLINE: ContextVar[Deadline | None] = ContextVar(
    "segmind_attempt_deadline", default=None
)


def _bound_by_deadline(transport: httpx2.HTTPTransport) -> None:
    """Bound every socket operation of `transport` by the running call's deadline.

    HTTPX applies its timeouts per read, so a byte arriving now and then (in
    the headers or the body) would hold a sync call past its deadline; an
    async call is cancelled instead. httpcore's network backend is its
    extension point for this, but httpx2 builds the pool without exposing it,
    so it is wrapped in place; without that attribute, the per-read timeouts
    and the check between body chunks still apply.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and hasattr(backend, "connect_tcp"):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]


def _clamped(timeout: float | None) -> float | None:
    deadline = _ATTEMPT_DEADLINE.get()
    remaining = None if deadline is None else deadline.remaining()
    if remaining is None:
        return timeout
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream:
    """A network stream whose every operation ends by the deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return bytes(self._stream.read(max_bytes, _clamped(timeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamped(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _DeadlineStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _clamped(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's sync network backend, its streams bounded by the deadline."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _DeadlineStream:
        stream = self._backend.connect_tcp(
            host, port, _clamped(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _DeadlineStream:
        stream = self._backend.connect_unix_socket(
            path, _clamped(timeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def async_transport(proxy: str | None = None) -> httpx2.AsyncBaseTransport:
    """The transport of the default async clients (tests replace this seam)."""
    return httpx2.AsyncHTTPTransport(
        proxy=proxy, limits=LIMITS, socket_options=keepalive_socket_options()
    )


def check_aiohttp_installed() -> None:
    """Raise `SegmindInputError` unless the `aiohttp` extra is installed."""
    try:
        import aiohttp  # noqa: F401
        import httpx_aiohttp.httpx2  # noqa: F401
    except ImportError:
        raise SegmindInputError(
            'async_transport="aiohttp" needs the aiohttp extra: '
            'pip install "langchain-segmind[aiohttp]"'
        ) from None


def aiohttp_transport(proxy: str | None = None) -> httpx2.AsyncBaseTransport:
    """The transport of the default async clients with `async_transport="aiohttp"`.

    aiohttp's own proxy, certificate and keepalive handling is configured like
    httpx2's: the same proxy mounts, httpx2's certificates, TCP keepalive.
    """
    check_aiohttp_installed()
    import aiohttp
    from httpx_aiohttp.httpx2 import AiohttpTransport

    def keepalive_socket(addr_info: Any) -> socket.socket:
        family, kind, proto, _name, _address = addr_info
        sock = socket.socket(family, kind, proto)
        for level, option, value in keepalive_socket_options():
            sock.setsockopt(level, option, value)
        return sock

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=MAX_CONNECTIONS,
            keepalive_timeout=LIMITS.keepalive_expiry,
            ssl=httpx2.create_ssl_context(),
            socket_factory=keepalive_socket,
        )
        return aiohttp.ClientSession(connector=connector)

    return AiohttpTransport(
        proxy=None if proxy is None else httpx2.Proxy(proxy), client=session
    )


def _environment_proxies() -> dict[str, str | None] | None:
    """The proxy mounts a plain client would build, or `None` if httpx2 hides them."""
    try:
        from httpx2._utils import get_environment_proxies
    except ImportError:  # pragma: no cover - a future httpx2 moved it
        return None
    return get_environment_proxies()


def _client_options(make_transport: Callable[[str | None], Any]) -> dict[str, Any]:
    """Keyword arguments for a default client.

    A custom transport switches HTTPX's own proxy lookup off, so the proxies
    of the environment (and `NO_PROXY`) are mounted here as it would mount
    them. Should httpx2 stop exposing that lookup, the client is built
    without keepalive options rather than without proxies.
    """
    proxies = _environment_proxies()
    if proxies is None:
        return {"limits": LIMITS}
    mounts = {
        pattern: None if proxy is None else make_transport(proxy)
        for pattern, proxy in proxies.items()
    }
    return {"transport": make_transport(None), "mounts": mounts}


def _new_client(
    kind: type[httpx2.Client] | type[httpx2.AsyncClient], backend: str = "httpx2"
) -> Any:
    if kind is httpx2.Client:
        make_transport: Callable[[str | None], Any] = sync_transport
    else:
        make_transport = aiohttp_transport if backend == "aiohttp" else async_transport
    try:
        return kind(**_client_options(make_transport), follow_redirects=False)
    except (OSError, ValueError, ImportError, httpx2.HTTPError) as error:
        # A proxy or certificate setting that cannot be used (a missing
        # SSL_CERT_FILE, an unparsable proxy URL, a SOCKS proxy without
        # socksio): the same for every call.
        failure = SegmindConnectionError(
            f"could not set up the HTTP client ({type(error).__name__}: {error}); "
            "check the proxy and certificate settings of the environment"
        )
    failure.is_retryable = False
    raise failure


_LoopKey: TypeAlias = tuple[asyncio.AbstractEventLoop, str]


class _DefaultClients:
    """The shared clients: one for sync calls, one per running event loop."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every client without touching it (in a forked child, say)."""
        self._lock = threading.Lock()
        self._sync: httpx2.Client | None = None
        self._by_loop: dict[_LoopKey, httpx2.AsyncClient] = {}
        # Async generators whose `finally` closes a loop's client when the
        # loop shuts its generators down (`asyncio.run` does).
        self._closers: dict[_LoopKey, AsyncGenerator[None, None]] = {}

    def sync(self) -> httpx2.Client:
        client = self._sync
        if client is None:
            with self._lock:
                if self._sync is None:
                    self._sync = _new_client(httpx2.Client)
                client = self._sync
        return client

    def for_running_loop(self, backend: str = "httpx2") -> httpx2.AsyncClient:
        key = (asyncio.get_running_loop(), backend)
        client = self._by_loop.get(key)
        if client is None:
            with self._lock:  # threads may each run a loop of their own
                client = self._by_loop.get(key)
                if client is None:
                    for old in [old for old in self._by_loop if old[0].is_closed()]:
                        self._forget(old)
                    client = _new_client(httpx2.AsyncClient, backend)
                    self._by_loop[key] = client
                    self._closers[key] = self._close_at_shutdown(key, client)
        return client

    def _close_at_shutdown(
        self, key: _LoopKey, client: httpx2.AsyncClient
    ) -> AsyncGenerator[None, None]:
        async def closer() -> AsyncGenerator[None, None]:
            try:
                yield
            finally:
                with self._lock:
                    self._forget(key)
                await client.aclose()

        generator = closer()
        # Run it to its `yield` now: the loop then knows it, and closes it
        # (running the `finally` above) in `shutdown_asyncgens`.
        with suppress(StopIteration):
            generator.asend(None).send(None)
        return generator

    def _forget(self, key: _LoopKey) -> None:
        self._by_loop.pop(key, None)
        self._closers.pop(key, None)


DEFAULT_CLIENTS = _DefaultClients()
if hasattr(os, "register_at_fork"):
    # The child must not write on its parent's sockets, nor wait on a lock
    # another thread of the parent held at the fork.
    os.register_at_fork(after_in_child=DEFAULT_CLIENTS.reset)


def check_sync_client(client: object) -> SyncClient | None:
    """Accept an `httpx2.Client` or a legacy `httpx.Client` (or `None`).

    Raises:
        TypeError: Another object was given.
    """
    return cast("SyncClient | None", _check_client(client, "Client"))


def check_async_client(client: object) -> AsyncClient | None:
    """Accept an `httpx2.AsyncClient` or a legacy `httpx.AsyncClient` (or `None`).

    Raises:
        TypeError: Another object was given.
    """
    return cast("AsyncClient | None", _check_client(client, "AsyncClient"))


def _check_client(client: object, kind: str) -> object:
    if client is None or any(
        isinstance(client, getattr(lib, kind)) for lib in _libraries()
    ):
        return client
    raise TypeError(
        f"expected an httpx2.{kind} (or a legacy httpx.{kind}), got "
        f"{type(client).__name__}"
    )


def _libraries() -> tuple[ModuleType, ...]:
    """httpx2, and legacy httpx when something has imported it."""
    legacy = sys.modules.get("httpx")
    return (httpx2,) if legacy is None else (httpx2, legacy)


def _is(error: BaseException, *names: str) -> bool:
    """Whether `error` is one of the named HTTPX exceptions, of either library."""
    return any(
        isinstance(error, getattr(lib, name)) for lib in _libraries() for name in names
    )


# -- one attempt -------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One request to send; `headers` builds its headers (the key among them)."""

    method: str
    url: str
    headers: Callable[[], Mapping[str, str]] = field(repr=False)
    content: bytes | None = None


@dataclass(frozen=True)
class RawAnswer:
    """An answer, read whole: status, lower-case headers, decoded body."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes


class _Progress:
    """How far one attempt got, as HTTPX's `trace` extension reports it.

    Its `timeouts` dict is the request's timeout extension; it is refreshed
    from the deadline as each phase starts, so no phase outlives the call.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.timeouts = deadline.timeouts()
        self.traced = False
        self.request_sent = False
        self.status_code: int | None = None
        self.headers: dict[str, str] = {}

    def note(self, event: str, info: Mapping[str, Any]) -> None:
        request = info.get("request")
        if getattr(request, "method", None) == b"CONNECT":
            return  # a proxy tunnel's own exchange, not ours
        self.traced = True
        if event.endswith(".started"):
            self.timeouts.update(self.deadline.timeouts())
        elif event.endswith("send_request_body.complete"):
            self.request_sent = True

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        self.note(event, info)

    async def atrace(self, event: str, info: Mapping[str, Any]) -> None:
        self.note(event, info)

    def answered(self, response: Any) -> None:
        """Record the status line and headers; refuse a redirect."""
        self.status_code = response.status_code
        self.headers = {name.lower(): value for name, value in response.headers.items()}
        self.timeouts.update(self.deadline.timeouts())
        if 300 <= response.status_code < 400:
            location = self.headers.get("location", "(no Location header)")
            raise SegmindResponseError(
                f"Segmind answered with a redirect to {location!r}; the API key is "
                "never sent on to another address. If that address is right, set "
                "`base_url` to it.",
                status_code=response.status_code,
                request_id=self.headers.get("x-request-id"),
            )

    def body(self, response: Any) -> BoundedBody:
        if response.is_stream_consumed:
            # Built in memory (a mock's answer): already read and decoded.
            body = BoundedBody(None)
            body.feed(response.content)
            return body
        return BoundedBody(self.headers.get("content-encoding"))

    def answer(self, body: BoundedBody) -> RawAnswer:
        assert self.status_code is not None
        return RawAnswer(self.status_code, self.headers, body.finish())


def exchange(
    client: SyncClient | None, outgoing: Outgoing, deadline: Deadline
) -> RawAnswer:
    """Send `outgoing` once and read its whole answer before `deadline`.

    Raises:
        SegmindError: Every failure, classified by `classify`.
    """
    progress = _Progress(deadline)
    bound = _ATTEMPT_DEADLINE.set(deadline)
    try:
        http = DEFAULT_CLIENTS.sync() if client is None else client
        request = _build(http, outgoing, progress, progress.trace)
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            progress.answered(response)
            body = progress.body(response)
            if not response.is_stream_consumed:
                for chunk in response.iter_raw():
                    body.feed(chunk)
                    if deadline.expired():
                        raise deadline.error()
            return progress.answer(body)
        finally:
            response.close()
    except Exception as error:
        failure = classify(error, progress, outgoing.method)
    finally:
        _ATTEMPT_DEADLINE.reset(bound)
    # Raised outside the `except` and without the frames it passed through,
    # so no traceback shows a chained exception or a frame holding headers.
    raise failure.with_traceback(None)


async def aexchange(
    client: AsyncClient | None,
    outgoing: Outgoing,
    deadline: Deadline,
    backend: str = "httpx2",
) -> RawAnswer:
    """The async twin of `exchange`; the deadline also cancels a stalled attempt.

    `backend` picks the default client's transport: `"httpx2"` or `"aiohttp"`.
    """
    progress = _Progress(deadline)
    try:
        http = DEFAULT_CLIENTS.for_running_loop(backend) if client is None else client
        request = _build(http, outgoing, progress, progress.atrace)
        async with asyncio.timeout(deadline.remaining()):
            response = await http.send(request, stream=True, follow_redirects=False)
            try:
                progress.answered(response)
                body = progress.body(response)
                if not response.is_stream_consumed:
                    async for chunk in response.aiter_raw():
                        body.feed(chunk)
                        if deadline.expired():
                            raise deadline.error()
                return progress.answer(body)
            finally:
                await response.aclose()
    except Exception as error:
        failure = classify(error, progress, outgoing.method)
    raise failure.with_traceback(None)


def _build(http: Any, outgoing: Outgoing, progress: _Progress, trace: Any) -> Any:
    request = http.build_request(
        outgoing.method,
        outgoing.url,
        headers=outgoing.headers(),
        content=outgoing.content,
    )
    request.extensions["timeout"] = progress.timeouts
    request.extensions["trace"] = trace
    return request


def classify(error: Exception, progress: _Progress, method: str) -> SegmindError:
    """The typed error for a failed attempt, and whether it may be retried.

    A POST is sent again only when it provably never reached the server: the
    connection failed, or it broke before the request was fully written.
    Once any byte of an answer arrived, it is not, since Segmind bills every
    accepted POST. A GET (a queue poll) may always be repeated.
    """
    repeatable = method == "GET"
    status, headers = progress.status_code, progress.headers
    request_id = headers.get("x-request-id")
    if isinstance(error, SegmindError):
        return error
    if _is(error, "HTTPStatusError"):
        # A user client's hook called `raise_for_status()`: the status decides.
        answer = error.response  # type: ignore[attr-defined]
        return error_from_response(answer.status_code, answer.headers, b"", model="")
    if isinstance(error, BodyError):
        return _not_retried(
            SegmindResponseError(
                f"{error}; the call may have been billed, so it is not retried",
                status_code=status,
                request_id=request_id,
            ),
            repeatable,
        )
    if isinstance(error, TimeoutError) or _is(error, "TimeoutException"):
        # Every phase was given the time left to the deadline: it has run out.
        return progress.deadline.error()
    if _is(error, "InvalidURL", "UnsupportedProtocol", "LocalProtocolError"):
        # The messages of these may quote the request; never the headers.
        return SegmindInputError(
            f"the request cannot be sent as given ({type(error).__name__}): "
            "check base_url and the headers"
        )
    description = f"{type(error).__name__}: {error}"
    never_sent = _is(
        error, "ConnectError", "ConnectTimeout", "PoolTimeout", "ProxyError"
    )
    if never_sent or (progress.traced and not progress.request_sent and status is None):
        return SegmindConnectionError(f"could not reach Segmind ({description})")
    if status is not None:
        return _cut_off(status, headers, description, repeatable)
    if _is(error, "RemoteProtocolError") and not str(error).startswith(_NO_ANSWER):
        return _not_retried(
            SegmindResponseError(
                f"Segmind's answer is not valid HTTP ({description}); the call may "
                "have been billed, so it is not retried"
            ),
            repeatable,
        )
    when = (
        "after the request was sent, before an answer"
        if progress.request_sent
        else "before an answer, perhaps after the request reached Segmind"
    )
    return _not_retried(
        SegmindConnectionError(
            f"the call failed {when} ({description}); it may have been billed, "
            "so it is not retried"
        ),
        repeatable,
    )


def _cut_off(
    status: int, headers: Mapping[str, str], description: str, repeatable: bool
) -> SegmindError:
    """The status line arrived, but the body broke off."""
    if repeatable:
        return SegmindConnectionError(f"the answer was cut off ({description})")
    if status >= 400:
        # An error answer is not billed: its status decides the retry.
        return error_from_response(status, headers, b"", model="")
    return SegmindResponseError(
        f"the answer was cut off before its end ({description}); the call may "
        "have been billed, so it is not retried",
        status_code=status,
        request_id=headers.get("x-request-id"),
    )


def _not_retried(error: SegmindError, repeatable: bool) -> SegmindError:
    error.is_retryable = repeatable
    return error
