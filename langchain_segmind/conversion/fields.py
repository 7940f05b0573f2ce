"""Lenient readers for fields of provider JSON, which may be absent or odd."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_segmind.conversion.types import InvalidToolCallPart, ToolCallPart


def int_or_none(value: Any) -> int | None:
    """`value` if it is a true integer (not a bool), else `None`."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_or_none(value: Any) -> str | None:
    """`value` if it is a string, else `None`."""
    return value if isinstance(value, str) else None


def json_object_or_none(value: Any) -> Mapping[str, Any] | None:
    """A mapping, or a JSON string holding an object; else `None`."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        try:
            decoded = json.loads(value) if value.strip() else {}
        except (ValueError, RecursionError):
            return None
        return decoded if isinstance(decoded, Mapping) else None
    return None


def native_tool_call(
    call_id: Any, name: Any, arguments: Any
) -> ToolCallPart | InvalidToolCallPart:
    """A provider's own tool call; unreadable arguments make it invalid."""
    args = {} if arguments is None else json_object_or_none(arguments)
    if args is None:
        return InvalidToolCallPart(
            id=str(call_id or ""),
            name=str(name or ""),
            raw_args=arguments if isinstance(arguments, str) else json.dumps(arguments),
            error="the arguments are not a JSON object",
        )
    return ToolCallPart(id=str(call_id or ""), name=str(name or ""), args=args)
