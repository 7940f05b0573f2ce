"""When to retry a failed call, and how long to wait first.

An error says whether it may be retried (`SegmindError.is_retryable`): 429,
500/502/503/504, and a connection that failed before the request was sent.
Never retried: everything else, since Segmind bills each accepted POST.
Exactly `max_retries` extra attempts at most, and no wait ever runs past the
call's deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_segmind.errors import SegmindError, SegmindRateLimitError
from langchain_segmind.transport.deadline import Deadline

BASE_DELAY_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RATE_LIMIT_WAIT_SECONDS = 60.0


@dataclass
class RetryBudget:
    """The retry state of one call: attempts used, within its deadline."""

    max_retries: int
    deadline: Deadline
    retries_done: int = 0

    def delay_before_retry(self, error: SegmindError) -> float | None:
        """Seconds to wait before retrying after `error`, or `None` to give up."""
        if not error.is_retryable or self.retries_done >= self.max_retries:
            return None
        delay = self._delay_for(error)
        if not self.deadline.allows_wait(delay):
            return None
        self.retries_done += 1
        return delay

    def _delay_for(self, error: SegmindError) -> float:
        clock = self.deadline.clock
        if isinstance(error, SegmindRateLimitError) and error.reset_at is not None:
            until_reset = (error.reset_at - clock.now()).total_seconds()
            return min(max(until_reset, 0.0), MAX_RATE_LIMIT_WAIT_SECONDS)
        backoff = BASE_DELAY_SECONDS * 2**self.retries_done
        return float(min(backoff, MAX_BACKOFF_SECONDS) * clock.jitter())
