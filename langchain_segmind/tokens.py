"""Token counts without a tokenizer: LangChain's counting methods, estimated.

Segmind publishes no tokenizer, and langchain-core's fallback downloads GPT-2's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools.binding import describe_tool


class TokenEstimates(BaseChatModel):
    """`ChatSegmind`'s base: token counts estimated, or by `custom_get_token_ids`."""

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids by `custom_get_token_ids`; `NotImplementedError` without it."""
        if self.custom_get_token_ids is None:  # core's fallback downloads GPT-2's
            raise NotImplementedError(
                "Segmind publishes no tokenizer: pass custom_get_token_ids= for "
                "token ids, or count with get_num_tokens (an estimate)"
            )
        return self.custom_get_token_ids(text)

    def get_num_tokens(self, text: str) -> int:
        """Estimate the tokens of `text`: about four characters per token.

        With `custom_get_token_ids`, that tokenizer counts; nothing is downloaded.

        Args:
            text: The text to count.

        Returns:
            The estimated number of tokens.
        """
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return math.ceil(len(text) / 4)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Estimate the input tokens of a call: langchain-core's approximate count.

        About four characters per token; with `custom_get_token_ids`, that
        tokenizer counts each message's text. Usable as
        `trim_messages(..., token_counter=llm)`.

        Args:
            messages: The conversation.
            tools: Tools as `bind_tools` takes them; their descriptions count.

        Returns:
            The estimated number of input tokens.

        Raises:
            SegmindInputError: A tool is refused as `bind_tools` refuses it, a
                tool cannot be written as JSON (as a call would refuse it), or a
                message is nested too deeply to encode.
        """
        described: list[Any] = [describe_tool(tool) for tool in tools or ()]
        try:
            written = [json.dumps(tool) for tool in described]
        except (TypeError, ValueError, RecursionError) as error:  # a date, say
            raise SegmindInputError(
                f"a tool description cannot be written as JSON: {error}"
            ) from error
        try:
            if self.custom_get_token_ids is None:
                return count_tokens_approximately(messages, tools=described or None)
            return super().get_num_tokens_from_messages(messages) + sum(
                self.get_num_tokens(text) for text in written
            )
        except RecursionError as error:  # from encoding the messages as JSON
            raise SegmindInputError("a message is nested too deeply") from error
