"""The pytest plugin of langchain-segmind: a `segmind_emulator` fixture.

pytest loads it by itself wherever the package is installed (entry point
`segmind` in the `pytest11` group), so in every test session: it imports
nothing but pytest at load time, and the emulator (with langchain-core
behind it) only when a test asks for the fixture. `-p no:segmind` turns it off;
with `PYTEST_DISABLE_PLUGIN_AUTOLOAD` set, `-p segmind` turns it on.

Inside a test that uses the fixture, every call of the package's default
clients goes to the test's emulator with its key: models built in the test or
at import of your app, sync and async, even those given an `api_key` or a
`base_url` (of another emulator too). No call can reach Segmind there, even
with `SEGMIND_API_KEY` set (one with white space around it still fails a
model's construction, as it would outside a test). Retries and queue polls
wait no real time: calls are timed on a fake clock, `segmind_emulator.clock`,
whose `waits` list every wait. Outside the fixture nothing changes. A model
given its own `http_client` keeps it for sync calls (`http_async_client` for
async ones), and calls its own `base_url` with its own key (one that is
Segmind's is refused before sending): build it with
`base_url=segmind_emulator.base_url, api_key=segmind_emulator.api_key` (a
`base_url` on the client itself is not used).

```python
import pytest

from langchain_segmind import ChatSegmind
from langchain_segmind.testing import Fault

llm = ChatSegmind(model="gpt-4o")  # your app's model, built at import


def test_joke(segmind_emulator):
    segmind_emulator.script_replies("Why did the cat sit on the laptop?")
    assert llm.invoke("joke").content == "Why did the cat sit on the laptop?"
    assert len(segmind_emulator.requests) == 1


@pytest.mark.asyncio  # pytest-asyncio
async def test_retry(segmind_emulator):
    segmind_emulator.inject(Fault.server_error(503))
    await llm.ainvoke("hi")  # retried at once
    assert segmind_emulator.clock.waits  # the backoff, on the fake clock
```

Under pytest-socket, allow loopback (`--allow-hosts=127.0.0.1`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from langchain_segmind.testing import SegmindEmulator


@pytest.fixture
def segmind_emulator() -> Iterator[SegmindEmulator]:
    """A running emulator that the default clients call, stopped after the test.

    Each test gets a fresh one: an empty request log, the default key
    (`api_key`), 10,000 credits, every default slug, and no balance remembered
    from another test. While the test runs, models without a client of their
    own (built anywhere, even given an `api_key` or a `base_url`) call it, and
    waits run on its fake clock (`segmind_emulator.clock`).

    Yields:
        The running emulator.
    """
    from langchain_segmind.testing import SegmindEmulator

    emulator = SegmindEmulator()
    try:
        emulator.start()
    except RuntimeError as error:  # pytest-socket's, under --disable-socket
        error.add_note(
            "segmind_emulator listens on 127.0.0.1: if pytest-socket blocked "
            "it, pass --allow-hosts=127.0.0.1"
        )
        raise
    with emulator, emulator.capture_default_clients():
        yield emulator
