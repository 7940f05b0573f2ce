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


@pytest.mark.parametrize(
    ("made_for", "rebuilt"), [("3.9.18", True), (None, True), ("this", False)]
)
def test_the_lowest_environment_is_rebuilt_for_another_python(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, made_for: str | None, rebuilt: bool
) -> None:
    # `python3.13 dev.py test` in a checkout set up with 3.11 tests on 3.13.
    venv = tmp_path / ".venv-lowest"
    if made_for is not None:
        venv.mkdir()
        version = (
            "{}.{}.{}".format(*sys.version_info) if made_for == "this" else made_for
        )
        (venv / "pyvenv.cfg").write_text(f"home = /x\nversion_info = {version}\n")
    commands: list[tuple[object, ...]] = []
    monkeypatch.setattr(dev, "LOWEST_VENV", venv)
    monkeypatch.setattr(dev, "uv", lambda: "uv")
    monkeypatch.setattr(dev, "run", lambda *args, **_: commands.append(args))

    dev.sync_lowest()

    made = [command for command in commands if command[1] == "venv"]
    assert made == (
        [("uv", "venv", "--quiet", "--clear", "--python", sys.executable, venv)]
        if rebuilt
        else []
    )
