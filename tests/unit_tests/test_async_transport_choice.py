"""`async_transport` picks the transport of the default async clients."""

from __future__ import annotations

import sys

import pytest

from langchain_segmind import ChatSegmindClaude, SegmindInputError


def test_aiohttp_without_the_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "httpx_aiohttp.httpx2", None)

    with pytest.raises(SegmindInputError, match=r"langchain-segmind\[aiohttp\]"):
        ChatSegmindClaude(api_key="k", async_transport="aiohttp")


def test_an_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="async_transport"):
        ChatSegmindClaude(api_key="k", async_transport="curl")
