"""Lenient readers for fields of provider JSON, which may be absent or odd."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


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
        except ValueError:
            return None
        return decoded if isinstance(decoded, Mapping) else None
    return None
