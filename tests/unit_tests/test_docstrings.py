"""Docstrings in LangChain's current style: Markdown code fences that parse."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import langchain_segmind


def _docstrings() -> Iterator[tuple[str, str]]:
    for info in pkgutil.walk_packages(
        langchain_segmind.__path__, f"{langchain_segmind.__name__}."
    ):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        yield info.name, inspect.getdoc(module) or ""
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) == info.name and (
                inspect.isclass(obj) or inspect.isfunction(obj)
            ):
                yield f"{info.name}.{name}", inspect.getdoc(obj) or ""


DOCSTRINGS = dict(_docstrings())


# reST markup: a code-block directive, a literal block (a line ending in
# "::"), a ``double-backtick`` literal, a role (:class:`Name`).
RESTRUCTUREDTEXT = re.compile(
    r"\.\. code-block::|::\s*$|(?<!`)``[^`\n]+``(?!`)|(?<![\w`]):[a-z]+:`", re.M
)


def test_no_docstring_uses_restructuredtext():
    offenders = [
        name for name, doc in DOCSTRINGS.items() if RESTRUCTUREDTEXT.search(doc)
    ]

    assert offenders == []


def test_no_module_docstring_uses_restructuredtext():
    # Modules that cannot be imported to read (`__main__`) included.
    package = Path(langchain_segmind.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if RESTRUCTUREDTEXT.search(ast.get_docstring(ast.parse(path.read_text())) or "")
    ]

    assert offenders == []


@pytest.mark.parametrize(
    "name", [name for name, doc in DOCSTRINGS.items() if "```python" in doc]
)
def test_python_examples_are_closed_fences_that_parse(name):
    parts = DOCSTRINGS[name].split("```")
    assert len(parts) % 2 == 1, "a fence is not closed"
    for fenced in parts[1::2]:
        language, _, code = fenced.partition("\n")
        if language == "python":
            # Examples may `await` at top level, as in a notebook.
            flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            compile(textwrap.dedent(code), name, "exec", flags=flags)
