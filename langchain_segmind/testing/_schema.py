"""A minimal instance of a JSON schema, for structured-output replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MAX_DEPTH = 32


def instance_of(schema: Any) -> Any:
    """A small value that satisfies `schema`.

    Objects get every required property, strings `"example"`, integers `1`,
    numbers `1.0`, booleans `True`, arrays one item; `const` and the first
    `enum` value win; `anyOf`/`oneOf` take their first option; local
    `$ref` (`#/$defs/...`, `#/definitions/...`) is followed.
    """
    return _Builder(schema).build(schema, 0)


class _Builder:
    def __init__(self, root: Any) -> None:
        self._root = root
        self._by_type: dict[str, Callable[[dict[str, Any], int], Any]] = {
            "object": self._object,
            "array": self._array,
            "string": lambda _schema, _depth: "example",
            "integer": lambda _schema, _depth: 1,
            "number": lambda _schema, _depth: 1.0,
            "boolean": lambda _schema, _depth: True,
            "null": lambda _schema, _depth: None,
        }

    def build(self, schema: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH or not isinstance(schema, dict):
            return None
        if isinstance(schema.get("$ref"), str):
            return self.build(self._resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return self.build(options[0], depth + 1)
        if isinstance(schema.get("allOf"), list):
            return self.build(self._merge(schema), depth + 1)
        return self._by_type[_type_of(schema)](schema, depth)

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        required = schema.get("required")
        names = [n for n in required if isinstance(n, str)] if required else []
        return {name: self.build(properties.get(name, {}), depth + 1) for name in names}

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list) and prefix:
            return [self.build(item, depth + 1) for item in prefix]
        return [self.build(schema.get("items", {}), depth + 1)]

    def _merge(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                part = self._resolve(part["$ref"])
            if not isinstance(part, dict):
                continue
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        return merged

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return {}
        node = self._root
        for token in filter(None, ref[1:].split("/")):
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(key, {})
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return {}
        return node


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "null")
    if isinstance(declared, str) and declared in _KNOWN_TYPES:
        return declared
    if "properties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


_KNOWN_TYPES = frozenset(
    {"object", "array", "string", "integer", "number", "boolean", "null"}
)
