"""Provider-neutral request and answer types shared by the wire dialects.

LangChain messages become `Turn`s (see `langchain_segmind.conversion.messages`); each
dialect renders turns into its provider's JSON. Each answer shape parses into
a `Completion`. Nothing here knows any provider's field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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


@dataclass(frozen=True)
class InvalidToolCallPart:
    """A native tool call whose arguments could not be read."""

    id: str
    name: str
    raw_args: str
    error: str


Part = TextPart | MediaPart | ToolCallPart | ToolResultPart


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


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model sees it: name, description, JSON Schema of arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class GenerationOptions:
    """Sampling and output settings of one request."""

    temperature: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    response_format: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    json_mode: bool = False
    native_tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"


@dataclass(frozen=True)
class Usage:
    """Token counts of one call."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    cache_read_tokens: int | None = None
    cache_creation_tokens: int | None = None


@dataclass(frozen=True)
class Completion:
    """The assistant's answer, whatever shape the provider gave it."""

    shape: Literal["anthropic", "openai", "gemini"]
    text: str
    finish_reason: str | None = None
    raw_finish_reason: str | None = None
    usage: Usage | None = None
    id: str | None = None
    upstream_model: str | None = None
    tool_calls: tuple[ToolCallPart, ...] = ()
    invalid_tool_calls: tuple[InvalidToolCallPart, ...] = ()
    refusal: str | None = None
