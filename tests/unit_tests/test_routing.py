"""Which URLs the package's own connections serve, and which go to httpx.

Proxy variables are covered with real calls in
tests/integration_tests/test_connections.py.
"""

from __future__ import annotations

import pytest

from langchain_segmind._connections import Origin
from langchain_segmind._routing import route_for


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize(
    ("url", "origin", "target", "host"),
    [
        (
            "https://api.segmind.com/v1/claude-3.5-sonnet",
            Origin("https", "api.segmind.com", 443),
            "/v1/claude-3.5-sonnet",
            "api.segmind.com",
        ),
        (
            "http://127.0.0.1:8080/v1/gpt-4o?trace=1&x=%20",
            Origin("http", "127.0.0.1", 8080),
            "/v1/gpt-4o?trace=1&x=%20",
            "127.0.0.1:8080",
        ),
        ("http://[::1]:9/v1/m", Origin("http", "::1", 9), "/v1/m", "[::1]:9"),
        (
            "https://example.com",
            Origin("https", "example.com", 443),
            "/",
            "example.com",
        ),
    ],
)
def test_plain_urls_use_the_own_connections(
    url: str, origin: Origin, target: str, host: str
) -> None:
    route = route_for(url)
    assert route is not None
    assert (route.origin, route.target, route.host_header) == (origin, target, host)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@api.segmind.com/v1/m",  # credentials
        "https://bücher.example/v1/m",  # a non-ASCII host
        "https://api.segmind.com/v1/mödel",  # a path to percent-encode
        "https://api.segmind.com/v1/a b",
        'https://api.segmind.com/v1/a"b',
        "https://api.segmind.com/v1/{slug}",
        "https://api.segmind.com/v1/a|b",
        "ftp://api.segmind.com/v1/m",  # httpx explains these
        "https://api.segmind.com:99999/v1/m",
    ],
)
def test_other_urls_go_to_httpx(url: str) -> None:
    assert route_for(url) is None
