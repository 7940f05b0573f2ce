"""Which URLs the package's own connections serve, and how to address them.

The rest go through httpx, which knows proxies, credentials in URLs,
internationalised hosts and percent-encoding.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from langchain_segmind._connections import Origin

_PROXY_VARIABLES = tuple(
    name
    for lower in ("http_proxy", "https_proxy", "all_proxy")
    for name in (lower, lower.upper())
)
_PLAIN_TARGET = re.compile(r"/[!-~]*")  # printable ASCII, no spaces


@dataclass(frozen=True)
class Route:
    """Where a plain URL's request goes: its origin, target and Host header."""

    origin: Origin
    target: str
    host_header: str


def route_for(url: str) -> Route | None:
    """The route of `url` over the package's own connections, if it has one.

    None when the call needs httpx: the environment names a proxy in
    `HTTP_PROXY`, `HTTPS_PROXY` or `ALL_PROXY`, upper or lower case (httpx
    applies it, and NO_PROXY), or the URL is not plain `http(s)` with an ASCII
    host, no credentials and a path of printable ASCII.
    """
    if any(name in os.environ for name in _PROXY_VARIABLES):
        return None
    return _plain_route(url)


@functools.lru_cache(maxsize=256)
def _plain_route(url: str) -> Route | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None  # httpx explains what is wrong with it
    host = parts.hostname
    if (
        parts.scheme not in ("http", "https")
        or not host
        or not host.isascii()
        or "@" in parts.netloc
    ):
        return None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not _PLAIN_TARGET.fullmatch(target):
        return None
    default_port = 443 if parts.scheme == "https" else 80
    return Route(Origin(parts.scheme, host, port or default_port), target, parts.netloc)
