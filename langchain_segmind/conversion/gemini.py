"""The Gemini answer shape: gemini-* slugs answer with it (requests are OpenAI's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage

from langchain_segmind.conversion.types import (
    answer_message,
    int_or_none,
    native_tool_call,
    str_or_none,
    usage_metadata,
)

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


def read_answer(payload: Mapping[str, Any]) -> AIMessage:
    """Read a Gemini generateContent answer; `thought` parts are reasoning."""
    candidates = payload.get("candidates") or [{}]
    candidate = candidates[0] if isinstance(candidates[0], Mapping) else {}
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    texts: list[str] = []
    thoughts: list[str] = []
    calls = []
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, Mapping):
            continue
        if isinstance(part.get("text"), str):
            (thoughts if part.get("thought") else texts).append(part["text"])
        call = part.get("functionCall")
        if isinstance(call, Mapping):
            calls.append(
                native_tool_call(call.get("id"), call.get("name"), call.get("args"))
            )
    reason = str_or_none(candidate.get("finishReason"))
    usage = payload.get("usageMetadata")
    return answer_message(
        text="".join(texts),
        finish_reason=_FINISH_REASONS.get(reason, reason.lower()) if reason else None,
        stop_reason=reason,
        id=str_or_none(payload.get("responseId")),
        upstream_model=str_or_none(payload.get("modelVersion")),
        usage=usage_metadata(
            usage.get("promptTokenCount"),
            usage.get("candidatesTokenCount"),
            usage.get("totalTokenCount"),
            cache_read=int_or_none(usage.get("cachedContentTokenCount")),
        )
        if isinstance(usage, Mapping)
        else None,
        calls=calls,
        reasoning="".join(thoughts),
    )
