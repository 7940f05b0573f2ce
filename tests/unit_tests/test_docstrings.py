"""Docstrings in LangChain's current style: Markdown code fences that parse."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator

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


def test_no_docstring_uses_restructuredtext_code_blocks():
    offenders = [name for name, doc in DOCSTRINGS.items() if ".. code-block::" in doc]

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
