"""What the emulator's HTTP tests share: one TLS context, a greeting, clients.

And two fixtures for the modules that import them: `emulator`, an emulator of
the test's own in place of the tier's shared one, and `client`, a
`keyed_client` on it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from langchain_segmind.testing import SegmindEmulator

# One TLS context for every client: building one per client costs ~50 ms.
TLS = ssl.create_default_context()
HELLO = {"messages": [{"role": "user", "content": "Say hello to the emulator"}]}
DEFAULT_REPLY = "Segmind emulator reply (not a model) to: Say hello to the emulator"
COST = 0.0123


def new_client(**kwargs: Any) -> httpx2.Client:
    return httpx2.Client(verify=TLS, timeout=5, **kwargs)


def keyed_client(emulator: SegmindEmulator) -> httpx2.Client:
    return new_client(base_url=emulator.url, headers={"x-api-key": emulator.api_key})


def text_of(response: httpx2.Response) -> str:
    body = response.json()
    if "content" in body:
        return str(body["content"][0]["text"])
    if "candidates" in body:
        return str(body["candidates"][0]["content"]["parts"][0]["text"])
    return str(body["choices"][0]["message"]["content"])


@pytest.fixture(name="emulator")
def fresh_emulator() -> Iterator[SegmindEmulator]:
    with SegmindEmulator() as running:
        yield running


@pytest.fixture(name="client")
def client_of(emulator: SegmindEmulator) -> Iterator[httpx2.Client]:
    with keyed_client(emulator) as http:
        yield http
