"""What the content-payload tests share: fixture bytes, the wire, expected parts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from langchain_segmind import ChatSegmind, SegmindError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLAUDE = "claude-3.5-sonnet"
GPT = "gpt-4o"
SLUGS = [CLAUDE, GPT]


def _b64(name: str) -> str:
    return base64.b64encode((FIXTURES / name).read_bytes()).decode("ascii")


PNG = _b64("tiny.png")
JPEG = _b64("tiny.jpg")
GIF = _b64("tiny.gif")
PDF = _b64("tiny.pdf")
WAV = _b64("tiny.wav")
MP3 = _b64("tiny.mp3")
PNG_URI = f"data:image/png;base64,{PNG}"
JPEG_URI = f"data:image/jpeg;base64,{JPEG}"
PDF_URI = f"data:application/pdf;base64,{PDF}"
IMG_URL = "https://example.com/cat.png"


@dataclass
class Wire:
    """Models of any slug sending to the recorder; each error precedes any request."""

    recorder: Any
    make_model: Any

    def model(self, slug: str, **kwargs: Any) -> ChatSegmind:
        return self.make_model(ChatSegmind, model=slug, max_retries=0, **kwargs)

    def body(self, slug: str, messages: list[BaseMessage]) -> dict[str, Any]:
        """The one body `invoke` sends for `messages`."""
        sent = self.recorder.count
        self.model(slug).invoke(messages)
        assert self.recorder.count == sent + 1
        return dict(self.recorder.last.body)

    def error(self, slug: str, messages: list[BaseMessage]) -> SegmindError:
        """The typed error `invoke` raises for `messages`, before any request."""
        with pytest.raises(SegmindError) as caught:
            self.model(slug).invoke(messages)
        assert self.recorder.requests == [], "the error must precede any request"
        return caught.value


def user_body(slug: str, content: Any) -> dict[str, Any]:
    """The body of a single user turn, for either dialect."""
    return {"messages": [{"role": "user", "content": content}]}


def claude_image(data: str, media_type: str) -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": data},
    }


def claude_url(kind: str, url: str) -> dict[str, Any]:
    return {"type": kind, "source": {"type": "url", "url": url}}


def gpt_image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}
