"""LangChain messages, with content blocks in every format in use, as turns.

Accepted blocks: strings; `text`; OpenAI `image_url`, `file` and `input_audio`
parts; LangChain v1 blocks (`image`/`file`/`audio` with `base64` or `url`) and
v0 blocks (`source_type`); Anthropic-native `image`, `document`, `tool_use` and
`tool_result` blocks; v1 `tool_call` blocks; `non_standard` wrappers of these.
Output-only blocks (reasoning, citations...) are dropped from assistant turns;
anything else is a typed error naming the block, raised before sending.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

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

from langchain_segmind.conversion.types import (
    MediaKind,
    MediaPart,
    Part,
    ReasoningPart,
    Role,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Turn,
)
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError
from langchain_segmind.images import sniff_base64_media_type

# Deeper content is refused: no real message nests this far, and walking it
# would hit Python's recursion limit.
MAX_NESTING = 100

_ROLES: dict[str, Role] = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": "system",
    "developer": "system",
}
_OUTPUT_BLOCK_TYPES = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
        "refusal",
        "invalid_tool_call",
        "tool_call_chunk",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "citation",
    }
)
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_DATA_URI = re.compile(
    r"^data:(?P<media>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*),(?P<data>.*)$", re.S
)
_AUDIO_FORMAT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}


def to_turns(messages: Sequence[BaseMessage], model: str) -> list[Turn]:
    """Convert LangChain messages into turns.

    A tool result without a name gets the name of the earlier call it answers
    (a `ToolMessage` built by hand often carries only `tool_call_id`).

    Args:
        messages: The conversation, as LangChain passes it to the model.
        model: The Segmind slug, named in errors.

    Returns:
        One turn per message, in order.

    Raises:
        SegmindInputError: For an empty list, content nested too deep or
            containing itself, or a message that cannot be sent.
    """
    if not messages:
        raise SegmindInputError("the message list is empty: nothing to send")
    turns: list[Turn] = []
    call_names: dict[str, str] = {}
    for index, message in enumerate(messages):
        _check_nesting(message, index)
        turn = _to_turn(message, model)
        for part in turn.parts:
            if isinstance(part, ToolCallPart) and part.id and part.name:
                call_names[part.id] = part.name
        turns.append(
            replace(turn, parts=tuple(_named(part, call_names) for part in turn.parts))
        )
    return turns


def _named(part: Part, call_names: Mapping[str, str]) -> Part:
    if isinstance(part, ToolResultPart) and not part.name:
        return replace(part, name=call_names.get(part.tool_call_id))
    return part


def _check_nesting(message: BaseMessage, index: int) -> None:
    """Refuse content deeper than `MAX_NESTING` or holding itself, without recursion."""
    where = f"message {index} ({type(message).__name__})"
    tool_calls = message.tool_calls if isinstance(message, AIMessage) else []
    stack: list[tuple[Any, int, bool]] = [(message.content, 1, False)]
    stack.extend((call["args"], 1, False) for call in tool_calls)
    on_path: set[int] = set()
    done: set[int] = set()
    while stack:
        value, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(value))
            done.add(id(value))
            continue
        if not isinstance(value, Mapping | list | tuple) or id(value) in done:
            continue
        if id(value) in on_path:
            raise SegmindInputError(f"{where} has content that contains itself")
        if depth > MAX_NESTING:
            raise SegmindInputError(
                f"{where} has content nested more than {MAX_NESTING} levels deep"
            )
        on_path.add(id(value))
        stack.append((value, depth, True))
        children = value.values() if isinstance(value, Mapping) else value
        stack.extend((child, depth + 1, False) for child in children)


def _to_turn(message: BaseMessage, model: str) -> Turn:
    if isinstance(message, SystemMessage):
        return Turn("system", _parse_content(message.content, model))
    if isinstance(message, HumanMessage):
        return Turn("user", _parse_content(message.content, model), message.name)
    if isinstance(message, AIMessage):
        return Turn("assistant", _assistant_parts(message, model), message.name)
    if isinstance(message, ToolMessage):
        content = message.content
        if isinstance(content, list) and not all(
            isinstance(item, str | dict) for item in content
        ):
            content = json.dumps(content, default=str)
        result = ToolResultPart(
            tool_call_id=message.tool_call_id,
            name=message.name,
            content=_media_or_text(_parse_content(content, model)),
            is_error=message.status == "error",
        )
        return Turn("tool", (result,))
    if isinstance(message, ChatMessage):
        role = _ROLES.get(message.role.lower())
        if role is None:
            raise SegmindInputError(
                f"ChatMessage role {message.role!r} cannot be sent to Segmind model "
                f"{model!r}; use one of {sorted(_ROLES)}"
            )
        parts = _parse_content(message.content, model, role == "assistant")
        return Turn(role, parts, message.name)
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
    thinking = message.additional_kwargs.get("thinking_blocks")
    parts: list[Part] = [
        ReasoningPart(block)
        for block in (thinking if isinstance(thinking, list) else [])
        if isinstance(block, Mapping)
        and block.get("type") in ("thinking", "redacted_thinking")
    ]
    # `tool_calls` is authoritative: calls also written in the content (v1
    # `tool_call` or Anthropic `tool_use` blocks) are not repeated.
    known_ids = {call["id"] for call in message.tool_calls if call.get("id")}
    parts.extend(
        part
        for part in _parse_content(message.content, model, from_assistant=True)
        if not (isinstance(part, ToolCallPart) and part.id in known_ids)
    )
    parts.extend(
        ToolCallPart(id=call.get("id") or "", name=call["name"], args=call["args"])
        for call in message.tool_calls
    )
    return tuple(parts)


def _media_or_text(parts: Sequence[Part]) -> tuple[TextPart | MediaPart, ...]:
    return tuple(p for p in parts if isinstance(p, TextPart | MediaPart))


def _parse_content(
    content: str | Sequence[Any], model: str, from_assistant: bool = False
) -> tuple[Part, ...]:
    if isinstance(content, str):
        return (TextPart(content),)
    parsed = (_parse_block(block, model, from_assistant) for block in content)
    return tuple(part for part in parsed if part is not None)


def _parse_block(block: Any, model: str, from_assistant: bool) -> Part | None:
    """One content block as a part; `None` for output blocks that are not sent back."""
    if isinstance(block, str):
        return TextPart(block)
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        raise SegmindInputError(
            f"content blocks must be strings or dicts with a 'type', got {block!r:.80}"
        )
    block_type = block["type"]
    if block_type == "non_standard":
        # LangChain wraps provider-native blocks it has no standard type for.
        value = block.get("value")
        if isinstance(value, Mapping) and "type" in value:
            return _parse_block(value, model, from_assistant)
    if block_type in _OUTPUT_BLOCK_TYPES or block_type == "non_standard":
        if from_assistant:
            return None
        detail = "it describes a model's output, not an input"
        raise SegmindUnsupportedContentError(
            block_type, model, "" if block_type == "non_standard" else detail
        )
    if block_type == "text":
        if not isinstance(block.get("text"), str):
            raise SegmindInputError(
                f"a 'text' block needs a string 'text' (model {model!r})"
            )
        return TextPart(block["text"])
    if block_type == "text-plain" and isinstance(block.get("text"), str):
        return TextPart(block["text"])
    if block_type == "image_url":
        return _openai_image(block.get("image_url"), model)
    if block_type in ("tool_call", "tool_use"):
        arguments = block.get("args", block.get("input"))
        return ToolCallPart(
            id=str(block.get("id") or ""),
            name=str(block.get("name") or ""),
            args=arguments if isinstance(arguments, Mapping) else {},
        )
    if block_type == "tool_result":
        raw = block.get("content", "")
        content = _parse_content(
            raw if isinstance(raw, str | list) else str(raw), model
        )
        return ToolResultPart(
            tool_call_id=str(block.get("tool_use_id") or ""),
            name=None,
            content=_media_or_text(content),
            is_error=bool(block.get("is_error")),
        )
    if block_type == "input_audio":
        audio = block.get("input_audio")
        if not isinstance(audio, Mapping) or not isinstance(audio.get("data"), str):
            raise SegmindInputError(
                f"an input_audio block needs data (model {model!r})"
            )
        audio_format = str(audio.get("format", "wav"))
        media_type = _AUDIO_FORMAT_TYPES.get(audio_format, f"audio/{audio_format}")
        return _inline_media("audio", audio["data"], media_type, model)
    if block_type == "document":
        return _anthropic_document(block, model)
    if block_type == "file" and isinstance(block.get("file"), Mapping):
        return _openai_file(block["file"], model)
    if block_type in ("image", "file", "audio"):
        return _media_block(block, block_type, model)
    raise SegmindUnsupportedContentError(block_type, model)


def _media_from_url(kind: MediaKind, url: str, model: str, **extra: Any) -> MediaPart:
    if url.startswith("data:"):
        match = _DATA_URI.match(url)
        if match is None or ";base64" not in (match.group("params") or ""):
            raise SegmindInputError(
                "expected a base64 data URI (data:<type>;base64,...) for model "
                f"{model!r}"
            )
        return _inline_media(
            kind, match.group("data"), match.group("media"), model, **extra
        )
    if not url.lower().startswith(("http://", "https://")):
        raise SegmindInputError(
            f"{kind} URLs must be http(s) or data URIs, got {url[:40]!r} "
            f"(model {model!r})"
        )
    return MediaPart(kind=kind, url=url, **extra)


def _inline_media(
    kind: MediaKind, data: str, media_type: str | None, model: str, **extra: Any
) -> MediaPart:
    if not data:
        raise SegmindInputError(f"empty inline {kind} data (model {model!r})")
    media_type = media_type.lower() if media_type else None
    if media_type is not None and not _MEDIA_TYPE.match(media_type):
        media_type = None  # not type/subtype: detect it as if it were absent
    if media_type is None and kind in ("image", "pdf"):
        media_type = sniff_base64_media_type(data)
    if media_type is None:
        raise SegmindInputError(
            f"inline {kind} data needs a mime_type (model {model!r}): it could "
            "not be detected"
        )
    if kind == "image" and media_type == "application/pdf":
        kind = "pdf"
    return MediaPart(kind=kind, media_type=media_type, data=data, **extra)


def _openai_image(image_url: Any, model: str) -> MediaPart:
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str):
        raise SegmindInputError(f"an image_url block needs a URL (model {model!r})")
    detail = image_url.get("detail") if isinstance(image_url, Mapping) else None
    return _media_from_url(
        "image", url, model, detail=detail if isinstance(detail, str) else None
    )


def _media_block(block: Mapping[str, Any], block_type: str, model: str) -> MediaPart:
    """Parse v1 (`base64`/`url`), v0 (`source_type`) and Anthropic (`source`) blocks."""
    source = block.get("source")
    if isinstance(source, Mapping):
        return _anthropic_source("image", source, model)
    mime_type = block.get("mime_type")
    mime_type = mime_type if isinstance(mime_type, str) else None
    kind: MediaKind = "pdf"
    if block_type in ("image", "audio"):
        kind = "image" if block_type == "image" else "audio"
    elif mime_type not in (None, "application/pdf"):
        raise SegmindUnsupportedContentError(
            f"file ({mime_type})", model, "only PDF files can be sent"
        )
    if "file_id" in block or block.get("source_type") == "id":
        raise SegmindUnsupportedContentError(
            f"{block_type} file_id", model, "Segmind has no files API; send the data"
        )
    filename = next(
        (
            str(holder[key])
            for holder in (block, block.get("extras"), block.get("metadata"))
            if isinstance(holder, Mapping)
            for key in ("filename", "name")
            if isinstance(holder.get(key), str)
        ),
        None,
    )
    if "base64" in block or block.get("source_type") == "base64":
        data = block.get("base64", block.get("data"))
        if not isinstance(data, str):
            raise SegmindInputError(f"a base64 {block_type} block needs string data")
        return _inline_media(kind, data, mime_type, model, filename=filename)
    if isinstance(block.get("url"), str):
        return _media_from_url(kind, block["url"], model, filename=filename)
    raise SegmindInputError(
        f"a {block_type!r} block needs base64 data or a url (model {model!r})"
    )


def _anthropic_source(
    kind: MediaKind, source: Mapping[str, Any], model: str, **extra: Any
) -> MediaPart:
    source_type = source.get("type")
    if source_type == "base64":
        data = source.get("data")
        media_type = source.get("media_type")
        if not isinstance(data, str):
            raise SegmindInputError(f"a base64 {kind} source needs string data")
        media_type = media_type if isinstance(media_type, str) else None
        if kind == "pdf":
            media_type = media_type or "application/pdf"
        return _inline_media(kind, data, media_type, model, **extra)
    if source_type == "url" and isinstance(source.get("url"), str):
        return _media_from_url(kind, source["url"], model, **extra)
    raise SegmindUnsupportedContentError(f"{kind} source {source_type!r}", model)


def _anthropic_document(block: Mapping[str, Any], model: str) -> Part:
    source = block.get("source")
    if not isinstance(source, Mapping):
        raise SegmindInputError(f"a document block needs a source (model {model!r})")
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        return TextPart(source["data"])
    title = block.get("title")
    filename = title if isinstance(title, str) else None
    return _anthropic_source("pdf", source, model, filename=filename)


def _openai_file(file: Mapping[str, Any], model: str) -> MediaPart:
    if "file_id" in file:
        raise SegmindUnsupportedContentError(
            "file file_id", model, "Segmind has no files API; send the data"
        )
    file_data = file.get("file_data")
    if not isinstance(file_data, str):
        raise SegmindInputError(
            f"an OpenAI file part needs file_data (model {model!r})"
        )
    filename = file.get("filename") if isinstance(file.get("filename"), str) else None
    if file_data.startswith("data:"):
        return _media_from_url("pdf", file_data, model, filename=filename)
    return _inline_media("pdf", file_data, "application/pdf", model, filename=filename)
