"""LangChain messages, with content blocks in every format in use, as turns.

Accepted: strings; `text` and `text-plain` (text or base64) blocks; v1
`image`, `file` and `audio` blocks with `base64` or `url`; OpenAI `image_url`
parts and `file` parts with raw base64 (core converts v0 blocks, data-URI
files and `input_audio` first); Anthropic `image`, `document`, `search_result`,
`tool_use` and `tool_result` blocks; `json` blocks and `custom_tool_call_output`
blocks (as text, as a tool may return them); v1 `tool_call` blocks;
`non_standard` wrappers of these.
Output-only blocks (reasoning, other providers' records of their own tool
runs) are dropped from assistant turns; anything else is a typed error naming
the block, raised before sending.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
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
    Role,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Turn,
)
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError
from langchain_segmind.images import sniff_media_type

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
# Blocks that record a model's output, dropped from assistant turns: these, and
# other providers' records of their own tool runs (`web_search_call`,
# `code_execution_tool_result`, `mcp_tool_use`...; a call also in `tool_calls`
# is sent from there).
_OUTPUT_BLOCK_TYPES = frozenset(
    {"reasoning", "reasoning_content", "thinking", "redacted_thinking"}
    | {"refusal", "citation"}
    | {"tool_call_chunk", "server_tool_call_chunk", "compaction"}
    | {"mcp_list_tools", "mcp_approval_request", "executable_code"}
    | {"code_execution_result"}
)
_OUTPUT_BLOCK_SUFFIXES = ("_call", "_call_output", "_tool_result", "_tool_use")
_MEDIA_KINDS: dict[str, MediaKind] = {"image": "image", "file": "pdf", "audio": "audio"}
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_DATA_URI = re.compile(
    r"^data:(?P<media>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*),(?P<data>.*)$",
    re.S | re.I,
)
_URL_SAFE = str.maketrans("-_", "+/")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def to_turns(messages: Sequence[BaseMessage], model: str) -> list[Turn]:
    """LangChain messages as turns, one per message (`model` is named in errors)."""
    if not messages:
        raise SegmindInputError("the message list is empty: nothing to send")
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        _check_nesting(message, index)
        turns.append(_to_turn(message, model))
    return turns


def _check_nesting(message: BaseMessage, index: int) -> None:
    """Refuse content deeper than `MAX_NESTING` or holding itself, without recursion."""
    tool_calls = message.tool_calls if isinstance(message, AIMessage) else []
    if isinstance(message.content, str) and not tool_calls:
        return  # the common case: nothing nested
    where = f"message {index} ({type(message).__name__})"
    content = message.content
    if tool_calls and isinstance(content, list):  # its calls go from `tool_calls`
        content = [b for b in content if not _call_block(b)]
    stack: list[tuple[Any, int, bool]] = [(content, 1, False)]
    stack.extend((call["args"], 1, False) for call in tool_calls)
    on_path: set[int] = set()
    heights: dict[int, int] = {}  # a shared container's: sharing hides no depth
    while stack:
        value, depth, leaving = stack.pop()
        if not isinstance(value, Mapping | list | tuple):
            continue
        children = list(value.values()) if isinstance(value, Mapping) else value
        if leaving:
            on_path.discard(id(value))
            heights[id(value)] = 1 + max(
                (heights.get(id(child), 0) for child in children), default=0
            )
        if id(value) in on_path:
            raise SegmindInputError(f"{where} has content that contains itself")
        if depth + heights.get(id(value), 1) - 1 > MAX_NESTING:
            raise SegmindInputError(
                f"{where} has content nested more than {MAX_NESTING} levels deep"
            )
        if id(value) in heights:
            continue
        on_path.add(id(value))
        stack.append((value, depth, True))
        stack.extend((child, depth + 1, False) for child in children)


def _call_block(block: Any) -> bool:
    """Whether `block` is a call (v1 `tool_call`, Anthropic `tool_use`)."""
    return isinstance(block, Mapping) and block.get("type") in ("tool_call", "tool_use")


def _to_turn(message: BaseMessage, model: str) -> Turn:
    if isinstance(message, HumanMessage):
        return Turn("user", _parse_content(message.content, model), message.name)
    if isinstance(message, SystemMessage):
        return Turn("system", _parse_content(message.content, model), message.name)
    if isinstance(message, AIMessage):
        return Turn("assistant", _assistant_parts(message, model), message.name)
    if isinstance(message, ToolMessage):
        content = _media_or_text(_parse_content(message.content, model))
        result = ToolResultPart(
            message.tool_call_id, message.name, content, message.status == "error"
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
        block
        for block in (thinking if isinstance(thinking, list) else [])
        if isinstance(block, Mapping)
        and block.get("type") in ("thinking", "redacted_thinking")
    ]
    # `tool_calls` and `invalid_tool_calls` are authoritative: calls also
    # written in the content (v1 `tool_call`, Anthropic `tool_use`) are not
    # repeated, with or without an id.
    has_calls = bool(message.tool_calls or message.invalid_tool_calls)
    parts.extend(
        part
        for part in _parse_content(message.content, model, from_assistant=True)
        if not (has_calls and isinstance(part, ToolCallPart))
    )
    parts.extend(
        ToolCallPart(id=call.get("id") or "", name=call["name"], args=call["args"])
        for call in message.tool_calls
    )
    # Calls that were not valid go back as written: their results follow.
    parts.extend(
        ToolCallPart(call.get("id") or "", call.get("name") or "", call["args"] or "")
        for call in message.invalid_tool_calls
    )
    return tuple(parts)


def _media_or_text(parts: Sequence[Part]) -> tuple[TextPart | MediaPart, ...]:
    return tuple(p for p in parts if isinstance(p, TextPart | MediaPart))


def _parse_content(
    content: str | Sequence[Any], model: str, from_assistant: bool = False
) -> tuple[Part, ...]:
    if isinstance(content, str):
        return (TextPart(content),)
    if not isinstance(content, list | tuple):  # set after the message was built
        raise SegmindInputError(
            f"message content must be a string or a list, got {content!r:.80}"
        )
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
    # LangChain wraps provider-native blocks it has no standard type for.
    wrapped = block.get("value") if block_type == "non_standard" else None
    if isinstance(wrapped, Mapping) and "type" in wrapped:
        return _parse_block(wrapped, model, from_assistant)
    if block_type == "custom_tool_call_output":  # langchain-openai's `@custom_tool`
        output = block.get("output") or ""
        return TextPart(output if isinstance(output, str) else _json_text(output))
    if (
        block_type in _OUTPUT_BLOCK_TYPES
        or (block_type != "tool_call" and block_type.endswith(_OUTPUT_BLOCK_SUFFIXES))
        or block_type == "non_standard"
    ):
        if from_assistant:
            return None
        detail = "it describes a model's output, not an input"
        raise SegmindUnsupportedContentError(
            block_type, model, "" if block_type == "non_standard" else detail
        )
    block = _as_standard(block, model)
    block_type = block["type"]
    if block_type == "text-plain" and not isinstance(block.get("text"), str):
        if not isinstance(block.get("base64"), str):
            raise SegmindUnsupportedContentError("text-plain block without text", model)
        try:
            return TextPart(base64.b64decode(block["base64"], validate=True).decode())
        except ValueError as error:  # not base64, or not UTF-8
            raise SegmindInputError(
                f"a text-plain block's base64 is not UTF-8 text (model {model!r})"
            ) from error
    if block_type in ("text", "text-plain"):
        if not isinstance(block.get("text"), str):
            raise SegmindInputError(
                f"a 'text' block needs a string 'text' (model {model!r})"
            )
        return TextPart(block["text"])
    if block_type in ("tool_call", "tool_use"):
        args = block.get("args", block.get("input"))
        args = args if isinstance(args, Mapping) else {}
        call_id, name = str(block.get("id") or ""), str(block.get("name") or "")
        return ToolCallPart(call_id, name, args)
    if block_type == "tool_result":
        raw = block.get("content", "")
        raw = raw if isinstance(raw, str | list) else str(raw)
        content = _media_or_text(_parse_content(raw, model))
        call_id = str(block.get("tool_use_id") or "")
        return ToolResultPart(call_id, None, content, bool(block.get("is_error")))
    if block_type in _MEDIA_KINDS:
        return _media_block(block, model)
    if block_type == "json":  # a line of its own, as a search result's text
        return TextPart(_json_text(block.get("json")) + "\n")
    if block_type == "search_result":  # the gateway has no citations: as text
        raw = block.get("content", "")
        texts = _parse_content(raw if isinstance(raw, str | list) else str(raw), model)
        lines = [
            f"{key.title()}: {block[key]}"
            for key in ("title", "source")
            if isinstance(block.get(key), str)
        ]
        lines += [part.text for part in texts if isinstance(part, TextPart)]
        return TextPart("\n".join(lines) + "\n")  # several do not run together
    raise SegmindUnsupportedContentError(block_type, model)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _as_standard(block: Mapping[str, Any], model: str) -> Mapping[str, Any]:
    """OpenAI `image_url` and `file` parts and Anthropic sources as v1 blocks."""
    block_type, source = block["type"], block.get("source")
    if block_type == "image_url":
        if not isinstance(image_url := block.get("image_url"), Mapping):
            image_url = {"url": image_url}
        if not isinstance(image_url.get("url"), str):
            raise SegmindInputError(f"an image_url block needs a URL (model {model!r})")
        detail = image_url.get("detail")
        return {"type": "image", "url": image_url["url"], "detail": detail}
    if block_type == "file" and isinstance(file := block.get("file"), Mapping):
        # An OpenAI file part with raw base64 (core converts data URIs).
        filename = file.get("filename")
        return {"type": "file", "base64": file.get("file_data"), "filename": filename}
    if block_type != "document" and not isinstance(source, Mapping):
        return block
    if not isinstance(source, Mapping):
        raise SegmindInputError(f"a document block needs a source (model {model!r})")
    if source.get("type") == "text":
        return {"type": "text", "text": source.get("data")}
    kind = "image" if block_type == "image" else "file"
    title, context = block.get("title"), block.get("context")
    named = {"type": kind, "filename": title, "title": title, "context": context}
    if source.get("type") == "base64":
        media_type = source.get("media_type")
        return named | {"base64": source.get("data"), "mime_type": media_type}
    if source.get("type") == "url":
        return named | {"url": source.get("url")}
    block_name = f"{block_type} source {source.get('type')!r}"
    raise SegmindUnsupportedContentError(block_name, model)


def _media_block(block: Mapping[str, Any], model: str) -> MediaPart:
    """A v1 `image`, `file` or `audio` block (LangChain's standard format)."""
    block_type, mime_type = block["type"], block.get("mime_type")
    kind, data, url = _MEDIA_KINDS[block_type], block.get("base64"), block.get("url")
    mime_type = mime_type.lower() if isinstance(mime_type, str) else None
    if block_type == "file" and mime_type not in (None, "application/pdf"):
        raise SegmindUnsupportedContentError(
            f"file ({mime_type})", model, "only PDF files can be sent"
        )
    if "file_id" in block:
        raise SegmindUnsupportedContentError(
            f"{block_type} file_id", model, "Segmind has no files API; send the data"
        )
    extras = block.get("extras")
    extras = extras if isinstance(extras, Mapping) else {}
    hints = {
        key: value
        for key in ("filename", "detail", "title", "context")
        if isinstance(value := block.get(key) or extras.get(key), str)
    }
    if data_uri := isinstance(data, str) and data[:5].lower() == "data:":
        url = data  # a data URI given where the base64 goes
    if "base64" in block and not data_uri:
        if not isinstance(data, str):
            raise SegmindInputError(f"a base64 {block_type} block needs string data")
    elif not isinstance(url, str):
        raise SegmindInputError(
            f"a {block_type!r} block needs base64 data or a url (model {model!r})"
        )
    elif url[:5].lower() == "data:":
        match = _DATA_URI.match(url)
        if match is None or ";base64" not in match["params"].lower():
            raise SegmindInputError(
                "expected a base64 data URI (data:<type>;base64,...) for model "
                f"{model!r}"
            )
        data, mime_type = match["data"], (match["media"] or mime_type or "").lower()
    elif url.lower().startswith(("http://", "https://")):
        return MediaPart(kind=kind, url=url, **hints)
    else:
        raise SegmindInputError(
            f"{kind} URLs must be http(s) or data URIs, got {url[:40]!r} "
            f"(model {model!r})"
        )
    # Providers take standard base64 only: no white space, `+` and `/`, padded.
    if not data or len(data) % 4 or not _BASE64.fullmatch(data):
        data = "".join(data.split()).translate(_URL_SAFE).rstrip("=")
        data += "=" * (-len(data) % 4)
        if not data:
            raise SegmindInputError(f"empty inline {kind} data (model {model!r})")
        if not _BASE64.fullmatch(data):
            message = f"inline {kind} data is not base64 (model {model!r})"
            raise SegmindInputError(message)
    media_type = mime_type if mime_type and _MEDIA_TYPE.match(mime_type) else None
    # The bytes win over a label: Anthropic refuses PNG data called JPEG.
    media_type = (sniff_media_type(data) if kind != "audio" else None) or media_type
    if media_type == "image/jpg":  # a common misspelling Anthropic refuses
        media_type = "image/jpeg"
    if media_type is None:
        raise SegmindInputError(
            f"inline {kind} data needs a mime_type (model {model!r}): it could "
            "not be detected"
        )
    if kind == "image" and media_type == "application/pdf":
        kind = "pdf"
    if (kind == "pdf" and media_type != "application/pdf") or (
        kind == "image" and not media_type.startswith("image/")
    ):
        raise SegmindUnsupportedContentError(
            f"{block_type} ({media_type})",
            model,
            "an image block takes image/* data, a file block only a PDF",
        )
    return MediaPart(kind=kind, media_type=media_type, data=data, **hints)
