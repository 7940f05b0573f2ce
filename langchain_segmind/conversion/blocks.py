"""Standard content blocks of Segmind answers (`model_provider="segmind"`).

Registered with langchain-core for messages and chunks alike (a chunk is a
whole answer). An answer's `content_blocks` list `reasoning` blocks (from
`additional_kwargs`), `text`, `tool_call` and `invalid_tool_call` blocks, and a
`refusal` block when the model refused (what `ModelRefusalMiddleware` reads).
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, content as types


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Derive standard content blocks from a Segmind answer (str or v1 `content`)."""
    # The base class's best-effort reading of `content` alone: text blocks,
    # standard blocks as they are, anything else as `non_standard`.
    blocks = super(AIMessage, message).content_blocks
    present = {block["type"] for block in blocks}
    if "reasoning" not in present:
        blocks[:0] = _reasoning_blocks(message.additional_kwargs)
    known_ids = {block.get("id") for block in blocks if block["type"] == "tool_call"}
    calls = [c for c in message.tool_calls if not c["id"] or c["id"] not in known_ids]
    blocks.extend(cast("types.ToolCall", dict(call)) for call in calls)
    if "invalid_tool_call" not in present:
        # Copies: core numbers a v1 chunk's blocks in place (`index`).
        blocks.extend(
            cast("types.InvalidToolCall", dict(c)) for c in message.invalid_tool_calls
        )
    refusal = message.additional_kwargs.get("refusal")
    if refusal and "refusal" not in present:
        blocks.append({"type": "refusal", "refusal": refusal})
    return blocks


def _reasoning_blocks(kwargs: dict[str, Any]) -> list[types.ContentBlock]:
    thinking = kwargs.get("thinking_blocks")
    if not thinking:
        text = kwargs.get("reasoning_content")
        return [{"type": "reasoning", "reasoning": text}] if text else []
    blocks: list[types.ContentBlock] = []
    for block in thinking:
        if block.get("type") != "thinking":
            blocks.append({"type": "non_standard", "value": block})
            continue
        reasoning: types.ReasoningContentBlock = {
            "type": "reasoning",
            "reasoning": block.get("thinking", ""),
        }
        if extras := {k: v for k, v in block.items() if k not in ("type", "thinking")}:
            reasoning["extras"] = extras
        blocks.append(reasoning)
    return blocks
