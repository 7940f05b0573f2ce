"""LangChain chat models for Segmind's serverless LLM API."""

from langchain_segmind._balance import SegmindLowCreditsWarning, forget_known_balances
from langchain_segmind._version import __version__
from langchain_segmind.callbacks import SegmindCallbackHandler, get_segmind_callback
from langchain_segmind.chat_models import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
)
from langchain_segmind.errors import (
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
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

__all__ = [
    "ChatSegmind",
    "ChatSegmindClaude",
    "ChatSegmindGPT4o",
    "SegmindAuthenticationError",
    "SegmindBadRequestError",
    "SegmindCallbackHandler",
    "SegmindConnectionError",
    "SegmindError",
    "SegmindInputError",
    "SegmindInsufficientCreditsError",
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
