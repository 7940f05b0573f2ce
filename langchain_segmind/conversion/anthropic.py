"""The Anthropic shape: requests for claude-* slugs and Messages-API answers.

Requests: system text goes into Segmind's top-level `instruction`; turns are
merged so that user and assistant alternate, starting with a user turn; empty
turns are dropped. Answers: `content` blocks, `stop_reason`, `usage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_segmind.conversion.fields import (
    int_or_none,
    native_tool_call,
    str_or_none,
)
from langchain_segmind.conversion.types import (
    Completion,
    InvalidToolCallPart,
    MediaPart,
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    Turn,
    Usage,
)
from langchain_segmind.errors import SegmindUnsupportedContentError

MAX_TEMPERATURE = 1.0
SUPPORTED_RESPONSE_FORMATS = frozenset({"json_schema"})

# Anthropic requires the first turn to be the user's; a history that opens with
# the assistant gets this neutral opener in front of it.
CONVERSATION_OPENER = "(conversation start)"

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def render_conversation(turns: Sequence[Turn], model: str) -> dict[str, Any]:
    """Render turns as Segmind's Claude request fields.

    Args:
        turns: The conversation.
        model: The slug, named in errors.

    Returns:
        `{"messages": [...]}`, plus `"instruction"` when there is system text.

    Raises:
        SegmindUnsupportedContentError: For content Claude cannot take.
    """
    instructions: list[str] = []
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn.role == "system":
            instructions.append(_system_text(turn, model))
            continue
        role = "assistant" if turn.role == "assistant" else "user"
        if role == "assistant":
            _refuse_media(turn, model)
        blocks = [b for part in turn.parts if (b := _render_part(part, model))]
        if not blocks:
            continue
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})
    if messages and messages[-1]["role"] == "assistant":
        _strip_trailing_space(messages[-1]["content"])
    if messages and messages[0]["role"] == "assistant":
        opener = {"type": "text", "text": CONVERSATION_OPENER}
        messages.insert(0, {"role": "user", "content": [opener]})
    for message in messages:
        content = message["content"]
        if len(content) == 1 and content[0]["type"] == "text":
            message["content"] = content[0]["text"]
    fields: dict[str, Any] = {"messages": messages}
    instruction = "\n\n".join(text for text in instructions if text)
    if instruction:
        fields["instruction"] = instruction
    return fields


def _refuse_media(turn: Turn, model: str) -> None:
    for part in turn.parts:
        if isinstance(part, MediaPart):
            raise SegmindUnsupportedContentError(
                part.kind, model, "Claude takes images and documents only from the user"
            )


def _strip_trailing_space(blocks: list[dict[str, Any]]) -> None:
    """Anthropic refuses a final assistant turn that ends in white space."""
    while blocks and blocks[-1]["type"] == "text":
        text = blocks[-1]["text"].rstrip()
        if text:
            blocks[-1] = {**blocks[-1], "text": text}
            return
        blocks.pop()


def _system_text(turn: Turn, model: str) -> str:
    for part in turn.parts:
        if not isinstance(part, TextPart):
            kind = part.kind if isinstance(part, MediaPart) else type(part).__name__
            raise SegmindUnsupportedContentError(
                kind, model, "system messages may only hold text"
            )
    return turn.text


def _render_part(part: Part, model: str) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        # Anthropic refuses text blocks that hold only white space.
        return {"type": "text", "text": part.text} if part.text.strip() else None
    if isinstance(part, MediaPart):
        return _render_media(part, model)
    if isinstance(part, ToolCallPart):
        return {
            "type": "tool_use",
            "id": part.id,
            "name": part.name,
            "input": dict(part.args),
        }
    return _render_tool_result(part, model)


def _render_media(part: MediaPart, model: str) -> dict[str, Any]:
    if part.kind not in ("image", "pdf"):
        raise SegmindUnsupportedContentError(
            part.kind, model, "Claude models take text, images and PDF documents"
        )
    if part.data is not None:
        source: dict[str, Any] = {
            "type": "base64",
            "media_type": part.media_type,
            "data": part.data,
        }
    else:
        source = {"type": "url", "url": part.url}
    block_type = "image" if part.kind == "image" else "document"
    return {"type": block_type, "source": source}


def _render_tool_result(part: ToolResultPart, model: str) -> dict[str, Any]:
    content = [b for item in part.content if (b := _render_part(item, model))]
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": part.tool_call_id,
        "content": content,
    }
    if part.is_error:
        block["is_error"] = True
    return block


def render_tools(tools: Sequence[ToolSpec], choice: str) -> dict[str, Any]:
    """Native Anthropic `tools` and `tool_choice` fields."""
    rendered = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters}
        for t in tools
    ]
    if choice in ("auto", "any", "none"):
        tool_choice: dict[str, Any] = {"type": choice}
    else:
        tool_choice = {"type": "tool", "name": choice}
    return {"tools": rendered, "tool_choice": tool_choice}


def looks_like(payload: Mapping[str, Any]) -> bool:
    """Whether an answer has the Anthropic Messages shape."""
    content = payload.get("content")
    if not isinstance(content, list | None):
        return False  # e.g. `"content": 5`: no shape the package can read
    return payload.get("type") == "message" or (
        content is not None and "stop_reason" in payload
    )


def parse_completion(payload: Mapping[str, Any]) -> Completion:
    """Parse an Anthropic Messages answer."""
    texts: list[str] = []
    calls: list[ToolCallPart | InvalidToolCallPart] = []
    content = payload.get("content")
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block.get("type") == "tool_use":
            calls.append(
                native_tool_call(block.get("id"), block.get("name"), block.get("input"))
            )
    raw_reason = payload.get("stop_reason")
    return Completion(
        shape="anthropic",
        text="".join(texts),
        finish_reason=_FINISH_REASONS.get(raw_reason, raw_reason)
        if isinstance(raw_reason, str)
        else None,
        raw_finish_reason=raw_reason if isinstance(raw_reason, str) else None,
        usage=_parse_usage(payload.get("usage")),
        id=str_or_none(payload.get("id")),
        upstream_model=str_or_none(payload.get("model")),
        tool_calls=tuple(c for c in calls if isinstance(c, ToolCallPart)),
        invalid_tool_calls=tuple(
            c for c in calls if isinstance(c, InvalidToolCallPart)
        ),
    )


def _parse_usage(usage: Any) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    cache_read = int_or_none(usage.get("cache_read_input_tokens"))
    cache_creation = int_or_none(usage.get("cache_creation_input_tokens"))
    # Anthropic counts cached prompt tokens apart; LangChain's input total
    # includes them.
    input_tokens = (
        (int_or_none(usage.get("input_tokens")) or 0)
        + (cache_read or 0)
        + (cache_creation or 0)
    )
    output_tokens = int_or_none(usage.get("output_tokens")) or 0
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
        cache_read_tokens=cache_read,
        cache_creation_tokens=cache_creation,
    )
