"""Checks of a request body: the gateway's own, then the upstream provider's."""

from __future__ import annotations

import json
import re
from typing import Any

from ._replies import Family, message_text
from ._wire import reject

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_RESPONSE_FORMATS = frozenset({"text", "json_object", "json_schema"})
_CLAUDE_ROLES = frozenset({"user", "assistant"})
_OPENAI_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
# The content block types each provider takes (Anthropic's, OpenAI's).
_ANTHROPIC_BLOCKS = frozenset(
    {"text", "image", "document", "thinking", "redacted_thinking", "tool_use"}
    | {"tool_result", "search_result"}
)
_OPENAI_BLOCKS = frozenset({"text", "image_url", "input_audio", "file", "refusal"})
_SAMPLING = ("temperature", "top_p", "top_k")
# `claude-opus-<major>[.-<minor>]`; a longer number after the major is a date.
_OPUS = re.compile(r"claude-opus-(\d+)(?:[.-](\d{1,2}))?(?!\d)")
# OpenAI's reasoning models: o1, o3-mini, o4-mini, gpt-5, gpt-5-nano...
_REASONING = re.compile(r"(o\d+|gpt-5)(-mini|-nano|-pro)?(-\d{4}-\d\d-\d\d)?")
# Those (gpt-5.1 and later too) refuse `max_tokens`; o3, o4 and GPT-5 `stop`.
_NO_MAX_TOKENS = re.compile(r"(o\d+|gpt-5)(?!\d)")
_NO_STOP = re.compile(r"(o3(?!-mini)|o4|gpt-5)(?!\d)")


def parse_object(raw_body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400."""
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise reject(400, "Invalid JSON in request body") from None
    if not isinstance(body, dict):
        raise reject(400, "Request body must be a JSON object")
    if _SURROGATE_ESCAPE.search(raw_body):  # strict parsers refuse a lone one
        try:
            json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise reject(
                400, "The request body is not valid JSON: no low surrogate in string"
            ) from None
    return body


def check_messages(body: dict[str, Any]) -> None:
    """The gateway's 422 for a missing, empty or malformed `messages`."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise reject(422, "messages: at least one message is required")
    for index, message in enumerate(messages):
        if not _well_formed(message):
            raise reject(
                422,
                f"messages.{index}: a message needs a string 'role' and a "
                "'content' that is a string or a list of blocks",
            )


def check_provider_rules(family: Family, slug: str, body: dict[str, Any]) -> None:
    """What the upstream provider rejects with a 400.

    `tools` and `tool_choice` are accepted and ignored: the gateway does not
    forward them. Claude Opus 4.7 and later take no `temperature`, `top_p`
    or `top_k`, as Anthropic answers; OpenAI's reasoning models take no
    `top_p` and no `temperature` but 1, nor `max_tokens` (they take
    `max_completion_tokens`), and o3, o4-mini and GPT-5 no `stop`, as OpenAI
    answers.

    Raises:
        RequestRejectedError: For the first rule that `body` breaks.
    """
    if body.get("stream"):
        raise reject(400, "Streaming is not supported")
    for name in ("max_tokens", "max_completion_tokens"):
        _check_max_tokens(name, body.get(name))
    _check_response_format(body.get("response_format"))
    if family == "anthropic":
        _check_anthropic(slug, body)
        _check_blocks(body, _ANTHROPIC_BLOCKS)
    else:
        _check_openai_like(slug, body)
        _check_blocks(body, _OPENAI_BLOCKS)


def _check_blocks(body: dict[str, Any], allowed: frozenset[str]) -> None:
    for index, message in enumerate(body["messages"]):
        content = message.get("content")
        for place, block in enumerate(content if isinstance(content, list) else ()):
            kind = block.get("type") if isinstance(block, dict) else None
            if kind not in allowed:
                raise reject(
                    400,
                    f"messages.{index}.content.{place}.type: {kind!r} is not one "
                    f"of {', '.join(sorted(allowed))}",
                )


def _takes_no_sampling(slug: str) -> bool:
    """Whether `slug` is Claude Opus 4.7 or later, which Anthropic refuses sampling."""
    opus = _OPUS.match(slug.lower())
    return opus is not None and (int(opus[1]), int(opus[2] or 0)) >= (4, 7)


def _well_formed(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and isinstance(message.get("role"), str)
        and (
            message.get("content") is None
            or isinstance(message["content"], (str, list))
        )
    )


def _check_max_tokens(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise reject(400, f"{name}: must be a positive integer")


def _check_temperature(value: Any, upper: float) -> None:
    if value is None:
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not 0 <= value <= upper:
        raise reject(400, f"temperature: range: 0..{upper:g}")


def _check_response_format(value: Any) -> None:
    if value is None:
        return
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in _RESPONSE_FORMATS:
        raise reject(
            400,
            "response_format: type must be one of 'text', 'json_object', 'json_schema'",
        )
    if kind == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            raise reject(
                400, "response_format.json_schema.schema: an object is required"
            )


def _check_anthropic(slug: str, body: dict[str, Any]) -> None:
    if _takes_no_sampling(slug):
        for name in _SAMPLING:
            if name in body:
                raise reject(400, f"`{name}` is deprecated for this model")
    _check_temperature(body.get("temperature"), 1)
    if (format_type := _format_type(body)) in ("json_object", "text"):
        raise reject(
            400,
            f"response_format: type {format_type!r} is not supported for "
            "this model; use 'json_schema'",
        )
    previous = None
    for index, message in enumerate(body["messages"]):
        role = message["role"]
        if role not in _CLAUDE_ROLES:
            raise reject(
                400,
                f"messages.{index}.role: Input should be 'user' or 'assistant' "
                "(the system prompt belongs in the top-level 'instruction')",
            )
        if message.get("content") is None:
            raise reject(400, f"messages.{index}.content: Field required")
        if index == 0 and role != "user":
            raise reject(400, 'messages: first message must use the "user" role')
        if role == previous:
            raise reject(
                400,
                'messages: roles must alternate between "user" and "assistant", '
                f'but found multiple "{role}" roles in a row',
            )
        previous = role


def _check_openai_like(slug: str, body: dict[str, Any]) -> None:
    unsupported = "Unsupported parameter: '{}' is not supported with this model."
    if body.get("max_tokens") is not None and _NO_MAX_TOKENS.match(slug.lower()):
        instead = " Use 'max_completion_tokens' instead."
        raise reject(400, unsupported.format("max_tokens") + instead)
    if body.get("stop") is not None and _NO_STOP.match(slug.lower()):
        raise reject(400, unsupported.format("stop"))
    if _REASONING.fullmatch(slug.lower()):
        if body.get("temperature") not in (None, 1):
            raise reject(
                400,
                f"Unsupported value: 'temperature' does not support "
                f"{body['temperature']!r} with this model. Only the default (1) "
                "value is supported.",
            )
        if body.get("top_p") is not None:
            raise reject(
                400, "Unsupported parameter: 'top_p' is not supported with this model."
            )
    _check_temperature(body.get("temperature"), 2)
    for index, message in enumerate(body["messages"]):
        if message["role"] not in _OPENAI_ROLES:
            supported = ", ".join(repr(role) for role in _OPENAI_ROLES[:-1])
            raise reject(
                400,
                f"messages[{index}].role: Invalid value: {message['role']!r}. "
                f"Supported values are: {supported}, and 'developer'.",
            )
    if _format_type(body) == "json_object" and not _mentions_json(body):
        raise reject(
            400,
            "'messages' must contain the word 'json' in some form, to use "
            "'response_format' of type 'json_object'.",
        )


def _format_type(body: dict[str, Any]) -> Any:
    response_format = body.get("response_format")
    return response_format.get("type") if isinstance(response_format, dict) else None


def _mentions_json(body: dict[str, Any]) -> bool:
    return any("json" in message_text(m).lower() for m in body["messages"])
