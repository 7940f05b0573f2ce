"""The OpenAI shape: requests for every non-Claude slug and chat.completion answers.

Requests: `system` role messages, `name` kept, images as `image_url` parts,
PDFs as `file` parts and audio as `input_audio` parts (inline data only).
Answers: `choices[0].message`, `finish_reason`, `usage`.
"""

from __future__ import annotations

import json
import re
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
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    Turn,
    Usage,
)
from langchain_segmind.errors import SegmindUnsupportedContentError

MAX_TEMPERATURE = 2.0
SUPPORTED_RESPONSE_FORMATS = frozenset({"json_schema", "json_object", "text"})

_NAME_INVALID = re.compile(r"[^a-zA-Z0-9_-]")
_AUDIO_FORMATS = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
}


def render_conversation(turns: Sequence[Turn], model: str) -> dict[str, Any]:
    """Render turns as an OpenAI-style `messages` list.

    Args:
        turns: The conversation.
        model: The slug, named in errors.

    Returns:
        `{"messages": [...]}`.

    Raises:
        SegmindUnsupportedContentError: For content this dialect cannot take.
    """
    messages: list[dict[str, Any]] = []
    for turn in turns:
        messages.extend(_render_turn(turn, model))
    return {"messages": messages}


def _render_turn(turn: Turn, model: str) -> list[dict[str, Any]]:
    results = [p for p in turn.parts if isinstance(p, ToolResultPart)]
    if results:
        return [_render_tool_result(result, model) for result in results]
    calls = [p for p in turn.parts if isinstance(p, ToolCallPart)]
    content_parts = [p for p in turn.parts if isinstance(p, TextPart | MediaPart)]
    role = "user" if turn.role == "tool" else turn.role
    media = next((p for p in content_parts if isinstance(p, MediaPart)), None)
    if media is not None and role != "user":
        raise SegmindUnsupportedContentError(
            media.kind,
            model,
            f"this model takes media only in user messages, not {role}",
        )
    message: dict[str, Any] = {
        "role": role,
        "content": _render_content(content_parts, model),
    }
    name = _valid_name(turn.name)
    if name:
        message["name"] = name
    if calls:
        message["tool_calls"] = [_render_tool_call(call) for call in calls]
        if not message["content"]:
            message["content"] = None
    return [message]


def _valid_name(name: str | None) -> str | None:
    """`name` in the form OpenAI accepts: `^[a-zA-Z0-9_-]{1,64}$`."""
    if not name:
        return None
    return _NAME_INVALID.sub("_", name)[:64] or None


def _render_content(
    parts: Sequence[TextPart | MediaPart], model: str
) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart) for p in parts):
        return "".join(p.text for p in parts if isinstance(p, TextPart))
    return [_render_part(part, model) for part in parts]


def _render_part(part: TextPart | MediaPart, model: str) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if part.kind == "image":
        image_url = {"url": part.url or part.as_data_uri()}
        if part.detail:
            image_url["detail"] = part.detail
        return {"type": "image_url", "image_url": image_url}
    if part.data is None:
        raise SegmindUnsupportedContentError(
            part.kind, model, "this model takes PDFs and audio only as inline data"
        )
    if part.kind == "pdf":
        file: dict[str, Any] = {"file_data": part.as_data_uri()}
        file["filename"] = part.filename or "document.pdf"
        return {"type": "file", "file": file}
    audio_format = _AUDIO_FORMATS.get(part.media_type or "")
    if audio_format is None:
        raise SegmindUnsupportedContentError(
            "audio", model, f"audio must be WAV or MP3, not {part.media_type!r}"
        )
    return {
        "type": "input_audio",
        "input_audio": {"data": part.data, "format": audio_format},
    }


def _render_tool_call(call: ToolCallPart) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": json.dumps(dict(call.args))},
    }


def _render_tool_result(result: ToolResultPart, model: str) -> dict[str, Any]:
    content = _render_content(result.content, model)
    return {"role": "tool", "tool_call_id": result.tool_call_id, "content": content}


def render_tools(tools: Sequence[ToolSpec], choice: str) -> dict[str, Any]:
    """Native OpenAI `tools` and `tool_choice` fields."""
    rendered = [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters,
            },
        }
        for t in tools
    ]
    tool_choice: str | dict[str, Any]
    if choice in ("auto", "none"):
        tool_choice = choice
    elif choice == "any":
        tool_choice = "required"
    else:
        tool_choice = {"type": "function", "function": {"name": choice}}
    return {"tools": rendered, "tool_choice": tool_choice}


def looks_like(payload: Mapping[str, Any]) -> bool:
    """Whether an answer has the OpenAI chat.completion shape."""
    return isinstance(payload.get("choices"), list)


def parse_completion(payload: Mapping[str, Any]) -> Completion:
    """Parse an OpenAI chat.completion answer."""
    choices = payload.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], Mapping) else {}
    message = choice.get("message")
    message = message if isinstance(message, Mapping) else {}
    raw_reason = str_or_none(choice.get("finish_reason"))
    calls = _parse_tool_calls(message.get("tool_calls"))
    return Completion(
        shape="openai",
        text=_message_text(message.get("content")),
        finish_reason=raw_reason,
        raw_finish_reason=raw_reason,
        usage=_parse_usage(payload.get("usage")),
        id=str_or_none(payload.get("id")),
        upstream_model=str_or_none(payload.get("model")),
        tool_calls=tuple(c for c in calls if isinstance(c, ToolCallPart)),
        invalid_tool_calls=tuple(
            c for c in calls if isinstance(c, InvalidToolCallPart)
        ),
        refusal=str_or_none(message.get("refusal")),
    )


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, Mapping) and isinstance(part.get("text"), str)
        )
    return ""


def _parse_tool_calls(raw_calls: Any) -> list[ToolCallPart | InvalidToolCallPart]:
    if not isinstance(raw_calls, list):
        return []
    calls = []
    for raw in raw_calls:
        function = raw.get("function") if isinstance(raw, Mapping) else None
        if isinstance(function, Mapping):
            calls.append(
                native_tool_call(
                    raw.get("id"), function.get("name"), function.get("arguments")
                )
            )
    return calls


def _parse_usage(usage: Any) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    input_tokens = int_or_none(usage.get("prompt_tokens")) or 0
    output_tokens = int_or_none(usage.get("completion_tokens")) or 0
    details = usage.get("prompt_tokens_details")
    cached = (
        int_or_none(details.get("cached_tokens"))
        if isinstance(details, Mapping)
        else None
    )
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=int_or_none(usage.get("total_tokens"))
        or input_tokens + output_tokens,
        cache_read_tokens=cached,
    )
