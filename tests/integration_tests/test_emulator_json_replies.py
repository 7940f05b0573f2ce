"""The emulator's JSON replies: an instance of the `response_format`'s schema.

With nothing scripted, a `json_schema` answer holds the schema's required
properties, in their formats, bounds and lengths.
"""

from __future__ import annotations

import json

import httpx2

from tests.integration_tests._emulator_http import (
    HELLO,
    client_of,  # noqa: F401 - the `client` fixture
    fresh_emulator,  # noqa: F401 - the `emulator` fixture
    text_of,
)


def test_json_replies_follow_the_response_format(client: httpx2.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "ok": {"type": "boolean"},
            "colour": {"enum": ["red", "green"]},
            "tags": {"type": "array", "items": {"type": "number"}},
            "pet": {"$ref": "#/$defs/Pet"},
            "vet": {"allOf": [{"$ref": "#/$defs/Pet"}], "description": "Pydantic's"},
            "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "optional": {"type": "string"},
        },
        "required": ["name", "age", "ok", "colour", "tags", "pet", "vet", "nickname"],
        "$defs": {
            "Pet": {
                "type": "object",
                "properties": {"species": {"const": "cat"}},
                "required": ["species"],
            }
        },
    }
    structured = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": schema},
        },
    }
    for slug in ("claude-3.5-sonnet", "gpt-4o", "gemini-2.5-pro"):
        assert json.loads(text_of(client.post(f"/v1/{slug}", json=structured))) == {
            "name": "example",
            "age": 1,
            "ok": True,
            "colour": "red",
            "tags": [1.0],
            "pet": {"species": "cat"},
            "vet": {"species": "cat"},
            "nickname": "example",
        }
    json_mode = {
        "messages": [{"role": "user", "content": "Answer in JSON"}],
        "response_format": {"type": "json_object"},
    }
    assert json.loads(text_of(client.post("/v1/gpt-4o", json=json_mode))) == {
        "reply": "Segmind emulator reply (not a model) to: Answer in JSON"
    }


def test_json_replies_hold_only_the_required_properties(
    client: httpx2.Client,
) -> None:
    optional = {"type": "string"}
    schema = {
        "type": "object",
        "properties": {"a": optional, "b": optional, "c": optional},
        "required": ["a"],
    }
    structured = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Few", "schema": schema},
        },
    }
    reply = client.post("/v1/gpt-4o", json=structured)

    assert json.loads(text_of(reply)) == {"a": "example"}


def test_json_replies_keep_formats_bounds_and_lengths(
    client: httpx2.Client,
) -> None:
    strings = {
        name: {"type": "string", "format": name}
        for name in ("date", "date-time", "time", "uuid", "uri", "email", "ipv4")
    }
    schema = {
        "type": "object",
        "properties": {
            **strings,
            "at_least_5": {"type": "integer", "minimum": 5},
            "above_10": {"type": "number", "exclusiveMinimum": 10},
            "below_0": {"type": "integer", "exclusiveMaximum": 0},
            "fives": {"type": "integer", "minimum": 12, "multipleOf": 5},
            "ratio": {"type": "number", "minimum": 0.2, "maximum": 0.3},
            "long": {"type": "string", "minLength": 10},
            "short": {"type": "string", "maxLength": 3},
            "zip": {"type": "string", "pattern": "^\\d+$", "examples": ["94103"]},
            "no_example": {"type": "string", "examples": [None]},
            "no_default": {"type": "string", "default": None},
            "unit": {"type": "string", "default": "kg", "enum": ["g", "kg"]},
            "pair": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
            "none": {"type": "array", "items": {"type": "integer"}, "maxItems": 0},
            "counts": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "minProperties": 1,
            },
            "closed": {
                "properties": {"a": {"type": "integer"}},
                "additionalProperties": False,
                "minProperties": 2,
            },
        },
    }
    schema["required"] = list(schema["properties"])
    structured = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Everything", "schema": schema},
        },
    }
    assert json.loads(text_of(client.post("/v1/gpt-4o", json=structured))) == {
        "date": "2024-01-01",
        "date-time": "2024-01-01T00:00:00Z",
        "time": "00:00:00Z",
        "uuid": "00000000-0000-4000-8000-000000000000",
        "uri": "https://example.com/",
        "email": "user@example.com",
        "ipv4": "192.0.2.1",
        "at_least_5": 5,
        "above_10": 11.0,
        "below_0": -1,
        "fives": 15,
        "ratio": 0.2,
        "long": "exampleeee",
        "short": "exa",
        "zip": "94103",
        "no_example": "example",
        "no_default": "example",
        "unit": "kg",
        "pair": [1, 1],
        "none": [],
        "counts": {"key1": 1},
        "closed": {"a": 1},  # no key the schema forbids, even to reach 2
    }
