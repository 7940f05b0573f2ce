"""The package's public surface and its import cost."""

from __future__ import annotations

import subprocess
import sys

import pytest

import langchain_segmind


def test_every_export_resolves() -> None:
    for name in langchain_segmind.__all__:
        assert getattr(langchain_segmind, name) is not None, name
    assert set(langchain_segmind.__all__) <= set(dir(langchain_segmind))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = langchain_segmind.NoSuchThing  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_chat_model_machinery() -> None:
    code = (
        "import sys, langchain_segmind; "
        "print('langchain_core.language_models.chat_models' in sys.modules, "
        "'langchain_segmind.chat_models' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
