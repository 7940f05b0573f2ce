"""LangChain chat models for Segmind's serverless LLM API."""

from langchain_segmind._version import __version__
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
    "SegmindConnectionError",
    "SegmindError",
    "SegmindInputError",
    "SegmindInsufficientCreditsError",
    "SegmindModelRetiredError",
    "SegmindNotFoundError",
    "SegmindPermissionError",
    "SegmindRateLimitError",
    "SegmindResponseError",
    "SegmindServerError",
    "SegmindTimeoutError",
    "SegmindUnsupportedContentError",
    "__version__",
]
