"""The one deadline of a call (`timeout` seconds, retries included) and its clock.

Tests replace the clock (`replaced_clock`) so that waits take no real time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from langchain_segmind.errors import SegmindTimeoutError

# No call needs a day; much longer ones (past `threading.TIMEOUT_MAX`) would
# overflow the lock and socket timeouts of sync calls.
MAX_TIMEOUT_SECONDS = 24 * 3600.0
_PHASES = ("connect", "read", "write", "pool")


class Clock:
    """Monotonic time, wall time, sleeping and jitter: the one seam to time."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def now(self) -> datetime:
        """The current UTC time (rate-limit reset times are compared with it)."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Wait `seconds` without blocking the event loop."""
        await asyncio.sleep(seconds)

    def jitter(self) -> float:
        """A factor in [0.5, 1.0) that spreads out simultaneous retries."""
        return 0.5 + random.random() / 2  # noqa: S311 - not for security


_clock: Clock = Clock()


_SomeClock = TypeVar("_SomeClock", bound=Clock)


@contextmanager
def replaced_clock(clock: _SomeClock) -> Iterator[_SomeClock]:
    """Time every call made inside the block on `clock` (process-wide)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous


def current_clock() -> Clock:
    """The clock calls are timed on: the real one, or a `replaced_clock`'s."""
    return _clock


@dataclass(slots=True)  # never changed, not frozen: see `send.Call`
class Deadline:
    """When a call must be over (`at`, on `clock.monotonic()`; `None`: never).

    `queue` is the stage of a v2 call it bounds: `"submit"` (no job id yet) or
    `"job"` (an accepted job, which a timeout leaves running at Segmind).
    """

    at: float | None
    timeout: float | None
    clock: Clock
    queue: Literal["", "submit", "job"] = ""

    @classmethod
    def start(cls, timeout: float | None) -> Deadline:
        """The deadline `timeout` seconds from now (none for `None`)."""
        clock = current_clock()
        at = None if timeout is None else clock.monotonic() + timeout
        return cls(at, timeout, clock)

    def remaining(self) -> float | None:
        """Seconds left (at least a millisecond); `None` without a deadline."""
        if self.at is None:
            return None
        return max(self.at - self.clock.monotonic(), 0.001)

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.at is not None and self.clock.monotonic() >= self.at

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting `seconds` still ends before the deadline."""
        return self.at is None or self.clock.monotonic() + seconds <= self.at

    def timeouts(
        self, own: Mapping[str, float | None], spare: float = 0.0
    ) -> dict[str, float | None]:
        """HTTPX's per-phase timeouts: the client's `own`, at most the time left.

        Waiting for a free connection, or opening one (TCP and TLS), ends
        `spare` seconds sooner, while a POST can still be answered.
        """
        left = self.remaining()
        if left is None:
            return {phase: own.get(phase) for phase in _PHASES}
        wait = max(left - spare, 0.001)
        caps = {"connect": wait, "read": left, "write": left, "pool": wait}
        return {
            phase: cap if (limit := own.get(phase)) is None else min(limit, cap)
            for phase, cap in caps.items()
        }

    def error(self, what: str = "complete answer from Segmind") -> SegmindTimeoutError:
        """The error for a call out of time, naming the limit and the remedy."""
        if self.timeout is None:
            return SegmindTimeoutError(
                f"no {what}: the HTTP client timed out (the call has no "
                "`timeout` of its own)"
            )
        remedy = self.queue_remedy() or (
            'Raise `timeout`, or use api_version="v2" (Segmind\'s queue API) '
            "for long generations."
        )
        return SegmindTimeoutError(
            f"no {what} within timeout={self.timeout:g}s, which bounds the whole "
            f"call, retries included. {remedy}"
        )

    def queue_remedy(self) -> str:
        """What to do after a v2 call ran out of time at its stage; `""` for v1."""
        return {
            "": "",
            "submit": "Segmind may have accepted (and billed) the job, but its id "
            "never arrived, so it cannot be collected; raise `timeout` before "
            "calling again.",
            "job": "The job goes on at Segmind: collect it with "
            "`llm.resume(error.job)` instead of calling again, or raise `timeout`.",
        }[self.queue]
