"""LangChain's standard unit tests for the three chat model classes.

`has_tool_calling` / `has_structured_output` keep their defaults, which the
standard suite derives from whether `bind_tools` / `with_structured_output`
are overridden (bind_tools and with_structured_output exist, so they run).
"""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, load
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o

ENV = {"SEGMIND_API_KEY": "env-key", "SEGMIND_BASE_URL": "https://example.invalid/v1"}
FROM_ENV = {"api_key": "env-key", "base_url": "https://example.invalid/v1"}


class SegmindUnitTests(ChatModelUnitTests):
    @pytest.mark.xfail(
        strict=True,
        reason=(
            "LIMITATION (langchain-core, not this package): the standard test "
            "loads with allowed_objects='all', which only admits the classes on "
            "core's built-in allow-list, so no third-party class can pass; "
            "test_serdes_with_class_allowed checks the same round trip."
        ),
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    def test_serdes_with_class_allowed(
        self, model: ChatSegmind, snapshot: SnapshotAssertion
    ) -> None:
        """The standard `test_serdes`, loading as users must: class allowed by name."""
        env_params, _model_params, _expected_attrs = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            serialized = dumpd(model)
            assert serialized == snapshot(name="serialized")
            loaded = load(
                serialized,
                valid_namespaces=model.get_lc_namespace()[:1],
                allowed_objects=[self.chat_model_class],
                secrets_from_env=True,
            )
        assert serialized["kwargs"]["api_key"] == {
            "lc": 1,
            "type": "secret",
            "id": ["SEGMIND_API_KEY"],
        }
        assert type(loaded) is self.chat_model_class
        assert loaded.model_dump(exclude={"api_key"}) == model.model_dump(
            exclude={"api_key"}
        )
        # The key itself was not serialized: it comes back from the environment.
        assert loaded.api_key is not None
        assert loaded.api_key.get_secret_value() == "env-key"


class TestChatSegmindUnit(SegmindUnitTests):
    @property
    def chat_model_class(self) -> type[ChatSegmind]:
        return ChatSegmind

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-4.5-sonnet"}

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        model = {"model": "claude-4.5-sonnet"}
        return ENV, model, {**FROM_ENV, **model}


class TestChatSegmindClaudeUnit(SegmindUnitTests):
    @property
    def chat_model_class(self) -> type[ChatSegmindClaude]:
        return ChatSegmindClaude

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {}, FROM_ENV


class TestChatSegmindGPT4oUnit(SegmindUnitTests):
    @property
    def chat_model_class(self) -> type[ChatSegmindGPT4o]:
        return ChatSegmindGPT4o

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {}, FROM_ENV
