"""JSON from the network, parsed with a bound on nesting.

Python's parser raises `RecursionError` on deep enough input, and code that
walks a parsed value (LangChain's, a tracer's, ours) may too on shallower
input. Every JSON the package reads from Segmind goes through `loads`.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 128


class JSONTooDeepError(ValueError):
    """The JSON nests deeper than `MAX_JSON_DEPTH`."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def loads(data: str | bytes | bytearray) -> Any:
    """Parse `data` as JSON.

    Raises:
        JSONTooDeepError: It nests deeper than `MAX_JSON_DEPTH`.
        ValueError: It is not JSON (or not UTF-8).
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise JSONTooDeepError from None
    if _openings(data) > MAX_JSON_DEPTH:  # else it cannot nest that deep
        _check_depth(value)
    return value


def _openings(data: str | bytes | bytearray) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def _check_depth(value: Any) -> None:
    # Iterative, so that checking cannot itself overflow the stack.
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise JSONTooDeepError
        pending.extend((child, depth + 1) for child in children)
