"""Whether a failed request is sent again, and how long to wait first.

Segmind bills every accepted POST, so a POST is repeated only when it provably
never reached Segmind, or after an error answer Segmind does not bill (429,
500, 502, 503, 504). A GET (a queue poll) is safe to repeat.
"""

from __future__ import annotations

from langchain_segmind.errors import (
    SegmindConnectionError,
    SegmindError,
    SegmindRateLimitError,
    SegmindResponseError,
)
from langchain_segmind.transport.deadline import Deadline

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
BASE_DELAY_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
MAX_RATE_LIMIT_WAIT_SECONDS = 60.0
MAX_SPARE_SECONDS = 5.0  # a POST sent at the last moment is billed, its answer lost


def should_retry(error: SegmindError, *, may_have_reached: bool, method: str) -> bool:
    """Whether the request that failed with `error` may be sent again."""
    if error.status_code in RETRYABLE_STATUSES:
        return True
    if isinstance(error, SegmindConnectionError):
        # Not when it failed locally (a closed client): `is_retryable` says so.
        return method == "GET" if may_have_reached else error.is_retryable
    return method == "GET" and isinstance(error, SegmindResponseError)


def retry_delay(
    error: SegmindError, retries_done: int, deadline: Deadline, method: str
) -> float | None:
    """Seconds before retry `retries_done + 1`: until a 429's reset, or backoff.

    `None` for a reset further off than `MAX_RATE_LIMIT_WAIT_SECONDS` (a retry
    sooner would meet the same limit), or when the deadline leaves the retry,
    after the wait, less than `spare_time` for its answer.
    """
    if isinstance(error, SegmindRateLimitError) and error.reset_at is not None:
        until_reset = (error.reset_at - deadline.clock.now()).total_seconds()
        if until_reset > MAX_RATE_LIMIT_WAIT_SECONDS:
            return None
        delay = max(until_reset, 0.0)
    else:
        backoff: float = BASE_DELAY_SECONDS * 2**retries_done
        delay = min(backoff, MAX_BACKOFF_SECONDS) * deadline.clock.jitter()
    return delay if deadline.allows_wait(delay + spare_time(deadline, method)) else None


def spare_time(deadline: Deadline, method: str) -> float:
    """What a POST needs left when it goes out: a quarter of `timeout`, at most 5 s."""
    timeout = deadline.timeout
    spare = 0.0 if method == "GET" or timeout is None else timeout / 4
    return min(spare, MAX_SPARE_SECONDS)
