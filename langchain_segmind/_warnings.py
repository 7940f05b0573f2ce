"""Warnings that point at the user's own line, past LangChain's frames."""

from __future__ import annotations

import sys
import warnings

# Frames of these sit between the user's call and a warning: the libraries,
# and the machinery that runs a batch's calls in threads or tasks.
_LIBRARY_PREFIXES = (
    "langchain_segmind",
    "langchain_core",
    "langchain.",
    "langgraph",
    "langsmith",
    "pydantic",
    "asyncio",
    "concurrent",
    "threading",
    "contextvars",
)


def warn_at_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn, attributing the warning to the first frame outside the libraries."""
    warnings.warn(message, category, stacklevel=_caller_stacklevel())


def _caller_stacklevel() -> int:
    # Level 1 is warn_at_caller's caller; the count starts at this frame's.
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(_LIBRARY_PREFIXES) and module != "langchain":
            break
        frame = frame.f_back
        level += 1
    return level
