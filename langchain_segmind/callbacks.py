"""Credits: what Segmind calls cost, the balance left, and the low-balance guard.

`get_segmind_callback()` totals the calls of a `with` block, counting each
Segmind request once. The last balance Segmind reported is kept process-wide
per account (a hash of the base URL and the key, never the key), for models
with `min_remaining_credits`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Context, Decimal
from types import FrameType
from typing import Any
from uuid import UUID

from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    GenerationChunk,
    LLMResult,
)
from langchain_core.tracers.context import register_configure_hook
from pydantic import SecretStr

from langchain_segmind.errors import (
    SegmindAuthenticationError,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindInsufficientCreditsError,
)
from langchain_segmind.transport.deadline import current_clock
from langchain_segmind.transport.failures import NOT_SENT

PROVIDER = "segmind"


class SegmindLowCreditsWarning(UserWarning):
    """The account's last known balance is below `min_remaining_credits`."""


# Answers of concurrent calls may be read out of billing order: for this long
# after it was read, the lowest balance stands, so a stale, higher one read
# late cannot hide it; a higher one read later (a top-up) replaces it.
BURST_SECONDS = 30.0
# The balances of this many accounts (base URL and key) are remembered, those
# seen last: a server calling with a key per user would otherwise grow forever.
MAX_REMEMBERED_ACCOUNTS = 10_000
# A handler remembers the request ids it counted (so an answer is counted
# once), its failed v2 jobs (a resumed one then succeeds) and its runs not
# ended (a cancelled call or a closed stream never ends): the latest ones, so
# that a handler attached for a process's life does not grow forever.
MAX_REMEMBERED_REQUESTS = 10_000

_balances_lock = threading.Lock()
_balances: dict[str, tuple[float, float]] = {}  # account -> (credits, monotonic)


def _new_lock_in_child() -> None:
    global _balances_lock
    _balances_lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


@functools.lru_cache(maxsize=32)  # named on every call; SecretStr hashes its value
def account_id(base_url: str, api_key: SecretStr | str | None) -> str:
    """An opaque, stable name for the account behind `api_key` at `base_url`.

    Without a key, calls are answered only under the `segmind_emulator`
    fixture, which lends its own: they share one name per base URL.
    """
    digest = hashlib.sha256(f"{base_url}\0".encode())
    key = api_key if isinstance(api_key, str | None) else api_key.get_secret_value()
    key = key or ""  # a plain string: set past the checks (`model_copy`, say)
    digest.update(key.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def read_credits(
    headers: Mapping[str, str], account: str, *, resumed_job: object = None
) -> dict[str, Any]:
    """Segmind's per-call headers as response metadata; remembers the balance.

    `remaining_credits`, `cost` and `generation_time` are floats, or `None`.
    The balance of a `resumed_job`'s answer, which may be old, is not remembered.
    """
    remaining = _number(headers.get("x-remaining-credits"))
    if remaining is not None and resumed_job is None:
        now = current_clock().monotonic()
        with _balances_lock:
            known = _balances.pop(account, None)
            if known is None or remaining < known[0] or now - known[1] >= BURST_SECONDS:
                known = (remaining, now)
            _balances[account] = known
            if len(_balances) > MAX_REMEMBERED_ACCOUNTS:
                del _balances[next(iter(_balances))]  # the one seen longest ago
    return {
        "remaining_credits": remaining,
        "cost": _number(headers.get("x-cost")),
        "request_id": headers.get("x-request-id"),
        "generation_time": _number(headers.get("x-generation-time")),
    }


@contextmanager
def balance_of_failure(account: str, resumed_job: object) -> Iterator[None]:
    """Remember the balance reported by an answer that failed on its way."""
    try:
        yield
    except SegmindError as error:
        read_credits(error.headers, account, resumed_job=resumed_job)
        raise


# Not the thread's decimal context, which the user may set to round for display.
_DECIMAL = Context(prec=34)


def _plus(total: float, cost: float) -> float:
    """`total + cost` in decimal, as Segmind writes costs: ten times 0.1 is 1.0."""
    return float(_DECIMAL.add(Decimal(repr(total)), Decimal(repr(float(cost)))))


def _number(header: str | None) -> float | None:
    try:
        number = float(header)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def forget_known_balances() -> None:
    """Forget every balance seen, e.g. after topping up the account.

    A model with `raise_on_low_credits=True` refuses to call once a low
    balance was seen, so it cannot see a top-up by itself: call this first.
    """
    with _balances_lock:
        _balances.clear()


def check_balance(account: str, minimum: float, *, raise_error: bool) -> None:
    """Warn, or raise before sending, when the last balance is below `minimum`."""
    with _balances_lock:
        known = _balances.get(account)
    if known is None or known[0] >= minimum:
        return
    message = (
        f"the Segmind account's last known balance, {known[0]:.6g} credits, is "
        f"below min_remaining_credits={minimum:g}"
    )
    if raise_error:
        raise SegmindInsufficientCreditsError(
            f"{message}; the request was not sent. After topping up, call "
            "langchain_segmind.forget_known_balances()."
        )
    caller = _caller()
    # A registry of its own, as the text changes with each balance: the
    # caller's would keep every text, and hide one another account showed.
    warnings.warn_explicit(
        message,
        SegmindLowCreditsWarning,
        caller.f_code.co_filename,
        caller.f_lineno,
        module=caller.f_globals.get("__name__"),
        registry={},
        module_globals=caller.f_globals,
    )


# Packages whose frames sit between the user's call and the guard; the depth
# varies with the entry point (invoke, a chain, an agent), so it is walked.
_LIBRARIES = frozenset(
    {"langchain_segmind", "langchain_core", "langchain", "langgraph", "langsmith"}
    | {"pydantic", "asyncio", "concurrent", "threading", "contextvars"}
)


def _caller() -> FrameType:
    """The user's line that made the call: the first frame outside `_LIBRARIES`.

    A call made in a worker thread (`batch`) has none: the guard's own frame.
    """
    guard = frame = sys._getframe(1)
    while str(frame.f_globals.get("__name__", "")).partition(".")[0] in _LIBRARIES:
        if frame.f_back is None:
            return guard
        frame = frame.f_back
    return frame


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


class SegmindCallbackHandler(UsageMetadataCallbackHandler):
    """Totals every Segmind call of the runs it is attached to.

    Thread-safe; usually obtained from `get_segmind_callback()`, which attaches
    it to every run started inside the `with` block, in its asyncio tasks and
    in the threads LangChain starts (`batch`, parallel branches). A nested
    block's calls count in the nested handler, and in the outer one too when
    they run inside a chain or agent the outer block started, as with
    langchain-core's `get_usage_metadata_callback`.

    Attributes:
        usage_metadata: langchain-core's token usage by model name, as
            `UsageMetadataCallbackHandler` collects it (every chat model,
            cache hits included).
        successful_requests: Segmind calls that returned an answer.
        failed_requests: Segmind calls that ended in an error (after retries);
            calls refused before sending (bad input, no key, the low-balance
            guard, a closed client, no connection free in time) are not
            counted.
        input_tokens: Prompt tokens over all successful calls.
        output_tokens: Completion tokens over all successful calls.
        total_tokens: Their sum.
        total_cost: Credits spent (the sum of Segmind's `x-cost`, added in
            decimal as Segmind writes it, with that of answers cut after a
            success status, which were billed).
        cache_hits: Answers served from a LangChain cache, or already counted
            under the same request id: no request was paid for, so they add
            no requests, tokens or credits.
        remaining_credits: The balance Segmind reported last, i.e. the lowest
            one seen in the block (answers to concurrent calls may be read out
            of order; a balance only falls while calls are made), over every
            account the block's calls used.
        by_model: The same totals per slug.
    """

    # Called in the event loop's thread during async runs, not in an executor
    # job: closing an async stream may cancel such a job before it runs.
    run_inline = True

    def __init__(self) -> None:
        super().__init__()
        self._totals_lock = threading.Lock()
        self.successful_requests = 0
        self.failed_requests = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.total_tokens = 0
        self.total_cost = 0.0
        self.cache_hits = 0
        self.remaining_credits: float | None = None
        self.by_model: dict[str, ModelUsage] = {}
        self._segmind_runs: dict[UUID, str] = {}  # run id -> slug
        self._counted_requests: dict[str, None] = {}  # as an ordered set
        # request id -> slug, and whether its cost comes with its resume
        self._failed_jobs: dict[str, tuple[str, bool]] = {}
        self._streamed_runs: dict[UUID, bool] = {}  # counted when their chunk came

    def __repr__(self) -> str:
        with self._totals_lock:
            cached, remaining = self.cache_hits, self.remaining_credits
            lines = [
                f"Segmind requests: {self.successful_requests} succeeded, "
                f"{self.failed_requests} failed"
                + (f" ({cached} from cache, not billed)" if cached else ""),
                f"Tokens: {self.total_tokens} "
                f"({self.input_tokens} input, {self.output_tokens} output)",
                f"Credits spent: {self.total_cost:.6g}",
                "Credits remaining: "
                + ("unknown" if remaining is None else f"{remaining:.6g}"),
            ]
            for model, usage in sorted(self.by_model.items()):
                hits = f"{usage.cache_hits} cached, " if usage.cache_hits else ""
                lines.append(
                    f"  {model}: {usage.successful_requests} ok, "
                    f"{usage.failed_requests} failed, {hits}"
                    f"{usage.total_tokens} tokens, {usage.total_cost:.6g} credits"
                )
        return "\n".join(lines)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Remember Segmind runs, so that their failures can be counted.

        Args:
            serialized: The serialized chat model.
            messages: The run's messages.
            run_id: The ID of the run.
            metadata: The run's metadata; a Segmind run's `ls_provider` is
                `"segmind"`.
            **kwargs: Other arguments of the callback, ignored.
        """
        metadata = metadata or {}
        if metadata.get("ls_provider") == PROVIDER:
            slug = str(metadata.get("ls_model_name", ""))
            with self._totals_lock:
                _remember(self._segmind_runs, run_id, slug)

    def on_llm_new_token(
        self,
        token: str | list[str | dict[str, Any]],
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        """Count a streamed answer as its one chunk arrives.

        It was billed however the stream then ends: drained, left after the
        chunk, or closed with the agent streaming it (which may end the run
        with neither `on_llm_end` nor `on_llm_error`).

        Args:
            token: The new token, ignored: the chunk has the whole answer.
            chunk: The new chunk; counted if it is a Segmind answer (its only one).
            run_id: The ID of the run.
            **kwargs: Other arguments of the callback, ignored.
        """
        message = getattr(chunk, "message", None)
        if (
            isinstance(message, AIMessageChunk)
            and message.response_metadata.get("model_provider") == PROVIDER
        ):
            # langchain-core's usage too: the run may never reach `on_llm_end`.
            super().on_llm_end(
                LLMResult(generations=[[ChatGeneration(message=message)]])
            )
            with self._totals_lock:
                _remember(self._streamed_runs, run_id, True)
                self._count(message)

    def on_llm_end(
        self, response: LLMResult, *, run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """Add the tokens and credits of a finished call.

        Args:
            response: The call's result; its Segmind answers are counted.
            run_id: The ID of the run.
            **kwargs: Other arguments of the callback, passed to langchain-core's
                handler.
        """
        if run_id not in self._streamed_runs:
            super().on_llm_end(response, run_id=run_id, **kwargs)
        with self._totals_lock:
            if run_id is not None:
                self._segmind_runs.pop(run_id, None)
                if self._streamed_runs.pop(run_id, False):  # counted as its chunk came
                    return
            for generations in response.generations:
                for generation in generations:
                    if isinstance(generation, ChatGeneration):
                        self._count(generation.message)

    def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        response: LLMResult | None = None,
        **kwargs: Any,
    ) -> None:
        """Count a failed Segmind call; not one refused before it was sent.

        A stream left after its one chunk (a `break`, `next(stream)`) ends in
        an error too; its answer was counted when it came.

        Args:
            error: The error the run ended with.
            run_id: The ID of the run.
            response: The partial result, if any; ignored.
            **kwargs: Other arguments of the callback, ignored.
        """
        refused = (
            isinstance(error, SegmindInputError)
            or (
                isinstance(
                    error, SegmindAuthenticationError | SegmindInsufficientCreditsError
                )
                and error.status_code is None
            )
            or (
                isinstance(error, SegmindConnectionError)
                and error.message.startswith(NOT_SENT)
                and error.job is None  # a v2 job was sent, and billed
            )
        )
        with self._totals_lock:
            model = self._segmind_runs.pop(run_id, None)
            if self._streamed_runs.pop(run_id, False):
                return
            job = getattr(error, "job", None)  # a v2 job, which may be resumed
            request_id = job.request_id if job else getattr(error, "request_id", None)
            counted = isinstance(request_id, str) and (
                request_id in self._failed_jobs or request_id in self._counted_requests
            )
            if model is None or refused or counted:
                return  # a job's request is counted once, however often resumed
            self.failed_requests += 1
            self.by_model.setdefault(model, ModelUsage()).failed_requests += 1
            cost = None
            if isinstance(error, SegmindError):
                self._note_balance(_number(error.headers.get("x-remaining-credits")))
                # An answer that came after its success status was billed, an
                # error answer not. A job's cost comes with its result: one
                # not fetched yet counts it when resumed, and only then.
                status = error.status_code
                if status is not None and status < 400:
                    cost = _number(error.headers.get("x-cost"))
                    for each in (self, self.by_model[model]):
                        each.total_cost = _plus(each.total_cost, cost or 0)
            if job:
                _remember(self._failed_jobs, job.request_id, (model, cost is None))
            elif isinstance(request_id, str):  # a job resumed by it fails the same
                _remember(self._counted_requests, request_id, None)

    def _count(self, message: BaseMessage) -> None:
        """Count one answer; called under the lock."""
        metadata = message.response_metadata
        if not isinstance(message, AIMessage) or (
            metadata.get("model_provider") != PROVIDER
        ):
            return
        usage: Mapping[str, Any] = message.usage_metadata or {}
        request_id = metadata.get("request_id")
        model = str(metadata.get("model_name", ""))
        totals = (self, self.by_model.setdefault(model, ModelUsage()))
        # Core marks every answer it serves from its cache with a zero
        # `total_cost`, a key this package never sets on a fresh answer.
        if usage.get("total_cost") == 0 or request_id in self._counted_requests:
            for each in totals:
                each.cache_hits += 1
            return
        cost = metadata.get("cost")
        if (failed := self._failed_jobs.pop(str(request_id), None)) is not None:
            # A resumed job: one request, which succeeded after all.
            slug, cost_to_come = failed
            self.failed_requests -= 1
            self.by_model[slug].failed_requests -= 1
            cost = cost if cost_to_come else None
        for each in totals:
            each.successful_requests += 1
            each.input_tokens += usage.get("input_tokens", 0)
            each.output_tokens += usage.get("output_tokens", 0)
            each.total_tokens += usage.get("total_tokens", 0)
            if isinstance(cost, float | int):
                each.total_cost = _plus(each.total_cost, cost)
        if isinstance(request_id, str):
            _remember(self._counted_requests, request_id, None)
        self._note_balance(metadata.get("remaining_credits"))

    def _note_balance(self, remaining: float | None) -> None:
        if remaining is not None:
            known = self.remaining_credits
            self.remaining_credits = float(
                remaining if known is None else min(known, remaining)
            )


def _remember(latest: dict[Any, Any], key: object, value: Any) -> None:
    latest[key] = value
    if len(latest) > MAX_REMEMBERED_REQUESTS:
        del latest[next(iter(latest))]  # the oldest


_segmind_callback: ContextVar[SegmindCallbackHandler | None] = ContextVar(
    "segmind_callback", default=None
)
register_configure_hook(_segmind_callback, inheritable=True)


@contextmanager
def get_segmind_callback() -> Iterator[SegmindCallbackHandler]:
    """Total the Segmind calls made inside the `with` block.

    Covers sync and async calls, batches, chains and agents, in the asyncio
    tasks and LangChain's own threads started inside the block (through
    LangChain's context propagation; a plain `threading.Thread` or executor
    does not carry the context). A nested block counts the calls made inside
    it; the outer block counts them too when they run inside a chain or
    agent it started.

    Example:
        ```python
        from langchain_segmind import ChatSegmindGPT4o, get_segmind_callback

        with get_segmind_callback() as usage:
            ChatSegmindGPT4o().invoke("Hello")
        print(usage.total_cost, usage.remaining_credits)
        ```

    Yields:
        The handler; read its totals during or after the block.
    """
    handler, outer = SegmindCallbackHandler(), _segmind_callback.get()
    _segmind_callback.set(handler)
    try:
        yield handler
    finally:
        # Not `reset`, which raises when the block ends in another context: an
        # async generator's, stepped by a task per step.
        _segmind_callback.set(outer)
