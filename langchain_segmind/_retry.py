"""When to retry a failed call, and how long to wait first.

Retried: 429 (until `x-rate-limit-reset-at-utc` when Segmind sends it, else
exponential backoff), 500/502/503/504 and broken connections. Never retried:
every other status, since Segmind bills each accepted POST and those answers
would not change. Exactly `max_retries` extra attempts at most, and no wait
ever runs past the call's deadline (its start plus `timeout`).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from langchain_segmind.errors import SegmindError, SegmindRateLimitError

BASE_DELAY_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RATE_LIMIT_WAIT_SECONDS = 60.0
# An attempt always gets at least this long, even at the very deadline.
MIN_ATTEMPT_SECONDS = 0.001


class Clock:
    """Time as the retry loop sees it; tests substitute a fake one."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def now(self) -> datetime:
        """The current UTC time (to compare with rate-limit reset times)."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Wait for `seconds` without blocking the event loop."""
        await asyncio.sleep(seconds)

    def jitter(self) -> float:
        """A factor in [0.5, 1.0) that spreads out simultaneous retries."""
        return 0.5 + random.random() / 2  # noqa: S311 - not for security


SYSTEM_CLOCK = Clock()


@dataclass
class RetryBudget:
    """The retry state of one call: attempts used and the deadline."""

    max_retries: int
    timeout: float | None
    clock: Clock = field(default=SYSTEM_CLOCK)
    deadline: float | None = None
    retries_done: int = 0

    def __post_init__(self) -> None:
        if self.deadline is None and self.timeout is not None:
            self.deadline = self.clock.monotonic() + self.timeout

    def remaining(self) -> float | None:
        """Seconds left before the deadline (`None` without a timeout)."""
        if self.deadline is None:
            return None
        return max(self.deadline - self.clock.monotonic(), MIN_ATTEMPT_SECONDS)

    def delay_before_retry(self, error: SegmindError) -> float | None:
        """Seconds to wait before retrying after `error`, or `None` to give up."""
        if not error.is_retryable or self.retries_done >= self.max_retries:
            return None
        delay = self._delay_for(error)
        if self.deadline is not None and self.clock.monotonic() + delay > self.deadline:
            return None
        self.retries_done += 1
        return delay

    def _delay_for(self, error: SegmindError) -> float:
        if isinstance(error, SegmindRateLimitError) and error.reset_at is not None:
            until_reset = (error.reset_at - self.clock.now()).total_seconds()
            return min(max(until_reset, 0.0), MAX_RATE_LIMIT_WAIT_SECONDS)
        backoff = BASE_DELAY_SECONDS * 2**self.retries_done
        return float(min(backoff, MAX_BACKOFF_SECONDS) * self.clock.jitter())
