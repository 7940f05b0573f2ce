"""Track what Segmind calls cost: tokens, credits spent and the balance left.

Example:
    ```python
    from langchain_segmind import ChatSegmindClaude, get_segmind_callback

    llm = ChatSegmindClaude()
    with get_segmind_callback() as usage:
        llm.invoke("tell me a joke on cats")
        llm.batch(["a joke on dogs", "a joke on birds"])
    print(usage)  # requests, tokens, credits spent and remaining
    usage.total_cost, usage.remaining_credits, usage.by_model["claude-3.5-sonnet"]
    ```

Answers served from a LangChain cache (`cache=InMemoryCache()` or
`set_llm_cache`) sent no request and cost nothing: they are counted in
`cache_hits` only, never as requests, tokens or credits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

__all__ = ["ModelUsage", "SegmindCallbackHandler", "get_segmind_callback"]

_PROVIDER = "segmind"


@dataclass
class ModelUsage:
    """Totals for one Segmind slug."""

    successful_requests: int = 0
    failed_requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    total_cost: float = 0.0
    cache_hits: int = 0

    def add(self, usage: Mapping[str, Any], cost: Any) -> None:
        """Count one successful call."""
        self.successful_requests += 1
        self.input_tokens += usage.get("input_tokens", 0)
        self.output_tokens += usage.get("output_tokens", 0)
        self.total_tokens += usage.get("total_tokens", 0)
        if isinstance(cost, float | int):
            self.total_cost += cost


class SegmindCallbackHandler(BaseCallbackHandler):
    """Totals every Segmind call of the runs it is attached to.

    Thread-safe; usually obtained from `get_segmind_callback()`, which attaches
    it to every run started inside the `with` block, in any thread or task.

    Attributes:
        successful_requests: Calls that returned an answer.
        failed_requests: Calls that ended in an error (after retries).
        input_tokens: Prompt tokens over all successful calls.
        output_tokens: Completion tokens over all successful calls.
        total_tokens: Their sum.
        total_cost: Credits spent (the sum of Segmind's `x-cost`).
        cache_hits: Answers served from a LangChain cache: no request was
            sent, so they add no requests, tokens or credits.
        remaining_credits: The balance Segmind reported last, i.e. the lowest
            one seen in the block (answers to concurrent calls may be read out
            of order; a balance only falls while calls are made).
        by_model: The same totals per slug.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._segmind_runs: dict[UUID, str] = {}
        self._totals = ModelUsage()
        # Segmind request ids already counted: an answer carrying one again is
        # a replay (a cache hit), whatever marks the cache may leave.
        self._billed_requests: set[str] = set()
        self.remaining_credits: float | None = None
        self.by_model: dict[str, ModelUsage] = {}

    @property
    def successful_requests(self) -> int:
        """Calls that returned an answer (cache hits excluded: no request)."""
        return self._totals.successful_requests

    @property
    def cache_hits(self) -> int:
        """Answers served from a LangChain cache, which cost nothing."""
        return self._totals.cache_hits

    @property
    def failed_requests(self) -> int:
        """Calls that ended in an error, after retries."""
        return self._totals.failed_requests

    @property
    def input_tokens(self) -> int:
        """Prompt tokens over all successful calls."""
        return self._totals.input_tokens

    @property
    def output_tokens(self) -> int:
        """Completion tokens over all successful calls."""
        return self._totals.output_tokens

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self._totals.total_tokens

    @property
    def total_cost(self) -> float:
        """Credits spent: the sum of Segmind's `x-cost`."""
        return self._totals.total_cost

    def __repr__(self) -> str:
        with self._lock:
            totals = self._totals
            lines = [
                f"Segmind requests: {totals.successful_requests} succeeded, "
                f"{totals.failed_requests} failed"
                + (
                    f" ({totals.cache_hits} answers from cache, not billed)"
                    if totals.cache_hits
                    else ""
                ),
                f"Tokens: {totals.total_tokens} "
                f"({totals.input_tokens} input, {totals.output_tokens} output)",
                f"Credits spent: {totals.total_cost:.6g}",
                "Credits remaining: "
                + (
                    "unknown"
                    if self.remaining_credits is None
                    else f"{self.remaining_credits:.6g}"
                ),
            ]
            for model, usage in sorted(self.by_model.items()):
                cached = f"{usage.cache_hits} cached, " if usage.cache_hits else ""
                lines.append(
                    f"  {model}: {usage.successful_requests} ok, "
                    f"{usage.failed_requests} failed, {cached}"
                    f"{usage.total_tokens} tokens, {usage.total_cost:.6g} credits"
                )
        return "\n".join(lines)

    __str__ = __repr__

    @property
    def always_verbose(self) -> bool:
        """Receive events even when the run is not verbose."""
        return True

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Remember Segmind runs, so their failures can be counted."""
        metadata = metadata or {}
        if metadata.get("ls_provider") == _PROVIDER:
            with self._lock:
                self._segmind_runs[run_id] = str(metadata.get("ls_model_name", ""))

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the tokens and credits of a finished call."""
        with self._lock:
            self._segmind_runs.pop(run_id, None)
        for generations in response.generations:
            for generation in generations:
                if isinstance(generation, ChatGeneration) and isinstance(
                    generation.message, AIMessage
                ):
                    self._add(generation.message)

    def on_llm_error(
        self, error: BaseException, *, run_id: UUID, **kwargs: Any
    ) -> None:
        """Count a failed Segmind call."""
        with self._lock:
            model = self._segmind_runs.pop(run_id, None)
            if model is None:
                return
            self._totals.failed_requests += 1
            self.by_model.setdefault(model, ModelUsage()).failed_requests += 1

    def _add(self, message: AIMessage) -> None:
        metadata = message.response_metadata
        if metadata.get("model_provider") != _PROVIDER:
            return
        usage: Mapping[str, Any] = message.usage_metadata or {}
        cost = metadata.get("cost")
        remaining = metadata.get("remaining_credits")
        model = str(metadata.get("model_name", ""))
        request_id = metadata.get("request_id")
        if not isinstance(request_id, str):
            request_id = None
        with self._lock:
            if _from_cache(usage) or request_id in self._billed_requests:
                self._totals.cache_hits += 1
                self.by_model.setdefault(model, ModelUsage()).cache_hits += 1
                return
            if request_id is not None:
                self._billed_requests.add(request_id)
            self._totals.add(usage, cost)
            self.by_model.setdefault(model, ModelUsage()).add(usage, cost)
            if isinstance(remaining, float | int):
                # Concurrent answers may be read out of billing order, and a
                # balance only falls while calls are made: keep the lowest.
                known = self.remaining_credits
                self.remaining_credits = (
                    float(remaining) if known is None else min(known, remaining)
                )


def _from_cache(usage: Mapping[str, Any]) -> bool:
    """Whether langchain-core served this answer from its LLM cache.

    On every cache hit (sync and async) core hands out a copy of the cached
    message whose `usage_metadata` has `total_cost` set to 0; this package
    never sets that key on a fresh answer.
    """
    return "total_cost" in usage and usage["total_cost"] == 0


_segmind_callback: ContextVar[SegmindCallbackHandler | None] = ContextVar(
    "segmind_callback", default=None
)
register_configure_hook(_segmind_callback, inheritable=True)


@contextmanager
def get_segmind_callback() -> Iterator[SegmindCallbackHandler]:
    """Total the Segmind calls made inside the `with` block.

    Covers sync and async calls, batches, chains and agents, in threads and
    tasks started inside the block (through LangChain's context propagation).

    Yields:
        The handler; read its totals during or after the block.
    """
    handler = SegmindCallbackHandler()
    token = _segmind_callback.set(handler)
    try:
        yield handler
    finally:
        _segmind_callback.reset(token)
