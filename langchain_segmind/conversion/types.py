"""Provider-neutral parts, turns and answers shared by the wire dialects.

LangChain messages become `Turn`s (see `langchain_segmind.conversion.messages`);
each dialect renders turns into its provider's JSON, and reads its answers
into an `AIMessage` through `answer_message`. Nothing here knows any
provider's field names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call

Role = Literal["system", "user", "assistant", "tool"]
MediaKind = Literal["image", "pdf", "audio"]


@dataclass(frozen=True)
class TextPart:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class MediaPart:
    """An image, PDF or audio clip, given inline (base64) or by URL."""

    kind: MediaKind
    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    filename: str | None = None
    detail: str | None = None  # OpenAI's image resolution hint

    def as_data_uri(self) -> str | None:
        """The inline data as a `data:` URI, or `None` for a URL source."""
        if self.data is None:
            return None
        return (
            f"data:{self.media_type or 'application/octet-stream'};base64,{self.data}"
        )


@dataclass(frozen=True)
class ReasoningPart:
    """A model's own thinking block, sent back as it came (Claude requires this)."""

    block: Mapping[str, Any]


@dataclass(frozen=True)
class ToolCallPart:
    """A call the assistant made to a tool."""

    id: str
    name: str
    args: Mapping[str, Any]


@dataclass(frozen=True)
class ToolResultPart:
    """What a tool returned for one call."""

    tool_call_id: str
    name: str | None
    content: tuple[TextPart | MediaPart, ...]
    is_error: bool = False


Part = TextPart | MediaPart | ReasoningPart | ToolCallPart | ToolResultPart


@dataclass(frozen=True)
class Turn:
    """One message of a conversation, independent of any provider."""

    role: Role
    parts: tuple[Part, ...]
    name: str | None = None

    @property
    def text(self) -> str:
        """The concatenated text parts."""
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


def int_or_none(value: Any) -> int | None:
    """`value` if it is a true integer (not a bool), else `None`."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_or_none(value: Any) -> str | None:
    """`value` if it is a string, else `None`."""
    return value if isinstance(value, str) else None


def usage_metadata(
    input_tokens: Any,
    output_tokens: Any,
    total_tokens: Any = None,
    *,
    cache_read: int | None = None,
    cache_creation: int | None = None,
) -> UsageMetadata:
    """LangChain's usage record from a provider's (possibly odd) counts."""
    inputs = int_or_none(input_tokens) or 0
    outputs = int_or_none(output_tokens) or 0
    usage = UsageMetadata(
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=int_or_none(total_tokens) or inputs + outputs,
    )
    details = InputTokenDetails()
    if cache_read is not None:
        details["cache_read"] = cache_read
    if cache_creation is not None:
        details["cache_creation"] = cache_creation
    if details:
        usage["input_token_details"] = details
    return usage


def native_tool_call(
    call_id: Any, name: Any, arguments: Any
) -> ToolCall | InvalidToolCall:
    """A provider's own tool call; arguments that are no JSON object make it invalid."""
    call_id, name = str(call_id or ""), str(name or "")
    args = {} if arguments is None else arguments
    if isinstance(args, str):
        with suppress(ValueError, RecursionError):
            args = json.loads(args) if args.strip() else {}
    if isinstance(args, Mapping):
        return tool_call(name=name, args=dict(args), id=call_id)
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    error = "the arguments are not a JSON object"
    return invalid_tool_call(name=name, args=raw, id=call_id, error=error)


def answer_message(
    *,
    text: str,
    finish_reason: str | None,
    stop_reason: str | None,
    id: str | None,
    upstream_model: str | None,
    usage: UsageMetadata | None,
    calls: Iterable[ToolCall | InvalidToolCall] = (),
    reasoning: str = "",
    thinking_blocks: Iterable[Mapping[str, Any]] = (),
    refusal: str | None = None,
) -> AIMessage:
    """The `AIMessage` of an answer: text in `content`, reasoning beside it.

    Args:
        text: The answer text (never reasoning).
        finish_reason: Normalised: `stop`, `length`, `tool_calls`,
            `content_filter` (other values pass through).
        stop_reason: The provider's own finish reason.
        id: The provider's answer id.
        upstream_model: The model the provider reports.
        usage: Token counts, if the answer has them.
        calls: Native tool calls found in the answer.
        reasoning: The model's reasoning text.
        thinking_blocks: Anthropic thinking blocks, kept whole for the history.
        refusal: The refusal text, if the model refused.
    """
    additional: dict[str, Any] = {}
    if reasoning:
        additional["reasoning_content"] = reasoning
    if thinking_blocks := [dict(block) for block in thinking_blocks]:
        additional["thinking_blocks"] = thinking_blocks
    metadata: dict[str, Any] = {
        "finish_reason": finish_reason,
        "stop_reason": stop_reason,
        "id": id,
        "upstream_model": upstream_model,
    }
    if refusal:
        additional["refusal"] = metadata["refusal"] = refusal
    calls = list(calls)
    return AIMessage(
        content=text,
        id=id,
        tool_calls=[c for c in calls if c["type"] == "tool_call"],
        invalid_tool_calls=[c for c in calls if c["type"] == "invalid_tool_call"],
        usage_metadata=usage,
        response_metadata=metadata,
        additional_kwargs=additional,
    )
