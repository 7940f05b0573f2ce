"""A server that takes the connection but never reads the request.

The default clients give writes no timeout of their own: the call's deadline
ends them (a sync socket bounded by the time left, `asyncio.timeout`).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from langchain_segmind import SegmindTimeoutError
from langchain_segmind.transport.deadline import Clock
from tests.integration_tests.support import (
    PATHS,
    invoke,
    model_on,
    one_connection_server,
    run,
)

# Far more than the kernel buffers of both ends hold.
LARGE_PROMPT = "x" * 4_000_000


@pytest.mark.parametrize("path", PATHS)
def test_a_large_prompt_a_server_never_reads_ends_at_the_timeout(
    path: str, real_clock: Clock
) -> None:
    if path == "aiohttp":
        pytest.importorskip("httpx_aiohttp")
    done = threading.Event()

    def never_read(connection: socket.socket) -> None:
        done.wait(5)  # then hangs up: a write left unbounded fails

    with one_connection_server(never_read, receive_buffer=4096) as base_url:
        model = model_on(base_url, path, timeout=1.0)

        started = time.monotonic()
        with pytest.raises(SegmindTimeoutError, match=r"within timeout=1s"):
            run(path, invoke(model, path, LARGE_PROMPT))
        elapsed = time.monotonic() - started
        done.set()

    assert 0.9 < elapsed < 1.45
