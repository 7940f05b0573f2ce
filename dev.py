"""The project's tasks, with nothing needed but Python 3.10+ and pip.

    python dev.py demo     # the quickstart chain (live with SEGMIND_API_KEY, else the emulator)
    python dev.py test     # every test tier: unit (no sockets), emulator (loopback), live
    python dev.py lint     # ruff check, ruff format --check, mypy
    python dev.py bench    # the benchmarks of docs/benchmarks.md
    python dev.py docs     # re-execute docs/segmind.ipynb and save its outputs

Each task creates `.venv/` beside this file on first use and installs what it
needs there; it reinstalls only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# Dependency groups of pyproject.toml that each task needs.
TASK_GROUPS = {
    "demo": (),
    "test": ("test", "docs"),
    "lint": ("lint", "typing", "test"),
    "bench": ("bench",),
    "docs": ("test", "docs"),
}


def run(
    *args: str | Path,
    env: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> None:
    """Run a command from the project root; stop with its code if it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    code = subprocess.call([str(a) for a in args], cwd=ROOT, env=env)
    if code not in ok_codes:
        sys.exit(code)


def ensure_env(groups: tuple[str, ...]) -> None:
    """Create the virtual environment and install the package with `groups`."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(",".join(groups).encode())
    stamp = VENV / f".installed-{digest.hexdigest()[:16]}"
    if stamp.exists():
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(*pip, "--upgrade", "pip>=25.1")
    group_args = [arg for group in groups for arg in ("--group", group)]
    run(*pip, *group_args, "--editable", ".")
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def task_demo() -> None:
    """Run the quickstart example."""
    run(PYTHON, "examples/quickstart.py")


def task_test() -> None:
    """Run the unit tier, the live tier and the emulator tier."""
    pytest = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider"]
    run(*pytest, "tests/unit_tests", "--disable-socket", "--allow-unix-socket")
    # Live tests call api.segmind.com; each skips without SEGMIND_API_KEY.
    # (pytest's 5, "no test collected", is not a failure for this tier.)
    # The emulator tier runs last, so the final summary counts tests that ran.
    run(*pytest, "tests/integration_tests", "-m", "live", "-rs", ok_codes=(0, 5))
    run(
        *pytest,
        "tests/integration_tests",
        "-m",
        "not live",
        "--allow-hosts=127.0.0.1,localhost,::1",
    )


def task_lint() -> None:
    """Run ruff and mypy."""
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy")


def task_docs() -> None:
    """Execute the docs notebook against the emulator and save its outputs."""
    script = (
        "import nbformat; from nbclient import NotebookClient; "
        "nb = nbformat.read('docs/segmind.ipynb', as_version=4); "
        "NotebookClient(nb, timeout=120, kernel_name='python3', "
        "resources={'metadata': {'path': 'docs'}}).execute(); "
        "nbformat.write(nb, 'docs/segmind.ipynb')"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMIND_")}
    run(PYTHON, "-c", script, env=env)


def task_bench() -> None:
    """Run the benchmarks."""
    run(PYTHON, "benchmarks/run.py", *sys.argv[2:])


TASKS = {
    "demo": task_demo,
    "test": task_test,
    "lint": task_lint,
    "bench": task_bench,
    "docs": task_docs,
}


def main() -> None:
    """Dispatch `python dev.py <task>`."""
    if sys.version_info < (3, 10):  # noqa: UP036 - dev.py may run on any python3
        sys.exit("langchain-segmind needs Python 3.10 or newer")
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python dev.py {{{'|'.join(TASKS)}}}")
    task = sys.argv[1]
    ensure_env(TASK_GROUPS[task])
    TASKS[task]()


if __name__ == "__main__":
    main()
