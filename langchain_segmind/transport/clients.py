"""The HTTP clients calls go through: the user's own, used as given, or ours.

The default clients are shared: one for sync calls, one per event loop and
async transport, closed with the loop. They keep no cookies, set TCP keepalive,
mount the environment's proxies and never follow redirects. The sync one's
sockets are bounded by the running attempt's deadline.
"""

from __future__ import annotations

import asyncio
import atexit
import ipaddress
import os
import select
import socket
import ssl
import sys
import threading
import urllib.request
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from contextlib import suppress
from functools import cache, partial
from http.cookiejar import CookieJar, DefaultCookiePolicy
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import httpcore2
import httpx2
from pydantic import SecretStr, ValidationInfo

from langchain_segmind._version import __version__
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.transport.failures import ATTEMPT

if TYPE_CHECKING:
    import httpx

    SyncClient: TypeAlias = httpx2.Client | httpx.Client
    AsyncClient: TypeAlias = httpx2.AsyncClient | httpx.AsyncClient
else:
    SyncClient = AsyncClient = Any

USER_AGENT = f"langchain-segmind/{__version__}"
HEADERS = {"user-agent": USER_AGENT, "accept": "application/json"}
"""Sent with every request: a default client's own, a user's client's per request."""
MAX_CONNECTIONS = 100
KEEPALIVE_EXPIRY_SECONDS = 5.0
# NAT gateways drop idle connections after 120-350 s: probe well before that.
_PROBES = {"TCP_KEEPIDLE": 60, "TCP_KEEPINTVL": 60, "TCP_KEEPCNT": 5}
KEEPALIVE_OPTIONS = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)] + [
    (socket.IPPROTO_TCP, getattr(socket, name), value)
    for name, value in _PROBES.items()
    if hasattr(socket, name)
]


def environment_proxies() -> dict[str, str | None]:
    """The proxy mounts a plain `httpx2.Client()` builds from the environment."""
    proxies = urllib.request.getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if url := proxies.get(scheme):
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (item.strip() for item in proxies.get("no", "").split(",")):
        if host == "*":
            return {}
        # Unparseable: skipped, as httpx2 does.
        with suppress(httpx2.InvalidURL, ValueError):
            if host and (pattern := _no_proxy_pattern(host)) is not None:
                httpx2.URL(pattern).host  # noqa: B018  # httpx2's mount reads it
                mounts[pattern] = None
    return mounts


def _no_proxy_pattern(host: str) -> str | None:
    """httpx2's mount pattern for a `NO_PROXY` entry; skipped if `None` or invalid."""
    if "://" in host:
        return host
    address, _, network = host.partition("/")
    version = 0
    with suppress(ValueError):
        version = ipaddress.ip_address(address).version
    if network:
        # A network: httpx2 skips one not written `address/bits` (`example.com/8` too).
        if not network.isdigit() or "%" in host:
            return None
        ipaddress.ip_network(f"{address.strip('[]')}/{network}", strict=False)
    if version == 6:
        return f"all://[{address}]" + (f"/{network}" if network else "")
    if version == 4 or host.startswith("[") or host.lower() == "localhost":
        return f"all://{host}"
    if "/" in host:
        return None
    if host.startswith("*."):
        return f"all://{host}"  # its subdomains only
    return f"all://*{host}"  # the host and its subdomains


def _bounded(
    timeout: float | None, timed_out: type[Exception] = httpcore2.ReadTimeout
) -> float | None:
    attempt = ATTEMPT.get()
    if attempt is None or (at := attempt.deadline.at) is None:
        return timeout
    if (remaining := at - attempt.deadline.clock.monotonic()) <= 0:
        raise timed_out("the call's timeout has passed")
    return remaining if timeout is None else min(timeout, remaining)


# A socket that always has bytes ready (a flood of interim answers) would never
# time out a read, however short.
class _BoundedStream(httpcore2.NetworkStream):
    """A sync socket whose every operation ends by the attempt's deadline.

    `raw_socket` is read and written directly (httpcore2's stream costs more);
    TLS inside a proxy's TLS has none and goes through httpcore2's stream.
    """

    def __init__(
        self, stream: httpcore2.NetworkStream, raw_socket: socket.socket | None
    ) -> None:
        self._stream = stream
        self._socket = raw_socket
        # No frame of ours when the pool asks about the socket (httpcore2 2.16
        # asks every idle connection on each request).
        self.close = stream.close  # type: ignore[method-assign]
        self.get_extra_info = stream.get_extra_info  # type: ignore[method-assign]

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._socket is None:
            return self._stream.read(max_bytes, _bounded(timeout))
        try:
            self._socket.settimeout(_bounded(timeout))
            return self._socket.recv(max_bytes)
        except TimeoutError as error:  # an OSError: caught first
            raise httpcore2.ReadTimeout(error) from error
        except OSError as error:
            raise httpcore2.ReadError(error) from error

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        bounded = _bounded(timeout, httpcore2.WriteTimeout)
        if self._socket is None or not buffer:  # empty: sendall would send it
            return self._stream.write(buffer, bounded)
        try:
            self._socket.settimeout(bounded)
            self._socket.sendall(buffer)
        except TimeoutError as error:
            raise httpcore2.WriteTimeout(error) from error
        except OSError as error:
            raise httpcore2.WriteError(error) from error

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        bounded = _bounded(timeout, httpcore2.ConnectTimeout)
        tls = self._stream.start_tls(ssl_context, server_hostname, bounded)
        _tls_pending(False)
        tunnel = self._socket is None or isinstance(self._socket, ssl.SSLSocket)
        return _BoundedStream(tls, None if tunnel else tls.get_extra_info("socket"))


def _tls_pending(pending: bool) -> None:
    if (attempt := ATTEMPT.get()) is not None:
        attempt.tls_pending = pending and attempt.https


# The backends set the socket options: httpcore2 before 2.17 passes none to a
# proxy's connections.
class _SyncBackend(httpcore2.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        stream = super().connect_tcp(
            host,
            port,
            _bounded(timeout, httpcore2.ConnectTimeout),
            local_address,
            KEEPALIVE_OPTIONS,
        )
        _tls_pending(True)
        return _BoundedStream(stream, stream.get_extra_info("socket"))


class _AsyncBackend(httpcore2.AsyncNetworkBackend):
    """asyncio's own streams.

    anyio's, httpcore2's default, enter a cancel scope and yield to the event
    loop on every read and write: about an eighth of an `ainvoke`'s CPU time.
    """

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(loop=loop)
        protocol = _Protocol(reader, loop=loop)
        race: dict[str, Any] = {}
        if isinstance(loop, asyncio.BaseEventLoop) and not _is_address(host):
            # As anyio's, when a name has addresses to race (a family may
            # hang). Other loops (uvloop's) take no `happy_eyeballs_delay`.
            race["happy_eyeballs_delay"] = 0.25
        opened = loop.create_connection(lambda: protocol, host, port, **race)
        transport, _ = await _within(
            timeout, opened, httpcore2.ConnectTimeout, httpcore2.ConnectError
        )
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        for option in KEEPALIVE_OPTIONS:
            writer.get_extra_info("socket").setsockopt(*option)
        _tls_pending(True)
        return _AsyncStream(reader, writer, protocol)


class _Protocol(asyncio.StreamReaderProtocol):
    """asyncio's, counting the bytes received that no read has taken yet."""

    unread = 0

    def data_received(self, data: bytes) -> None:
        self.unread += len(data)
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        # A server that answers early (a 413 to a large prompt) and then resets
        # the connection: its answer is read first, then the end, as the sync
        # socket does (asyncio's reader raises before what it holds).
        super().connection_lost(None if self.unread else exc)


class _AsyncStream(httpcore2.AsyncNetworkStream):
    """A default async client's connection, its failures httpcore2's exceptions."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        protocol: _Protocol,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        reading = self._reader.read(max_bytes)
        data = await _within(
            timeout, reading, httpcore2.ReadTimeout, httpcore2.ReadError
        )
        self._protocol.unread -= len(data)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._writer.write(buffer)
        draining = self._writer.drain()
        await _within(timeout, draining, httpcore2.WriteTimeout, httpcore2.WriteError)

    async def aclose(self) -> None:
        # Not close(): over TLS it waits for the server's close_notify, which
        # a loop ending next never reads, and the socket is left open.
        self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        handshake = self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        try:
            await _within(
                timeout, handshake, httpcore2.ConnectTimeout, httpcore2.ConnectError
            )
        except BaseException:  # failed or cancelled
            # asyncio's own start_tls closes the socket too; uvloop's is not known to.
            self._writer.close()
            raise
        _tls_pending(False)
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # asked of an idle connection: closed by the server?
            # Bytes or an end the loop has not yet read (it may have been
            # blocked) count too, as bytes it read that no answer asked for.
            reader = self._reader
            return (
                self._protocol.unread > 0
                or reader.exception() is not None
                or reader.at_eof()
                or _readable(self._writer.get_extra_info("socket"))
            )
        names = {"client_addr": "sockname", "server_addr": "peername"}
        return self._writer.get_extra_info(names.get(info, info))


def _readable(sock: Any) -> bool:
    if (fd := sock.fileno()) < 0:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_T = TypeVar("_T")


async def _within(
    timeout: float | None,
    step: Awaitable[_T],
    timed_out: type[Exception],
    failed: type[Exception],
) -> _T:
    try:
        if timeout is None:  # a timeout block costs a few µs even without one
            return await step
        async with asyncio.timeout(timeout):
            return await step
    except TimeoutError as error:  # an OSError: caught first
        raise timed_out(error) from error
    except OSError as error:  # `ssl.SSLError` among them
        raise failed(error) from error


class _ResponseStream(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    def __init__(self, response: httpcore2.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        return self._response.iter_stream()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._response.aiter_stream()

    def close(self) -> None:
        self._response.close()

    async def aclose(self) -> None:
        await self._response.aclose()


class _PoolTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """An httpx2 transport over an httpcore2 pool built with our backend."""

    def __init__(self, proxy: str | None, *, sync: bool, trust_env: bool) -> None:
        pool: Any = httpcore2.ConnectionPool if sync else httpcore2.AsyncConnectionPool
        self._pool = pool(
            ssl_context=_ssl_context(trust_env),
            proxy=None if proxy is None else _core_proxy(proxy),
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_CONNECTIONS,
            keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
            network_backend=_SyncBackend() if sync else _AsyncBackend(),
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._response(self._pool.handle_request(self._request(request)))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        core = self._request(request)
        return self._response(await self._pool.handle_async_request(core))

    def close(self) -> None:
        self._pool.close()

    async def aclose(self) -> None:
        await self._pool.aclose()

    @staticmethod
    def _request(request: httpx2.Request) -> httpcore2.Request:
        url = request.url
        return httpcore2.Request(
            method=request.method,
            url=httpcore2.URL(
                scheme=url.raw_scheme,
                host=url.raw_host,
                port=url.port,
                target=url.raw_path,
            ),
            headers=request.headers.raw,
            content=cast("Iterable[bytes] | AsyncIterable[bytes]", request.stream),
            extensions=request.extensions,
        )

    @staticmethod
    def _response(response: httpcore2.Response) -> httpx2.Response:
        # Without the server's reason phrase, httpx2 logs the standard one: a
        # server echoing the key in its status line must not reach the log.
        extensions = dict(response.extensions)
        extensions.pop("reason_phrase", None)
        return httpx2.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response),
            extensions=extensions,
        )


def _ssl_context(trust_env: bool) -> ssl.SSLContext:
    """One context per CA setting: loading the CA bundle takes about 20 ms."""
    where = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _cached_ssl_context(trust_env, where)
    if type(context) is ssl.SSLContext:
        return context
    # truststore's (macOS, Windows) locks for each whole handshake: one a client.
    return httpx2.create_ssl_context(trust_env=trust_env)


@cache  # shared by every event loop's client: a context is thread-safe
def _cached_ssl_context(
    trust_env: bool, _where: tuple[str | None, str | None]
) -> ssl.SSLContext:
    return httpx2.create_ssl_context(trust_env=trust_env)


def _core_proxy(url: str) -> httpcore2.Proxy:
    """httpcore2's proxy for `url`, its credentials sent as httpx2 sends them."""
    proxy = httpx2.Proxy(url)
    if proxy.url.scheme.startswith("socks") and not find_spec("socksio"):
        # Else the request fails in httpcore2, as if it may have been sent.
        raise ImportError(
            f'a {proxy.url.scheme}:// proxy needs socksio: pip install "httpx2[socks]"'
        )
    return httpcore2.Proxy(
        url=str(proxy.url), auth=proxy.raw_auth, headers=proxy.headers.raw
    )


def check_aiohttp_installed() -> None:
    """Raise `SegmindInputError` unless the `aiohttp` extra is installed."""
    try:
        import aiohttp  # noqa: F401
        import httpx_aiohttp.httpx2  # noqa: F401
    except ImportError as error:
        raise SegmindInputError(
            'async_transport="aiohttp" needs the aiohttp extra: '
            'pip install "langchain-segmind[aiohttp]"'
        ) from error


def _aiohttp_transport(
    proxy: str | None, *, trust_env: bool
) -> httpx2.AsyncBaseTransport:
    import aiohttp
    from httpx_aiohttp.httpx2 import AiohttpTransport

    if proxy is not None and not proxy.lower().startswith(("http://", "https://")):
        raise SegmindInputError(
            f"the aiohttp transport cannot use the proxy {proxy.split('://')[0]}://"
            ' from the environment; use async_transport="httpx2" with '
            '`pip install "httpx2[socks]"` for SOCKS proxies'
        )

    def keepalive_socket(addr_info: Any) -> socket.socket:
        sock = socket.socket(*addr_info[:3])  # family, type, protocol
        for option in KEEPALIVE_OPTIONS:
            sock.setsockopt(*option)
        return sock

    context = _ssl_context(trust_env)

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=MAX_CONNECTIONS,
            keepalive_timeout=KEEPALIVE_EXPIRY_SECONDS,
            ssl=context,
            socket_factory=keepalive_socket,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            # An answer's head as long as httpcore2 reads (aiohttp's: 8190 bytes).
            max_line_size=100 * 1024,
            max_field_size=100 * 1024,
        )

    return AiohttpTransport(
        verify=context,
        proxy=None if proxy is None else httpx2.Proxy(proxy),
        client=session,
    )


def _new_client(kind: str, *, environment: bool) -> Any:
    """A default client: `"sync"`, or async over `"httpx2"` or `"aiohttp"`."""
    make: Callable[[str | None], Any] = (
        partial(_aiohttp_transport, trust_env=environment)
        if kind == "aiohttp"
        else partial(_PoolTransport, sync=kind == "sync", trust_env=environment)
    )
    client_class = httpx2.Client if kind == "sync" else httpx2.AsyncClient
    try:
        mounts: dict[str, Any] = {}
        for pattern, proxy in (environment_proxies() if environment else {}).items():
            try:
                mounts[pattern] = None if proxy is None else make(proxy)
            except (ValueError, ImportError, httpx2.InvalidURL) as error:
                # A bad proxy URL, SOCKS without socksio: only the requests routed
                # to it fail, before sending; those NO_PROXY sends elsewhere go.
                mounts[pattern] = httpx2.MockTransport(partial(_refuse, error))
        return client_class(
            transport=make(None),
            mounts=mounts,
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            headers=HEADERS,
            timeout=None,  # each call's deadline sets the per-phase timeouts
        )
    except (OSError, ValueError, httpx2.HTTPError, httpx2.InvalidURL) as error:
        raise _setup_error(error) from error  # a missing SSL_CERT_FILE, say


def _refuse(error: Exception, request: httpx2.Request) -> httpx2.Response:
    raise _setup_error(error) from error


def _setup_error(error: Exception) -> SegmindInputError:
    if isinstance(error, SegmindInputError):
        return SegmindInputError(error.message)
    return SegmindInputError(
        f"could not set up the HTTP client ({type(error).__name__}: {error}); "
        "check the proxy and certificate settings of the environment"
    )


# Each loop holds its own clients, so that a loop dropped without being closed
# is freed with them (a dict of ours keyed by loops would keep every one alive).
_HELD_BY_LOOP = "_langchain_segmind_clients"
_LoopClients: TypeAlias = dict[
    tuple[object, str],
    tuple[httpx2.AsyncClient, AsyncGenerator[None], Callable[[], object]],
]


class DefaultClients:
    """The shared clients: one for sync calls, one per running loop and transport."""

    def __init__(self, *, environment: bool) -> None:
        self._environment = environment
        self.reset()

    def reset(self) -> None:
        """Forget every client without touching it (in a forked child, say)."""
        self._lock = threading.Lock()
        self._sync: httpx2.Client | None = None
        self._generation = object()  # the key of this set's clients on a loop
        self._loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        # Loops that take no attributes (no `__dict__`), until they close.
        self._unattachable: dict[asyncio.AbstractEventLoop, _LoopClients] = {}

    def sync(self) -> httpx2.Client:
        """The client of sync calls, built on first use."""
        with self._lock:
            if self._sync is None:
                self._sync = _new_client("sync", environment=self._environment)
            return self._sync

    def for_running_loop(self, backend: str) -> httpx2.AsyncClient:
        """The running loop's client on `backend`, closed with the loop."""
        loop = asyncio.get_running_loop()
        key = (self._generation, backend)
        held = getattr(loop, _HELD_BY_LOOP, None) or self._unattachable.get(loop, {})
        if key in held:
            return held[key][0]
        with self._lock:  # threads may each run a loop of their own
            for old in [old for old in self._unattachable if old.is_closed()]:
                del self._unattachable[old]
            for old in [old for old in self._loops if old.is_closed()]:
                vars(old).pop(_HELD_BY_LOOP, None)  # its clients, as it is kept
            try:
                held = vars(loop).setdefault(_HELD_BY_LOOP, {})
                self._loops.add(loop)
            except TypeError:
                held = self._unattachable.setdefault(loop, {})
            # Those another set closed (a capture block's): their loop goes on.
            for stale in [k for k, entry in held.items() if entry[0].is_closed]:
                del held[stale]
            client: httpx2.AsyncClient = _new_client(
                backend, environment=self._environment
            )
            # In the loop: the one task closing the client, made when first asked.
            close_once = cache(lambda: asyncio.ensure_future(client.aclose()))

            async def close_at_shutdown() -> AsyncGenerator[None]:
                try:
                    yield
                finally:
                    held.pop(key, None)
                    closing = close_once()
                    # `asyncio.run` cancels a closing begun as the loop ended.
                    await (client.aclose() if closing.cancelled() else closing)

            # Run to its `yield`, the loop knows it: `shutdown_asyncgens` (as
            # in `asyncio.run`) closes it, running the `finally`.
            closer = close_at_shutdown()
            with suppress(StopIteration):
                closer.asend(None).send(None)
            held[key] = (client, closer, close_once)
        return client

    def close(self) -> None:
        """Close the sync client now, and each async one in its loop, soon."""
        if self._sync is not None:
            self._sync.close()
        with self._lock:
            loops = {*self._loops, *self._unattachable}
        for loop in loops:
            held = self._unattachable.get(loop) or getattr(loop, _HELD_BY_LOOP, {})
            for (generation, _), (_, _, close_once) in list(held.items()):
                if generation is self._generation and not loop.is_closed():
                    loop.call_soon_threadsafe(close_once)  # shutdown awaits it


# A capture of the default clients hands its route ("<base URL> <key>") to the
# processes started while it runs, spawned ones too, which share no memory.
ROUTE_VARIABLE = "LANGCHAIN_SEGMIND_EMULATOR_ROUTE"
DEFAULT_CLIENTS = DefaultClients(environment=ROUTE_VARIABLE not in os.environ)
atexit.register(lambda: DEFAULT_CLIENTS.close())  # its sockets, before exit
if hasattr(os, "register_at_fork"):
    # The child must not write on its parent's sockets, nor wait on a lock
    # another thread held at the fork.
    os.register_at_fork(after_in_child=lambda: DEFAULT_CLIENTS.reset())


# Where default-client requests really go while an emulator captures them
# (`SegmindEmulator.capture_default_clients`, which also swaps in default
# clients of its own), `None` otherwise.
Route: TypeAlias = Callable[[str, SecretStr | None], tuple[str, SecretStr | None]]
captured_route: Route | None = None


def active_route() -> Route | None:
    """The route of default-client requests, while an emulator captures them."""
    return captured_route or _inherited_route()


@cache
def _inherited_route() -> Route | None:
    """The route of the emulator block that started this process, if any."""
    if not (inherited := os.environ.get(ROUTE_VARIABLE)):
        return None
    from langchain_segmind.testing._emulator import route_to

    base_url, _, api_key = inherited.partition(" ")
    return route_to(base_url, api_key)


def check_client(client: object, info: ValidationInfo) -> Any:
    """Accept an httpx2 (or legacy httpx) client of the field's kind, or `None`."""
    field = str(info.field_name)
    kind = "AsyncClient" if field == "http_async_client" else "Client"
    legacy = sys.modules.get("httpx")  # imported by whoever built a legacy client
    for library in (httpx2, legacy):
        if client is None or isinstance(client, getattr(library, kind, ())):
            return client
    raise SegmindInputError(
        f"{field} must be an httpx2.{kind} (or a legacy httpx.{kind}), got "
        f"{type(client).__name__}"
    )
