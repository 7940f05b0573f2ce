"""Time as the package sees it: one seam that tests replace with a fake clock."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime


class Clock:
    """Monotonic time, wall time, sleeping and jitter."""

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
