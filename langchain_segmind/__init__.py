"""LangChain chat models for Segmind's serverless LLM API.

The exports are loaded on first use, so `import langchain_segmind` stays cheap
until a model class is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_segmind._lazy import lazy_exports
from langchain_segmind._version import __version__

if TYPE_CHECKING:  # `X as X` marks a re-export for type checkers
    from langchain_segmind.callbacks import (
        SegmindCallbackHandler as SegmindCallbackHandler,
        SegmindLowCreditsWarning as SegmindLowCreditsWarning,
        forget_known_balances as forget_known_balances,
        get_segmind_callback as get_segmind_callback,
    )
    from langchain_segmind.chat_models import (
        ChatSegmind as ChatSegmind,
        ChatSegmindClaude as ChatSegmindClaude,
        ChatSegmindGPT4o as ChatSegmindGPT4o,
    )
    from langchain_segmind.errors import (
        SegmindAuthenticationError as SegmindAuthenticationError,
        SegmindBadRequestError as SegmindBadRequestError,
        SegmindConnectionError as SegmindConnectionError,
        SegmindContextOverflowError as SegmindContextOverflowError,
        SegmindError as SegmindError,
        SegmindInputError as SegmindInputError,
        SegmindInsufficientCreditsError as SegmindInsufficientCreditsError,
        SegmindJobFailedError as SegmindJobFailedError,
        SegmindModelRetiredError as SegmindModelRetiredError,
        SegmindNotFoundError as SegmindNotFoundError,
        SegmindPermissionError as SegmindPermissionError,
        SegmindRateLimitError as SegmindRateLimitError,
        SegmindResponseError as SegmindResponseError,
        SegmindServerError as SegmindServerError,
        SegmindTimeoutError as SegmindTimeoutError,
        SegmindUnsupportedContentError as SegmindUnsupportedContentError,
    )
    from langchain_segmind.transport.queue import SegmindJob as SegmindJob

_EXPORTS = {
    "ChatSegmind": "chat_models",
    "ChatSegmindClaude": "chat_models",
    "ChatSegmindGPT4o": "chat_models",
    "SegmindCallbackHandler": "callbacks",
    "SegmindLowCreditsWarning": "callbacks",
    "forget_known_balances": "callbacks",
    "get_segmind_callback": "callbacks",
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
__all__ = ["__version__", *_EXPORTS]
if not TYPE_CHECKING:  # type checkers read the imports above: a typo fails
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
