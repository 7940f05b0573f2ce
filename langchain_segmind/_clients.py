"""The httpx clients shared by every model in the process.

Clients are created lazily: one set for synchronous calls, and one set per
event loop for async calls (a client's connections belong to the loop that
opened them, so repeated `asyncio.run` gets fresh ones). The API key is never
stored on them; it travels with each request.

Each set is a few small connection pools rather than one large pool:
httpcore's pool does work proportional to the square of its open connections
on every request, which made an `abatch` of 256 calls at 64 in flight cost 6 s
of client CPU against 0.2 s of network wait (see docs/benchmarks.md).
Spreading the connections over 8 pools divides that by about 64.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager, nullcontext
from typing import Generic, TypeVar

import httpx

POOL_COUNT = 8
# Per pool; as many idle connections may be kept as may be open, so that a
# burst of concurrent calls reuses its connections instead of reopening them.
POOL_LIMITS = httpx.Limits(
    max_connections=32, max_keepalive_connections=32, keepalive_expiry=30.0
)

ClientT = TypeVar("ClientT", httpx.Client, httpx.AsyncClient)


class ClientSet(Generic[ClientT]):
    """A few clients, each created on first use and lent to one call at a time.

    Each client's peak of calls in flight stands for the connections it holds.
    A call goes to a client with an idle connection when there is one; only
    when every connection is busy does the least busy client open another. So
    no more connections are opened in all than calls are ever in flight at
    once, and a new one goes where there are fewest (no client holds more
    than its share).
    """

    def __init__(self, make: Callable[[], ClientT]) -> None:
        self._make: Callable[[], ClientT] = make
        self._clients: list[ClientT | None] = [None] * POOL_COUNT
        self._in_flight = [0] * POOL_COUNT
        self._peak = [0] * POOL_COUNT
        self._lock = threading.Lock()

    @contextmanager
    def lease(self) -> Iterator[ClientT]:
        """Lend a client for the duration of one call."""
        with self._lock:
            with_idle = [
                i for i in range(POOL_COUNT) if self._in_flight[i] < self._peak[i]
            ]
            index = min(with_idle or range(POOL_COUNT), key=self._in_flight.__getitem__)
            self._in_flight[index] += 1
            self._peak[index] = max(self._peak[index], self._in_flight[index])
            client = self._clients[index]
            if client is None:
                client = self._clients[index] = self._make()
        try:
            yield client
        finally:
            with self._lock:
                self._in_flight[index] -= 1


_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def _shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client (building one is costly)."""
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = httpx.create_ssl_context()
    return _ssl_context


def _sync_client() -> httpx.Client:
    return httpx.Client(limits=POOL_LIMITS, verify=_shared_ssl_context())


def _async_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(limits=POOL_LIMITS, verify=_shared_ssl_context())


_sync_clients = ClientSet(_sync_client)
# Each client's connections refer to their loop, so a weak mapping would never
# let go of a loop: closed loops are dropped explicitly instead.
_async_clients: dict[asyncio.AbstractEventLoop, ClientSet[httpx.AsyncClient]] = {}
_async_clients_lock = threading.Lock()


def sync_client(own: httpx.Client | None) -> ContextManager[httpx.Client]:
    """The client for one synchronous call: the user's own, or a shared one."""
    return nullcontext(own) if own is not None else _sync_clients.lease()


def async_client(own: httpx.AsyncClient | None) -> ContextManager[httpx.AsyncClient]:
    """The client for one async call: the user's own, or one of this loop's."""
    if own is not None:
        return nullcontext(own)
    loop = asyncio.get_running_loop()
    with _async_clients_lock:  # threads may each run their own loop
        clients = _async_clients.get(loop)
        if clients is None:
            for closed in [old for old in _async_clients if old.is_closed()]:
                del _async_clients[closed]
            clients = _async_clients[loop] = ClientSet(_async_client)
    return clients.lease()
