"""The deadline of one call: `timeout` seconds from its start, retries included.

Every attempt, every wait between attempts and every poll of a queued job
draw on the same deadline, so a call ends within its `timeout` whatever the
server does: a slow connect, a late answer, a body dripping byte by byte.

HTTPX applies its timeouts per socket operation, so a byte arriving now and
then would keep a call going. An async attempt is cancelled at the deadline;
a sync one runs on sockets whose every operation is bounded by it
(`bound_socket_operations`, `running_attempt`).
"""

from __future__ import annotations

import ssl
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from langchain_segmind.errors import SegmindTimeoutError
from langchain_segmind.transport.clock import SYSTEM_CLOCK, Clock

# An attempt always gets at least this long, even at the very deadline.
MIN_ATTEMPT_SECONDS = 0.001


@dataclass(frozen=True)
class Deadline:
    """When a call must be over, on `clock.monotonic()`.

    Attributes:
        at: The monotonic time of the deadline; `None` for a call without one.
        timeout: The configured limit in seconds, quoted in the error.
        clock: The clock `at` is measured on.
    """

    at: float | None
    timeout: float | None
    clock: Clock = SYSTEM_CLOCK

    @classmethod
    def after(cls, timeout: float | None, clock: Clock = SYSTEM_CLOCK) -> Deadline:
        """The deadline `timeout` seconds from now (none for `None`)."""
        at = None if timeout is None else clock.monotonic() + timeout
        return cls(at, timeout, clock)

    def remaining(self) -> float | None:
        """Seconds left (at least `MIN_ATTEMPT_SECONDS`); `None` without a deadline."""
        if self.at is None:
            return None
        return max(self.at - self.clock.monotonic(), MIN_ATTEMPT_SECONDS)

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.at is not None and self.clock.monotonic() >= self.at

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting `seconds` still ends before the deadline."""
        return self.at is None or self.clock.monotonic() + seconds <= self.at

    def timeouts(self) -> dict[str, float | None]:
        """The remaining time as HTTPX's per-phase timeouts (connect, read...)."""
        remaining = self.remaining()
        return {
            "connect": remaining,
            "read": remaining,
            "write": remaining,
            "pool": remaining,
        }

    def error(
        self, what: str = "complete answer from Segmind", *, queued: bool = False
    ) -> SegmindTimeoutError:
        """The error for a call out of time, naming the limit and the remedy.

        Args:
            what: What did not arrive in time.
            queued: The call already runs through the queue API, so that is
                not suggested.
        """
        if self.timeout is None:
            return SegmindTimeoutError(
                f"no {what}: the HTTP client timed out (the call has no "
                "`timeout` of its own)"
            )
        remedy = "Raise `timeout`" + (
            "."
            if queued
            else ', or use api_version="v2" (Segmind\'s queue API) '
            "for long generations."
        )
        return SegmindTimeoutError(
            f"no {what} within timeout={self.timeout:g}s, which bounds the whole "
            f"call, retries included. {remedy}"
        )


# The deadline of the sync attempt running in this thread (or context).
_RUNNING: ContextVar[Deadline | None] = ContextVar("segmind_deadline", default=None)


@contextmanager
def running_attempt(deadline: Deadline) -> Iterator[None]:
    """Bound the socket operations of this thread's attempt by `deadline`."""
    token = _RUNNING.set(deadline)
    try:
        yield
    finally:
        _RUNNING.reset(token)


def bound_socket_operations(transport: Any) -> None:
    """Wrap the network backend of an httpx2 `HTTPTransport`'s pool.

    httpcore's network backend is its extension point for this, but httpx2
    builds the pool without exposing it, so it is wrapped in place. Without
    that attribute the per-phase timeouts and the check between body chunks
    still apply.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if hasattr(backend, "connect_tcp") and not isinstance(backend, _BoundedBackend):
        pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]


_BOUNDED_CLIENTS: weakref.WeakSet[Any] = weakref.WeakSet()


def bound_client_sockets(client: Any) -> None:
    """`bound_socket_operations` for every transport of a user's sync client.

    The wrapped backend acts only while one of this package's attempts runs
    (`running_attempt`), so the client's other requests are left as they were.
    """
    if client in _BOUNDED_CLIENTS:
        return
    mounts = getattr(client, "_mounts", None) or {}
    for transport in (getattr(client, "_transport", None), *mounts.values()):
        bound_socket_operations(transport)
    with suppress(TypeError):  # a client that cannot be weakly referenced
        _BOUNDED_CLIENTS.add(client)


def _bounded(timeout: float | None) -> float | None:
    deadline = _RUNNING.get()
    remaining = None if deadline is None else deadline.remaining()
    if remaining is None:
        return timeout
    return remaining if timeout is None else min(timeout, remaining)


class _BoundedStream:
    """An httpcore network stream whose every operation ends by the deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return bytes(self._stream.read(max_bytes, _bounded(timeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _BoundedStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout))
        return _BoundedStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend:
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
    ) -> _BoundedStream:
        stream = self._backend.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _BoundedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _BoundedStream:
        stream = self._backend.connect_unix_socket(
            path, _bounded(timeout), socket_options
        )
        return _BoundedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
