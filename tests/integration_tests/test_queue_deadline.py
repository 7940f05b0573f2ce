"""A queued job's timeout bounds the whole job, not each request of it."""

from __future__ import annotations

import time

import pytest

from langchain_segmind import ChatSegmindGPT4o, SegmindTimeoutError
from langchain_segmind.testing import FakeClock, SegmindEmulator
from tests.integration_tests.support import MODES, REPLY, call, new_model


@pytest.mark.usefixtures("real_clock")
def test_timeout_bounds_submit_and_polls_together() -> None:
    # Each request takes 0.4 s: submit, a poll, a 0.5 s wait, another poll
    # and the fetch would take 2.1 s; a 1 s timeout must stop the job at 1 s.
    with SegmindEmulator(latency=0.4, queue_polls_until_complete=2) as emulator:
        model = ChatSegmindGPT4o(
            api_key=emulator.api_key,
            base_url=emulator.base_url,
            api_version="v2",
            timeout=1.0,
        )
        started = time.monotonic()
        with pytest.raises(SegmindTimeoutError):
            model.invoke("hi")
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("mode", MODES)
async def test_half_a_second_left_after_a_poll_is_time_for_a_last_one(
    mode: str, clock: FakeClock
) -> None:
    # With 0.5 s left, no usual wait leaves the poll's answer its second: the
    # last poll goes out when half of what is left has passed.
    with SegmindEmulator(queue_polls_until_complete=2) as paced:
        model = new_model(paced, ChatSegmindGPT4o, api_version="v2", timeout=0.5)

        reply = await call(model, mode, "hi")

    assert reply.content == f"{REPLY}hi"
    assert clock.waits == [0.25]
