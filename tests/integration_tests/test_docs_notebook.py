"""The docs notebook runs top to bottom, offline, against the emulator."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

DOCS = Path(__file__).resolve().parents[2] / "docs"


def cell_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_integration_notebook_runs_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    monkeypatch.delenv("SEGMIND_BASE_URL", raising=False)
    notebook = nbformat.read(DOCS / "segmind.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(DOCS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = "\n".join(
        cell_text(cell) for cell in notebook.cells if cell.cell_type == "code"
    )
    assert "using the Segmind emulator" in outputs
    assert "'name': 'get_weather'" in outputs
    assert "'city': 'Paris'" in outputs
    assert "Joke(setup=" in outputs
    assert "Segmind requests: 3 succeeded, 0 failed" in outputs
    assert "SegmindNotFoundError 404" in outputs
