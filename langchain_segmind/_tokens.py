"""Token estimates that need no tokenizer: what `get_num_tokens*` return.

Segmind serves models of several providers, whose tokenizers are either not
public or not installable without heavy packages, so the counts here are
estimates in the manner of langchain-core's `count_tokens_approximately`:
about four characters per token, three more tokens per message, a fixed
figure per image or document. What is counted is the text this package would
send, though: past tool calls and tool results as the protocol renders them,
and the tool instructions added to the system prompt when tools are given.
For plain text messages the estimate equals `count_tokens_approximately`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

from langchain_segmind import conversion as wire
from langchain_segmind.conversion.messages import to_turns
from langchain_segmind.conversion.types import MediaPart, Turn
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools.binding import apply_protocol, binding_from_call

CHARS_PER_TOKEN = 4.0
"""Characters per token of English text, as langchain-core assumes."""

TOKENS_PER_MESSAGE = 3
"""Tokens a message costs beyond its text (role and delimiters)."""

TOKENS_PER_MEDIA = 85
"""Tokens counted for each image, PDF or audio clip (langchain-core's figure
for an image; real costs grow with the size)."""

TextCounter = Callable[[str], int]


def approximate_text_tokens(text: str) -> int:
    """Estimate the tokens of `text`: one per four characters, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def text_counter(tokenizer: Callable[[str], list[int]] | None) -> TextCounter:
    """Count with the user's tokenizer (`custom_get_token_ids`) when there is one."""
    if tokenizer is None:
        return approximate_text_tokens
    return lambda text: len(tokenizer(text))


def count_message_tokens(
    messages: Sequence[BaseMessage],
    *,
    model: str,
    tools: Sequence[Any] | None = None,
    native_tools: bool = False,
    count_text: TextCounter = approximate_text_tokens,
) -> int:
    """Estimate the prompt tokens of a call with `messages` (and `tools`).

    Args:
        messages: The conversation.
        model: The Segmind slug, which decides how content is rendered.
        tools: Tools in any form `bind_tools` accepts; their description is
            added to the prompt, as a call with them bound would send it.
        native_tools: Count the tools as body fields instead of prompt text.
        count_text: Tokens of a text.

    Returns:
        The estimated number of input tokens.

    Raises:
        SegmindInputError: If `tools` cannot be described.
    """
    total = 0
    turns: list[Turn] = []
    for message in messages:
        try:
            turns.extend(to_turns([message], model))
        except SegmindInputError:
            # A call would refuse this message before sending it; counting
            # still answers, so that trimming a history never fails here.
            total += count_tokens_approximately([message])
    binding = binding_from_call(tools, None) if tools else None
    if binding is not None and native_tools:
        fields = wire.dialect_for(model).render_tools(binding.tools, binding.choice)
        total += count_text(json.dumps(fields))
        binding = None
    # With native tools the history's calls would go as JSON fields; their
    # protocol rendering is about as long, so one rendering serves both.
    for turn in apply_protocol(turns, binding):
        total += _turn_tokens(turn, count_text)
    return total


def _turn_tokens(turn: Turn, count_text: TextCounter) -> int:
    media = sum(isinstance(part, MediaPart) for part in turn.parts)
    text = turn.role + (turn.name or "") + turn.text
    return count_text(text) + TOKENS_PER_MESSAGE + media * TOKENS_PER_MEDIA
