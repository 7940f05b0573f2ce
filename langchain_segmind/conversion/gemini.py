"""The Gemini answer shape: gemini-* slugs answer with it (requests are OpenAI's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage

from langchain_segmind.conversion.types import (
    answer_message,
    read_usage,
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


def read_answer(payload: Mapping[str, Any]) -> AIMessage | None:
    """Read a generateContent answer (`thought` parts are reasoning); else `None`."""
    if not isinstance(payload.get("candidates"), list):
        return None
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
        if isinstance(call := part.get("functionCall"), Mapping):
            calls.append((call.get("id"), call.get("name"), call.get("args")))
    return answer_message(
        text="".join(texts),
        stop_reason=candidate.get("finishReason"),
        finish_reasons=_FINISH_REASONS,
        id=payload.get("responseId"),
        upstream_model=payload.get("modelVersion"),
        usage=read_usage(
            payload.get("usageMetadata"),
            "promptTokenCount",
            "candidatesTokenCount",
            "totalTokenCount",
            cache_read="cachedContentTokenCount",
        ),
        calls=calls,
        reasoning="".join(thoughts),
    )
