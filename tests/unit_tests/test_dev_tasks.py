"""dev.py, the README's set-up: it needs nothing but Python and pip."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import dev


def test_without_uv_the_pinned_one_is_installed_with_pip_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Debian's and Ubuntu's Python cannot make a venv with pip unless
    # python3-venv is installed, so nothing but pip may be run to get uv.
    commands: list[tuple[str, ...]] = []
    monkeypatch.delenv("UV", raising=False)
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    monkeypatch.setattr(dev, "TOOLS", tmp_path / ".tools")
    monkeypatch.setattr(dev, "run", lambda *args, **_: commands.append(args))

    installed = dev.uv()

    assert commands
    assert all(command[:3] == (sys.executable, "-m", "pip") for command in commands)
    assert commands[-1][-1] == f"uv=={dev.UV_VERSION}"
    assert installed.startswith(str(tmp_path / ".tools"))
