"""Virtual time for tests: waits return at once and are recorded."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from langchain_segmind.transport.deadline import Clock


class FakeClock(Clock):
    """A `Clock` on which waiting takes no real time.

    `sleep` and `asleep` return at once; they advance `monotonic` by the time
    asked for and record it in `waits` (`blocking_waits` has the `sleep`s
    alone, so a test can check that async code never blocked its loop).
    `monotonic` is the time waited so far, so deadlines depend on the waits
    alone, not on how busy the machine is; with `real_time`, the real time
    passed is added, so a deadline still ends a call that waits on a real
    server (the emulator's clock does this). `now` is the wall clock (or the
    fixed `now` given) plus the time waited: rate-limit reset times are wall
    clock times. `jitter` is 1.0, so the waits are exact.

    Install it for every call in a block with
    `langchain_segmind.transport.deadline.replaced_clock`; the
    `segmind_emulator` fixture does so (as `segmind_emulator.clock`).

    ```python
    from langchain_segmind.testing import FakeClock
    from langchain_segmind.transport.deadline import replaced_clock

    with replaced_clock(FakeClock()) as clock:
        model.invoke("hi")  # a 503 then a success: retried at once
    assert clock.waits == [0.5]
    ```

    Args:
        now: A fixed wall-clock start; `None` follows the real wall clock.
        real_time: Add the real time passed since the clock was made to
            `monotonic`.
    """

    def __init__(self, now: datetime | None = None, *, real_time: bool = False) -> None:
        self.waited = 0.0
        self.waits: list[float] = []
        self.blocking_waits: list[float] = []
        self._start = now
        self._real_start = time.monotonic() if real_time else None

    def monotonic(self) -> float:
        """The seconds waited so far (with `real_time`, plus the real ones)."""
        if self._real_start is None:
            return self.waited
        return self.waited + time.monotonic() - self._real_start

    def now(self) -> datetime:
        """The wall clock (or the fixed start) plus the time waited."""
        start = datetime.now(UTC) if self._start is None else self._start
        return start + timedelta(seconds=self.waited)

    def sleep(self, seconds: float) -> None:
        """Record a blocking wait of `seconds` and return at once."""
        self.blocking_waits.append(seconds)
        self._wait(seconds)

    async def asleep(self, seconds: float) -> None:
        """Record a wait of `seconds` and return at once."""
        self._wait(seconds)

    def jitter(self) -> float:
        """No jitter: 1.0."""
        return 1.0

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waited += max(seconds, 0.0)
