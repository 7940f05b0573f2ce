"""Servers that take the connection but do not read the whole request.

The default clients give writes no timeout of their own: the call's deadline
ends them (a sync socket bounded by the time left, `asyncio.timeout`). A server
may also answer before reading the request, then reset the connection.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from langchain_segmind import SegmindBadRequestError, SegmindTimeoutError
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


@pytest.mark.parametrize("path", PATHS)
def test_an_answer_sent_before_the_prompt_was_read_is_the_error_raised(
    path: str,
) -> None:
    if path == "aiohttp":
        pytest.importorskip("httpx_aiohttp")
    body = b'{"error": "request body too large"}'
    answer = (
        b"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
        b"x-request-id: req-413\r\nconnection: close\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )

    def answer_then_reset(connection: socket.socket) -> None:
        connection.recv(1024)
        connection.sendall(answer)  # closed with the prompt unread: a reset

    with one_connection_server(answer_then_reset, receive_buffer=4096) as base_url:
        model = model_on(base_url, path, timeout=5.0)
        with pytest.raises(SegmindBadRequestError) as raised:
            run(path, invoke(model, path, LARGE_PROMPT))

    assert raised.value.status_code == 413
    assert raised.value.request_id == "req-413"
    assert "request body too large" in str(raised.value)
    assert "billed" not in str(raised.value)
