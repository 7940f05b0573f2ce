"""Every `python` block of the README, then of docs/guide.md, runs against the emulator.

The blocks run in order in one namespace, as a reader pasting them one after another
into a session would, while an emulator captures the default clients: they
call it with its key, so no key is needed and no call can reach Segmind. The
emulator answers as the README expects by itself (a protocol-following model
when tools are bound, a schema instance for structured output, a 404 for an
unknown slug, v2 jobs).

Conventions:
- A block that defines `test_*` functions is a test file: each function is
  run after the blocks, as pytest would, with a fresh emulator of its own when
  it asks for `segmind_emulator` (async ones in a new event loop).
- The files the README reads (`cat.png`, `question.wav`) are put in the
  working directory first, from the test fixtures.
- A block whose fence reads ```` ```python no-run ```` is skipped, for what
  cannot run offline. The README has none today; keep it that way if you can.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from langchain_segmind.testing import SegmindEmulator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FILES_READ = {"cat.png": "tiny.png", "question.wav": "tiny.wav"}
FENCE = re.compile(r"^```python([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


DOCUMENTS = ("README.md", "docs/guide.md")  # the guide's blocks use the README's names


def python_blocks() -> list[tuple[str, int, str, str]]:
    """The python blocks: (document, line, info string, code), in order."""
    blocks = []
    for document in DOCUMENTS:
        text = (ROOT / document).read_text(encoding="utf-8")
        blocks += [
            (
                document,
                text.count("\n", 0, found.start()) + 1,
                found[1].strip(),
                found[2],
            )
            for found in FENCE.finditer(text)
        ]
    return blocks


def test_the_readme_is_at_most_3000_words() -> None:
    # The README is for users; the details go to docs/guide.md.
    assert len((ROOT / "README.md").read_text(encoding="utf-8").split()) <= 3000


def _headings(document: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (code blocks skipped)."""
    anchors: set[str] = set()
    text = re.sub(
        r"^```.*?^```\s*$", "", document.read_text(encoding="utf-8"), flags=re.M | re.S
    )
    for heading in re.findall(r"^#{1,6}\s+(.*)$", text, re.M):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = sum(
            1 for seen in anchors if re.fullmatch(rf"{re.escape(anchor)}(-\d+)?", seen)
        )
        anchors.add(f"{anchor}-{count}" if count else anchor)
    return anchors


def test_every_link_between_the_documents_lands() -> None:
    documents = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *ROOT.glob("docs/*.md")]
    checked = 0
    for document in documents:
        text = re.sub(
            r"^```.*?^```\s*$",
            "",
            document.read_text(encoding="utf-8"),
            flags=re.M | re.S,
        )
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"\w+:", target):  # another site
                continue
            file, _, anchor = target.partition("#")
            linked = (document.parent / file).resolve() if file else document
            assert linked.exists(), f"{document.name} links to missing {target}"
            if anchor and linked.suffix == ".md":
                assert anchor in _headings(linked), (
                    f"{document.name}: no heading {target}"
                )
                checked += 1
    assert checked >= 20, "the documents' links were not found"


def run_test_function(function: Any) -> None:
    """Run a README test function as pytest would, with a fresh fixture if asked."""
    with contextlib.ExitStack() as fixtures:
        arguments = {}
        if "segmind_emulator" in inspect.signature(function).parameters:
            emulator = fixtures.enter_context(SegmindEmulator())
            fixtures.enter_context(emulator.capture_default_clients())
            arguments["segmind_emulator"] = emulator
        result = function(**arguments)
        if inspect.iscoroutine(result):
            asyncio.run(result)


def test_every_readme_block_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = python_blocks()
    assert {document for document, *_ in blocks} == set(DOCUMENTS)
    assert len(blocks) >= 10, "the README's python blocks were not found"
    for name, fixture in FILES_READ.items():
        shutil.copy(FIXTURES / fixture, tmp_path / name)
    monkeypatch.chdir(tmp_path)

    namespace: dict[str, Any] = {"__name__": "readme"}
    tests = []
    with SegmindEmulator() as emulator, emulator.capture_default_clients():
        for document, line, info, code in blocks:
            if "no-run" in info.split():
                continue
            defined = set(namespace)
            where = f"{document}, block at line {line}"
            exec(compile(code, where, "exec"), namespace)
            tests += [
                namespace[name]
                for name in sorted(set(namespace) - defined)
                if name.startswith("test_") and callable(namespace[name])
            ]
    assert emulator.requests, "no README block called the emulator"

    assert len(tests) >= 4, "the README's test functions were not found"
    for function in tests:
        run_test_function(function)


def test_chat_segmind_docstring_examples_run_and_show_real_keys() -> None:
    # Each shown value (`expression` then a `# {...}` comment) has the keys the
    # emulator's answer has; the blocks run in order, as the README's do.
    from langchain_segmind import ChatSegmind

    doc = inspect.getdoc(ChatSegmind) or ""
    namespace: dict[str, Any] = {}
    shown = 0

    async def run_blocks() -> None:
        nonlocal shown
        for block in re.findall(r"```python\n(.*?)```", doc, re.DOTALL):
            code = textwrap.dedent(block)
            flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            result = eval(compile(code, "ChatSegmind", "exec", flags=flags), namespace)
            if inspect.iscoroutine(result):
                await result
            expression, _, comment = code.partition("\n# ")
            if comment:
                written = ast.literal_eval(comment.replace("\n#", ""))
                assert eval(expression, namespace).keys() == written.keys(), expression
                shown += 1

    with SegmindEmulator() as emulator, emulator.capture_default_clients():
        asyncio.run(run_blocks())
    assert shown == 2
    assert len(emulator.requests) == 2  # `invoke`, then `ainvoke`
