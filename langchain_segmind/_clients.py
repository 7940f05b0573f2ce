"""The httpx clients shared by every model in the process.

Clients are created lazily: one set for synchronous calls, and one set per
event loop for async calls (a client's connections belong to the loop that
opened them, so repeated `asyncio.run` gets fresh ones). The API key is never
stored on them; it travels with each request.

Each set is a few small connection pools used in turn rather than one large
pool: httpcore's pool does work proportional to the square of its open
connections on every request, which made an `abatch` of 256 calls at 64 in
flight cost 6 s of client CPU against 0.2 s of network wait (see
docs/benchmarks.md). Splitting the connections over 8 pools divides that by
about 64.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
import threading
from collections.abc import Callable
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
    """A few clients handed out in turn, each created on first use."""

    def __init__(self, make: Callable[[], ClientT]) -> None:
        self._make: Callable[[], ClientT] = make
        self._clients: list[ClientT | None] = [None] * POOL_COUNT
        self._turns = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> ClientT:
        """The client whose turn it is."""
        index = next(self._turns) % POOL_COUNT
        client = self._clients[index]
        if client is None:
            with self._lock:
                client = self._clients[index]
                if client is None:
                    client = self._clients[index] = self._make()
        return client


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


def shared_sync_client() -> httpx.Client:
    """A pooled client for a synchronous call."""
    return _sync_clients.next()


def shared_async_client() -> httpx.AsyncClient:
    """A pooled client of the running event loop for an async call."""
    loop = asyncio.get_running_loop()
    clients = _async_clients.get(loop)
    if clients is None:
        for closed in [old for old in _async_clients if old.is_closed()]:
            del _async_clients[closed]
        clients = _async_clients[loop] = ClientSet(_async_client)
    return clients.next()
