"""A minimal instance of a JSON schema, for structured-output replies."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_MAX_DEPTH = 32

# A value for each string `format` pydantic and JSON Schema name; the others
# get "example". UUIDs are of the version the format names (4 for "uuid").
_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/",
    "json-pointer": "/example",
    "regex": "^example$",
    "base64": "ZXhhbXBsZQ==",
    "uuid": "00000000-0000-4000-8000-000000000000",
    **{
        f"uuid{version}": f"00000000-0000-{version}000-8000-000000000000"
        for version in range(1, 9)
    },
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "ipvanyaddress": "192.0.2.1",
    "ipv4interface": "192.0.2.1/24",
    "ipv6interface": "2001:db8::1/64",
    "ipvanyinterface": "192.0.2.1/24",
    "ipv4network": "192.0.2.0/24",
    "ipv6network": "2001:db8::/64",
    "ipvanynetwork": "192.0.2.0/24",
}


def instance_of(schema: Any) -> Any:
    """A small value that satisfies `schema`.

    `const` wins, then a `default`, the first of `examples`, the first of
    `enum`; `anyOf`/`oneOf` take their first option; local `$ref`
    (`#/$defs/...`, `#/definitions/...`) is followed. Otherwise objects get
    every required property (more if `minProperties` asks), arrays one item
    (or `minItems`, distinct if `uniqueItems` and the items allow), strings a
    value of their `format` (a date, a UUID, a URL...) else `"example"`, within
    `minLength`/`maxLength` (a `pattern` is met only by a `default` or
    `examples`); integers `1` and numbers `1.0` unless their bounds or
    `multipleOf` need another; booleans `True`.
    """
    return _Builder(schema).build(schema, 0)


def fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether a string or number keeps `schema`'s bounds, lengths and pattern."""
    if isinstance(value, str):
        pattern = schema.get("pattern")
        return (
            _at_least(len(value), schema, "minLength", None)
            and _at_most(len(value), schema, "maxLength", None)
            and (not isinstance(pattern, str) or _search(pattern, value))
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    step = _number(schema, "multipleOf")
    return (
        _at_least(value, schema, "minimum", "exclusiveMinimum")
        and _at_most(value, schema, "maximum", "exclusiveMaximum")
        and (step is None or step <= 0 or _is_multiple(value, step))
    )


class _Builder:
    def __init__(self, root: Any) -> None:
        self._root = root
        self._by_type: dict[str, Callable[[dict[str, Any], int], Any]] = {
            "object": self._object,
            "array": self._array,
            "string": lambda schema, _depth: _string(schema),
            "integer": lambda schema, _depth: _in_bounds(schema, integer=True),
            "number": lambda schema, _depth: _in_bounds(schema, integer=False),
            "boolean": lambda _schema, _depth: True,
            "null": lambda _schema, _depth: None,
        }

    def build(self, schema: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH or not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        if schema.get("default") is not None:
            return schema["default"]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples and examples[0] is not None:
            return examples[0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if isinstance(schema.get("$ref"), str):
            return self.build(self._resolve(schema["$ref"]), depth + 1)
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
        wanted = _count(schema, "minProperties", 0)
        names += [n for n in properties if n not in names][
            : max(0, wanted - len(names))
        ]
        extra = schema.get("additionalProperties", {})
        if extra is not False:  # a mapping's keys, e.g. dict[str, int]
            names += [f"key{n}" for n in range(1, wanted - len(names) + 1)]
        extra = extra if isinstance(extra, dict) else {}
        return {
            name: self.build(properties.get(name, extra), depth + 1) for name in names
        }

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        prefix = schema.get("prefixItems")
        items = [self.build(i, depth + 1) for i in prefix] if prefix else []
        wanted = max(len(items) or 1, _count(schema, "minItems", 0))
        wanted = min(wanted, _count(schema, "maxItems", wanted))
        item = schema.get("items", {})
        items += [self.build(item, depth + 1)] * (wanted - len(items))
        if schema.get("uniqueItems") is True:  # a set: vary repeated items
            if isinstance(item, dict) and isinstance(item.get("$ref"), str):
                item = self._resolve(item["$ref"])
            for index, value in enumerate(items):
                if value in items[:index]:
                    others = (v for v in _variants(value, item) if v not in items)
                    items[index] = next(others, value)
        return items[:wanted]

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


# -- strings --------------------------------------------------------------------


def _string(schema: dict[str, Any]) -> str:
    value = _FORMATS.get(str(schema.get("format")), "example")
    shortest = _count(schema, "minLength", 0)
    if len(value) < shortest:
        value += (value[-1:] or "x") * (shortest - len(value))
    return value[: _count(schema, "maxLength", len(value))]


def _variants(value: Any, schema: Any) -> Iterator[Any]:
    """Values other than `value` that keep `schema`: its enum, or near ones."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("enum"), list):
        yield from schema["enum"]
        return
    step = _number(schema, "multipleOf") or 1
    for n in range(1, 100):
        candidates: list[Any]
        if isinstance(value, str) and "format" not in schema:
            candidates = [value[: -len(str(n))] + str(n), f"{value}{n}"]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            candidates = [value + n * step, value - n * step]
        else:
            return
        yield from (c for c in candidates if fits(c, schema))


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


# -- numbers and counts ------------------------------------------------------------


def _in_bounds(schema: dict[str, Any], *, integer: bool) -> int | float:
    """`1` (or `1.0`) if it fits, else a value within the bounds and step."""
    low, high = _number(schema, "minimum"), _number(schema, "maximum")
    above = _number(schema, "exclusiveMinimum")
    below = _number(schema, "exclusiveMaximum")
    seeds = [1.0, 0.0, *(v for v in (low, high) if v is not None)]
    seeds += [] if above is None else [above + 1]
    seeds += [] if below is None else [below - 1]
    floors = [v for v in (low, above) if v is not None]
    ceilings = [v for v in (high, below) if v is not None]
    if floors and ceilings:
        seeds.append((max(floors) + min(ceilings)) / 2)
    step = _number(schema, "multipleOf")
    unit = step if step is not None and step > 0 else (1 if integer else None)
    for seed in seeds:
        for value in _multiples_near(seed, unit):
            if not integer and fits(float(value), schema):
                return float(value)
            if integer and float(value).is_integer() and fits(int(value), schema):
                return int(value)
    return 1 if integer else 1.0


def _multiples_near(seed: float, unit: float | None) -> list[float]:
    if unit is None:
        return [seed]
    return [math.ceil(seed / unit) * unit, math.floor(seed / unit) * unit]


def _number(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _count(schema: Mapping[str, Any], key: str, otherwise: int) -> int:
    value = _number(schema, key)
    return otherwise if value is None else max(0, math.ceil(value))


def _at_least(
    value: float, schema: Mapping[str, Any], key: str, exclusive: str | None
) -> bool:
    low = _number(schema, key)
    above = _number(schema, exclusive) if exclusive else None
    return (low is None or value >= low) and (above is None or value > above)


def _at_most(
    value: float, schema: Mapping[str, Any], key: str, exclusive: str | None
) -> bool:
    high = _number(schema, key)
    below = _number(schema, exclusive) if exclusive else None
    return (high is None or value <= high) and (below is None or value < below)


def _is_multiple(value: float, step: float) -> bool:
    quotient = value / step
    return math.isclose(quotient, round(quotient), abs_tol=1e-9)
