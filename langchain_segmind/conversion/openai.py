"""The OpenAI shape: requests for every non-Claude slug and chat.completion answers.

Requests: `system` role messages, `name` kept, images as `image_url` parts,
PDFs as `file` parts and audio as `input_audio` parts (inline data only);
reasoning is not sent back. Answers: `choices[0].message` (`content`,
`reasoning_content` or `reasoning`, `refusal`, `tool_calls`), `finish_reason`,
`usage`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage

from langchain_segmind.conversion.types import (
    MediaPart,
    TextPart,
    Turn,
    answer_message,
    read_usage,
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

# The token details `ChatOpenAI` reports, under LangChain's names.
_INPUT_DETAILS = {
    "audio": ("prompt_tokens_details", "audio_tokens"),
    "cache_read": ("prompt_tokens_details", "cached_tokens"),
    "cache_creation": ("prompt_tokens_details", "cache_write_tokens"),
}
_OUTPUT_DETAILS = {
    "audio": ("completion_tokens_details", "audio_tokens"),
    "reasoning": ("completion_tokens_details", "reasoning_tokens"),
}


def openai_name(text: str) -> str:
    """`text` under OpenAI's name rule, `^[a-zA-Z0-9_-]{1,64}$`; `""` stays empty."""
    return _NAME_INVALID.sub("_", text)[:64]


def render_conversation(turns: Sequence[Turn], model: str) -> dict[str, Any]:
    """Render turns as `{"messages": [...]}` in OpenAI's format."""
    messages: list[dict[str, Any]] = []
    for turn in turns:
        # Empty text beside media is left out: some providers refuse empty parts.
        parts = [
            p
            for p in turn.parts
            if isinstance(p, MediaPart) or (isinstance(p, TextPart) and p.text)
        ]
        texts = [p.text for p in parts if isinstance(p, TextPart)]
        content: str | list[dict[str, Any]] = "".join(texts)
        if len(texts) < len(parts):
            content = [_render_part(part, turn.role, model) for part in parts]
        message = {"role": turn.role, "content": content}
        if name := openai_name(turn.name or ""):
            message["name"] = name
        messages.append(message)
    return {"messages": messages}


def _render_part(part: TextPart | MediaPart, role: str, model: str) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if role != "user":
        raise SegmindUnsupportedContentError(
            part.kind,
            model,
            f"this model takes media only in user messages, not {role}",
        )
    data_uri = f"data:{part.media_type};base64,{part.data}"
    if part.kind == "image":
        image_url = {"url": part.url or data_uri}
        if part.detail:
            image_url["detail"] = part.detail
        return {"type": "image_url", "image_url": image_url}
    if part.data is None:
        raise SegmindUnsupportedContentError(
            part.kind, model, "this model takes PDFs and audio only as inline data"
        )
    if part.kind == "pdf":
        file = {"file_data": data_uri, "filename": part.filename or "document.pdf"}
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


def read_answer(payload: Mapping[str, Any]) -> AIMessage | None:
    """Read a chat.completion answer (with its reasoning); else `None`."""
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    raw_calls = message.get("tool_calls")
    calls = [
        (raw.get("id"), function.get("name"), function.get("arguments"))
        for raw in (raw_calls if isinstance(raw_calls, list) else [])
        if isinstance(raw, dict) and isinstance(function := raw.get("function"), dict)
    ]
    answer = answer_message(
        text=_text(message.get("content")),
        stop_reason=choice.get("finish_reason"),
        finish_reasons={},
        id=payload.get("id"),
        upstream_model=payload.get("model"),
        usage=read_usage(
            payload.get("usage"),
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
            input_details=_INPUT_DETAILS,
            output_details=_OUTPUT_DETAILS,
        ),
        calls=calls,
        reasoning=_text(message.get("reasoning_content") or message.get("reasoning")),
        refusal=message.get("refusal") or _text(message.get("content"), "refusal"),
    )
    if isinstance(audio := message.get("audio"), dict):  # clip and transcript
        answer.additional_kwargs["audio"] = audio  # where `ChatOpenAI` keeps them
    if choice.get("logprobs") is not None:  # asked for: `ChatOpenAI` keeps them so
        answer.response_metadata["logprobs"] = choice["logprobs"]
    for key in ("system_fingerprint", "service_tier"):  # as `ChatOpenAI` has them
        if isinstance(payload.get(key), str):
            answer.response_metadata[key] = payload[key]
    return answer


def _text(content: Any, kind: str = "text") -> str:
    """A string content as text, never a refusal; of parts, the `kind` ones joined."""
    if isinstance(content, list):
        return "".join(
            part[kind]
            for part in content
            if isinstance(part, dict) and isinstance(part.get(kind), str)
        )
    return content if isinstance(content, str) and kind == "text" else ""
