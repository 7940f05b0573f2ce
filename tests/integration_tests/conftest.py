"""Shared fixtures of the integration tier: one loopback Segmind emulator.

- `emulator` (session-scoped): a running `SegmindEmulator` on 127.0.0.1, with
  the default key, credits (10,000) and cost per call (0.0123).
- `_fresh_emulator` (autouse, function-scoped): before every test that uses
  `emulator`, directly or through another fixture, clears the request log,
  scripted replies, faults and queue jobs (`SegmindEmulator.reset`), and also
  puts back what `reset` keeps: the starting credit balance, zero latency and
  every default slug active. Tests that do not use `emulator` never start it.
- `model_kwargs(emulator)`: the constructor arguments that point a chat model
  at the emulator.

Run with `--allow-hosts=127.0.0.1,localhost,::1` under pytest-socket.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_segmind.testing import DEFAULT_CATALOGUE, SegmindEmulator

STARTING_CREDITS = 10_000.0
"""The emulator's balance at the start of every test."""


def model_kwargs(emulator: SegmindEmulator) -> dict[str, Any]:
    """`api_key` and `base_url` for a chat model that talks to `emulator`."""
    return {"api_key": emulator.api_key, "base_url": emulator.base_url}


@pytest.fixture(scope="session")
def emulator() -> Iterator[SegmindEmulator]:
    """A running emulator shared by the session, reset before each test."""
    with SegmindEmulator(credits=STARTING_CREDITS) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_emulator(request: pytest.FixtureRequest) -> None:
    """Start each test that uses `emulator` from the emulator's initial state."""
    if "emulator" not in request.fixturenames:
        return
    running: SegmindEmulator = request.getfixturevalue("emulator")
    running.reset()
    running.remaining_credits = STARTING_CREDITS
    running.latency = 0.0
    for slug in DEFAULT_CATALOGUE:
        running.add_model(slug)
