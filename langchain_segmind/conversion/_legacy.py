"""Old names kept only while the model classes move to the new interface.

Delete this module once nothing outside `conversion/` imports these names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_segmind.conversion.types import ToolCallPart, ToolSpec, Turn


@dataclass(frozen=True)
class GenerationOptions:
    """Sampling and output settings of one request (old interface)."""

    temperature: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    response_format: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    json_mode: bool = False
    native_tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"


@dataclass(frozen=True)
class InvalidToolCallPart:
    """A native tool call whose arguments could not be read (old interface)."""

    id: str
    name: str
    raw_args: str
    error: str


@dataclass(frozen=True)
class Usage:
    """Token counts of one call (old interface)."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    cache_read_tokens: int | None = None
    cache_creation_tokens: int | None = None


@dataclass(frozen=True)
class Completion:
    """The assistant's answer (old interface)."""

    shape: Literal["anthropic", "openai", "gemini"]
    text: str
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    usage: Usage | None = None
    id: str | None = None
    upstream_model: str | None = None
    tool_calls: tuple[ToolCallPart, ...] = ()
    invalid_tool_calls: tuple[InvalidToolCallPart, ...] = ()
    refusal: str | None = None


def build_body(
    turns: Sequence[Turn], options: GenerationOptions, model: str
) -> dict[str, Any]:
    """`render_request` under its old signature (native tools are gone)."""
    from langchain_segmind.conversion import render_request

    return render_request(
        turns,
        model,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        stop=options.stop,
        response_format=options.response_format,
        json_mode=options.json_mode,
        extra_body=options.extra_body,
    )


def parse_completion(payload: Any) -> Completion | None:
    """`read_answer` under its old result type."""
    from langchain_segmind.conversion import read_answer

    message = read_answer(payload)
    if message is None:
        return None
    meta = message.response_metadata
    usage = message.usage_metadata
    details: Mapping[str, Any] = {}
    if usage is not None:
        details = usage.get("input_token_details") or {}
    return Completion(
        shape="openai",
        text=message.text,
        finish_reason=meta["finish_reason"],
        raw_finish_reason=meta["stop_reason"],
        usage=Usage(
            usage["input_tokens"],
            usage["output_tokens"],
            usage["total_tokens"],
            details.get("cache_read"),
            details.get("cache_creation"),
        )
        if usage
        else None,
        id=meta["id"],
        upstream_model=meta["upstream_model"],
        tool_calls=tuple(
            ToolCallPart(c.get("id") or "", c["name"], c["args"])
            for c in message.tool_calls
        ),
        invalid_tool_calls=tuple(
            InvalidToolCallPart(
                c.get("id") or "",
                c.get("name") or "",
                c.get("args") or "",
                c.get("error") or "",
            )
            for c in message.invalid_tool_calls
        ),
        refusal=meta.get("refusal"),
    )
