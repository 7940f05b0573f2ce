"""The pytest plugin of langchain-segmind: a `segmind_emulator` fixture.

pytest loads it by itself wherever the package is installed (entry point
`segmind` in the `pytest11` group), so in every test session: it imports
nothing but pytest at load time, and the emulator (with langchain-core
behind it) only when a test asks for the fixture. `-p no:segmind` turns it off.

```python
from langchain_segmind import ChatSegmindClaude


def test_joke(segmind_emulator):
    segmind_emulator.script_replies("Why did the cat sit on the laptop?")
    llm = ChatSegmindClaude(
        api_key=segmind_emulator.api_key, base_url=segmind_emulator.base_url
    )
    assert llm.invoke("joke").content == "Why did the cat sit on the laptop?"
    assert len(segmind_emulator.requests) == 1
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from langchain_segmind.testing import SegmindEmulator


@pytest.fixture
def segmind_emulator() -> Iterator[SegmindEmulator]:
    """A running `SegmindEmulator` on 127.0.0.1, stopped after the test.

    Each test gets a fresh one: an empty request log, the default key
    (`api_key`), 10,000 credits and every default slug. Give a model its
    `base_url` and `api_key`. Under pytest-socket, allow loopback
    (`--allow-hosts=127.0.0.1`).

    Yields:
        The running emulator.
    """
    from langchain_segmind.testing import SegmindEmulator

    with SegmindEmulator() as emulator:
        yield emulator
