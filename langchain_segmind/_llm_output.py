"""`llm_output` of a generation: the model called and the tokens it used.

LangChain's callback handlers read `LLMResult.llm_output["token_usage"]` and
`["model_name"]`, as ChatOpenAI fills them; core also merges a single
result's `llm_output` into the message's `response_metadata`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

_USAGE_KEYS = ("input_tokens", "output_tokens", "total_tokens")


def _sum_usage(usages: Iterable[Mapping[str, Any]]) -> dict[str, int] | None:
    total: dict[str, int] | None = None
    for usage in usages:
        if total is None:
            total = dict.fromkeys(_USAGE_KEYS, 0)
        for key in _USAGE_KEYS:
            value = usage.get(key)
            if isinstance(value, int):
                total[key] += value
    return total


def token_usage(messages: Iterable[BaseMessage]) -> dict[str, int] | None:
    """Input, output and total tokens summed over messages; `None` if none report."""
    return _sum_usage(
        message.usage_metadata
        for message in messages
        if isinstance(message, AIMessage) and message.usage_metadata
    )


def llm_output(model: str, messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """The `llm_output` of one call to `model` that produced `messages`."""
    output: dict[str, Any] = {"model_name": model}
    usage = token_usage(messages)
    if usage is not None:
        output["token_usage"] = usage
    return output


def combine_llm_outputs(
    outputs: Sequence[Mapping[str, Any] | None], model: str
) -> dict[str, Any]:
    """One `llm_output` for several calls: their token usage summed.

    Args:
        outputs: The calls' outputs (`None` for a call that has none, such as
            one answered from the cache or through `stream`).
        model: The model name to report when no output names one.

    Returns:
        `model_name`, and `token_usage` when any call reported usage.
    """
    present = [output for output in outputs if output]
    names = [output["model_name"] for output in present if "model_name" in output]
    combined: dict[str, Any] = {"model_name": names[0] if names else model}
    usage = _sum_usage(
        output["token_usage"]
        for output in present
        if isinstance(output.get("token_usage"), Mapping)
    )
    if usage is not None:
        combined["token_usage"] = usage
    return combined
