"""The README's main job, `python dev.py demo`: examples/quickstart.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"
KEY = "sk-live-quickstart-key-7d1f"


def run_quickstart(**variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SEGMIND_", "LANGCHAIN_SEGMIND_"))
    }
    return subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_key_the_demo_talks_to_the_emulator_and_says_so() -> None:
    result = run_quickstart()

    assert result.returncode == 0, result.stderr
    assert "SEGMIND_API_KEY is not set" in result.stdout
    assert "== ChatSegmindClaude" in result.stdout
    assert "== ChatSegmindGPT4o" in result.stdout


def test_with_a_key_and_no_gateway_the_demo_fails_in_one_line_without_the_key() -> None:
    with socket.socket() as closed:  # bound, never listening: refused
        closed.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{closed.getsockname()[1]}"
        result = run_quickstart(
            SEGMIND_API_KEY=KEY, SEGMIND_BASE_URL=f"http://{address}/v1"
        )

    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no traceback
    assert result.stderr.startswith(
        "The call failed: SegmindConnectionError: could not reach Segmind at "
        f"{address} ("
    )
    assert KEY not in result.stdout + result.stderr
