"""Where a call goes: the gateway's base URL and a model's slug, both checked.

A slug becomes one path segment of the URL, so it may hold only the
characters Segmind's slugs use; anything else (a `/`, `..`, `?`, `#`, a
control character) is refused before a request could reach another path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from langchain_segmind.errors import SegmindInputError

_SLUG = re.compile(r"[A-Za-z0-9._-]+")


def check_slug(slug: object) -> str:
    """Return `slug` if it can name a Segmind model.

    Raises:
        SegmindInputError: It is empty, only dots, or holds a character other
            than letters, digits, `.`, `-` and `_`.
    """
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug) or not slug.strip("."):
        raise SegmindInputError(
            f"{slug!r} is not a Segmind model slug: slugs are one path segment of "
            "letters, digits, '.', '-' and '_' (e.g. 'claude-4.5-sonnet', 'gpt-4o')"
        )
    return slug


def check_base_url(url: str) -> str:
    """Return `url` (without a trailing slash) if it can be the gateway's base URL.

    Raises:
        SegmindInputError: Its scheme is not http(s), it has no host, its port
            is out of range, or it carries a query or fragment.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise SegmindInputError(
            f"base_url {url!r} is not a valid URL: {error}"
        ) from None
    problem = None
    if parts.scheme.lower() not in ("http", "https"):
        problem = "it must start with http:// or https://"
    elif not parts.hostname:
        problem = "it has no host"
    elif port == 0:
        problem = "port 0 cannot be connected to"
    elif parts.query or parts.fragment or url.endswith(("?", "#")):
        problem = "it may not carry a query or fragment"
    elif any(ord(char) < 0x21 or ord(char) == 0x7F for char in url):
        problem = "it holds spaces or control characters"
    if problem:
        raise SegmindInputError(f"base_url {url!r} is not usable: {problem}")
    return url.rstrip("/")


def endpoint(base_url: str, slug: str) -> str:
    """The URL of model `slug` under `base_url`."""
    return f"{base_url.rstrip('/')}/{check_slug(slug)}"


def queue_base_url(base_url: str) -> str:
    """The v2 (queue API) base URL beside a v1 `base_url`."""
    stripped = base_url.rstrip("/")
    if stripped.endswith("/v1"):
        return stripped[:-3] + "/v2"
    return stripped + "/v2"
