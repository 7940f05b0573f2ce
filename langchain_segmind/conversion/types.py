"""Provider-neutral parts and turns, and the answer builder the dialects share.

Each dialect renders turns into its provider's JSON and reads its answers into
an `AIMessage` through `answer_message`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, cast

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import (
    InputTokenDetails,
    OutputTokenDetails,
    UsageMetadata,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call

Role = Literal["system", "user", "assistant", "tool"]
MediaKind = Literal["image", "pdf", "audio"]


@dataclass  # parts and turns: never changed, not frozen (a frozen `__init__` costs 3x)
class TextPart:
    """Plain text."""

    text: str


@dataclass
class MediaPart:
    """An image, PDF or audio clip, given inline (base64) or by URL."""

    kind: MediaKind
    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    filename: str | None = None
    detail: str | None = None  # OpenAI's image resolution hint
    title: str | None = None  # a Claude document's title and context
    context: str | None = None


@dataclass
class ToolCallPart:
    """A call the assistant made to a tool (`args` a string: as written, invalid)."""

    id: str
    name: str
    args: Mapping[str, Any] | str


@dataclass
class ToolResultPart:
    """What a tool returned for one call."""

    tool_call_id: str
    name: str | None
    content: tuple[TextPart | MediaPart, ...]
    is_error: bool = False


# A model's own thinking block is a part as it came: Claude requires it back.
Part = TextPart | MediaPart | Mapping[str, Any] | ToolCallPart | ToolResultPart


@dataclass
class Turn:
    """One message of a conversation, independent of any provider."""

    role: Role
    parts: tuple[Part, ...]
    name: str | None = None


def read_usage(
    usage: Any,
    inputs: str,
    outputs: str,
    total: str = "",
    *,
    input_details: Mapping[str, tuple[str, ...]] = MappingProxyType({}),
    output_details: Mapping[str, tuple[str, ...]] = MappingProxyType({}),
    apart: frozenset[str] = frozenset(),
) -> UsageMetadata | None:
    """LangChain's usage record from a provider's usage, by key or path of keys.

    `input_details` and `output_details` map LangChain's detail names
    (`cache_read`, `audio`, `reasoning`...) to the path of the provider's
    keys. `apart`: the details the provider leaves out of its own input or
    output count, which LangChain's counts include (Anthropic's cached tokens,
    Gemini's thoughts).
    """
    if not isinstance(usage, dict):  # parsed JSON: its objects are dicts
        return None
    found_in = _details(usage, input_details)
    found_out = _details(usage, output_details)
    input_tokens = _count(usage, (inputs,)) or 0
    output_tokens = _count(usage, (outputs,)) or 0
    for name in apart:
        input_tokens += found_in.get(name, 0)
        output_tokens += found_out.get(name, 0)
    total_tokens = (total and _count(usage, (total,))) or input_tokens + output_tokens
    record = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total_tokens,
    )
    if found_in:
        record["input_token_details"] = cast("InputTokenDetails", found_in)
    if found_out:
        record["output_token_details"] = cast("OutputTokenDetails", found_out)
    return record


def _details(
    usage: Mapping[str, Any], paths: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    found = {}
    for name, path in paths.items():
        if (count := _count(usage, path)) is not None:
            found[name] = count
    return found


def _count(usage: Mapping[str, Any], path: tuple[str, ...]) -> int | None:
    value: Any = usage
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value if type(value) is int else None  # JSON integers, never bools


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python keeps a repeated key's last value, where other readers may keep
    # the first: `{"name": "f", ..., "name": "pay"}` must not read as either.
    value = dict(pairs)
    if len(value) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        repeated = next(key for key, count in counts.items() if count > 1)
        raise ValueError(f"the key {repeated[:40]!r} is repeated in an object")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # `1e999`: no JSON writer can send it back
        raise ValueError(f"{text} is out of range")
    return value


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not JSON")


# Tool calls are read as strict JSON: a call reads the same to every JSON reader.
STRICT_JSON = json.JSONDecoder(
    object_pairs_hook=_unique_keys, parse_float=_finite, parse_constant=_not_json
)


def _native_tool_call(
    call_id: Any, name: Any, arguments: Any
) -> ToolCall | InvalidToolCall:
    """A provider's own tool call; invalid without a name or JSON object arguments."""
    call_id = str(call_id or f"call_{uuid.uuid4().hex[:24]}")
    name = str(name) if name else None  # as the text protocol reads one
    args = arguments
    error = "the arguments are not a JSON object"
    if isinstance(args, str):
        try:
            args = STRICT_JSON.decode(args) if args.strip() else {}
        except (ValueError, RecursionError) as problem:
            error = f"the arguments are not JSON: {problem}"
    if args is None:  # null, or "null" (as langchain-core reads it)
        args = {}
    if isinstance(args, Mapping):
        if name:
            return tool_call(name=name, args=dict(args), id=call_id)
        error = "the call names no tool"
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return invalid_tool_call(name=name, args=raw, id=call_id, error=error)


def answer_message(
    *,
    text: str,
    stop_reason: Any,
    finish_reasons: Mapping[str, str],
    id: Any,
    upstream_model: Any,
    usage: UsageMetadata | None,
    calls: Iterable[tuple[Any, Any, Any]] = (),
    reasoning: str = "",
    thinking_blocks: Iterable[Mapping[str, Any]] = (),
    refusal: Any = None,
) -> AIMessage:
    """The `AIMessage` of an answer: text in `content`, reasoning beside it.

    `calls` are native tool calls as (id, name, arguments). `finish_reasons`
    maps the provider's reasons that normalise to `stop`, `length`,
    `tool_calls` or `content_filter`; others pass through lower-cased.
    """
    additional: dict[str, Any] = {}
    if reasoning:
        additional["reasoning_content"] = reasoning
    if thinking_blocks := [dict(block) for block in thinking_blocks]:
        additional["thinking_blocks"] = thinking_blocks
    stop_reason = _str(stop_reason)
    metadata: dict[str, Any] = {
        "finish_reason": finish_reasons.get(stop_reason, stop_reason.lower())
        if stop_reason
        else None,
        "stop_reason": stop_reason,
        "id": _str(id) or None,  # `""` would make every answer one message
        "upstream_model": _str(upstream_model),
    }
    if refusal := _str(refusal):
        additional["refusal"] = metadata["refusal"] = refusal
    parsed = [_native_tool_call(*call) for call in calls]
    lists = {
        "additional_kwargs": additional,
        "tool_calls": [c for c in parsed if c["type"] == "tool_call"],
        "invalid_tool_calls": [c for c in parsed if c["type"] == "invalid_tool_call"],
    }
    return AIMessage(  # empty ones left to their defaults: validating costs more
        content=text,
        id=metadata["id"],
        usage_metadata=usage,
        response_metadata=metadata,
        **{name: value for name, value in lists.items() if value},
    )
