"""The Segmind LLM slugs the package knows of: the one list of them.

Segmind's 2026-08 model directory, plus the two slugs of the package's
classes. The emulator serves these by default, and a 404 for a mistyped slug
suggests the closest of them.
"""

from __future__ import annotations

DIRECTORY_SLUGS = (
    "claude-3.5-sonnet",
    "claude-4-sonnet",
    "claude-4.5-sonnet",
    "claude-opus-4.7",
    "gpt-4",
    "gpt-4-turbo",
    "gpt-4o",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5.1",
    "gpt-5.2",
    "gpt-5.3",
    "gpt-5.4",
    "gpt-5.5",
    "o3",
    "o3-mini",
    "o4-mini",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gemini-3-pro",
    "deepseek-chat",
    "deepseek-reasoner",
    "llama-v3p1-70b-instruct",
    "llama4-maverick-instruct-basic",
    "mixtral-8x22b-instruct",
    "qwen3-max",
    "qwen-plus",
    "kimi-k2-instruct-0905",
    "glm-5.2",
    "minimax-m3",
)
