"""What carries requests: the package's own pools, or an httpx client.

Most calls go over the package's own keep-alive connections (`POOLS`, see
`_connections`). httpx carries the others: a client the user passed in, or,
when the URL or the environment needs more than plain HTTP/1.1 (a proxy,
credentials in the URL, a non-ASCII host), a shared client created lazily:
one for synchronous calls and one per event loop for async calls (a
client's connections belong to the loop that opened them). The API key is
never stored on a client; it travels with each request.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading

import httpx

from langchain_segmind._connections import PoolRegistry

_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every connection (building one is costly).

    It is httpx's default, so both paths trust the same certificates and honor
    `SSL_CERT_FILE` and `SSL_CERT_DIR` alike.
    """
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = httpx.create_ssl_context()
    return _ssl_context


POOLS = PoolRegistry(shared_ssl_context)

_sync_client: httpx.Client | None = None
# Each client's connections refer to their loop, so a weak mapping would never
# let go of a loop: closed loops are dropped explicitly instead.
_async_clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
_clients_lock = threading.Lock()


def _forget_after_fork() -> None:
    """In a forked child: drop the parent's connections and locks.

    The child must not write on its parent's sockets, and a lock some other
    thread of the parent held at the fork would never be released.
    """
    global _sync_client, _async_clients, _clients_lock, _ssl_lock
    POOLS.forget_all()
    _sync_client = None
    _async_clients = {}
    _clients_lock = threading.Lock()
    _ssl_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def httpx_client(own: httpx.Client | None) -> httpx.Client:
    """The httpx client for one synchronous call: the user's, or a shared one."""
    global _sync_client
    if own is not None:
        return own
    with _clients_lock:
        if _sync_client is None:
            _sync_client = httpx.Client(verify=shared_ssl_context())
        return _sync_client


def httpx_async_client(own: httpx.AsyncClient | None) -> httpx.AsyncClient:
    """The httpx client for one async call: the user's, or this loop's."""
    if own is not None:
        return own
    loop = asyncio.get_running_loop()
    with _clients_lock:  # threads may each run their own loop
        client = _async_clients.get(loop)
        if client is None:
            for closed in [old for old in _async_clients if old.is_closed()]:
                del _async_clients[closed]
            client = _async_clients[loop] = httpx.AsyncClient(
                verify=shared_ssl_context()
            )
    return client
