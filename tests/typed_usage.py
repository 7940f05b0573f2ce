"""Constructor calls as the README writes them, for `mypy --strict` (the lint step).

Type checkers must accept what runs: plain-string keys, `model` and the other
aliases, on the two default classes as on `ChatSegmind`.
"""

from __future__ import annotations

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o


def readme_models() -> list[ChatSegmind]:
    """Build the README's models; never called, only type-checked."""
    return [
        ChatSegmindClaude(temperature=0.1),
        ChatSegmindClaude(api_key="test", model="claude-4-sonnet", stop=["\n\n"]),
        ChatSegmindGPT4o(timeout=30, max_retries=1, model_name="gpt-4o"),
        ChatSegmind(
            model="gpt-4o", api_key="test", base_url="http://127.0.0.1:8080/v1"
        ),
    ]
