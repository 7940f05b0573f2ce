"""Segmind's wire format: LangChain messages to request bodies, answers to messages.

Requests follow the slug family: `claude-*` slugs speak the Anthropic dialect,
every other slug the OpenAI one. Answers are the upstream provider's own JSON
with no envelope, so they are recognised by their shape, never by the slug.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.block_translators import register_translator
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_segmind.catalogue.profiles import (
    openai_reasoning,
    takes_sampling,
    takes_stop,
)
from langchain_segmind.conversion import anthropic, blocks, gemini, openai
from langchain_segmind.conversion.messages import to_turns
from langchain_segmind.conversion.types import MediaPart, TextPart, Turn
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError

__all__ = [
    "check_extra_fields",
    "check_sampling",
    "read_answer",
    "render_request",
    "to_turns",
]

JSON_MODE_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose and no code fences."
)

_RESERVED_FIELDS = frozenset(
    {"messages", "instruction", "stream", "stream_options", "tools", "tool_choice"}
    | {"parallel_tool_calls", "functions", "function_call"}
)
_SAMPLING_FIELDS = ("temperature", "top_p", "top_k")
_TOKEN_USAGE_KEYS = ("input_tokens", "output_tokens", "total_tokens")

register_translator("segmind", blocks.translate_content, blocks.translate_content)


def check_sampling(
    model: str,
    temperature: float | None,
    extra_body: Mapping[str, Any],
    profile: Mapping[str, Any] | None,
) -> None:
    """Raise `SegmindInputError` for sampling settings the model cannot take.

    The temperature must lie in the dialect's range, and a model that takes
    no sampling parameters (`takes_sampling`, e.g. Claude Opus 4.7) is given
    none of `temperature`, `top_p` and `top_k`; OpenAI's reasoning models
    take their default temperature, 1. `n` asks for one answer, if set.
    """
    if extra_body.get("n", 1) not in (1, None):
        raise SegmindInputError(
            f"n={extra_body['n']!r} asks for several answers, each billed, and a "
            "chat model returns one: call `batch` with the prompt repeated instead"
        )
    if not takes_sampling(model, profile):
        values = {name: extra_body.get(name) for name in _SAMPLING_FIELDS}
        if temperature is not None:
            values["temperature"] = temperature
        if values["temperature"] == 1 and openai_reasoning(model):
            del values["temperature"]
        if given := [name for name, value in values.items() if value is not None]:
            raise SegmindInputError(
                f"Segmind model {model!r} does not accept {', '.join(given)}: its "
                "provider rejects sampling parameters for it; leave them unset"
            )
    if temperature is None:
        return
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise SegmindInputError(
            f"temperature must be a number, got {type(temperature).__name__}"
        )
    claude = model.lower().startswith("claude")
    limit = anthropic.MAX_TEMPERATURE if claude else openai.MAX_TEMPERATURE
    if not 0 <= temperature <= limit:  # NaN fails this too
        raise SegmindInputError(
            f"temperature must be between 0 and {limit:g} for Segmind model "
            f"{model!r}, got {temperature!r}"
        )


def check_extra_fields(extra_body: Mapping[str, Any]) -> None:
    """Refuse extra body fields the package builds itself (`messages`, `tools`...)."""
    if reserved := _RESERVED_FIELDS.intersection(extra_body):
        raise SegmindInputError(
            f"extra body fields may not set {sorted(reserved)}: they are built "
            "from the messages, tools go through bind_tools (the gateway forwards "
            "none), and Segmind does not stream (`stream()` and `streaming=True` "
            "give the whole answer as one chunk)"
        )


def render_request(
    turns: Sequence[Turn],
    model: str,
    *,
    temperature: float | None,
    max_tokens: int | None,
    stop: Sequence[str],
    response_format: Mapping[str, Any] | None,
    json_mode: bool,
    extra_body: Mapping[str, Any],
    profile: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Build the JSON body of a chat request for `model` (`stream` is never set).

    `turns` have their tool calls and results already written as text;
    `json_mode` asks for one JSON object by an instruction (and `json_object`
    where the dialect has it). Input the model or its `profile` refuses raises
    `SegmindInputError` (`SegmindUnsupportedContentError` for content).
    """
    check_sampling(model, temperature, extra_body, profile)
    if max_tokens is not None and (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or max_tokens < 1
    ):
        raise SegmindInputError(
            f"max_tokens must be a positive integer, got {max_tokens!r}"
        )
    check_extra_fields(extra_body)
    accepts = profile or {}
    for part in (part for turn in turns for part in turn.parts):
        if isinstance(part, MediaPart) and accepts.get(f"{part.kind}_inputs") is False:
            raise SegmindUnsupportedContentError(
                part.kind, model, "its model profile does not accept it"
            )
    render, formats = (
        (anthropic.render_conversation, anthropic.SUPPORTED_RESPONSE_FORMATS)
        if model.lower().startswith("claude")
        else (openai.render_conversation, openai.SUPPORTED_RESPONSE_FORMATS)
    )
    if json_mode or (response_format or {}).get("type") == "json_object":
        # Claude slugs reject `json_object`; the instruction serves every slug,
        # and OpenAI's JSON mode needs the word "JSON" in the prompt anyway.
        turns = [*turns, Turn("system", (TextPart(JSON_MODE_INSTRUCTION),))]
    body = render(turns, model)
    if not body["messages"]:
        raise SegmindInputError(
            "there is no user or assistant message to send: Segmind needs at "
            "least one non-empty message"
        )
    if response_format is not None:
        if str(response_format.get("type")) not in formats:
            raise SegmindInputError(
                f"response_format type {response_format.get('type')!r} is not "
                f"supported for Segmind model {model!r}; supported: "
                f"{sorted(formats)}"
            )
        body["response_format"] = dict(response_format)
    elif json_mode and "json_object" in formats:
        body["response_format"] = {"type": "json_object"}
    if temperature is not None:
        body["temperature"] = temperature
    if max_tokens is not None:
        # OpenAI's reasoning models answer 400 to `max_tokens`.
        limit = "max_completion_tokens" if openai_reasoning(model) else "max_tokens"
        body[limit] = max_tokens
    if stop and takes_stop(model):  # else applied to the answer's text only
        body["stop"] = list(stop)
    # A sampling field set to `None` is unset, as `temperature=None` is.
    return body | {
        name: value
        for name, value in extra_body.items()
        if value is not None or name not in _SAMPLING_FIELDS
    }


def read_answer(payload: Any) -> AIMessage | None:
    """Read an answer of any known shape (Anthropic, OpenAI, Gemini); else `None`."""
    if not isinstance(payload, dict):  # parsed JSON: its objects are dicts
        return None
    for read in (anthropic.read_answer, openai.read_answer, gemini.read_answer):
        if message := read(payload):
            return message
    return None


def stop_sequences_of(stop: object) -> list[str]:
    """A call's stop sequences from `None`, one string or a list of strings."""
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop]
    if isinstance(stop, list | tuple) and all(isinstance(item, str) for item in stop):
        return list(stop)
    raise SegmindInputError(f"stop must be a string or a list of strings, got {stop!r}")


def cut_at_stop(message: AIMessage, stop: Sequence[str]) -> AIMessage:
    """Cut the text at its first stop sequence: the gateway may not honour `stop`."""
    found = [i for s in stop if s and (i := message.text.find(s)) >= 0]
    if not found:
        return message
    metadata = {**message.response_metadata, "finish_reason": "stop"}
    return message.model_copy(  # answers carry their text as one string
        update={"content": message.text[: min(found)], "response_metadata": metadata}
    )


def combine_llm_outputs(
    outputs: Sequence[Mapping[str, Any] | None], model: str
) -> dict[str, Any]:
    """One `llm_output` for several calls: the first model named, tokens summed."""
    # Each output is `chat_result`'s, or `None` (a cached or streamed answer).
    present = [output for output in outputs if output]
    usages = [output["token_usage"] for output in present if "token_usage" in output]
    combined = {"model_name": present[0]["model_name"] if present else model}
    if usages:
        combined["token_usage"] = {
            key: sum(usage[key] for usage in usages) for key in _TOKEN_USAGE_KEYS
        }
    return combined


def chat_result(message: AIMessage) -> ChatResult:
    """The `ChatResult` of one answer; `llm_output` names the model and its tokens."""
    output: dict[str, Any] = {"model_name": message.response_metadata["model_name"]}
    if message.usage_metadata:
        output["token_usage"] = _token_usage(message.usage_metadata)
    return ChatResult(generations=[ChatGeneration(message=message)], llm_output=output)


def last_chunk(message: AIMessage) -> ChatGenerationChunk:
    """The whole answer as the one, final chunk of a stream."""
    # The gateway has no SSE: one final chunk carries content, usage and
    # metadata exactly once (merged chunks would add them up otherwise). Core
    # merges `llm_output` into an invoked message's metadata; a streamed one
    # gets the same `token_usage` here, so both paths agree.
    metadata = dict(message.response_metadata)
    if message.usage_metadata:
        metadata["token_usage"] = _token_usage(message.usage_metadata)
    # Core rebuilds a streamed message's invalid calls without their reasons.
    if errors := {c["id"]: c["error"] for c in message.invalid_tool_calls if c["id"]}:
        metadata["invalid_tool_call_errors"] = errors
    fields = dict(message) | {"type": "AIMessageChunk", "response_metadata": metadata}
    chunk = AIMessageChunk(**fields, chunk_position="last")
    return ChatGenerationChunk(message=chunk)


def _token_usage(usage: UsageMetadata) -> dict[str, Any]:
    return {key: value for key, value in usage.items() if key in _TOKEN_USAGE_KEYS}
