"""Virtual time for tests: waits return at once and are recorded."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from langchain_segmind.transport.deadline import Clock

# Each clock's time waited, per thread and task (a context copied at their
# start inherits what was waited before).
_WAITED: ContextVar[Mapping[int, float]] = ContextVar(
    "fake_clock_waited", default=MappingProxyType({})
)
_CLOCK_IDS = itertools.count()


class FakeClock(Clock):
    """A `Clock` on which waiting takes no real time.

    `sleep` and `asleep` return at once; they advance `monotonic` by the time
    asked for and record it in `waits` (`blocking_waits` has the `sleep`s
    alone, so a test can check that async code never blocked its loop).
    `monotonic` is the time waited so far (`waited`), so deadlines depend on
    the waits alone, not on how busy the machine is; with `real_time`, the
    real time passed is added, so a deadline still ends a call that waits on
    a real server (the emulator's clock does this). Time waited is counted
    per thread and asyncio task, as concurrent waits overlap in real time: the
    calls of a `batch` each see their own waits, not the sum of all. `now` is
    the wall clock (or the fixed `now` given) plus the time waited: rate-limit
    reset times are wall clock times. `jitter` is 1.0, so the waits are exact.

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
        self._id = next(_CLOCK_IDS)
        self.waits: list[float] = []
        self.blocking_waits: list[float] = []
        self._start = now
        self._real_start = time.monotonic() if real_time else None

    @property
    def waited(self) -> float:
        """Seconds waited so far in this thread or task (a test may add to it)."""
        return _WAITED.get().get(self._id, 0.0)

    @waited.setter
    def waited(self, seconds: float) -> None:
        _WAITED.set({**_WAITED.get(), self._id: seconds})

    def monotonic(self) -> float:
        """The seconds waited so far (with `real_time`, plus the real ones).

        Returns:
            `waited`, plus (with `real_time`) the real seconds since it was made.
        """
        if self._real_start is None:
            return self.waited
        return self.waited + time.monotonic() - self._real_start

    def now(self) -> datetime:
        """The wall clock (or the fixed start) plus the time waited.

        Returns:
            A UTC `datetime`, or one in the fixed start's time zone (if any).
        """
        start = datetime.now(UTC) if self._start is None else self._start
        return start + timedelta(seconds=self.waited)

    def sleep(self, seconds: float) -> None:
        """Record a blocking wait of `seconds` and return at once.

        Args:
            seconds: The wait asked for; added to `waits` and `blocking_waits`.
        """
        self.blocking_waits.append(seconds)
        self._wait(seconds)

    async def asleep(self, seconds: float) -> None:
        """Record a wait of `seconds` and return at once.

        Args:
            seconds: The wait asked for; added to `waits`.
        """
        self._wait(seconds)

    def jitter(self) -> float:
        """No jitter, so that waits are exact.

        Returns:
            `1.0`.
        """
        return 1.0

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waited += max(seconds, 0.0)
