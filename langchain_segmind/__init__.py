"""LangChain chat models for Segmind's serverless LLM API.

The exports are loaded on first use, so `import langchain_segmind` stays cheap
until a model class is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_segmind._lazy import lazy_exports
from langchain_segmind._version import __version__

if TYPE_CHECKING:
    from langchain_segmind.callbacks import (
        SegmindCallbackHandler,
        SegmindLowCreditsWarning,
        forget_known_balances,
        get_segmind_callback,
    )
    from langchain_segmind.chat_models import (
        ChatSegmind,
        ChatSegmindClaude,
        ChatSegmindGPT4o,
    )
    from langchain_segmind.errors import (
        SegmindAuthenticationError,
        SegmindBadRequestError,
        SegmindConnectionError,
        SegmindContextOverflowError,
        SegmindError,
        SegmindInputError,
        SegmindInsufficientCreditsError,
        SegmindJobFailedError,
        SegmindModelRetiredError,
        SegmindNotFoundError,
        SegmindPermissionError,
        SegmindRateLimitError,
        SegmindResponseError,
        SegmindServerError,
        SegmindTimeoutError,
        SegmindUnsupportedContentError,
    )
    from langchain_segmind.transport.queue import SegmindJob

_EXPORTS = {
    "ChatSegmind": "chat_models",
    "ChatSegmindClaude": "chat_models",
    "ChatSegmindGPT4o": "chat_models",
    "SegmindCallbackHandler": "callbacks",
    "get_segmind_callback": "callbacks",
    "SegmindLowCreditsWarning": "callbacks",
    "forget_known_balances": "callbacks",
    "SegmindAuthenticationError": "errors",
    "SegmindBadRequestError": "errors",
    "SegmindConnectionError": "errors",
    "SegmindContextOverflowError": "errors",
    "SegmindError": "errors",
    "SegmindInputError": "errors",
    "SegmindInsufficientCreditsError": "errors",
    "SegmindJobFailedError": "errors",
    "SegmindModelRetiredError": "errors",
    "SegmindNotFoundError": "errors",
    "SegmindPermissionError": "errors",
    "SegmindRateLimitError": "errors",
    "SegmindResponseError": "errors",
    "SegmindServerError": "errors",
    "SegmindTimeoutError": "errors",
    "SegmindUnsupportedContentError": "errors",
    "SegmindJob": "transport.queue",
}

__all__ = [
    "ChatSegmind",
    "ChatSegmindClaude",
    "ChatSegmindGPT4o",
    "SegmindAuthenticationError",
    "SegmindBadRequestError",
    "SegmindCallbackHandler",
    "SegmindConnectionError",
    "SegmindContextOverflowError",
    "SegmindError",
    "SegmindInputError",
    "SegmindInsufficientCreditsError",
    "SegmindJob",
    "SegmindJobFailedError",
    "SegmindLowCreditsWarning",
    "SegmindModelRetiredError",
    "SegmindNotFoundError",
    "SegmindPermissionError",
    "SegmindRateLimitError",
    "SegmindResponseError",
    "SegmindServerError",
    "SegmindTimeoutError",
    "SegmindUnsupportedContentError",
    "__version__",
    "forget_known_balances",
    "get_segmind_callback",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
