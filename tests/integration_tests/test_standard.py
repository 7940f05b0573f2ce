"""LangChain's standard integration tests, against the loopback emulator.

The emulator is not a model, but it answers like one that follows the package's
tool protocol (it calls the required or first tool with numbers and quoted
strings from the question, then answers in prose), answers `json_schema`
requests with an instance of the schema, and quotes the last user turn
otherwise. That is enough for the wire-level, tool-calling and
structured-output standard tests to run offline.

The multimodal standard tests download their fixtures (a PNG from GitHub, a
PDF from w3.org) with `httpx2.get`; `_offline_downloads` serves the local
fixtures of `tests/fixtures/` instead, so those tests run offline too and
still send real image and PDF bytes through the package to the emulator.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    chat_models as standard_module,
)

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from langchain_segmind.testing import SegmindEmulator
from tests.integration_tests.support import StandardSuiteFlags, model_kwargs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# The files the standard tests download, by URL suffix, and their local twins.
_DOWNLOADS = {
    ".png": FIXTURES / "tiny.png",
    ".pdf": FIXTURES / "tiny.pdf",
}


def _local_get(url: str, **_kwargs: Any) -> httpx2.Response:
    """`httpx2.get` for the standard tests' fixture URLs, served from disk."""
    for suffix, path in _DOWNLOADS.items():
        if url.endswith(suffix):
            return httpx2.Response(200, content=path.read_bytes())
    raise AssertionError(f"the standard tests asked for an unexpected URL: {url}")


# JSON mode sends no schema: the keys are asked for in the prompt only, which the
# emulator does not read (it answers `json_object` with `{"reply": ...}` and the
# Claude JSON-mode instruction with its usual quote). For that one test it plays
# a model that obeys the prompt; the package's JSON-mode request and parsing
# (invoke, stream, pydantic and dict schemas) are still what is tested.
_JOKE_JSON = json.dumps(
    {
        "setup": "Why did the cat sit on the laptop?",
        "punchline": "To keep an eye on the mouse.",
    }
)
_SCRIPTED_REPLIES: dict[str, tuple[str, ...]] = {
    # test_json_mode makes four calls: invoke and stream, for two schemas.
    "test_json_mode": (_JOKE_JSON,) * 4,
}


class SegmindEmulatorStandardTests(StandardSuiteFlags, ChatModelIntegrationTests):
    """Settings shared by both classes; subclasses name the class."""

    _emulator: SegmindEmulator | None = None

    @pytest.fixture(autouse=True)
    def _bind_emulator(
        self,
        request: pytest.FixtureRequest,
        emulator: SegmindEmulator,
        _fresh_emulator: None,
    ) -> None:
        # Runs before the `model` fixture (autouse fixtures come first), and
        # after the conftest's reset, which it names so as to run after it.
        self._emulator = emulator
        replies = _SCRIPTED_REPLIES.get(request.node.originalname, ())
        emulator.script_replies(*replies)

    @pytest.fixture(autouse=True)
    def _offline_downloads(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Only the standard-test module's view of httpx is replaced: the
        # package's own httpx clients are untouched.
        monkeypatch.setattr(standard_module, "httpx", SimpleNamespace(get=_local_get))

    @property
    def chat_model_params(self) -> dict[str, Any]:
        emulator = self._emulator
        assert emulator is not None, "the emulator fixture did not run"
        return model_kwargs(emulator)

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        # Not an o-series/gpt-5 slug: those take no temperature, and the
        # standard tests set temperature=0 (the package refuses it before sending).
        return "gpt-4-turbo"


class TestChatSegmindClaudeEmulator(SegmindEmulatorStandardTests):
    @property
    def chat_model_class(self) -> type[ChatSegmind]:
        return ChatSegmindClaude

    @property
    def model_override_value(self) -> str:
        return "claude-4.5-sonnet"


class TestChatSegmindGPT4oEmulator(SegmindEmulatorStandardTests):
    @property
    def chat_model_class(self) -> type[ChatSegmind]:
        return ChatSegmindGPT4o
