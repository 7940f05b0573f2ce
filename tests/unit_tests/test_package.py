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


def test_a_job_unpickled_in_a_new_process_loads_no_callback_machinery() -> None:
    code = (
        "import sys; from langchain_segmind import SegmindJob; "
        "print('langchain_core.callbacks' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False"]


def test_every_testing_export_resolves() -> None:
    from langchain_segmind import testing

    for name in testing.__all__:
        assert getattr(testing, name) is not None, name
    assert set(testing.__all__) <= set(dir(testing))
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = testing.NoSuchThing  # type: ignore[attr-defined]


def test_the_pytest_plugin_imports_nothing_heavy() -> None:
    # pytest imports the plugin in every session where the package is installed.
    code = (
        "import sys, langchain_segmind.testing.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'langchain_core', 'pydantic', 'httpx', 'httpx2', 'langchain_segmind'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(
        [
            "langchain_segmind",
            "langchain_segmind._lazy",
            "langchain_segmind._version",
            "langchain_segmind.testing",
            "langchain_segmind.testing.pytest_plugin",
        ]
    )
