"""Structured output: `with_structured_output`'s three methods, and the parse."""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from graphlib import CycleError, TopologicalSorter
from typing import Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.utils.function_calling import (
    convert_to_json_schema,
    convert_to_openai_tool,
)
from langchain_core.utils.json import parse_json_markdown
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from langchain_segmind.conversion.openai import openai_name
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools.binding import (
    DESCRIBED_ARGUMENTS,
    JSON_TYPES,
    NOT_DESCRIBABLE,
    ToolBinding,
    as_declared,
    describe_tool,
    described_tools,
    is_typeddict,
    not_describable,
    one_call_only,
)
from langchain_segmind.tools.protocol import ANSWER_DECODER, reasoning_span

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]


def structured_runnable(
    model: BaseChatModel,
    schema: Any,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """Build the runnable behind `ChatSegmind.with_structured_output`."""
    if method not in ("json_schema", "function_calling", "json_mode"):
        raise SegmindInputError(
            f"unknown structured-output method {method!r}; use 'json_schema', "
            "'function_calling' or 'json_mode'"
        )
    if schema is None and method != "json_mode":
        raise SegmindInputError(f"method={method!r} needs a schema")
    json_schema = _plain_json_schema(schema)
    if method == "json_mode" and json_schema:  # it asks for one JSON object
        kinds = json_schema.get("type", "object")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "object" not in (str(kind).lower() for kind in kinds):
            raise SegmindInputError(
                "json_mode asks for a JSON object, but the schema's root is "
                f"{json_schema['type']!r}: use method='json_schema'"
            )
        json_schema = {**json_schema, "type": "object"}
    trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    try:  # as core's tracing will: a ValueError leaves the schema out of it
        convert_to_json_schema(schema)
    except ValueError:
        pass
    except NOT_DESCRIBABLE:  # others would fail the call: the trace goes without
        trace = {}
    if from_call := method == "function_calling":
        if (spec := _openai_spec(schema)) is not None:  # as a function's schema
            schema = {**spec, "parameters": spec["schema"]}
        name = describe_tool(schema)["function"]["name"]
        llm = model.bind_tools(
            [schema], tool_choice=name, ls_structured_output_format=trace
        )
    else:
        options: dict[str, Any] = (
            {"response_format": _response_format(schema, strict)}
            if method == "json_schema"
            else {"json_mode": True}
        )
        llm = model.bind(**options, ls_structured_output_format=trace)
    # One function over the whole answer, which arrives as one chunk even when
    # streamed: core's parsers would read it as partial JSON, completing an
    # answer cut off at `max_tokens` and dropping errors while streaming.
    parse = partial(
        _parsed, schema=schema, json_schema=json_schema, from_call=from_call
    )
    output_type: Any = dict
    if include_raw:
        parse = partial(_parsed_with_raw, parse=parse)
    elif is_basemodel_subclass(schema):
        output_type = schema if issubclass(schema, BaseModel) else Any  # v1: Any
    elif json_schema.get("type", "object") != "object":
        output_type = Any  # an array, a string...
    parser = RunnableLambda(parse, name="parse_structured_output")
    return llm | parser.with_types(output_type=output_type)


def _parsed(
    message: AIMessage, *, schema: Any, json_schema: Mapping[str, Any], from_call: bool
) -> Any:
    """The answer as `schema` describes it; `OutputParserException` if it is not."""
    if from_call:
        if not message.tool_calls:
            # A message built from a stream keeps the reasons in its metadata.
            kept = message.response_metadata.get("invalid_tool_call_errors") or {}
            calls = message.invalid_tool_calls
            why = [str(e) for c in calls if (e := c["error"] or kept.get(c["id"]))]
            raise OutputParserException(
                "the model made no valid call to the output schema"
                + (f": {'; '.join(why)}" if why else "")
                + _cut_off(message),
                llm_output=str(message.content),
            )
        value = message.tool_calls[0]["args"]
    else:
        text = message.text
        if refusal := message.additional_kwargs.get("refusal"):
            raise OutputParserException(
                f"the model refused to answer: {refusal}", llm_output=text
            )
        if (start := reasoning_span(text)[1]) == -1:
            raise OutputParserException(
                "the answer is inside reasoning that never ends (cut off at "
                "max_tokens?)",
                llm_output=text,
            )
        answer = _FENCE_TAG.sub(r"\1", text[start:])  # core reads a `json` tag only
        try:
            value = parse_json_markdown(answer, parser=_first_json_value)
        except (ValueError, RecursionError) as error:
            raise OutputParserException(
                f"the answer is not valid JSON ({error}){_cut_off(message)}",
                llm_output=message.text,
            ) from error
        if not _has_schema_type(value, json_schema):
            raise OutputParserException(
                f"the answer is a JSON {type(value).__name__}, which the schema's "
                "root does not allow",
                llm_output=message.text,
            )
    if is_basemodel_subclass(schema):
        model: Any = schema
        validate = getattr(model, "model_validate", model.parse_obj)  # or v1's
        try:
            return validate(value)
        except Exception as error:  # pydantic's ValidationError, or a validator's
            raise OutputParserException(
                f"the answer does not fit {schema.__name__}: {error}",
                llm_output=message.text,
            ) from error
    required = json_schema.get("required") if isinstance(value, dict) else None
    if missing := [key for key in required or () if key not in value]:
        raise OutputParserException(
            f"the answer lacks the required keys {missing}", llm_output=message.text
        )
    return value


def _cut_off(message: AIMessage) -> str:
    if message.response_metadata.get("finish_reason") != "length":
        return ""
    # At `max_tokens`, or at the context window (Claude's stop reason says so).
    return (
        "; it was cut off at its token limit (finish_reason 'length'): raise "
        "max_tokens, which reasoning uses too, or shorten the conversation"
    )


def _parsed_with_raw(message: AIMessage, *, parse: Any) -> dict[str, Any]:
    try:
        return {"raw": message, "parsed": parse(message), "parsing_error": None}
    except OutputParserException as error:
        return {"raw": message, "parsed": None, "parsing_error": error}


def _first_json_value(text: str) -> Any:
    """The JSON value `text` starts with; a remark after it is ignored."""
    value, end = ANSWER_DECODER.raw_decode(text)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not _LINE_END.match(text, end):  # `1. apples` is prose, not JSON
        raise json.JSONDecodeError("Extra data", text, end)
    return value


_LINE_END = re.compile(r"[ \t]*+(?:\r?\n|\Z)")
# The tag of an answer's opening fence: ```JSON, ```jsonc, ```json5.
_FENCE_TAG = re.compile(r"\A(\s*+```)[\w.+-]++[ \t]*+(?=\r?\n)")
# Keys that let a root be other than an object, without a `type` to say so.
_OPEN_ROOT_KEYS = {"anyOf", "oneOf", "allOf", "enum", "const"}
_ARRAY_KEYS = {"items", "prefixItems"}
_OBJECT_KEYS = {"properties", "required", "additionalProperties"}
_SCHEMA_KEYS = _OPEN_ROOT_KEYS | _ARRAY_KEYS | _OBJECT_KEYS | {"type", "$ref"}


def _has_schema_type(value: Any, json_schema: Mapping[str, Any]) -> bool:
    """Whether `value` has a type the schema's root allows (or implies, untyped)."""
    keys = json_schema.keys()
    if "type" not in json_schema:
        if _OPEN_ROOT_KEYS & keys or not (_ARRAY_KEYS | _OBJECT_KEYS) & keys:
            return True
        return (bool(_ARRAY_KEYS & keys) and isinstance(value, list)) or (
            bool(_OBJECT_KEYS & keys) and isinstance(value, dict)
        )
    kinds = json_schema["type"]
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(_is_of_kind(value, kind) for kind in kinds)


def _is_of_kind(value: Any, kind: object) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()  # `3.0`, as JSON Schema and pydantic read it
    return isinstance(value, JSON_TYPES.get(str(kind), object))


def _resolved(json_schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema a root `$ref` (`#/$defs/...`) points to, or the schema itself."""
    root = json_schema
    for _ in range(8):  # a chain of references, but not a cycle
        ref = json_schema.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#/")):
            break
        target: Any = root
        for key in ref[2:].split("/"):
            target = target.get(key) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            break
        json_schema = target
    return json_schema


def tools_and_format(
    options: Mapping[str, Any], body_fields: dict[str, Any]
) -> tuple[ToolBinding | None, Mapping[str, Any] | None, bool]:
    """A call's tool binding, `response_format` and `json_mode`, checked.

    The tools are described as `bind_tools` describes them, with the call's
    `strict`.

    A `response_format` among the body fields (from `model_kwargs` too) is
    taken out of them and checked, not sent as given; the call's own wins.
    With tools that may be called, a JSON answer format (a JSON schema, or
    any JSON object for `json_object` and `json_mode`) goes into the
    protocol's prompt instead.
    """
    binding = None
    if tools := options.get("tools"):
        if not isinstance(tools, list | tuple):
            raise SegmindInputError(f"tools must be a list, got {type(tools).__name__}")
        tool_choice = options.get("tool_choice")
        described, choice = described_tools(tools, tool_choice, options.get("strict"))
        parallel = options.get("parallel_tool_calls") is not False
        parallel = parallel and not one_call_only(tool_choice)
        binding = ToolBinding(tuple(described), choice, parallel=parallel)
    model_format = body_fields.pop("response_format", None)
    response_format = options.get("response_format", model_format)
    if not (response_format is None or isinstance(response_format, Mapping)):
        try:  # a schema
            response_format = _response_format(response_format, None)
        except SegmindInputError as error:
            raise SegmindInputError(
                "response_format must be a dict or a schema class, got "
                f"{response_format!r:.80}"
            ) from error
    json_mode = bool(options.get("json_mode"))
    requested = response_format or ({"type": "json_object"} if json_mode else {})
    kind, spec = requested.get("type"), requested.get("json_schema")
    schema = {"type": "object"} if kind == "json_object" else None
    if kind == "json_schema" and isinstance(spec, Mapping):
        schema = spec.get("schema")
    if binding is None or not binding.parses_replies or not isinstance(schema, Mapping):
        return binding, response_format, json_mode
    return replace(binding, answer_schema=schema), None, False


def _plain_json_schema(schema: Any) -> Mapping[str, Any]:
    """The JSON schema an answer is checked against; `{}` for pydantic's own."""
    if schema is None:
        return {"type": "object"}  # `json_mode` asks for one
    if is_basemodel_subclass(schema):
        return {}
    if spec := _openai_spec(schema):
        schema = spec["schema"]
    if spec or _is_json_schema(schema):
        return _resolved(schema)  # checked as it is written
    # A TypedDict or a tool's description; core's converter fails on others.
    try:
        return _model_schema(schema)
    except RecursionError as error:  # a TypedDict that nests itself
        raise SegmindInputError(
            f"cannot describe the output schema {reprlib.repr(schema)}: it nests "
            "itself; use a pydantic model, which can"
        ) from error
    except NOT_DESCRIBABLE:  # a TypedDict's answer is an object all the same
        return {"type": "object"} if is_typeddict(schema) else {}


def _is_json_schema(schema: Any) -> bool:
    """Whether `schema` is a JSON schema, not a tool's description or a wrapper."""
    if not isinstance(schema, Mapping) or not _SCHEMA_KEYS & schema.keys():
        return False
    kinds = schema.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    known = all(isinstance(kind, str) and kind in JSON_TYPES for kind in kinds)
    return known and not DESCRIBED_ARGUMENTS & schema.keys()


def _openai_spec(schema: Any) -> Mapping[str, Any] | None:
    """OpenAI's `json_schema` spec (bare or in a `response_format`) `schema` holds."""
    if isinstance(schema, Mapping) and schema.get("type") == "json_schema":
        schema = schema.get("json_schema")
    named = isinstance(schema, Mapping) and isinstance(schema.get("name"), str)
    return schema if named and isinstance(schema.get("schema"), Mapping) else None


def _response_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    if (given := _openai_spec(schema)) is not None:
        spec = dict(given) | ({} if strict is None else {"strict": strict})
        return {"type": "json_schema", "json_schema": spec}
    try:
        # A JSON schema is sent as written: core would keep only an object's,
        # and would cut a recursive model's nesting down to `{}`.
        if _is_json_schema(schema):
            json_schema = sent = dict(schema)
        else:  # core's, whose `discriminator` names definitions it inlined
            json_schema = _model_schema(schema)
            sent = _any_of(json_schema)
        if strict:
            # Strict mode takes only closed objects whose properties are all
            # required: core writes the schema that way for OpenAI's tools.
            # It closes `anyOf` branches, not `oneOf` ones (which strict refuses).
            titled = {"title": "response", **_any_of(sent)}  # core needs a title
            sent = convert_to_openai_tool(titled, strict=True)["function"]["parameters"]
    except KeyError as error:  # no `parameters` came out
        raise SegmindInputError(
            f"strict=True cannot close the schema {reprlib.repr(schema)}: it needs "
            "a root object with properties (no root $ref)"
        ) from error
    except NOT_DESCRIBABLE as error:
        what = f"the output schema {reprlib.repr(schema)}"
        raise not_describable(what, schema, error) from error
    # OpenAI's rule for the name: `Page[Item]` or "Movie review" is a 400.
    name = openai_name(str(json_schema.get("title") or ""))
    spec = {"name": name or "response", "schema": sent}
    if json_schema.get("description"):
        spec["description"] = json_schema["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def _model_schema(schema: Any) -> dict[str, Any]:
    """Core's JSON schema; a pydantic model that nests itself keeps its definitions."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        written = schema.model_json_schema()
        defs = written.get("$defs") or {}
        uses = {name: set(_REF.findall(json.dumps(d))) for name, d in defs.items()}
        try:
            TopologicalSorter(uses).prepare()
        except CycleError:  # a definition reaches itself
            return {**_resolved(written), "$defs": defs}
    described = convert_to_json_schema(schema)
    if is_typeddict(schema):
        as_declared(described, (schema,))  # core's own, new dict
    return described


_REF = re.compile(r'"\$ref": "#/\$defs/([^"]+)"')


def _any_of(json_schema: Any) -> Any:
    """`json_schema` with the keyword `oneOf` as `anyOf`, and no `discriminator`."""
    if isinstance(json_schema, list):
        return [_any_of(item) for item in json_schema]
    if not isinstance(json_schema, Mapping):
        return json_schema
    rewritten = {}
    for key, value in json_schema.items():
        if key == "discriminator":
            continue
        if key in _NAMED_SCHEMAS and isinstance(value, Mapping):  # names kept
            value = {name: _any_of(schema) for name, schema in value.items()}
        elif key not in _VALUE_KEYWORDS:
            value = _any_of(value)
        rewritten["anyOf" if key == "oneOf" else key] = value
    return rewritten


_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_VALUE_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
