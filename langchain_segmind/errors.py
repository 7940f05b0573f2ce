"""Typed errors raised by langchain-segmind, and the mapping from HTTP answers.

Every error is a `SegmindError`, and each also subclasses the matching
`langchain_core.exceptions.Model*Error`, so code written against LangChain's
provider-neutral errors catches ours too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_segmind.catalogue.slugs import DIRECTORY_SLUGS
from langchain_segmind.transport.jsonparse import loads

__all__ = [
    "SegmindAuthenticationError",
    "SegmindBadRequestError",
    "SegmindConnectionError",
    "SegmindError",
    "SegmindInputError",
    "SegmindInsufficientCreditsError",
    "SegmindJobFailedError",
    "SegmindModelRetiredError",
    "SegmindNotFoundError",
    "SegmindPermissionError",
    "SegmindRateLimitError",
    "SegmindResponseError",
    "SegmindServerError",
    "SegmindTimeoutError",
    "SegmindUnsupportedContentError",
]

_BODY_EXCERPT_CHARS = 300
# Epoch values above this (year 5138 in seconds) are read as milliseconds.
_EPOCH_MILLISECONDS_FROM = 1e11

# Where a retired slug's users should go next; families fall back by prefix.
_SUCCESSOR_SLUGS = {
    "claude-3.5-sonnet": "claude-4.5-sonnet",
    "claude-4-sonnet": "claude-4.5-sonnet",
    "gpt-4": "gpt-4o",
    "gpt-4-turbo": "gpt-4o",
}
_FAMILY_SUCCESSORS = {
    "claude": "claude-4.5-sonnet",
    "gpt": "gpt-5",
    "gemini": "gemini-2.5-pro",
}


class SegmindError(Exception):
    """Base class of every error raised by langchain-segmind.

    Attributes:
        message: Segmind's own error text (its `error` field), or the start of
            an HTML or plain-text body, or a description of a client-side problem.
        status_code: The HTTP status, or `None` when no answer was received.
        request_id: Segmind's `x-request-id`, to quote to Segmind's support.
        body: The raw answer body (truncated), when there was one.
        hint: What to do about it, when the package can tell (a slug to try,
            a missing `/v1` in `base_url`, how to top up); shown by `str()`.
    """

    is_retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        self.hint = hint

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.insert(0, f"Segmind HTTP {self.status_code}:")
        if self.request_id:
            parts.append(f"(request id {self.request_id})")
        text = " ".join(parts)
        hint = getattr(self, "hint", None)  # errors unpickled from 0.1.0 lack it
        return f"{text}\nHint: {hint}" if hint else text

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.message, dict(self.__dict__)))


def _rebuild_error(
    cls: type[SegmindError], message: str, state: dict[str, Any]
) -> SegmindError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class SegmindInputError(SegmindError, ModelInvalidRequestError, ValueError):
    """The request was refused before sending: the input cannot be expressed."""


class SegmindUnsupportedContentError(SegmindInputError):
    """A message or content block the target model's dialect cannot carry.

    Attributes:
        block_type: The unsupported block or message type, e.g. `"audio"`.
        model: The Segmind slug the request was for.
    """

    def __init__(self, block_type: str, model: str, detail: str = "") -> None:
        text = f"{block_type!r} content is not supported for Segmind model {model!r}"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.block_type = block_type
        self.model = model


class SegmindAuthenticationError(SegmindError, ModelAuthenticationError):
    """The API key is missing, invalid or expired (HTTP 401)."""


class SegmindPermissionError(SegmindError, ModelPermissionDeniedError):
    """The account may not use this model (HTTP 403)."""


class SegmindInsufficientCreditsError(SegmindError, ModelPermissionDeniedError):
    """The account has too few credits for the call (HTTP 406, or client-side)."""


class SegmindNotFoundError(SegmindError, ModelNotFoundError):
    """Segmind knows no model under this slug (HTTP 404)."""


class SegmindModelRetiredError(SegmindNotFoundError):
    """The model was retired (HTTP 410); the message names a current slug."""


class SegmindBadRequestError(SegmindError, ModelInvalidRequestError):
    """Segmind rejected the request (HTTP 400, 405, 422, or a non-credit 406)."""


class SegmindRateLimitError(SegmindError, ModelRateLimitError):
    """The plan's rate limit was hit (HTTP 429).

    Attributes:
        reset_at: When the limit resets (from `x-rate-limit-reset-at-utc`).
    """

    is_retryable = True

    def __init__(
        self,
        message: str,
        *,
        reset_at: datetime | None = None,
        status_code: int | None = 429,
        request_id: str | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, request_id=request_id, body=body
        )
        self.reset_at = reset_at


class SegmindServerError(SegmindError, ModelAPIError):
    """Segmind or the upstream provider failed (HTTP 5xx); safe to retry."""

    is_retryable = True


class SegmindConnectionError(SegmindError, ModelConnectionError):
    """Segmind could not be reached, or the connection broke before an answer."""

    is_retryable = True


class SegmindTimeoutError(SegmindError, ModelTimeoutError):
    """No answer within the configured `timeout`."""

    is_retryable = False


class SegmindResponseError(SegmindError, ModelAPIError):
    """A successful status whose body is not JSON or has no known shape.

    Not retried: the call has already been billed.
    """

    is_retryable = False


class SegmindJobFailedError(SegmindError, ModelAPIError):
    """A queued (v2) job ended FAILED; the message is Segmind's."""

    is_retryable = False


def parse_reset_time(value: str | None) -> datetime | None:
    """Parse `x-rate-limit-reset-at-utc`; `None` when it cannot be read.

    Accepts ISO 8601, epoch seconds or milliseconds, and HTTP dates.
    """
    if not value:
        return None
    text = value.strip()
    try:
        epoch = float(text)
    except ValueError:
        return _parse_date(text)
    if epoch > _EPOCH_MILLISECONDS_FROM:
        epoch /= 1000
    try:
        return datetime.fromtimestamp(epoch, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_date(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def successor_slug(slug: str) -> str | None:
    """Suggest a current Segmind slug to replace a retired one."""
    suggestion = _SUCCESSOR_SLUGS.get(slug) or _FAMILY_SUCCESSORS.get(
        slug.split("-", 1)[0]
    )
    return suggestion if suggestion != slug else None


def _segmind_message(body: bytes, content_type: str) -> str:
    """Extract Segmind's human message from a JSON, HTML or plain-text body."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "(empty response body)"
    if "json" in content_type or text.startswith("{"):
        try:
            payload = loads(text)
        except ValueError:  # not JSON, or nested too deep to read safely
            payload = None
        if isinstance(payload, dict):
            for key in ("error", "message", "detail"):
                value = payload.get(key)
                if isinstance(value, str) and value:
                    return value
                if isinstance(value, dict) and isinstance(value.get("message"), str):
                    return str(value["message"])
    return " ".join(text.split())[:_BODY_EXCERPT_CHARS]


def closest_slug(slug: str) -> str | None:
    """The known Segmind slug nearest to a mistyped `slug`, if one is close."""
    lowered = slug.lower()
    if lowered in DIRECTORY_SLUGS:
        return None
    matches = difflib.get_close_matches(lowered, DIRECTORY_SLUGS, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _not_found_hint(model: str, url: str | None) -> str | None:
    hints = []
    suggestion = closest_slug(model) if model else None
    if suggestion:
        hints.append(f"Segmind has no model {model!r}; did you mean {suggestion!r}?")
    if url and not re.search(r"/v\d+/[^/]+$", urlsplit(url).path):
        hints.append(
            "base_url has no /v1 segment: Segmind's API is under "
            "https://api.segmind.com/v1."
        )
    return " ".join(hints) or None


_TOP_UP_HINT = (
    "Add credits to the Segmind account (the Billing page of Segmind's "
    "console), or use a cheaper model. With min_remaining_credits set, call "
    "langchain_segmind.forget_known_balances() after topping up."
)


def error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    model: str,
    url: str | None = None,
) -> SegmindError:
    """Build the typed error for a non-2xx answer from Segmind.

    Args:
        status_code: The HTTP status.
        headers: The answer's headers (case-insensitive mapping).
        body: The raw answer body.
        model: The slug the request was for, used in suggestions.
        url: The URL the request went to, used in hints.

    Returns:
        The most specific `SegmindError` subclass for the answer.
    """
    message = _segmind_message(body, headers.get("content-type", "").lower())
    context: dict[str, Any] = {
        "status_code": status_code,
        "request_id": headers.get("x-request-id"),
        "body": body[:2000].decode("utf-8", errors="replace"),
    }
    if status_code == 401:
        return SegmindAuthenticationError(message, **context)
    if status_code == 403:
        return SegmindPermissionError(message, **context)
    if status_code == 404:
        return SegmindNotFoundError(
            message, hint=_not_found_hint(model, url), **context
        )
    if status_code == 410:
        suggestion = successor_slug(model)
        hint = f" Try model={suggestion!r}." if suggestion else ""
        return SegmindModelRetiredError(
            f"{message} (model {model!r} is retired.{hint})", **context
        )
    if status_code == 406 and "credit" in message.lower():
        return SegmindInsufficientCreditsError(message, hint=_TOP_UP_HINT, **context)
    if status_code == 429:
        reset_at = parse_reset_time(headers.get("x-rate-limit-reset-at-utc"))
        return SegmindRateLimitError(message, reset_at=reset_at, **context)
    if 400 <= status_code < 500:
        return SegmindBadRequestError(message, **context)
    if status_code >= 500:
        error = SegmindServerError(message, **context)
        # Only these are passing failures; 501, 505... would answer the same.
        error.is_retryable = status_code in (500, 502, 503, 504)
        return error
    return SegmindResponseError(message, **context)
