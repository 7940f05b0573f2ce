"""Typed errors: each a `SegmindError` and the matching `Model*Error` of langchain-core.

Which error a failure becomes is decided in `langchain_segmind.transport.failures`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from langchain_core import exceptions as core

if TYPE_CHECKING:
    from langchain_segmind.transport.queue import SegmindJob


class SegmindError(Exception):
    """Base class of every error raised by langchain-segmind.

    Attributes:
        message: Segmind's own error text (its `error` field), or the start of
            an HTML or plain-text body, or a description of a client-side problem.
        status_code: The HTTP status, or `None` when no answer was received.
        request_id: Segmind's `x-request-id`, to quote to Segmind's support.
        body: The raw answer body (truncated), when there was one.
        headers: The answer's headers (the key redacted), when one began: an
            answer cut after a success status was billed, and its `x-cost`
            and `x-remaining-credits` say for how much.
        hint: What to do about it, when the package can tell (a slug to try,
            a missing `/v1` in `base_url`, how to top up); shown by `str()`.
        job: The accepted v2 job a failure left behind, if any: collect its
            answer with `llm.resume(error.job)` instead of paying for a new one.
        is_retryable: Whether sending the same request again may succeed and
            cannot bill twice (read by LangChain's `ModelRetryMiddleware`).
        response: The answer, when one came (`status_code` is set): what
            langchain-core puts in a failed call's trace and hands to
            `on_llm_error` handlers, as it does an OpenAI or Anthropic error's.
    """

    is_retryable: bool = False
    job: SegmindJob | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        hint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        """Set the attributes of the same names; `headers` starts empty.

        Args:
            message: Segmind's error text, or a description of the problem.
            status_code: The HTTP status; `None` when no answer was received.
            request_id: Segmind's `x-request-id`.
            body: The raw answer body (truncated).
            hint: What to do about it; shown by `str()`.
            retryable: Overrides the class's `is_retryable`.
        """
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        self.hint = hint
        self.headers: Mapping[str, str] = {}
        if retryable is not None:
            self.is_retryable = retryable

    def __str__(self) -> str:
        text = self.message
        if self.status_code is not None:
            text = f"Segmind HTTP {self.status_code}: {text}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return f"{text}\nHint: {self.hint}" if self.hint else text

    @property
    def response(self) -> SegmindErrorResponse:
        """The answer's status, headers (the key redacted) and body, as kept.

        Raises:
            AttributeError: No answer came (`status_code` is `None`), so
                langchain-core records none.
        """
        if self.status_code is None:
            raise AttributeError("response: no answer came")
        return SegmindErrorResponse(self.status_code, self.headers, self.body or "")

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without `__init__`, whose arguments differ between subclasses.
        return type(self).__new__, (type(self), *self.args), self.__dict__


@dataclass(frozen=True)
class SegmindErrorResponse:
    """A failed call's answer, read like an HTTP client's response.

    Attributes:
        status_code: The HTTP status.
        headers: The answer's headers (the key redacted).
        text: The body (truncated, the key redacted); `""` if none was kept.
    """

    status_code: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ValueError: The body is not JSON, or was cut short.
        """
        return json.loads(self.text)


class SegmindInputError(SegmindError, core.ModelInvalidRequestError, ValueError):
    """The request was refused before sending: the input cannot be expressed."""


class SegmindUnsupportedContentError(SegmindInputError):
    """A message or content block the target model's dialect cannot carry.

    Attributes:
        block_type: The unsupported block or message type, e.g. `"audio"`.
        model: The Segmind slug the request was for.
    """

    def __init__(self, block_type: str, model: str, detail: str = "") -> None:
        """Word the message from the block type, the slug and the detail.

        Args:
            block_type: The unsupported block or message type, e.g. `"audio"`.
            model: The Segmind slug the request was for.
            detail: Why, or what to send instead; appended to the message.
        """
        text = f"{block_type!r} content is not supported for Segmind model {model!r}"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.block_type = block_type
        self.model = model


class SegmindAuthenticationError(SegmindError, core.ModelAuthenticationError):
    """The API key is missing, invalid or expired (HTTP 401)."""


class SegmindPermissionError(SegmindError, core.ModelPermissionDeniedError):
    """The account may not use this model (HTTP 403)."""


class SegmindInsufficientCreditsError(SegmindError, core.ModelPermissionDeniedError):
    """The account has too few credits for the call.

    From an HTTP 406, a v2 job failed for want of credits, or the low-balance
    guard (`raise_on_low_credits`) before sending.
    """


class SegmindNotFoundError(SegmindError, core.ModelNotFoundError):
    """Segmind knows no model under this slug, or no such v2 job (HTTP 404)."""


class SegmindModelRetiredError(SegmindNotFoundError):
    """The model was retired (HTTP 410); the hint names a current slug if known."""


class SegmindBadRequestError(SegmindError, core.ModelInvalidRequestError):
    """Segmind rejected the request (HTTP 400, 405, 422, a non-credit 406...)."""


class SegmindContextOverflowError(SegmindBadRequestError, core.ContextOverflowError):
    """The prompt is longer than the model's context window (HTTP 400, 413, 422).

    LangChain's `SummarizationMiddleware` catches it when its summary prompt
    overflows, to retry with a shorter one.
    """


class SegmindRateLimitError(SegmindError, core.ModelRateLimitError):
    """The plan's rate limit was hit (HTTP 429).

    Retried, unless the limit resets more than 60 s later.

    Attributes:
        reset_at: When the limit resets (from `x-rate-limit-reset-at-utc`).
    """

    is_retryable = True

    def __init__(
        self, message: str, *, reset_at: datetime | None = None, **kwargs: Any
    ) -> None:
        """As `SegmindError`'s, with `status_code` 429 unless another is given.

        Args:
            message: Segmind's error text.
            reset_at: When the limit resets, if Segmind said.
            **kwargs: `SegmindError`'s other arguments.
        """
        kwargs.setdefault("status_code", 429)
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class SegmindServerError(SegmindError, core.ModelAPIError):
    """Segmind or the upstream provider failed (HTTP 5xx; 500/502/503/504 retried)."""

    is_retryable = True


class SegmindConnectionError(SegmindError, core.ModelConnectionError):
    """Segmind could not be reached, or the connection broke before an answer."""

    is_retryable = True


class SegmindTimeoutError(SegmindError, core.ModelTimeoutError):
    """No answer in time; not retried.

    The call's `timeout` ran out, or first the read or write timeout of your
    own HTTP client (its connect or pool one is a `SegmindConnectionError`).
    """


class SegmindResponseError(SegmindError, core.ModelAPIError):
    """An answer the package cannot use; a POST's is not retried (it may be billed).

    Not JSON, too large, no known shape, cut off, not valid HTTP, a redirect, or a
    queue pointing elsewhere.
    """


class SegmindJobFailedError(SegmindError, core.ModelAPIError):
    """A queued (v2) job ended FAILED; the message is Segmind's. Not retried."""
