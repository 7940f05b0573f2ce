"""The Anthropic shape: requests for claude-* slugs and Messages-API answers.

Requests: system text goes into Segmind's top-level `instruction`; turns are
merged so that user and assistant alternate, starting with a user turn; empty
turns are dropped (a blank last one after the assistant's is refused); an
assistant turn's thinking blocks go first in it, merged or not.
Answers: `content` blocks (text, thinking, tool_use), `stop_reason`, `usage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage

from langchain_segmind.conversion.types import (
    MediaPart,
    Part,
    TextPart,
    Turn,
    answer_message,
    read_usage,
)
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError

MAX_TEMPERATURE = 1.0
SUPPORTED_RESPONSE_FORMATS = frozenset({"json_schema"})
# The inline image types Anthropic accepts; it answers 400 to others (BMP, SVG).
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_THINKING = frozenset({"thinking", "redacted_thinking"})

# Anthropic requires the first turn to be the user's; a history that opens with
# the assistant gets this neutral opener in front of it.
CONVERSATION_OPENER = "(conversation start)"
# Anthropic leaves cached prompt tokens out of `input_tokens`; LangChain counts them.
_CACHE = frozenset({"cache_read", "cache_creation"})
# The cache writes by lifetime are a breakdown of `cache_creation`, under the
# keys `ChatAnthropic` reports them with; when they hold any, it reports
# `cache_creation` as 0, so that a sum of the details counts each write once.
_INPUT_DETAILS = {
    "cache_read": ("cache_read_input_tokens",),
    "cache_creation": ("cache_creation_input_tokens",),
    "ephemeral_5m_input_tokens": ("cache_creation", "ephemeral_5m_input_tokens"),
    "ephemeral_1h_input_tokens": ("cache_creation", "ephemeral_1h_input_tokens"),
}
_LIFETIMES = frozenset(_INPUT_DETAILS) - _CACHE

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",  # the answer is cut short too
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def render_conversation(turns: Sequence[Turn], model: str) -> dict[str, Any]:
    """Render turns as `{"messages": [...]}`, plus `"instruction"` for system text."""
    instructions: list[str] = []
    messages: list[dict[str, Any]] = []
    last_role = None
    for turn in turns:
        if turn.role == "system":
            instructions.append(_system_text(turn, model))
            continue
        last_role = turn.role
        blocks = [b for p in turn.parts if (b := _render_part(p, turn.role, model))]
        if not blocks:
            continue
        if messages and messages[-1]["role"] == turn.role:
            merged = messages[-1]["content"]
            merged.extend(blocks)
            if turn.role == "assistant":  # thinking first, as Claude requires
                merged.sort(key=lambda block: block["type"] not in _THINKING)
        else:
            messages.append({"role": turn.role, "content": blocks})
    if last_role != "assistant" and messages and messages[-1]["role"] == "assistant":
        # Claude would continue the assistant's message instead of answering.
        raise SegmindInputError(
            f"the last message has no text or media for Segmind model {model!r} "
            "(Claude refuses blank text), and dropping it would make Claude "
            "continue the assistant message before it: give it some text"
        )
    if messages and messages[-1]["role"] == "assistant":
        # Anthropic refuses a final assistant turn that ends in white space;
        # the text is never empty once stripped: `_render_part` drops blank text.
        last = messages[-1]["content"][-1]
        if last["type"] == "text":
            last["text"] = last["text"].rstrip()
    if messages and messages[0]["role"] == "assistant":
        opener = {"type": "text", "text": CONVERSATION_OPENER}
        messages.insert(0, {"role": "user", "content": [opener]})
    for message in messages:
        content = message["content"]
        if len(content) == 1 and content[0]["type"] == "text":
            message["content"] = content[0]["text"]
    if instruction := "\n\n".join(text for text in instructions if text):
        return {"messages": messages, "instruction": instruction}
    return {"messages": messages}


def _system_text(turn: Turn, model: str) -> str:
    for part in turn.parts:
        if isinstance(part, MediaPart):
            raise SegmindUnsupportedContentError(
                part.kind, model, "system messages may only hold text"
            )
    return "".join(p.text for p in turn.parts if isinstance(p, TextPart))


def _render_part(part: Part, role: str, model: str) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        # Anthropic refuses text blocks that hold only white space.
        return {"type": "text", "text": part.text} if part.text.strip() else None
    if isinstance(part, Mapping):
        return dict(part)  # a thinking block: only assistant turns hold them
    if not isinstance(part, MediaPart):
        return None  # tool parts: written as text before rendering
    if role == "assistant":
        raise SegmindUnsupportedContentError(
            part.kind, model, "Claude takes images and documents only from the user"
        )
    if part.kind == "audio":
        raise SegmindUnsupportedContentError(
            part.kind, model, "Claude models take text, images and PDF documents"
        )
    if (
        part.kind == "image"
        and part.data is not None
        and part.media_type not in _IMAGE_TYPES
    ):
        raise SegmindUnsupportedContentError(
            f"image ({part.media_type})", model, "Claude takes JPEG, PNG, GIF and WebP"
        )
    source: dict[str, Any] = {"type": "url", "url": part.url}
    if part.data is not None:
        source = {"type": "base64", "media_type": part.media_type, "data": part.data}
    if part.kind == "image":
        return {"type": "image", "source": source}
    named = {"title": part.title, "context": part.context}
    named = {key: value for key, value in named.items() if value}
    return {"type": "document", "source": source, **named}


def read_answer(payload: Mapping[str, Any]) -> AIMessage | None:
    """Read an Anthropic Messages answer; `None` for an answer of another shape."""
    content = payload.get("content")
    if not isinstance(content, list | None) or not (
        payload.get("type") == "message"
        or (content is not None and "stop_reason" in payload)
    ):
        return None
    texts: list[str] = []
    thinking_blocks: list[Mapping[str, Any]] = []
    calls = []
    for block in content or []:
        block_type = block.get("type") if isinstance(block, dict) else None
        if block_type == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block_type in ("thinking", "redacted_thinking"):
            thinking_blocks.append(block)
        elif block_type == "tool_use":
            calls.append((block.get("id"), block.get("name"), block.get("input")))
    text = "".join(texts)
    # A refusal's `stop_details` name its policy `category` and `explanation`.
    details = payload.get("stop_details")
    details = details if isinstance(details, dict) else {}
    explanation = details.get("explanation")
    refusal = (explanation if isinstance(explanation, str) else "") or text
    usage = read_usage(
        payload.get("usage"),
        "input_tokens",
        "output_tokens",
        input_details=_INPUT_DETAILS,
        output_details={"reasoning": ("output_tokens_details", "thinking_tokens")},
        apart=_CACHE,
    )
    cached = usage.get("input_token_details", {}) if usage else {}
    if any(cached.get(key) for key in _LIFETIMES):  # as `ChatAnthropic` does
        cached["cache_creation"] = 0
    answer = answer_message(
        text=text,
        stop_reason=payload.get("stop_reason"),
        finish_reasons=_FINISH_REASONS,
        id=payload.get("id"),
        upstream_model=payload.get("model"),
        usage=usage,
        calls=calls,
        reasoning="\n\n".join(
            b["thinking"] for b in thinking_blocks if isinstance(b.get("thinking"), str)
        ),
        thinking_blocks=thinking_blocks,
        refusal=(refusal or "The model declined to answer.")
        if payload.get("stop_reason") == "refusal"
        else None,
    )
    if details:  # kept as `ChatAnthropic` keeps them
        answer.response_metadata["stop_details"] = details
    if isinstance(sequence := payload.get("stop_sequence"), str):  # it stopped at
        answer.response_metadata["stop_sequence"] = sequence  # `ChatAnthropic`'s key
    return answer
