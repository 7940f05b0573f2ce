"""Segmind's wire format: which dialect a slug speaks, and answers by shape.

Requests follow the slug family: `claude-*` slugs speak the Anthropic dialect,
every other slug the OpenAI one. Answers are the upstream provider's own JSON
with no envelope, so they are recognised by their shape, never by the slug.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call

from langchain_segmind.catalogue.profiles import refuses_sampling
from langchain_segmind.conversion import anthropic, gemini, openai
from langchain_segmind.conversion.messages import to_turns as _to_turns
from langchain_segmind.conversion.types import (
    Completion,
    GenerationOptions,
    TextPart,
    ToolSpec,
    Turn,
)
from langchain_segmind.errors import SegmindInputError

JSON_MODE_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose and no code fences."
)

# Body fields this package owns; extra fields may not overwrite them.
_RESERVED_FIELDS = frozenset({"messages", "instruction", "stream", "tools"})

# Sampling fields that models refusing sampling parameters reject in the body.
_SAMPLING_FIELDS = ("temperature", "top_p", "top_k")


@dataclass(frozen=True)
class Dialect:
    """How requests for one family of slugs are written."""

    name: str
    max_temperature: float
    response_formats: frozenset[str]
    render_conversation: Callable[[Sequence[Turn], str], dict[str, Any]]
    render_tools: Callable[[Sequence[ToolSpec], str], dict[str, Any]]


ANTHROPIC = Dialect(
    name="anthropic",
    max_temperature=anthropic.MAX_TEMPERATURE,
    response_formats=anthropic.SUPPORTED_RESPONSE_FORMATS,
    render_conversation=anthropic.render_conversation,
    render_tools=anthropic.render_tools,
)
OPENAI = Dialect(
    name="openai",
    max_temperature=openai.MAX_TEMPERATURE,
    response_formats=openai.SUPPORTED_RESPONSE_FORMATS,
    render_conversation=openai.render_conversation,
    render_tools=openai.render_tools,
)


def dialect_for(model: str) -> Dialect:
    """The request dialect of a Segmind slug."""
    return ANTHROPIC if model.lower().startswith("claude") else OPENAI


def check_sampling(
    model: str, temperature: float | None, extra_body: Mapping[str, Any]
) -> None:
    """Raise `SegmindInputError` for sampling settings the model cannot take.

    The temperature must lie in the dialect's range; models whose profile says
    `temperature: False` (e.g. Claude Opus 4.7) take no temperature, `top_p`
    or `top_k` at all, as their provider answers 400 to them.

    Args:
        model: The Segmind slug.
        temperature: The temperature to send, or `None` for none.
        extra_body: Further body fields (`model_kwargs` and per-call extras).
    """
    if refuses_sampling(model):
        given = [
            name
            for name in _SAMPLING_FIELDS
            if name in extra_body or (name == "temperature" and temperature is not None)
        ]
        if given:
            raise SegmindInputError(
                f"Segmind model {model!r} does not accept {', '.join(given)}: its "
                "provider rejects sampling parameters for it; leave them unset"
            )
    if temperature is None:
        return
    limit = dialect_for(model).max_temperature
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise SegmindInputError(
            f"temperature must be a number, got {type(temperature).__name__}"
        )
    if not 0 <= temperature <= limit:  # NaN fails this too
        raise SegmindInputError(
            f"temperature must be between 0 and {limit:g} for Segmind model "
            f"{model!r}, got {temperature!r}"
        )


def build_body(
    turns: Sequence[Turn], options: GenerationOptions, model: str
) -> dict[str, Any]:
    """Build the JSON body of a chat request for `model`.

    Args:
        turns: The conversation.
        options: Sampling and output settings.
        model: The Segmind slug.

    Returns:
        The request body; `stream` is never set (the gateway has no SSE).

    Raises:
        SegmindInputError: For input the model cannot take.
    """
    dialect = dialect_for(model)
    check_sampling(model, options.temperature, options.extra_body)
    max_tokens = options.max_tokens
    if max_tokens is not None and (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or max_tokens < 1
    ):
        raise SegmindInputError(
            f"max_tokens must be a positive integer, got {max_tokens!r}"
        )
    reserved = _RESERVED_FIELDS.intersection(options.extra_body)
    if reserved:
        raise SegmindInputError(
            f"extra body fields may not set {sorted(reserved)}: they are built "
            "from the messages (and Segmind does not support streaming)"
        )
    if options.json_mode:
        # Claude slugs reject `json_object`; the instruction serves every slug,
        # and OpenAI's JSON mode needs the word "JSON" in the prompt anyway.
        turns = [*turns, Turn("system", (TextPart(JSON_MODE_INSTRUCTION),))]
    body = dialect.render_conversation(turns, model)
    if not body["messages"]:
        raise SegmindInputError(
            "there is no user or assistant message to send: Segmind needs at "
            "least one non-empty message"
        )
    if options.response_format is not None:
        format_type = options.response_format.get("type")
        if format_type not in dialect.response_formats:
            raise SegmindInputError(
                f"response_format type {format_type!r} is not supported for "
                f"Segmind model {model!r}; supported: "
                f"{sorted(dialect.response_formats)}"
            )
        body["response_format"] = dict(options.response_format)
    elif options.json_mode and "json_object" in dialect.response_formats:
        body["response_format"] = {"type": "json_object"}
    if options.temperature is not None:
        body["temperature"] = options.temperature
    if options.max_tokens is not None:
        body["max_tokens"] = options.max_tokens
    if options.stop:
        body["stop"] = list(options.stop)
    if options.native_tools:
        body.update(dialect.render_tools(options.native_tools, options.tool_choice))
    body.update(options.extra_body)
    return body


def parse_completion(payload: Any) -> Completion | None:
    """Parse any known answer shape, or return `None` for an unknown one."""
    if not isinstance(payload, Mapping):
        return None
    if anthropic.looks_like(payload):
        return anthropic.parse_completion(payload)
    if openai.looks_like(payload):
        return openai.parse_completion(payload)
    if gemini.looks_like(payload):
        return gemini.parse_completion(payload)
    return None


def to_turns(messages: Sequence[BaseMessage], model: str) -> list[Turn]:
    """Convert LangChain messages into provider-neutral turns."""
    return _to_turns(messages, model)


def render_request(
    turns: Sequence[Turn],
    model: str,
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
    response_format: Mapping[str, Any] | None = None,
    json_mode: bool = False,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the JSON body of a chat request for `model`."""
    options = GenerationOptions(
        temperature=temperature,
        max_tokens=max_tokens,
        stop=tuple(stop),
        response_format=response_format,
        extra_body=dict(extra_body or {}),
        json_mode=json_mode,
    )
    return build_body(turns, options, model)


def read_answer(payload: Any) -> AIMessage | None:
    """Parse any known answer shape into an `AIMessage`; `None` for an unknown one."""
    completion = parse_completion(payload)
    if completion is None:
        return None
    usage = None
    if completion.usage is not None:
        usage = UsageMetadata(
            input_tokens=completion.usage.input_tokens,
            output_tokens=completion.usage.output_tokens,
            total_tokens=completion.usage.total_tokens,
        )
        details = InputTokenDetails()
        if completion.usage.cache_read_tokens is not None:
            details["cache_read"] = completion.usage.cache_read_tokens
        if completion.usage.cache_creation_tokens is not None:
            details["cache_creation"] = completion.usage.cache_creation_tokens
        if details:
            usage["input_token_details"] = details
    metadata: dict[str, Any] = {
        "finish_reason": completion.finish_reason,
        "stop_reason": completion.raw_finish_reason,
        "id": completion.id,
        "upstream_model": completion.upstream_model,
    }
    additional: dict[str, Any] = {}
    if completion.refusal:
        metadata["refusal"] = additional["refusal"] = completion.refusal
    return AIMessage(
        content=completion.text,
        id=completion.id,
        tool_calls=[
            tool_call(name=c.name, args=dict(c.args), id=c.id)
            for c in completion.tool_calls
        ],
        invalid_tool_calls=[
            invalid_tool_call(name=c.name, args=c.raw_args, id=c.id, error=c.error)
            for c in completion.invalid_tool_calls
        ],
        usage_metadata=usage,
        response_metadata=metadata,
        additional_kwargs=additional,
    )
