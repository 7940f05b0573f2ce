"""The one module that speaks HTTP: every request goes through an HTTPX client.

By default that is an `httpx2` client the package creates lazily and shares:
one per process for synchronous calls, one per event loop for async calls
(closed when `asyncio.run` shuts its loop down). It has explicit limits, TCP
keepalive, and proxies from the environment exactly as a plain
`httpx2.Client()` reads them. A client the user passes (httpx2, or a legacy
`httpx` one) is used as given: its transport, proxies, hooks and mocks.

One attempt is `exchange` / `aexchange`: send the request once and read the
answer within the deadline (`_deadline`) and the size bound (`_body`); every
failure becomes a `SegmindError` that says whether the request may be sent
again (`_failures.classify`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import httpx2

from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindInputError,
    SegmindResponseError,
)
from langchain_segmind.transport.body import BoundedBody
from langchain_segmind.transport.deadline import (
    Deadline,
    bound_client_sockets,
    bound_socket_operations,
    running_attempt,
)
from langchain_segmind.transport.failures import AttemptProgress, classify

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
    bound_socket_operations(transport)
    return transport


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
    legacy = sys.modules.get("httpx")  # imported by whoever made a legacy client
    libraries = (httpx2,) if legacy is None else (httpx2, legacy)
    if client is None or any(
        isinstance(client, getattr(lib, kind)) for lib in libraries
    ):
        return client
    raise TypeError(
        f"expected an httpx2.{kind} (or a legacy httpx.{kind}), got "
        f"{type(client).__name__}"
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


def exchange(
    client: SyncClient | None, outgoing: Outgoing, deadline: Deadline
) -> RawAnswer:
    """Send `outgoing` once and read its whole answer before `deadline`.

    Raises:
        SegmindError: Every failure, classified by `_failures.classify`.
    """
    progress = AttemptProgress(deadline)
    try:
        with running_attempt(deadline):
            http: SyncClient = DEFAULT_CLIENTS.sync() if client is None else client
            if client is not None:
                bound_client_sockets(client)
            request = _build(http, outgoing, progress, progress.trace)
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                body = _answer_body(response, progress)
                if not response.is_stream_consumed:
                    for chunk in response.iter_raw():
                        body.feed(chunk)
                        if deadline.expired():
                            raise deadline.error()
                return _raw_answer(progress, body)
            finally:
                response.close()
    except Exception as error:
        failure = classify(error, progress, outgoing.method)
    # Raised outside the `except` and without the frames it passed through,
    # so no traceback shows a chained exception or a frame holding headers.
    raise failure.with_traceback(None)


async def aexchange(
    client: AsyncClient | None,
    outgoing: Outgoing,
    deadline: Deadline,
    backend: str = "httpx2",
) -> RawAnswer:
    """The async twin of `exchange`; the deadline cancels a stalled attempt.

    `backend` picks the default client's transport: `"httpx2"` or `"aiohttp"`.
    """
    progress = AttemptProgress(deadline)
    try:
        http = DEFAULT_CLIENTS.for_running_loop(backend) if client is None else client
        request = _build(http, outgoing, progress, progress.atrace)
        async with asyncio.timeout(deadline.remaining()):
            response = await http.send(request, stream=True, follow_redirects=False)
            try:
                body = _answer_body(response, progress)
                if not response.is_stream_consumed:
                    async for chunk in response.aiter_raw():
                        body.feed(chunk)
                        if deadline.expired():
                            raise deadline.error()
                return _raw_answer(progress, body)
            finally:
                await response.aclose()
    except Exception as error:
        failure = classify(error, progress, outgoing.method)
    raise failure.with_traceback(None)


def _build(http: Any, outgoing: Outgoing, progress: AttemptProgress, trace: Any) -> Any:
    request = http.build_request(
        outgoing.method,
        outgoing.url,
        headers=outgoing.headers(),
        content=outgoing.content,
    )
    request.extensions["timeout"] = progress.timeouts
    request.extensions["trace"] = trace
    return request


def _answer_body(response: Any, progress: AttemptProgress) -> BoundedBody:
    """Record the status and headers, refuse a redirect, and start the body."""
    progress.answered(response.status_code, response.headers)
    if 300 <= response.status_code < 400:
        location = progress.headers.get("location", "(no Location header)")
        raise SegmindResponseError(
            f"Segmind answered with a redirect to {location!r}; the API key is "
            "never sent on to another address. If that address is right, set "
            "`base_url` to it.",
            status_code=response.status_code,
            request_id=progress.headers.get("x-request-id"),
        )
    if response.is_stream_consumed:
        # Built in memory (a mock's answer): already read and decoded.
        body = BoundedBody(None)
        body.feed(response.content)
        return body
    return BoundedBody(progress.headers.get("content-encoding"))


def _raw_answer(progress: AttemptProgress, body: BoundedBody) -> RawAnswer:
    return RawAnswer(progress.status_code or 0, progress.headers, body.finish())
