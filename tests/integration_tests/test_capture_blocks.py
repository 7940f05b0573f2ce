"""The default clients of an emulator's capture block, closed when it ends.

`SegmindEmulator.capture_default_clients` swaps in default clients of its
own; when the block ends they are closed in each loop that used them, and
the loop's other clients go on; a loop closed before the block ends is no
error.
"""

from __future__ import annotations

import asyncio
import gc
import warnings

import httpx2
import pytest

from langchain_segmind import ChatSegmindGPT4o
from langchain_segmind.testing import SegmindEmulator
from langchain_segmind.transport import clients
from tests.integration_tests.support import REPLY


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
async def test_a_capture_block_closes_its_clients_in_a_loop_that_goes_on(
    emulator: SegmindEmulator, transport: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with emulator.capture_default_clients():
            await ChatSegmindGPT4o(async_transport=transport).ainvoke("Hi")
            used = clients.DEFAULT_CLIENTS.for_running_loop(transport)
        await asyncio.sleep(0.05)  # the loop runs their closing
        gc.collect()

    assert used.is_closed  # now, not when the loop ends
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
def test_a_loop_idle_when_a_capture_block_ends_shuts_down_without_errors(
    emulator: SegmindEmulator, transport: str, caplog: pytest.LogCaptureFixture
) -> None:
    loop = asyncio.new_event_loop()
    try:
        with emulator.capture_default_clients():
            model = ChatSegmindGPT4o(async_transport=transport)
            loop.run_until_complete(model.ainvoke("Hi"))
        loop.run_until_complete(loop.shutdown_asyncgens())  # as docs/guide.md says
    finally:
        loop.close()
    gc.collect()

    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


async def test_a_capture_block_ending_leaves_the_loops_other_clients_open(
    segmind_emulator: SegmindEmulator, emulator: SegmindEmulator
) -> None:
    model = ChatSegmindGPT4o()
    await model.ainvoke("outer")
    with emulator.capture_default_clients():
        await model.ainvoke("inner")
    await asyncio.sleep(0.05)  # the loop runs the closing of the block's clients

    answer = await model.ainvoke("outer again")

    assert answer.content == f"{REPLY}outer again"
    assert segmind_emulator.connections_opened == 1  # reused: still open


async def test_a_loop_that_goes_on_lets_go_of_the_clients_of_ended_capture_blocks(
    emulator: SegmindEmulator,
) -> None:
    def closed_clients() -> int:
        gc.collect()
        return sum(
            type(held) is httpx2.AsyncClient and held.is_closed
            for held in gc.get_objects()
        )

    before = closed_clients()
    for n in range(5):
        with emulator.capture_default_clients():
            await ChatSegmindGPT4o().ainvoke(f"block {n}")
        await asyncio.sleep(0.05)  # the loop runs the closing of the block's client

    assert closed_clients() - before <= 1  # the last block's, until the next client


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
def test_a_capture_block_ending_after_its_loop_was_closed_raises_nothing(
    emulator: SegmindEmulator, transport: str
) -> None:
    loop = asyncio.new_event_loop()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the connection left open
        with emulator.capture_default_clients():
            model = ChatSegmindGPT4o(async_transport=transport)
            answer = loop.run_until_complete(model.ainvoke("Hi"))
            # Without `shutdown_asyncgens`: nothing told the package.
            loop.close()
        gc.collect()

    assert answer.content == f"{REPLY}Hi"


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
def test_a_capture_block_ending_as_its_loop_ends_closes_its_clients(
    emulator: SegmindEmulator, transport: str
) -> None:
    # asyncio.run cancels the closing the block's end started, before it ran.
    async def main() -> httpx2.AsyncClient:
        with emulator.capture_default_clients():
            await ChatSegmindGPT4o(async_transport=transport).ainvoke("Hi")
            return clients.DEFAULT_CLIENTS.for_running_loop(transport)

    gc.collect()  # what earlier tests left is not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        used = asyncio.run(main())
        gc.collect()

    assert used.is_closed
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
