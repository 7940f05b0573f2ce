"""The Gemini answer shape: gemini-* slugs answer with it (requests are OpenAI's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_segmind.conversion.fields import int_or_none, str_or_none
from langchain_segmind.conversion.types import Completion, ToolCallPart, Usage

_FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "BLOCKLIST": "content_filter",
    "SPII": "content_filter",
}


def looks_like(payload: Mapping[str, Any]) -> bool:
    """Whether an answer has the Gemini `candidates` shape."""
    return isinstance(payload.get("candidates"), list)


def parse_completion(payload: Mapping[str, Any]) -> Completion:
    """Parse a Gemini generateContent answer."""
    candidates = payload.get("candidates") or [{}]
    candidate = candidates[0] if isinstance(candidates[0], Mapping) else {}
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    texts: list[str] = []
    tool_calls: list[ToolCallPart] = []
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, Mapping) or part.get("thought"):
            continue
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        call = part.get("functionCall")
        if isinstance(call, Mapping):
            args = call.get("args")
            tool_calls.append(
                ToolCallPart(
                    id=str(call.get("id") or ""),
                    name=str(call.get("name") or ""),
                    args=args if isinstance(args, Mapping) else {},
                )
            )
    raw_reason = str_or_none(candidate.get("finishReason"))
    return Completion(
        shape="gemini",
        text="".join(texts),
        finish_reason=_FINISH_REASONS.get(raw_reason, raw_reason.lower())
        if raw_reason
        else None,
        raw_finish_reason=raw_reason,
        usage=_parse_usage(payload.get("usageMetadata")),
        id=str_or_none(payload.get("responseId")),
        upstream_model=str_or_none(payload.get("modelVersion")),
        tool_calls=tuple(tool_calls),
    )


def _parse_usage(usage: Any) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    input_tokens = int_or_none(usage.get("promptTokenCount")) or 0
    output_tokens = int_or_none(usage.get("candidatesTokenCount")) or 0
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=int_or_none(usage.get("totalTokenCount"))
        or input_tokens + output_tokens,
        cache_read_tokens=int_or_none(usage.get("cachedContentTokenCount")),
    )
