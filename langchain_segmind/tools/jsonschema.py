"""A small JSON Schema checker for tool arguments (no extra dependency).

It covers what LangChain derives from tools and pydantic models: `type`,
`properties`, `required`, `additionalProperties: false`, `items`, `enum`,
`const`, `anyOf` (at least one option matches), `oneOf` (exactly one does),
`allOf`, local `$ref`s and the `false` schema. Unknown keywords pass, and so
do arguments the check cannot finish: nested (or `$ref`-looping) deeper than
64 levels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_MAX_DEPTH = 64


class _TooDeepError(Exception):
    """The check went deeper than `_MAX_DEPTH`: it cannot judge the instance."""


def first_error(instance: Any, schema: Mapping[str, Any]) -> str | None:
    """The first way `instance` breaks `schema`, or `None` if it conforms."""
    # Giving up on the whole instance, rather than passing the deep branch,
    # keeps `oneOf` from counting an unfinished option as a match.
    try:
        return _check(instance, schema, schema, "arguments", 0)
    except _TooDeepError:
        return None


def _check(
    value: Any, schema: Any, root: Mapping[str, Any], where: str, depth: int
) -> str | None:
    if depth > _MAX_DEPTH:
        raise _TooDeepError
    if schema is False:
        return f"{where} is not allowed here, got {value!r:.60}"
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("$ref"), str):
        return _check(value, _resolve(schema["$ref"], root), root, where, depth + 1)
    for check in (_check_type, _check_enum, _check_combinators):
        error = check(value, schema, root, where, depth)
        if error:
            return error
    if isinstance(value, dict):
        return _check_object(value, schema, root, where, depth)
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            error = _check(item, schema["items"], root, f"{where}[{index}]", depth + 1)
            if error:
                return error
    return None


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for key in ref.lstrip("#/").split("/"):
        if not key:
            continue
        node = node.get(key) if isinstance(node, Mapping) else None
    return node or {}


def _check_type(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], where: str, _: int
) -> str | None:
    expected = schema.get("type")
    if expected is None:
        return None
    names = expected if isinstance(expected, list) else [expected]
    checks = [_TYPE_CHECKS[name] for name in names if name in _TYPE_CHECKS]
    if checks and not any(check(value) for check in checks):
        return f"{where} should be {' or '.join(map(str, names))}, got {value!r:.60}"
    return None


def _check_enum(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], where: str, _: int
) -> str | None:
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} should be one of {schema['enum']!r}, got {value!r:.60}"
    if "const" in schema and value != schema["const"]:
        return f"{where} should be {schema['const']!r}, got {value!r:.60}"
    return None


def _check_combinators(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], where: str, d: int
) -> str | None:
    for keyword in ("anyOf", "oneOf"):
        options = schema.get(keyword)
        if isinstance(options, list) and options:
            errors = [_check(value, option, root, where, d + 1) for option in options]
            if all(errors):
                return errors[0]
            matches = errors.count(None)
            if keyword == "oneOf" and matches > 1:
                return (
                    f"{where} matches {matches} of the oneOf options, it must "
                    f"match exactly one, got {value!r:.60}"
                )
    for option in schema.get("allOf") or []:
        error = _check(value, option, root, where, d + 1)
        if error:
            return error
    return None


def _check_object(
    value: dict[str, Any],
    schema: Mapping[str, Any],
    root: Mapping[str, Any],
    where: str,
    depth: int,
) -> str | None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    for name in schema.get("required") or []:
        if name not in value:
            return f"{where} is missing the required {name!r}"
    if schema.get("additionalProperties") is False:
        extra = sorted(set(value) - set(properties))
        if extra:
            return f"{where} has unexpected {extra!r}"
    for name, item in value.items():
        if name in properties:
            error = _check(item, properties[name], root, f"{where}.{name}", depth + 1)
            if error:
                return error
    return None
