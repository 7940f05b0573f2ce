"""Local images as LangChain content blocks (`image_block`), and media-type sniffing."""

from __future__ import annotations

import base64
from os import PathLike, fspath
from pathlib import Path
from typing import Any

__all__ = ["image_block", "sniff_media_type"]

# Leading bytes of three formats Claude and GPT-4o accept (WebP's and PDF's below).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    ((b"GIF87a", b"GIF89a"), "image/gif"),
)


def sniff_media_type(data: bytes | str) -> str | None:
    """The media type of a PNG, JPEG, GIF, WebP or PDF, from its first bytes.

    Args:
        data: The file's start (a dozen bytes are enough; a PDF's header may
            come anywhere in its first 1024) or its base64 text (URL-safe
            too; white space is skipped).

    Returns:
        The media type, e.g. `"image/png"`; `None` if it is not recognised.
    """
    if isinstance(data, str):
        # 1026 bytes; white space dropped, the URL-safe alphabet read too.
        head = "".join(data.lstrip()[:2048].split())[:1368]
        if len(head) % 4 == 1:  # white space cut it short: a stray character
            head = head[:-1]
        try:
            data = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_")
        except ValueError:  # binascii.Error included
            return None
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/pdf" if b"%PDF-" in data[:1024] else None


def image_block(
    source: str | PathLike[str] | bytes | bytearray | memoryview,
    *,
    mime_type: str | None = None,
) -> dict[str, Any]:
    """Build a standard LangChain image (or PDF file) block from a file or bytes.

    Args:
        source: A path to an image file, or the image's bytes. An image on
            the web needs no helper: send `{"type": "image", "url": ...}`.
        mime_type: The media type; detected from the bytes when omitted.

    Returns:
        `{"type": "image", "base64": ..., "mime_type": ...}` (a `"file"`
        block for a PDF), which both `ChatSegmindClaude` and
        `ChatSegmindGPT4o` accept.

    Raises:
        ValueError: If `source` is a URL, or the media type cannot be detected
            and is not given.
        OSError: If the file cannot be read (`FileNotFoundError`, say).

    Example:
        ```python
        from langchain_core.messages import HumanMessage
        from langchain_segmind import ChatSegmindClaude
        from langchain_segmind.images import image_block

        message = HumanMessage(
            content=[
                {"type": "text", "text": "What is in this picture?"},
                image_block("cat.png"),
            ]
        )
        ChatSegmindClaude().invoke([message])
        ```
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif fspath(source).lower().startswith(("http://", "https://", "data:", "file://")):
        raise ValueError(
            "image_block takes a file's path or bytes, not a URL; send an "
            'http(s) or data: URL as {"type": "image", "url": ...}'
        )
    else:
        data = Path(source).read_bytes()
    # Not from the file name: the bytes of every accepted type are recognised,
    # so a name could only mislabel others (HEIC, SVG...), which Claude refuses.
    detected = mime_type or sniff_media_type(data)
    if detected is None:
        raise ValueError(
            "could not detect the image's media type (PNG, JPEG, GIF, WebP or "
            "PDF); pass mime_type='image/png' (or the right one)"
        )
    return {
        "type": "file" if detected == "application/pdf" else "image",
        "base64": base64.b64encode(data).decode("ascii"),
        "mime_type": detected,
    }
