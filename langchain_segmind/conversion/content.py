"""Content blocks, in every format LangChain code produces, as neutral parts.

Accepted: strings; `text` blocks; OpenAI `image_url`, `file` and
`input_audio` parts; LangChain v1 blocks (`image`/`file`/`audio` with
`base64` or `url`) and v0 blocks (`source_type`); Anthropic-native `image`,
`document`, `tool_use` and `tool_result` blocks; v1 `tool_call` blocks.
Reasoning and other output-only blocks are dropped; anything else is a typed
error naming the block, raised before any request is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_segmind.conversion.fields import json_object_or_none
from langchain_segmind.conversion.types import (
    MediaKind,
    MediaPart,
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError
from langchain_segmind.images import sniff_base64_media_type

# Blocks that describe a model's own output: dropped from assistant turns
# (they cannot be sent back), refused anywhere else.
_OUTPUT_BLOCK_TYPES = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
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


def parse_content(
    content: str | Sequence[Any], model: str, *, from_assistant: bool = False
) -> list[Part]:
    """Parse a message's content into neutral parts.

    Args:
        content: A string or a list of strings and content blocks.
        model: The Segmind slug, named in errors.
        from_assistant: Whether this is a model's own earlier output, whose
            output-only blocks (reasoning, citations...) are left out.

    Returns:
        The parts, in order; output-only blocks are left out.

    Raises:
        SegmindInputError: For malformed blocks.
        SegmindUnsupportedContentError: For block types no dialect can carry.
    """
    if isinstance(content, str):
        return [TextPart(content)]
    parts: list[Part] = []
    for block in content:
        part = parse_block(block, model, from_assistant=from_assistant)
        if part is not None:
            parts.append(part)
    return parts


def parse_block(block: Any, model: str, *, from_assistant: bool = False) -> Part | None:
    """Parse one content block; `None` for blocks that are not sent back."""
    if isinstance(block, str):
        return TextPart(block)
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        raise SegmindInputError(
            f"content blocks must be strings or dicts with a 'type', got {block!r:.80}"
        )
    block_type = block["type"]
    if block_type in _OUTPUT_BLOCK_TYPES:
        if from_assistant:
            return None
        raise SegmindUnsupportedContentError(
            block_type, model, "it describes a model's output, not an input"
        )
    if block_type == "non_standard":
        # LangChain wraps provider-native blocks it has no standard type for.
        value = block.get("value")
        if isinstance(value, Mapping) and "type" in value:
            return parse_block(value, model, from_assistant=from_assistant)
        if from_assistant:
            return None
        raise SegmindUnsupportedContentError("non_standard", model)
    if block_type == "text":
        return TextPart(_required_str(block, "text", model))
    if block_type == "text-plain" and isinstance(block.get("text"), str):
        return TextPart(block["text"])
    if block_type == "image_url":
        return _openai_image(block, model)
    if block_type in ("tool_call", "tool_use"):
        return _tool_call(block)
    if block_type == "tool_result":
        return _anthropic_tool_result(block, model)
    if block_type == "input_audio":
        return _openai_audio(block, model)
    if block_type == "document":
        return _anthropic_document(block, model)
    if block_type == "file" and isinstance(block.get("file"), Mapping):
        return _openai_file(block["file"], model)
    if block_type in ("image", "file", "audio"):
        return _media_block(block, block_type, model)
    raise SegmindUnsupportedContentError(block_type, model)


def _required_str(block: Mapping[str, Any], key: str, model: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise SegmindInputError(
            f"a {block.get('type')!r} block needs a string {key!r} (model {model!r})"
        )
    return value


def split_data_uri(uri: str, model: str) -> tuple[str | None, str]:
    """Split a base64 `data:` URI into its media type and data."""
    match = _DATA_URI.match(uri)
    if match is None or ";base64" not in (match.group("params") or ""):
        raise SegmindInputError(
            f"expected a base64 data URI (data:<type>;base64,...) for model {model!r}"
        )
    return match.group("media"), match.group("data")


def _media_from_url(kind: MediaKind, url: str, model: str, **extra: Any) -> MediaPart:
    if url.startswith("data:"):
        media_type, data = split_data_uri(url, model)
        return _inline_media(kind, data, media_type, model, **extra)
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


def _openai_image(block: Mapping[str, Any], model: str) -> MediaPart:
    image_url = block.get("image_url")
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str):
        raise SegmindInputError(f"an image_url block needs a URL (model {model!r})")
    detail = image_url.get("detail") if isinstance(image_url, Mapping) else None
    return _media_from_url(
        "image", url, model, detail=detail if isinstance(detail, str) else None
    )


def _kind_for(block_type: str, mime_type: str | None, model: str) -> MediaKind:
    if block_type == "image":
        return "image"
    if block_type == "audio":
        return "audio"
    if mime_type in (None, "application/pdf"):
        return "pdf"
    raise SegmindUnsupportedContentError(
        f"file ({mime_type})", model, "only PDF files can be sent"
    )


def _media_block(block: Mapping[str, Any], block_type: str, model: str) -> MediaPart:
    """Parse v1 (`base64`/`url`), v0 (`source_type`) and Anthropic (`source`) blocks."""
    source = block.get("source")
    if isinstance(source, Mapping):
        return _anthropic_source("image", source, model)
    mime_type = block.get("mime_type")
    mime_type = mime_type if isinstance(mime_type, str) else None
    kind = _kind_for(block_type, mime_type, model)
    filename = _filename(block)
    source_type = block.get("source_type")
    if "file_id" in block or source_type == "id":
        raise SegmindUnsupportedContentError(
            f"{block_type} file_id", model, "Segmind has no files API; send the data"
        )
    if "base64" in block or source_type == "base64":
        data = block.get("base64", block.get("data"))
        if not isinstance(data, str):
            raise SegmindInputError(f"a base64 {block_type} block needs string data")
        return _inline_media(kind, data, mime_type, model, filename=filename)
    url = block.get("url")
    if isinstance(url, str):
        return _media_from_url(kind, url, model, filename=filename)
    raise SegmindInputError(
        f"a {block_type!r} block needs base64 data or a url (model {model!r})"
    )


def _filename(block: Mapping[str, Any]) -> str | None:
    for holder in (block, block.get("extras"), block.get("metadata")):
        if isinstance(holder, Mapping):
            for key in ("filename", "name"):
                if isinstance(holder.get(key), str):
                    return str(holder[key])
    return None


def _anthropic_source(
    kind: MediaKind, source: Mapping[str, Any], model: str
) -> MediaPart:
    source_type = source.get("type")
    if source_type == "base64":
        data = source.get("data")
        media_type = source.get("media_type")
        if not isinstance(data, str):
            raise SegmindInputError(f"a base64 {kind} source needs string data")
        return _inline_media(
            kind, data, media_type if isinstance(media_type, str) else None, model
        )
    if source_type == "url" and isinstance(source.get("url"), str):
        return _media_from_url(kind, source["url"], model)
    raise SegmindUnsupportedContentError(f"{kind} source {source_type!r}", model)


def _anthropic_document(block: Mapping[str, Any], model: str) -> Part:
    source = block.get("source")
    if not isinstance(source, Mapping):
        raise SegmindInputError(f"a document block needs a source (model {model!r})")
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        return TextPart(source["data"])
    part = _anthropic_source("pdf", source, model)
    return MediaPart(
        kind="pdf",
        media_type=part.media_type or ("application/pdf" if part.data else None),
        data=part.data,
        url=part.url,
        filename=block.get("title") if isinstance(block.get("title"), str) else None,
    )


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


def _openai_audio(block: Mapping[str, Any], model: str) -> MediaPart:
    audio = block.get("input_audio")
    if not isinstance(audio, Mapping) or not isinstance(audio.get("data"), str):
        raise SegmindInputError(f"an input_audio block needs data (model {model!r})")
    audio_format = str(audio.get("format", "wav"))
    media_type = _AUDIO_FORMAT_TYPES.get(audio_format, f"audio/{audio_format}")
    return _inline_media("audio", audio["data"], media_type, model)


def _tool_call(block: Mapping[str, Any]) -> ToolCallPart:
    arguments = block.get("args", block.get("input"))
    return ToolCallPart(
        id=str(block.get("id") or ""),
        name=str(block.get("name") or ""),
        args=json_object_or_none(arguments) or {},
    )


def _anthropic_tool_result(block: Mapping[str, Any], model: str) -> ToolResultPart:
    raw = block.get("content", "")
    content = parse_content(raw if isinstance(raw, str | list) else str(raw), model)
    return ToolResultPart(
        tool_call_id=str(block.get("tool_use_id") or ""),
        name=None,
        content=tuple(p for p in content if isinstance(p, TextPart | MediaPart)),
        is_error=bool(block.get("is_error")),
    )
