"""`async_transport` picks the transport of the default async clients."""

from __future__ import annotations

import sys

import httpx2
import pytest

from langchain_segmind import ChatSegmindClaude, SegmindInputError
from langchain_segmind.transport import clients as _http


def test_aiohttp_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "httpx_aiohttp.httpx2", None)

    with pytest.raises(SegmindInputError, match=r"langchain-segmind\[aiohttp\]"):
        ChatSegmindClaude(api_key="k", async_transport="aiohttp")


@pytest.mark.parametrize("choice", ["httpx2", "aiohttp"])
async def test_each_choice_has_its_own_default_client(
    mock_default_clients, recorder, monkeypatch, choice
):
    pytest.importorskip("httpx_aiohttp")
    used: list[str] = []

    def seam(name):
        def transport(proxy=None):
            used.append(name)
            return httpx2.MockTransport(recorder)

        return transport

    monkeypatch.setattr(_http, "async_transport", seam("httpx2"))
    monkeypatch.setattr(_http, "aiohttp_transport", seam("aiohttp"))
    _http.DEFAULT_CLIENTS.reset()
    model = ChatSegmindClaude(api_key="k", async_transport=choice)

    first = await model.ainvoke("one")
    second = await model.ainvoke("two")

    assert [first.content, second.content] == ["echo: one", "echo: two"]
    assert set(used) == {choice}  # one client, with its proxy mounts, reused
    assert model.invoke("sync").content == "echo: sync"  # sync calls: httpx2
    _http.DEFAULT_CLIENTS.reset()


def test_an_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="async_transport"):
        ChatSegmindClaude(api_key="k", async_transport="curl")
