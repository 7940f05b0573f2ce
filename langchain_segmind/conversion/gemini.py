"""The Gemini answer shape: gemini-* slugs answer with it (requests are OpenAI's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage

from langchain_segmind.conversion.types import answer_message, read_usage

# Answers Gemini blocked for safety: refusals (langchain-core's own translator
# reads the first three so; SPII, personal data, is blocked the same way).
_BLOCKED_ANSWER = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII"})
_FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "RECITATION": "content_filter",
    **dict.fromkeys(_BLOCKED_ANSWER, "content_filter"),
}


def read_answer(payload: Mapping[str, Any]) -> AIMessage | None:
    """Read a generateContent answer (`thought` parts are reasoning); else `None`.

    A prompt or an answer Gemini blocked (`promptFeedback.blockReason`, a
    safety `finishReason`) reads as a refusal.
    """
    feedback = payload.get("promptFeedback")
    blocked = feedback.get("blockReason") if isinstance(feedback, Mapping) else None
    blocked = blocked if isinstance(blocked, str) else None
    candidates = payload.get("candidates")
    if not (
        isinstance(candidates, list) and candidates and isinstance(candidates[0], dict)
    ):
        if not blocked:
            return None
        candidates = [{}]
    candidate = candidates[0]
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
    refusal = f"Gemini blocked the prompt ({blocked})" if blocked else None
    if (reason := str(candidate.get("finishReason"))) in _BLOCKED_ANSWER:
        refusal = f"Gemini blocked the answer ({reason})"
    return answer_message(
        text="".join(texts),
        stop_reason=candidate.get("finishReason") or blocked,
        finish_reasons={blocked: "content_filter"} if blocked else _FINISH_REASONS,
        id=payload.get("responseId"),
        upstream_model=payload.get("modelVersion"),
        usage=read_usage(
            payload.get("usageMetadata"),
            "promptTokenCount",
            "candidatesTokenCount",
            "totalTokenCount",
            input_details={"cache_read": ("cachedContentTokenCount",)},
            output_details={"reasoning": ("thoughtsTokenCount",)},
            apart=frozenset({"reasoning"}),  # thoughts are out of Gemini's count
        ),
        calls=calls,
        reasoning="".join(thoughts),
        refusal=refusal,
    )
