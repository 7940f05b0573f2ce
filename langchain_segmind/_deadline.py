"""The deadline of one call: `timeout` seconds from its start, retries included.

Every attempt, every wait between attempts and every poll of a queued job
draw on the same deadline, so a call ends within its `timeout` whatever the
server does: a slow connect, a late answer, a body dripping byte by byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_segmind._clock import SYSTEM_CLOCK, Clock
from langchain_segmind.errors import SegmindTimeoutError

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
        self, what: str = "a complete answer from Segmind"
    ) -> SegmindTimeoutError:
        """The error for a call out of time, naming the limit and the remedy."""
        limit = "" if self.timeout is None else f"timeout={self.timeout:g}s, "
        return SegmindTimeoutError(
            f"no {what} within the call's {limit}which bounds the whole call, "
            'retries included. Raise `timeout`, or use api_version="v2" '
            "(Segmind's queue API) for long generations."
        )
