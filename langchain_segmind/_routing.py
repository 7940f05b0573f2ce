"""Which URLs the package's own connections serve, and how to address them.

The rest go through httpx, which knows proxies, credentials in URLs,
internationalised hosts and percent-encoding.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from langchain_segmind._connections import Origin

_PROXY_VARIABLES = tuple(
    name
    for lower in ("http_proxy", "https_proxy", "all_proxy")
    for name in (lower, lower.upper())
)
# A path and query of RFC 3986 characters only; httpx percent-encodes others.
_PLAIN_TARGET = re.compile(r"/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*")


@dataclass(frozen=True)
class Route:
    """Where a plain URL's request goes: its origin, target and Host header."""

    origin: Origin
    target: str
    host_header: str


def route_for(url: str) -> Route | None:
    """The route of `url` over the package's own connections, if it has one.

    None when the call needs httpx: the environment names a proxy in
    `HTTP_PROXY`, `HTTPS_PROXY` or `ALL_PROXY`, upper or lower case, or the
    system settings do on macOS and Windows (httpx applies it, and
    NO_PROXY), or the URL is not plain `http(s)` with an ASCII
    host, no credentials and a path and query that need no percent-encoding.
    """
    if any(name in os.environ for name in _PROXY_VARIABLES) or _system_proxy():
        return None
    return _plain_route(url)


@functools.lru_cache(maxsize=1)
def _system_proxy() -> bool:
    """Whether macOS or Windows settings name a proxy (read once: it is slow).

    httpx reads them through `urllib.request.getproxies`; on other systems
    proxies come from the environment only.
    """
    if sys.platform == "darwin":
        return bool(urllib.request.getproxies_macosx_sysconf())  # type: ignore[attr-defined]
    if sys.platform == "win32":
        return bool(urllib.request.getproxies_registry())  # type: ignore[attr-defined]
    return False


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
