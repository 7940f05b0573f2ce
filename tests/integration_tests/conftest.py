"""Shared fixtures of the integration tier: one loopback Segmind emulator.

- `emulator` (session-scoped): a running `SegmindEmulator` on 127.0.0.1, with
  the default key, credits (`STARTING_CREDITS`, 10,000) and cost per call
  (`COST_PER_CALL`, 0.0123).
- `_fresh_emulator` (autouse, function-scoped): before every test that uses
  `emulator`, directly or through another fixture, puts it back to its
  starting state (`support.reset_emulator`): request log, scripted replies,
  faults and queue jobs cleared, the starting balance, zero latency and every
  default slug active. Tests that do not use `emulator` never start it.
- `clock` (autouse): the package's `FakeClock`, installed for every call of
  the test (`replaced_clock`): retries and polls wait no real time, and
  `clock.waits` lists the waits. Tests marked `live` run on the real clock.
- `real_clock`: the system clock instead, for the tests whose point is a
  deadline in real time (a slow or dripping answer).
- `make_model(cls, **fields)`: a chat model on `emulator` (test_queue.py's
  makes v2 models; test_end_to_end.py has its own, bound to one class).

Tests that need an emulator set up otherwise (another balance or queue pace),
or one no other test touches, start their own `SegmindEmulator`. Helpers that
are not fixtures are in support.py.

Run with `--allow-hosts=127.0.0.1,localhost,::1` under pytest-socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_segmind.testing import FakeClock, SegmindEmulator
from langchain_segmind.transport.deadline import Clock, replaced_clock
from tests.integration_tests.support import (
    COST_PER_CALL,
    STARTING_CREDITS,
    ModelFactory,
    model_factory,
    reset_emulator,
)


@pytest.fixture(scope="session")
def emulator() -> Iterator[SegmindEmulator]:
    """A running emulator shared by the session, reset before each test."""
    with SegmindEmulator(
        credits=STARTING_CREDITS, cost_per_call=COST_PER_CALL
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_emulator(request: pytest.FixtureRequest) -> None:
    """Start each test that uses `emulator` from the emulator's initial state."""
    if "emulator" not in request.fixturenames:
        return
    reset_emulator(request.getfixturevalue("emulator"))


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest) -> Iterator[FakeClock]:
    """Every call of the test timed on a fresh `FakeClock` (live tests aside)."""
    fake = FakeClock()
    if request.node.get_closest_marker("live"):
        yield fake
        return
    with replaced_clock(fake):
        yield fake


@pytest.fixture
def real_clock(clock: FakeClock) -> Iterator[Clock]:
    """The system clock for the test's calls: deadlines run in real time."""
    with replaced_clock(Clock()) as system:
        yield system


@pytest.fixture
def make_model(emulator: SegmindEmulator) -> ModelFactory:
    """`make_model(cls, **fields)`: a model on `emulator`."""
    return model_factory(emulator)
