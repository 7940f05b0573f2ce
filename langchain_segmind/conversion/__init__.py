"""Segmind's wire format: LangChain messages to request bodies, answers to messages.

Requests follow the slug family: `claude-*` slugs speak the Anthropic dialect,
every other slug the OpenAI one. Answers are the upstream provider's own JSON
with no envelope, so they are recognised by their shape, never by the slug.

Example:
    ```python
    from langchain_core.messages import HumanMessage
    from langchain_segmind.conversion import read_answer, render_request, to_turns

    turns = to_turns([HumanMessage("Hi")], "gpt-4o")
    body = render_request(turns, "gpt-4o", temperature=0.2)
    message = read_answer({"choices": [{"message": {"content": "Hello"}}]})
    ```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.block_translators import register_translator
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_segmind.catalogue.profiles import profile_for, refuses_sampling
from langchain_segmind.conversion import anthropic, blocks, gemini, openai
from langchain_segmind.conversion.messages import to_turns
from langchain_segmind.conversion.types import MediaPart, TextPart, Turn
from langchain_segmind.errors import SegmindInputError, SegmindUnsupportedContentError

__all__ = ["check_sampling", "read_answer", "render_request", "to_turns"]

JSON_MODE_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose and no code fences."
)

# Body fields this package owns; extra fields may not overwrite them.
_RESERVED_FIELDS = frozenset({"messages", "instruction", "stream", "tools"})
_SAMPLING_FIELDS = ("temperature", "top_p", "top_k")

register_translator("segmind", blocks.translate_content, blocks.translate_content)


def _is_claude(model: str) -> bool:
    return model.lower().startswith("claude")


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
    limit = anthropic.MAX_TEMPERATURE if _is_claude(model) else openai.MAX_TEMPERATURE
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise SegmindInputError(
            f"temperature must be a number, got {type(temperature).__name__}"
        )
    if not 0 <= temperature <= limit:  # NaN fails this too
        raise SegmindInputError(
            f"temperature must be between 0 and {limit:g} for Segmind model "
            f"{model!r}, got {temperature!r}"
        )


def _check_profile(turns: Sequence[Turn], model: str) -> None:
    """Refuse media the slug's profile says it cannot take (unknown slugs pass)."""
    profile = profile_for(model) or {}
    for part in (part for turn in turns for part in turn.parts):
        if isinstance(part, MediaPart) and profile.get(f"{part.kind}_inputs") is False:
            raise SegmindUnsupportedContentError(
                part.kind, model, "its model profile does not accept it"
            )


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
    """Build the JSON body of a chat request for `model`.

    Args:
        turns: The conversation (see `to_turns`), with tool calls and results
            already written as text by the tools room.
        model: The Segmind slug; `claude-*` slugs get the Anthropic dialect.
        temperature: Sampling temperature, checked against the slug.
        max_tokens: The most tokens to generate (a positive integer).
        stop: Stop sequences.
        response_format: OpenAI-style `response_format`; Claude slugs take
            only `json_schema`.
        json_mode: Ask for one JSON object, by an instruction (and
            `json_object` where the dialect has it).
        extra_body: Further body fields, sent as given (e.g. Anthropic
            `thinking`, OpenAI `reasoning_effort`).

    Returns:
        The request body; `stream` is never set (the gateway has no SSE).

    Raises:
        SegmindInputError: For input the model cannot take, including
            `SegmindUnsupportedContentError` for content its profile refuses.
    """
    extra_body = extra_body or {}
    check_sampling(model, temperature, extra_body)
    if max_tokens is not None and (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or max_tokens < 1
    ):
        raise SegmindInputError(
            f"max_tokens must be a positive integer, got {max_tokens!r}"
        )
    if reserved := _RESERVED_FIELDS.intersection(extra_body):
        raise SegmindInputError(
            f"extra body fields may not set {sorted(reserved)}: they are built "
            "from the messages (and Segmind does not support streaming)"
        )
    _check_profile(turns, model)
    claude = _is_claude(model)
    render = anthropic.render_conversation if claude else openai.render_conversation
    formats = (anthropic if claude else openai).SUPPORTED_RESPONSE_FORMATS
    if json_mode:
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
        if response_format.get("type") not in formats:
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
        body["max_tokens"] = max_tokens
    if stop:
        body["stop"] = list(stop)
    return body | dict(extra_body)


def read_answer(payload: Any) -> AIMessage | None:
    """Read an answer of any known shape (Anthropic, OpenAI, Gemini).

    Args:
        payload: The decoded JSON body of a successful answer.

    Returns:
        The message: the answer text as `content`, native tool calls, usage,
        reasoning and refusals in `additional_kwargs`, and `finish_reason`,
        `stop_reason`, `id`, `upstream_model` in `response_metadata`; `None`
        when the payload has no known shape.
    """
    if not isinstance(payload, Mapping):
        return None
    readers = (anthropic.read_answer, openai.read_answer, gemini.read_answer)
    return next(filter(None, (read(payload) for read in readers)), None)


def stop_sequences_of(stop: object) -> tuple[str, ...]:
    """A call's stop sequences: `None`, one string, or a list of strings.

    Raises:
        SegmindInputError: Anything else.
    """
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list | tuple) and all(isinstance(item, str) for item in stop):
        return tuple(stop)
    raise SegmindInputError(f"stop must be a string or a list of strings, got {stop!r}")


def cut_at_stop(message: AIMessage, stop: Sequence[str]) -> AIMessage:
    """Cut the text at its first stop sequence: the gateway may not honour `stop`."""
    text = message.content
    if not isinstance(text, str):
        return message
    cut = min((i for s in stop if s and (i := text.find(s)) >= 0), default=-1)
    if cut < 0:
        return message
    metadata = {**message.response_metadata, "finish_reason": "stop"}
    return message.model_copy(
        update={"content": text[:cut], "response_metadata": metadata}
    )


_TOKEN_USAGE_KEYS = ("input_tokens", "output_tokens", "total_tokens")


def combine_llm_outputs(
    outputs: Sequence[Mapping[str, Any] | None], model: str
) -> dict[str, Any]:
    """One `llm_output` for several calls: the model, and their tokens summed."""
    present = [output for output in outputs if output]
    names = [output["model_name"] for output in present if "model_name" in output]
    combined: dict[str, Any] = {"model_name": names[0] if names else model}
    usage = _sum_usage(o["token_usage"] for o in present if "token_usage" in o)
    if usage is not None:
        combined["token_usage"] = usage
    return combined


def _sum_usage(usages: Any) -> dict[str, int] | None:
    total: dict[str, int] | None = None
    for usage in usages:
        total = total or dict.fromkeys(_TOKEN_USAGE_KEYS, 0)
        for key in _TOKEN_USAGE_KEYS:
            total[key] += int(usage.get(key) or 0)
    return total


def chat_result(message: AIMessage) -> ChatResult:
    """The `ChatResult` of one answer; `llm_output` names the model and its tokens."""
    output: dict[str, Any] = {"model_name": message.response_metadata["model_name"]}
    if message.usage_metadata:
        output["token_usage"] = _sum_usage([message.usage_metadata])
    return ChatResult(generations=[ChatGeneration(message=message)], llm_output=output)


def last_chunk(message: AIMessage) -> ChatGenerationChunk:
    """The whole answer as the one, final chunk of a stream."""
    # The gateway has no SSE: one final chunk carries content, usage and
    # metadata exactly once (merged chunks would add them up otherwise). Core
    # merges `llm_output` into an invoked message's metadata; a streamed one
    # gets the same `token_usage` here, so both paths agree.
    metadata: Mapping[str, Any] = message.response_metadata
    if message.usage_metadata:
        metadata = {**metadata, "token_usage": _sum_usage([message.usage_metadata])}
    chunk = AIMessageChunk(
        content=message.content,
        id=message.id,
        tool_calls=message.tool_calls,
        invalid_tool_calls=message.invalid_tool_calls,
        usage_metadata=message.usage_metadata,
        response_metadata=dict(metadata),
        additional_kwargs=message.additional_kwargs,
        chunk_position="last",
    )
    return ChatGenerationChunk(message=chunk)
