"""LangChain messages as provider-neutral turns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_segmind.conversion.content import parse_content
from langchain_segmind.conversion.types import (
    MediaPart,
    Part,
    Role,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Turn,
)
from langchain_segmind.errors import SegmindInputError

_CHAT_MESSAGE_ROLES: dict[str, Role] = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": "system",
    "developer": "system",
}


def to_turns(messages: Sequence[BaseMessage], model: str) -> list[Turn]:
    """Convert LangChain messages into turns.

    Args:
        messages: The conversation, as LangChain passes it to the model.
        model: The Segmind slug, named in errors.

    Returns:
        One turn per message, in order. A tool result without a name gets the
        name of the earlier call it answers (see `name_tool_results`).

    Raises:
        SegmindInputError: For an empty list or a message that cannot be sent.
    """
    if not messages:
        raise SegmindInputError("the message list is empty: nothing to send")
    return name_tool_results([_to_turn(message, model) for message in messages])


def name_tool_results(turns: Sequence[Turn]) -> list[Turn]:
    """Name each unnamed tool result after the call it answers.

    A `ToolMessage` built by hand often carries only `tool_call_id`. Its name
    is that of the latest call with the same id in an earlier assistant turn,
    however the call was written there (`tool_calls`, `tool_use` or v1
    `tool_call` content blocks). A result that answers no such call stays
    unnamed: no name is invented.

    Args:
        turns: The conversation's turns, in order.

    Returns:
        The turns, with the results that could be named named.
    """
    names: dict[str, str] = {}
    named: list[Turn] = []
    for turn in turns:
        if turn.role == "assistant":
            names.update(
                (part.id, part.name)
                for part in turn.parts
                if isinstance(part, ToolCallPart) and part.id and part.name
            )
            named.append(turn)
            continue
        parts = tuple(
            replace(part, name=names[part.tool_call_id])
            if isinstance(part, ToolResultPart)
            and not part.name
            and part.tool_call_id in names
            else part
            for part in turn.parts
        )
        named.append(turn if parts == turn.parts else replace(turn, parts=parts))
    return named


def _to_turn(message: BaseMessage, model: str) -> Turn:
    if isinstance(message, SystemMessage):
        return Turn("system", tuple(parse_content(message.content, model)))
    if isinstance(message, HumanMessage):
        return Turn("user", tuple(parse_content(message.content, model)), message.name)
    if isinstance(message, AIMessage):
        return Turn("assistant", _assistant_parts(message, model), message.name)
    if isinstance(message, ToolMessage):
        return Turn("tool", (_tool_result(message, model),))
    if isinstance(message, ChatMessage):
        return _chat_message_turn(message, model)
    if isinstance(message, RemoveMessage):
        raise SegmindInputError(
            "RemoveMessage is a LangGraph state instruction, not a message: it "
            "must not reach the model (apply it to the state first)"
        )
    if isinstance(message, FunctionMessage):
        raise SegmindInputError(
            "FunctionMessage belongs to OpenAI's retired functions API; send the "
            "function's result as a ToolMessage instead"
        )
    raise SegmindInputError(f"unsupported message type {type(message).__name__}")


def _assistant_parts(message: AIMessage, model: str) -> tuple[Part, ...]:
    parts = parse_content(message.content, model, from_assistant=True)
    known_ids = {call["id"] for call in message.tool_calls if call.get("id")}
    # Tool calls may also sit in the content (v1 `tool_call` or Anthropic
    # `tool_use` blocks); `tool_calls` is authoritative, so skip repeats.
    parts = [
        part
        for part in parts
        if not (isinstance(part, ToolCallPart) and part.id in known_ids)
    ]
    parts.extend(
        ToolCallPart(id=call.get("id") or "", name=call["name"], args=call["args"])
        for call in message.tool_calls
    )
    return tuple(parts)


def _tool_result(message: ToolMessage, model: str) -> ToolResultPart:
    content = message.content
    if isinstance(content, list) and not all(
        isinstance(item, str | dict) for item in content
    ):
        content = json.dumps(content, default=str)
    parts = parse_content(content, model)
    return ToolResultPart(
        tool_call_id=message.tool_call_id,
        name=message.name,
        content=tuple(p for p in parts if isinstance(p, TextPart | MediaPart)),
        is_error=message.status == "error",
    )


def _chat_message_turn(message: ChatMessage, model: str) -> Turn:
    role = _CHAT_MESSAGE_ROLES.get(message.role.lower())
    if role is None:
        raise SegmindInputError(
            f"ChatMessage role {message.role!r} cannot be sent to Segmind model "
            f"{model!r}; use one of {sorted(_CHAT_MESSAGE_ROLES)}"
        )
    parts = parse_content(message.content, model, from_assistant=role == "assistant")
    return Turn(role, tuple(parts), message.name)
