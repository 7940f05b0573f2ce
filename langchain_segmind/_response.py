"""Segmind answers as LangChain messages: text, usage and response metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call

from langchain_segmind.conversion.types import Completion, Usage

PROVIDER = "segmind"


def _float_header(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def call_metadata(headers: Mapping[str, str]) -> dict[str, Any]:
    """Segmind's per-call headers as response metadata.

    `remaining_credits`, `cost` and `generation_time` are floats (`None` when
    the header is absent or not a number); `request_id` joins to Segmind's console.
    """
    return {
        "remaining_credits": _float_header(headers, "x-remaining-credits"),
        "cost": _float_header(headers, "x-cost"),
        "request_id": headers.get("x-request-id"),
        "generation_time": _float_header(headers, "x-generation-time"),
    }


def apply_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut `text` at the first stop sequence; the gateway may not honour `stop`."""
    cut = min((i for s in stop if s and (i := text.find(s)) >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def usage_metadata(usage: Usage) -> UsageMetadata:
    """LangChain's usage record for `usage`."""
    metadata = UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
    )
    details = InputTokenDetails()
    if usage.cache_read_tokens is not None:
        details["cache_read"] = usage.cache_read_tokens
    if usage.cache_creation_tokens is not None:
        details["cache_creation"] = usage.cache_creation_tokens
    if details:
        metadata["input_token_details"] = details
    return metadata


def to_ai_message(
    completion: Completion,
    metadata: Mapping[str, Any],
    *,
    model: str,
    stop: Sequence[str] = (),
) -> AIMessage:
    """Build the `AIMessage` for a parsed answer.

    Args:
        completion: The parsed answer.
        metadata: Per-call metadata (see `call_metadata`).
        model: The slug the call was made to (reported as `model_name`).
        stop: Stop sequences to apply to the text.

    Returns:
        The message, with `usage_metadata` and `response_metadata` set.
    """
    text, stopped = apply_stop(completion.text, stop)
    response_metadata: dict[str, Any] = {
        "model_name": model,
        "model_provider": PROVIDER,
        "finish_reason": "stop" if stopped else completion.finish_reason,
        "stop_reason": completion.raw_finish_reason,
        "id": completion.id,
        "upstream_model": completion.upstream_model,
        **metadata,
    }
    if completion.refusal:
        response_metadata["refusal"] = completion.refusal
    return AIMessage(
        content=text,
        id=completion.id,
        tool_calls=[
            tool_call(name=call.name, args=dict(call.args), id=call.id)
            for call in completion.tool_calls
        ],
        invalid_tool_calls=[
            invalid_tool_call(
                name=call.name, args=call.raw_args, id=call.id, error=call.error
            )
            for call in completion.invalid_tool_calls
        ],
        usage_metadata=usage_metadata(completion.usage) if completion.usage else None,
        response_metadata=response_metadata,
    )


def to_last_chunk(message: AIMessage) -> AIMessageChunk:
    """The whole answer as the single, final chunk of a stream.

    The gateway has no SSE, so a stream is one chunk carrying content, usage
    and metadata exactly once (merging chunks would add them up otherwise).
    """
    # Given whole, the invalid calls keep their reasons; langchain-core
    # derives the chunk form of both lists from them.
    return AIMessageChunk(
        content=message.content,
        id=message.id,
        tool_calls=message.tool_calls,
        invalid_tool_calls=message.invalid_tool_calls,
        usage_metadata=message.usage_metadata,
        response_metadata=message.response_metadata,
        additional_kwargs=message.additional_kwargs,
        chunk_position="last",
    )
