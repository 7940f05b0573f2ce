"""A queued job's timeout bounds the whole job, not each request of it."""

from __future__ import annotations

import time

import pytest

from langchain_segmind import ChatSegmindGPT4o, SegmindTimeoutError
from langchain_segmind.testing import SegmindEmulator


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
