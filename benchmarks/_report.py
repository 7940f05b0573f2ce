"""The machine description and the tables of the report (console and markdown)."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "langchain-segmind",
    "langchain-core",
    "langsmith",
    "httpx2",
    "httpcore2",
    "h11",
    "anyio",
    "aiohttp",
    "httpx-aiohttp",
    "pydantic",
    "langchain-openai",
    "openai",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def package_versions() -> str:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return ", ".join(versions)


def _git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def measured_commit() -> str:
    """The commit of the langchain_segmind imported here, and whether it is clean.

    To measure another commit than the working tree's, check it out apart
    (`git worktree add --detach DIR COMMIT`) and run with `PYTHONPATH=DIR`.
    """
    import langchain_segmind

    package = Path(langchain_segmind.__file__).resolve().parent
    try:
        commit = _git(package, "rev-parse", "--short=12", "HEAD")
        changed = _git(package, "status", "--porcelain", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (langchain_segmind is not in a git checkout)"
    state = "with uncommitted changes" if changed else "clean"
    return f"{commit} (langchain_segmind/ {state})"


def machine() -> dict[str, str]:
    return {
        "Commit measured": measured_commit(),
        "CPU": cpu_model(),
        "CPUs available (nproc)": str(cpu_count()),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": platform.platform(),
        "Packages": package_versions(),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table, padded so that it also reads well in a terminal."""
    cells = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            + " |"
        )

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line(cells[0]), separator, *(line(row) for row in cells[1:])]


def us(value: float) -> str:
    return f"{value:,.0f} µs"


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def ratio(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}x"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def count(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless one: "1 round", "5 rounds"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
