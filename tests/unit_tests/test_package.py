"""The package's public surface, its import cost, its use under `python -OO` and
without its extras, and the private names of other libraries it uses (one of
langchain-core's)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import langchain_segmind


def test_every_export_resolves() -> None:
    for name in langchain_segmind.__all__:
        assert getattr(langchain_segmind, name) is not None, name
    assert set(langchain_segmind.__all__) <= set(dir(langchain_segmind))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = langchain_segmind.NoSuchThing  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_chat_model_machinery() -> None:
    code = (
        "import sys, langchain_segmind; "
        "print('langchain_core.language_models.chat_models' in sys.modules, "
        "'langchain_segmind.chat_models' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]


def test_a_job_unpickled_in_a_new_process_loads_no_callback_machinery() -> None:
    code = (
        "import sys; from langchain_segmind import SegmindJob; "
        "print('langchain_core.callbacks' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False"]


def test_every_testing_export_resolves() -> None:
    from langchain_segmind import testing

    for name in testing.__all__:
        assert getattr(testing, name) is not None, name
    assert set(testing.__all__) <= set(dir(testing))
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = testing.NoSuchThing  # type: ignore[attr-defined]


def test_the_pytest_plugin_imports_nothing_heavy() -> None:
    # pytest imports the plugin in every session where the package is installed.
    code = (
        "import sys, langchain_segmind.testing.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'langchain_core', 'pydantic', 'httpx', 'httpx2', 'langchain_segmind'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(
        [
            "langchain_segmind",
            "langchain_segmind._lazy",
            "langchain_segmind._version",
            "langchain_segmind.testing",
            "langchain_segmind.testing.pytest_plugin",
        ]
    )


# Under -OO, which drops docstrings (`Generic`'s too, on 3.11): a TypedDict, a
# pydantic model, a function and an `@tool` (given its description) bound, and
# a TypedDict as structured output.
_UNDER_OO = """
import json
from typing import TypedDict

import httpx2
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import ChatSegmindGPT4o


class Weather(TypedDict):
    '''The weather in a city.'''

    city: str


class Answer(BaseModel):
    '''An answer.'''

    text: str


def add(a: int, b: int) -> int:
    '''Add two numbers.'''
    return a + b


@tool(description="Shout the text.")
def shout(text: str) -> str:
    return text.upper()


function = {"name": "Weather", "arguments": json.dumps({"city": "Paris"})}
call = {"id": "c1", "type": "function", "function": function}
message = {"role": "assistant", "content": '{"city": "Rome"}', "tool_calls": [call]}
reply = {"choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}
answer = httpx2.MockTransport(lambda _: httpx2.Response(200, json=reply))
model = ChatSegmindGPT4o(api_key="k", http_client=httpx2.Client(transport=answer))
bound = model.bind_tools([Weather, Answer, add, shout])
print(bound.invoke("Hi").tool_calls[0]["args"])
print(model.with_structured_output(Weather).invoke("Hi"))
"""


def test_tools_and_structured_output_work_without_docstrings() -> None:
    run = subprocess.run(
        [sys.executable, "-OO", "-c", _UNDER_OO], capture_output=True, text=True
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["{'city': 'Paris'}", "{'city': 'Rome'}"]


# langchain-core's partner packages (ChatOpenAI) use this one too.
_PRIVATE_NAMES_ALLOWED = {"langchain_core.utils.utils._build_model_kwargs"}


def _private_names_of_other_libraries(source: str) -> list[str]:
    """`library.module._name` for each private name `source` imports or reads."""
    names, modules = [], {}  # a name bound to a module -> the module's name
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.append(alias.name)
                bound = alias.asname or alias.name.partition(".")[0]
                modules[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            names.append(f"{modules.get(node.value.id, '')}.{node.attr}")
    ours = sys.stdlib_module_names | {"", "langchain_segmind", "__future__"}
    return [
        name
        for name in names
        if name.partition(".")[0] not in ours
        and any(p.startswith("_") and not p.endswith("__") for p in name.split("."))
        and name not in _PRIVATE_NAMES_ALLOWED
    ]


def test_the_package_uses_no_private_name_of_another_library() -> None:
    package = Path(langchain_segmind.__file__).parent
    used = {
        str(path.relative_to(package)): names
        for path in sorted(package.rglob("*.py"))
        if (names := _private_names_of_other_libraries(path.read_text()))
    }

    assert used == {}


# The runtime dependencies are langchain-core, httpx2 (with its httpcore2) and
# pydantic; these come only with an extra, a legacy client or pytest.
_EXTRAS = ("aiohttp", "httpx_aiohttp", "multidict", "langchain", "langgraph", "httpx")
_WITHOUT_EXTRAS = f"""
import asyncio, importlib, pkgutil, sys
for name in {_EXTRAS!r}:
    sys.modules[name] = None  # importing it raises ImportError

import httpx2
import langchain_segmind
from langchain_segmind import ChatSegmindGPT4o, SegmindInputError

optional = ("langchain_segmind.middleware", "langchain_segmind.testing.__main__")
for module in pkgutil.walk_packages(langchain_segmind.__path__, "langchain_segmind."):
    if not module.name.startswith(optional):
        importlib.import_module(module.name)
try:
    importlib.import_module("langchain_segmind.middleware")
except ImportError as error:
    print(error)

reply = {{"choices": [{{"message": {{"role": "assistant", "content": '{{"a": 1}}'}}}}]}}
def answer(request):
    return httpx2.Response(200, json=reply)
model = ChatSegmindGPT4o(
    api_key="k",
    http_client=httpx2.Client(transport=httpx2.MockTransport(answer)),
    http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(answer)),
)
print(model.invoke("Hi").content, asyncio.run(model.ainvoke("Hi")).content)
print(model.with_structured_output({{"title": "A", "type": "object"}}).invoke("Hi"))
try:
    ChatSegmindGPT4o(api_key="k", async_transport="aiohttp")
except SegmindInputError as error:
    print(error)
"""


def test_the_package_needs_none_of_its_extras() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS], capture_output=True, text=True
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "langchain_segmind.middleware needs LangChain's agents: install the "
        "`agents` extra (langchain-segmind[agents]) or `langchain`",
        '{"a": 1} {"a": 1}',
        "{'a': 1}",
        'async_transport="aiohttp" needs the aiohttp extra: '
        'pip install "langchain-segmind[aiohttp]"',
    ]
