"""Reply texts, token counts and provider-shaped (Anthropic/OpenAI/Gemini) bodies."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from langchain_segmind.conversion import JSON_MODE_INSTRUCTION

from ._schema import instance_of

Family = Literal["anthropic", "openai", "gemini"]

DEFAULT_PREFIX = "Segmind emulator reply (not a model) to: "
_QUOTE_LIMIT = 200

_FINISH: dict[Family, tuple[str, str]] = {
    # family: (finish reason when complete, finish reason when cut by max_tokens)
    "anthropic": ("end_turn", "max_tokens"),
    "openai": ("stop", "length"),
    "gemini": ("STOP", "MAX_TOKENS"),
}


@dataclass(frozen=True)
class Completion:
    """A reply with its usage, before it is put in a provider's shape."""

    text: str
    input_tokens: int
    output_tokens: int
    cut_short: bool


def family_of(slug: str) -> Family:
    """Which provider's JSON shape the gateway passes through for `slug`."""
    if slug.startswith("claude"):
        return "anthropic"
    if slug.startswith("gemini"):
        return "gemini"
    return "openai"


def message_text(message: Any) -> str:
    """The text of one message: string content, or its text blocks joined."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "".join(
        block["text"]
        for block in content
        if isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    )


def default_reply(body: dict[str, Any]) -> str:
    """The emulator's reply when nothing is scripted: a quote of the last user turn.

    With `response_format` of type `json_schema` the reply is a minimal
    instance of the schema; with `json_object`, or the package's JSON-mode
    instruction (all Claude gets), it is `{"reply": <quote>}`.
    """
    quote = DEFAULT_PREFIX + _last_user_text(body.get("messages"))[:_QUOTE_LIMIT]
    response_format = body.get("response_format")
    if JSON_MODE_INSTRUCTION in str(body.get("instruction")):
        return json.dumps({"reply": quote})
    if not isinstance(response_format, dict):
        return quote
    if response_format.get("type") == "json_object":
        return json.dumps({"reply": quote})
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        if isinstance(spec, dict) and "schema" in spec:
            return json.dumps(instance_of(spec["schema"]))
    return quote


def complete(text: str, body: dict[str, Any]) -> Completion:
    """Count tokens (whitespace-separated words) and apply the token limit.

    The `stop` list is deliberately ignored, as the gateway may do: clients
    must cut at their stop sequences themselves.
    """
    words = text.split()
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    cut_short = isinstance(limit, int) and 0 < limit < len(words)
    if cut_short:
        words = words[:limit]
        text = " ".join(words)
    return Completion(text, prompt_tokens(body), len(words), cut_short)


def prompt_tokens(body: dict[str, Any]) -> int:
    """The prompt's size in the emulator's token unit (at least 1).

    The unit is a whitespace-separated word of the messages' text and of the
    system prompt.
    """
    messages = body.get("messages")
    texts = [message_text(m) for m in messages] if isinstance(messages, list) else []
    texts += [
        body[key] for key in ("instruction", "system") if isinstance(body.get(key), str)
    ]
    return max(1, sum(len(text.split()) for text in texts))


def context_overflow(family: Family, tokens: int, window: int) -> dict[str, Any]:
    """The 400 body for a prompt of `tokens` over a `window`, in the provider's words.

    Segmind passes the provider's message on as its own `{"error": "..."}`.
    """
    if family == "anthropic":
        return {"error": f"prompt is too long: {tokens} tokens > {window} maximum"}
    if family == "gemini":
        return {
            "error": f"The input token count ({tokens}) exceeds the maximum number "
            f"of tokens allowed ({window})."
        }
    return {
        "error": f"This model's maximum context length is {window} tokens. However, "
        f"your messages resulted in {tokens} tokens.",
        "code": "context_length_exceeded",
    }


def provider_body(
    family: Family, slug: str, completion: Completion, sequence: int
) -> dict[str, Any]:
    """The provider's JSON for `completion`, as the gateway passes it through."""
    finish = _FINISH[family][1 if completion.cut_short else 0]
    if family == "anthropic":
        return _anthropic(slug, completion, sequence, finish)
    if family == "gemini":
        return _gemini(slug, completion, sequence, finish)
    return _openai(slug, completion, sequence, finish)


def _anthropic(
    slug: str, completion: Completion, sequence: int, finish: str
) -> dict[str, Any]:
    return {
        "id": f"msg_emu_{sequence}",
        "type": "message",
        "role": "assistant",
        "model": slug,
        "content": [{"type": "text", "text": completion.text}],
        "stop_reason": finish,
        "stop_sequence": None,
        "usage": {
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
        },
    }


def _openai(
    slug: str, completion: Completion, sequence: int, finish: str
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-emu-{sequence}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": slug,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": completion.text,
                    "refusal": None,
                },
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": completion.input_tokens,
            "completion_tokens": completion.output_tokens,
            "total_tokens": completion.input_tokens + completion.output_tokens,
        },
        "system_fingerprint": "fp_segmind_emulator",
    }


def _gemini(
    slug: str, completion: Completion, sequence: int, finish: str
) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": completion.text}]},
                "finishReason": finish,
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": completion.input_tokens,
            "candidatesTokenCount": completion.output_tokens,
            "totalTokenCount": completion.input_tokens + completion.output_tokens,
        },
        "modelVersion": slug,
        "responseId": f"gemini-emu-{sequence}",
    }


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return message_text(message)
    return ""
