"""The project's tasks, with nothing needed but Python 3.11+ and pip.

    python dev.py demo     # the quickstart chain (live with SEGMIND_API_KEY, else the emulator)
    python dev.py test     # every test tier: unit (locked and lowest versions), live, emulator
    python dev.py lint     # file sizes, ruff check, ruff format --check, mypy (locked and lowest)
    python dev.py lock     # re-lock after editing pyproject.toml; `lock --upgrade` moves every pin
    python dev.py bench    # the benchmarks of docs/benchmarks.md
    python dev.py docs     # re-execute docs/segmind.ipynb and save its outputs

Environments come from `uv.lock` through uv: `.venv/` holds the locked versions,
`.venv-lowest/` the lowest versions pyproject.toml allows. When no `uv` is on
PATH, the pinned one below is installed with pip into `.tools/` first (no venv).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"
TOOLS = ROOT / ".tools"
SCRIPTS = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
VENV = ROOT / ".venv"
LOWEST_VENV = ROOT / ".venv-lowest"
PYTHON = VENV / SCRIPTS / f"python{EXE}"
LOWEST_PYTHON = LOWEST_VENV / SCRIPTS / f"python{EXE}"

# Dependency groups of pyproject.toml each task syncs. `test` and `lint` share
# one set, so `.ci/run` (lint, then test) installs once.
CHECK_GROUPS = ("test", "docs", "lint", "typing")
TASK_GROUPS: dict[str, tuple[str, ...]] = {
    "demo": (),
    "test": CHECK_GROUPS,
    "lint": CHECK_GROUPS,
    "bench": ("bench",),
    "docs": ("test", "docs"),
}
LOWEST_GROUPS = ("test", "typing")
# Optional extras of the package that the tests and mypy cover.
EXTRAS = ("aiohttp",)
UNIT_TIER = ("tests/unit_tests", "--disable-socket", "--allow-unix-socket")


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


def uv() -> str:
    """The uv to use: `$UV`, one on PATH, or the pinned one installed in `.tools/`."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found:
        return found
    own = TOOLS / SCRIPTS / f"uv{EXE}"
    if not own.exists():
        print(f"installing uv {UV_VERSION} into {TOOLS}", flush=True)
        # `--target`, not a venv: Debian's and Ubuntu's Python has no `ensurepip`
        # (nor so `venv` with pip) unless python3-venv is installed.
        pip = (sys.executable, "-m", "pip", "install", "--quiet", "--target", TOOLS)
        run(*pip, f"uv=={UV_VERSION}")
    return str(own)


def uv_env() -> dict[str, str]:
    """Uv's environment: this Python only, never a downloaded one."""
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}


def sync(groups: tuple[str, ...], *, exact: bool = True) -> None:
    """Install the locked versions of the package and `groups` into `.venv/`.

    `--locked` fails when uv.lock no longer matches pyproject.toml.
    """
    group_args = [arg for group in groups for arg in ("--group", group)]
    if groups:
        group_args += [arg for extra in EXTRAS for arg in ("--extra", extra)]
    exactness = [] if exact else ["--inexact"]
    run(
        uv(),
        "sync",
        "--locked",
        "--quiet",
        "--python",
        sys.executable,
        *group_args,
        *exactness,
        env=uv_env(),
    )


def sync_lowest() -> None:
    """Install the lowest allowed direct dependencies into `.venv-lowest/`, exactly."""
    made_for = LOWEST_VENV / "pyvenv.cfg"
    this_python = "version_info = {}.{}.".format(*sys.version_info)  # as uv writes
    lines = made_for.read_text().splitlines() if made_for.exists() else []
    if not any(line.startswith(this_python) for line in lines):
        run(
            uv(),
            "venv",
            "--quiet",
            "--clear",
            "--python",
            sys.executable,
            LOWEST_VENV,
            env=uv_env(),
        )
    pins = LOWEST_VENV / "requirements.txt"
    group_args = [arg for group in LOWEST_GROUPS for arg in ("--group", group)]
    group_args += [arg for extra in EXTRAS for arg in ("--extra", extra)]
    target = ("--python", LOWEST_PYTHON)
    run(
        uv(),
        "pip",
        "compile",
        "--quiet",
        *target,
        "--resolution",
        "lowest-direct",
        "pyproject.toml",
        *group_args,
        "--output-file",
        pins,
        env=uv_env(),
    )
    run(uv(), "pip", "sync", "--quiet", *target, pins, env=uv_env())
    run(
        uv(), "pip", "install", "--quiet", *target, "--no-deps", "-e", ".", env=uv_env()
    )


def task_demo() -> None:
    """Run the quickstart example."""
    sync(TASK_GROUPS["demo"], exact=False)
    run(PYTHON, "examples/quickstart.py")


def task_test() -> None:
    """Run the unit tier (locked, then lowest versions), the live tier, the emulator tier."""
    sync(TASK_GROUPS["test"])
    pytest = ("-m", "pytest", "-p", "no:cacheprovider")
    run(PYTHON, *pytest, *UNIT_TIER)
    sync_lowest()
    run(LOWEST_PYTHON, *pytest, "-q", *UNIT_TIER)
    # Live tests call api.segmind.com; each skips without SEGMIND_API_KEY.
    # (pytest's 5, "no test collected", is not a failure for this tier.)
    # The emulator tier runs last, so the final summary counts tests that ran.
    run(
        PYTHON, *pytest, "tests/integration_tests", "-m", "live", "-rs", ok_codes=(0, 5)
    )
    run(
        PYTHON,
        *pytest,
        "tests/integration_tests",
        "-m",
        "not live",
        "--allow-hosts=127.0.0.1,localhost,::1",
    )


MAX_FILE_LINES = 700  # CONTRIBUTING: one concept a file, none over this


def task_lint() -> None:
    """Check file sizes; run ruff, and mypy against the locked and lowest versions."""
    too_long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for folder in ("langchain_segmind", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines()))
        > MAX_FILE_LINES
    ]
    if too_long:
        sys.exit(f"over {MAX_FILE_LINES} lines: {', '.join(too_long)}")
    sync(TASK_GROUPS["lint"])
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy")
    sync_lowest()
    run(LOWEST_PYTHON, "-m", "mypy", "--cache-dir", ".mypy_cache/lowest")


def task_lock() -> None:
    """Re-lock; `python dev.py lock --upgrade` moves every pin to the newest."""
    run(uv(), "lock", "--python", sys.executable, *sys.argv[2:], env=uv_env())


def task_docs() -> None:
    """Execute the docs notebook against the emulator and save its outputs."""
    sync(TASK_GROUPS["docs"])
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
    """Run the benchmarks (adding their group, so the test tools stay installed)."""
    sync(TASK_GROUPS["bench"], exact=False)
    run(PYTHON, "benchmarks/run.py", *sys.argv[2:])


TASKS = {
    "demo": task_demo,
    "test": task_test,
    "lint": task_lint,
    "lock": task_lock,
    "bench": task_bench,
    "docs": task_docs,
}


def main() -> None:
    """Dispatch `python dev.py <task>`."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may run on any python3
        sys.exit("langchain-segmind needs Python 3.11 or newer")
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python dev.py {{{'|'.join(TASKS)}}}")
    TASKS[sys.argv[1]]()


if __name__ == "__main__":
    main()
