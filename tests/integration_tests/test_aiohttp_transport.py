"""The optional aiohttp transport (`async_transport="aiohttp"`), on the emulator.

The default async clients then run over `httpx-aiohttp`; everything else (typed
errors, retries, the deadline, per-loop clients closed at loop shutdown) is
the same as on httpx2's own transport.
"""

from __future__ import annotations

import asyncio
import gc
import time
import warnings

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindConnectionError,
    SegmindResponseError,
    SegmindTimeoutError,
)
from langchain_segmind.testing import FakeClock, Fault, SegmindEmulator
from tests.integration_tests.support import REPLY, assert_key_nowhere, new_model

pytest.importorskip("httpx_aiohttp")


def test_repeated_asyncio_run_without_resource_warnings(
    emulator: SegmindEmulator,
) -> None:
    model = new_model(emulator, ChatSegmindClaude, async_transport="aiohttp")

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        answers = [asyncio.run(model.ainvoke(f"run {n}")) for n in range(3)]
        gc.collect()

    assert [a.content for a in answers] == [f"{REPLY}run {n}" for n in range(3)]
    assert len(emulator.requests) == 3


async def test_a_warning_the_callers_filters_raise_reaches_them_unchanged(
    emulator: SegmindEmulator,
) -> None:
    # aiohttp warns of a body over 1 MiB given as bytes, before sending it.
    model = new_model(emulator, ChatSegmindGPT4o, async_transport="aiohttp")

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with pytest.raises(ResourceWarning, match="large body") as caught:
            await model.ainvoke("x" * 2**20)

    assert emulator.requests == []
    assert_key_nowhere(caught.value, emulator.api_key)


async def test_retries_and_typed_errors_as_on_httpx2(
    emulator: SegmindEmulator, clock: FakeClock
) -> None:
    model = new_model(emulator, ChatSegmindGPT4o, async_transport="aiohttp")
    emulator.inject(Fault.server_error(503))

    message = await model.ainvoke("hello")

    assert message.content == f"{REPLY}hello"
    assert len(emulator.requests) == 2
    assert clock.waits == [0.5]

    wrong_key = new_model(
        emulator, ChatSegmindGPT4o, api_key="wrong", async_transport="aiohttp"
    )
    with pytest.raises(SegmindAuthenticationError) as caught:
        await wrong_key.ainvoke("hello")
    assert caught.value.status_code == 401


async def test_the_deadline_bounds_a_slow_answer(emulator: SegmindEmulator) -> None:
    # An answer that would bill nothing: the server goes on after the call
    # gave up, and a billed one would land in a later test's balance.
    emulator.inject(Fault(status=503, latency=5.0))
    model = new_model(
        emulator, ChatSegmindClaude, timeout=0.5, async_transport="aiohttp"
    )

    started = time.monotonic()
    with pytest.raises(SegmindTimeoutError, match=r"timeout=0\.5s"):
        await model.ainvoke("slow")

    assert time.monotonic() - started < 0.5 * 1.1 + 0.1


async def test_concurrent_calls_share_a_bounded_pool(
    emulator: SegmindEmulator,
) -> None:
    emulator.latency = 0.05
    model = new_model(emulator, ChatSegmindClaude, async_transport="aiohttp")

    answers = await model.abatch(
        [f"q{n}" for n in range(40)], config={"max_concurrency": 8}
    )

    assert [a.content for a in answers] == [f"{REPLY}q{n}" for n in range(40)]
    assert emulator.connections_opened <= 8


@pytest.mark.usefixtures("real_clock")
async def test_a_call_that_waited_too_long_for_a_connection_is_not_sent() -> None:
    import aiohttp
    from httpx_aiohttp.httpx2 import AiohttpTransport

    def one_connection() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))

    client = httpx2.AsyncClient(transport=AiohttpTransport(client=one_connection))
    with SegmindEmulator(latency=2.1) as own:
        # As on httpx2: 0.6 s of the 2.4 s are kept for the answer.
        model = new_model(own, timeout=2.4, max_retries=0, http_async_client=client)
        results = await model.abatch(["a", "b"], return_exceptions=True)
        await client.aclose()

        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1
        assert isinstance(refused[0], SegmindConnectionError)
        assert "the request was not sent" in str(refused[0])
        assert len(own.requests) == 1


async def test_an_unreachable_gateway_is_retried_as_on_httpx2(clock: FakeClock) -> None:
    with SegmindEmulator() as stopped:
        model = new_model(stopped, ChatSegmindClaude, async_transport="aiohttp")

    with pytest.raises(SegmindConnectionError, match="could not reach") as caught:
        await model.ainvoke("hello")

    assert caught.value.is_retryable is True
    assert clock.waits == [0.5, 1.0]  # three attempts


async def test_a_reset_after_the_request_is_not_sent_again(
    emulator: SegmindEmulator, clock: FakeClock
) -> None:
    emulator.inject(Fault.connection_reset())
    model = new_model(emulator, ChatSegmindClaude, async_transport="aiohttp")

    with pytest.raises(SegmindConnectionError, match="may have been billed") as caught:
        await model.ainvoke("hello")

    assert caught.value.is_retryable is False
    assert len(emulator.requests) == 1
    assert clock.waits == []


async def test_an_answer_that_is_not_http_is_a_response_error_with_no_key(
    emulator: SegmindEmulator,
) -> None:
    emulator.inject(Fault(status=200, body={}, headers={"Bad Header": "x"}))
    model = new_model(
        emulator, ChatSegmindGPT4o, async_transport="aiohttp", max_retries=0
    )

    with pytest.raises(SegmindResponseError, match="not valid HTTP") as caught:
        await model.ainvoke("hello")

    assert_key_nowhere(caught.value, emulator.api_key)
    refusal = caught.value.__cause__  # aiohttp's, its request's key redacted
    assert refusal.request_info.headers["x-api-key"] == "[redacted]"
    assert refusal.args == (refusal.request_info, refusal.history)  # as it built them


async def test_an_answer_with_a_large_header_block_is_read_as_on_httpx2(
    emulator: SegmindEmulator,
) -> None:
    # Under httpcore2's 100 KiB for a head; aiohttp's own limit is 8190 bytes.
    reply = {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}
    emulator.inject(Fault(status=200, body=reply, headers={"link": "<a>," * 15_000}))
    model = new_model(emulator, ChatSegmindGPT4o, async_transport="aiohttp")

    message = await model.ainvoke("hello")

    assert message.content == "hi"
    assert len(emulator.requests) == 1
