"""Issue 12's wire rules, on mocks: every rule through `invoke` and `ainvoke`.

Nothing here opens a socket: models send through the package's default
clients wired to the `Recorder` (conftest's `make_model`), or through a user
client of their own whose transport is an `httpx2` / legacy `httpx`
`MockTransport`. Time is the `FakeClock`. The same rules against real sockets
(slow servers, cut-off answers, redirects, proxies, keepalive) are in
tests/integration_tests/test_wire_rules.py.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import ssl
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import h11
import httpcore2
import httpx
import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind.testing._faults import gzipped_zeros
from langchain_segmind.transport import clients as _http

MIB = 1024 * 1024
MEMORY_BOUND = 100 * MIB
DEEP = 5_000


def with_model(call: Any, chat: ChatSegmind, slug: str) -> Any:
    """`call(chat, "Hi", model=slug)`: the `call` fixture's own first parameter
    is named `model`, so the per-call slug goes through this."""
    if call.is_async:
        return asyncio.run(chat.ainvoke("Hi", model=slug))
    return chat.invoke("Hi", model=slug)


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


# -- streamed bodies (a `MockTransport` answer that is not read in advance) --------


class ChunkStream(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """Yields `chunk` until `total` bytes went out (a stand-in for "forever"),
    then raises `error` if one is given; counts what was pulled from it."""

    def __init__(
        self, chunk: bytes, total: int, error: Exception | None = None
    ) -> None:
        self.chunk = chunk
        self.total = total
        self.error = error
        self.pulled = 0

    def _chunks(self) -> Iterator[bytes]:
        while self.pulled < self.total:
            piece = self.chunk[: self.total - self.pulled]
            self.pulled += len(piece)
            yield piece
        if self.error is not None:
            raise self.error

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._chunks():
            yield piece


def streamed(stream: ChunkStream, status: int = 200, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status, headers={"content-type": "application/json", **headers}, stream=stream
    )


def peak_memory_of(action: Callable[[], Any]) -> tuple[Any, int]:
    """Run `action`; return what it raised (or returned) and the peak traced bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        try:
            outcome: Any = action()
        except Exception as error:
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- rule 1: the timeout bounds the call; its error names the limit and the remedy --


def test_timeout_error_names_the_limit_and_the_remedy(make_model, recorder, call):
    model = make_model(ChatSegmindGPT4o, timeout=1.0, max_retries=2)
    recorder.queue(httpx2.ReadTimeout("timed out"))

    with pytest.raises(SegmindTimeoutError) as caught:
        call(model, "Hi")

    message = str(caught.value)
    assert "timeout=1s" in message
    assert "Raise `timeout`" in message
    assert "retries included" in message
    assert caught.value.is_retryable is False
    assert recorder.count == 1


def test_a_per_call_timeout_is_the_limit_the_error_names(make_model, recorder, call):
    model = make_model(ChatSegmindGPT4o, timeout=30.0)
    recorder.queue(httpx2.ReadTimeout("timed out"))

    with pytest.raises(SegmindTimeoutError, match=r"timeout=0\.25s"):
        call(model, "Hi", timeout=0.25)
    assert recorder.last.timeout["read"] == pytest.approx(0.25)


def test_each_attempt_gets_only_the_time_left_and_retries_stop_at_the_deadline(
    make_model, recorder, fake_clock, call
):
    model = make_model(ChatSegmindGPT4o, timeout=1.0, max_retries=5)
    recorder.fail(503, "busy")
    recorder.fail(503, "busy")
    recorder.fail(503, "busy")

    with pytest.raises(SegmindServerError):
        call(model, "Hi")

    # 0.5 s of backoff fits in the second left; the next 1 s would not.
    assert recorder.count == 2
    assert fake_clock.sleeps == [0.5]
    assert [sent.timeout["read"] for sent in recorder.requests] == pytest.approx(
        [1.0, 0.5]
    )
    for sent in recorder.requests:
        assert set(sent.timeout) == {"connect", "read", "write", "pool"}


# -- rule 2: answers are bounded in size and nesting --------------------------------


def test_an_endless_answer_is_refused_at_32_mib_without_holding_more(
    make_model, recorder, call
):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    stream = ChunkStream(b"[" * (64 * 1024), total=512 * MIB)
    recorder.queue(lambda request: streamed(stream))

    error, peak = peak_memory_of(lambda: call(model, "Hi"))

    assert isinstance(error, SegmindResponseError), error
    assert "32 MiB" in str(error)
    assert error.is_retryable is False
    assert stream.pulled <= 33 * MIB  # stopped reading soon after the limit
    assert peak < MEMORY_BOUND
    assert recorder.count == 1


def test_a_gzip_bomb_is_refused_without_being_inflated(make_model, recorder, call):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    bomb = gzipped_zeros(256)  # ~260 KB on the wire, 256 MiB inflated
    assert len(bomb) < MIB
    stream = ChunkStream(bomb, total=len(bomb))
    recorder.queue(lambda request: streamed(stream, **{"content-encoding": "gzip"}))

    error, peak = peak_memory_of(lambda: call(model, "Hi"))

    assert isinstance(error, SegmindResponseError), error
    assert "32 MiB once decompressed" in str(error)
    assert peak < MEMORY_BOUND
    assert recorder.count == 1


@pytest.mark.parametrize(
    "encoding", ["gzip", "deflate"], ids=["gzip-garbage", "deflate-garbage"]
)
def test_a_body_that_does_not_decompress_is_a_response_error(
    make_model, recorder, call, encoding
):
    model = make_model(ChatSegmindGPT4o)
    stream = ChunkStream(b"this is not compressed", total=22)
    recorder.queue(lambda request: streamed(stream, **{"content-encoding": encoding}))

    with pytest.raises(SegmindResponseError, match="does not decompress"):
        call(model, "Hi")


def test_an_encoding_that_was_not_asked_for_is_a_response_error(
    make_model, recorder, call
):
    model = make_model(ChatSegmindGPT4o)
    stream = ChunkStream(b"\x00\x01", total=2)
    recorder.queue(lambda request: streamed(stream, **{"content-encoding": "br"}))

    with pytest.raises(SegmindResponseError, match="'br'"):
        call(model, "Hi")
    assert recorder.last.headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(deep_json(), id="list-5000-deep"),
        pytest.param('{"a":' * DEEP + "1" + "}" * DEEP, id="object-5000-deep"),
        pytest.param(
            '{"choices": [{"message": {"content": ' + deep_json() + "}}]}",
            id="deep-content-in-an-openai-answer",
        ),
        pytest.param(deep_json(129), id="just-past-the-limit"),
    ],
)
def test_a_deeply_nested_answer_is_a_response_error(make_model, recorder, call, body):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    recorder.reply(text=body, content_type="application/json")

    with pytest.raises(SegmindResponseError, match="nested deeper than 128"):
        call(model, "Hi")
    assert recorder.count == 1


@pytest.mark.parametrize(
    ("status", "expected", "attempts"),
    [
        (400, SegmindBadRequestError, 1),
        (401, SegmindAuthenticationError, 1),
        (429, SegmindRateLimitError, 3),
        (503, SegmindServerError, 3),
    ],
)
def test_a_deeply_nested_error_body_still_gives_the_typed_error(
    make_model, recorder, call, status, expected, attempts
):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    body = '{"error": ' + deep_json() + "}"
    for _ in range(3):
        recorder.reply(text=body, status=status, content_type="application/json")

    with pytest.raises(expected) as caught:
        call(model, "Hi")

    assert type(caught.value) is expected
    assert caught.value.status_code == status
    assert recorder.count == attempts


# -- rule 3: slugs and base URLs ------------------------------------------------------

BAD_SLUGS = [
    "../../account/keys",
    "a?b=c",
    "a#b",
    "",
    "gpt-4o\r\nx",
    "gpt-4o\tx",
    "..",
    "a/b",
    "café",
    ".",
    "gpt-4o ",
    "gpt-4o\n",
    "%2e%2e",
]
GOOD_SLUGS = ["gpt-4o", "claude-4.5-sonnet", "llama-v3p1-70b-instruct", "a_b.C-9"]


@pytest.mark.parametrize("slug", BAD_SLUGS)
@pytest.mark.parametrize("cls", [ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o])
def test_a_bad_slug_is_refused_at_construction(cls, slug):
    with pytest.raises(SegmindInputError, match="not a Segmind model slug"):
        cls(model=slug, api_key="test-key")


@pytest.mark.parametrize(
    "slug",
    BAD_SLUGS,
)
def test_a_bad_per_call_slug_is_refused_before_sending(
    make_model, recorder, call, slug
):
    model = make_model(ChatSegmindGPT4o)

    with pytest.raises(SegmindInputError, match="not a Segmind model slug"):
        with_model(call, model, slug)
    assert recorder.count == 0


@pytest.mark.parametrize("slug", GOOD_SLUGS)
def test_a_good_per_call_slug_is_the_last_path_segment(
    make_model, recorder, call, slug
):
    model = make_model(ChatSegmindGPT4o)

    with_model(call, model, slug)
    assert recorder.last.path == f"/v1/{slug}"


BAD_BASE_URLS = [
    "http://127.0.0.1:99999/v1",
    "http://127.0.0.1:65536/v1",
    "http://127.0.0.1:-1/v1",
    "http://127.0.0.1:0/v1",
    "http://127.0.0.1:8o/v1",
    "http://127.0.0.1:99999999999999999999/v1",
    "ftp://api.segmind.com/v1",
    "file:///etc/passwd",
    "api.segmind.com/v1",
    "",
    "http:///v1",
    "http://:8080/v1",
    "http://[::1/v1",
    "https://api.segmind.com/v1?x=1",
    "https://api.segmind.com/v1#top",
    "http://api segmind.com/v1",
    "http://api.segmind.com/v1\r\nx",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_a_bad_base_url_is_refused_at_construction(url):
    with pytest.raises(SegmindInputError, match="base_url"):
        ChatSegmind(model="gpt-4o", api_key="test-key", base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:65535/v1",
        "http://[::1]:8080/v1",
        "https://api.segmind.com/v1/",
        "HTTPS://API.SEGMIND.COM/v1",
    ],
)
def test_a_good_base_url_is_accepted(url):
    model = ChatSegmind(model="gpt-4o", api_key="test-key", base_url=url)
    assert model.base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/v1", "ftp://api.segmind.com/v1", "http:///v1"]
)
def test_a_bad_base_url_from_the_environment_is_refused_at_construction(
    monkeypatch, url
):
    monkeypatch.setenv("SEGMIND_BASE_URL", url)

    with pytest.raises(SegmindInputError, match="base_url"):
        ChatSegmind(model="gpt-4o", api_key="test-key")


# -- rule 4: headers callers may not set, and values HTTP cannot carry ---------------

RESERVED = [
    "host",
    "Host",
    "content-length",
    "Content-Length",
    "transfer-encoding",
    "Transfer-Encoding",
    "connection",
    "CONNECTION",
    "x-api-key",
    "X-Api-Key",
]
MARKER = "VALUE-MARKER-51f0"
UNSENDABLE_VALUES = [
    f"{MARKER}\r\nInjected: 1",
    f"{MARKER}\nInjected: 1",
    f"{MARKER}\rInjected: 1",
    f"{MARKER}\x00Injected",
    f"\r\n{MARKER}",
]


@pytest.mark.parametrize("name", RESERVED)
def test_a_reserved_default_header_is_refused_at_construction(name):
    with pytest.raises(SegmindInputError, match="is set by langchain-segmind"):
        ChatSegmind(model="gpt-4o", api_key="test-key", default_headers={name: "1"})


@pytest.mark.parametrize("name", RESERVED)
def test_a_reserved_per_call_header_is_refused_before_sending(
    make_model, recorder, call, name
):
    model = make_model(ChatSegmindGPT4o)

    with pytest.raises(SegmindInputError, match="is set by langchain-segmind"):
        call(model, "Hi", extra_headers={name: "1"})
    assert recorder.count == 0


@pytest.mark.parametrize("name", ["x-api-key ", " host", "x-api-key:", "a\r\nb", ""])
def test_a_malformed_header_name_is_refused_before_sending(
    make_model, recorder, call, name
):
    model = make_model(ChatSegmindGPT4o)

    with pytest.raises(SegmindInputError, match="not a valid HTTP header name"):
        call(model, "Hi", extra_headers={name: "1"})
    assert recorder.count == 0


@pytest.mark.parametrize("value", UNSENDABLE_VALUES)
def test_an_unsendable_default_header_value_is_refused_unquoted(value):
    with pytest.raises(SegmindInputError) as caught:
        ChatSegmind(
            model="gpt-4o", api_key="test-key", default_headers={"x-trace": value}
        )
    assert MARKER not in str(caught.value)
    assert "Injected" not in str(caught.value)
    assert "x-trace" in str(caught.value)


@pytest.mark.parametrize("value", UNSENDABLE_VALUES)
def test_an_unsendable_per_call_header_value_is_refused_unquoted(
    make_model, recorder, call, value
):
    model = make_model(ChatSegmindGPT4o)

    with pytest.raises(SegmindInputError) as caught:
        call(model, "Hi", extra_headers={"x-trace": value})
    assert MARKER not in str(caught.value)
    assert "Injected" not in str(caught.value)
    assert recorder.count == 0


@pytest.mark.parametrize("value", UNSENDABLE_VALUES)
def test_an_api_key_holding_cr_lf_or_nul_is_refused_unquoted(
    make_model, recorder, call, value
):
    model = make_model(ChatSegmindGPT4o, api_key=value, max_retries=2)

    with pytest.raises(SegmindInputError, match="API key") as caught:
        call(model, "Hi")
    assert MARKER not in str(caught.value)
    assert "Injected" not in str(caught.value)
    assert recorder.count == 0


def test_allowed_caller_headers_are_sent_once_beside_the_packages(
    make_model, recorder, call
):
    model = make_model(ChatSegmindGPT4o, default_headers={"X-Team": "a\tb"})

    call(model, "Hi", extra_headers={"x-trace": "t-1"})

    headers = recorder.last.headers
    assert headers.get_list("x-team") == ["a\tb"]
    assert headers.get_list("x-trace") == ["t-1"]
    assert headers.get_list("x-api-key") == ["test-key"]
    assert headers.get_list("content-type") == ["application/json"]


# -- rule 6: what is retried, exactly ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, SegmindRateLimitError),
        (500, SegmindServerError),
        (502, SegmindServerError),
        (503, SegmindServerError),
        (504, SegmindServerError),
    ],
)
def test_429_and_5xx_are_tried_exactly_max_retries_more_times(
    make_model, recorder, call, status, expected
):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    for _ in range(4):
        recorder.fail(status, "try later")

    with pytest.raises(expected):
        call(model, "Hi")
    assert recorder.count == 3


def test_a_connect_failure_is_tried_exactly_max_retries_more_times(
    make_model, recorder, call
):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    recorder.queue(*[httpx2.ConnectError("[Errno 111] Connection refused")] * 4)

    with pytest.raises(SegmindConnectionError, match="Connection refused"):
        call(model, "Hi")
    assert recorder.count == 3


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            httpx2.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            ),
            id="remote-protocol-error",
        ),
        pytest.param(httpx2.ReadError("[Errno 104] reset"), id="read-error"),
    ],
)
def test_a_200_cut_off_mid_body_is_never_sent_again(make_model, recorder, call, error):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    stream = ChunkStream(b'{"id": "chatcmpl-1", "choi', total=26, error=error)
    recorder.queue(*[lambda request: streamed(stream)] * 3)

    with pytest.raises((SegmindResponseError, SegmindConnectionError)) as caught:
        call(model, "Hi")
    assert caught.value.is_retryable is False
    assert recorder.count == 1


def test_a_read_failure_after_sending_is_not_retried(make_model, recorder, call):
    model = make_model(ChatSegmindGPT4o, max_retries=2)
    recorder.queue(*[httpx2.ReadError("[Errno 104] Connection reset by peer")] * 3)

    with pytest.raises(SegmindConnectionError, match="not retried") as caught:
        call(model, "Hi")
    assert caught.value.is_retryable is False
    assert recorder.count == 1


# -- rule 8: only SegmindErrors come out ---------------------------------------------

LOW_LEVEL_ERRORS = [
    pytest.param(httpcore2.ReadError("reset"), id="httpcore2.ReadError"),
    pytest.param(httpcore2.RemoteProtocolError("bad"), id="httpcore2.Remote"),
    pytest.param(httpcore2.ConnectTimeout("slow"), id="httpcore2.ConnectTimeout"),
    pytest.param(h11.RemoteProtocolError("illegal status line"), id="h11"),
    pytest.param(anyio.BrokenResourceError(), id="anyio.BrokenResource"),
    pytest.param(anyio.EndOfStream(), id="anyio.EndOfStream"),
    pytest.param(ConnectionResetError(104, "reset"), id="ConnectionResetError"),
    pytest.param(OSError(113, "No route to host"), id="OSError"),
    pytest.param(ssl.SSLError(1, "certificate verify failed"), id="SSLError"),
    pytest.param(
        ExceptionGroup("unhandled errors in a TaskGroup", [OSError("x")]),
        id="ExceptionGroup",
    ),
    pytest.param(RecursionError("maximum recursion depth"), id="RecursionError"),
    pytest.param(OverflowError("port must be 0-65535"), id="OverflowError"),
    pytest.param(httpx2.DecodingError("bad gzip"), id="httpx2.DecodingError"),
    pytest.param(httpx2.TooManyRedirects("loop"), id="httpx2.TooManyRedirects"),
    pytest.param(httpx2.InvalidURL("Invalid port"), id="httpx2.InvalidURL"),
    pytest.param(httpx2.LocalProtocolError("bad header"), id="httpx2.LocalProtocol"),
    pytest.param(httpx.ReadError("legacy"), id="httpx.ReadError"),
    pytest.param(asyncio.InvalidStateError("x"), id="InvalidStateError"),
]


@pytest.mark.parametrize("error", LOW_LEVEL_ERRORS)
def test_a_low_level_failure_comes_out_as_a_segmind_error(
    make_model, recorder, call, error
):
    model = make_model(ChatSegmindGPT4o, max_retries=1)
    recorder.queue(error, error)

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    assert type(caught.value).__module__ == "langchain_segmind.errors"
    assert not isinstance(caught.value, (OSError, ExceptionGroup, RecursionError))
    # nothing foreign rides along in the chain either
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"type": "message", "content": 5}', id="anthropic-content-int"),
        pytest.param(
            '{"type": "message", "content": true}', id="anthropic-content-bool"
        ),
    ],
)
def test_a_malformed_answer_shape_is_a_segmind_error(make_model, recorder, call, body):
    model = make_model(ChatSegmindGPT4o)
    recorder.reply(text=body, content_type="application/json")

    with pytest.raises(SegmindError):
        call(model, "Hi")


@pytest.mark.parametrize(
    "body",
    ["null", "[]", '"text"', "5", "{}", '{"choices": null}', '{"choices": 5}'],
)
def test_an_answer_of_no_known_shape_is_a_response_error(
    make_model, recorder, call, body
):
    model = make_model(ChatSegmindGPT4o)
    recorder.reply(text=body, content_type="application/json")

    with pytest.raises(SegmindResponseError):
        call(model, "Hi")


# -- rule 10: the default clients' proxies and socket options -----------------------

PROXY_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "REQUEST_METHOD",
]
PROXY_SETTINGS = [
    pytest.param({}, id="none"),
    pytest.param({"HTTP_PROXY": "http://127.0.0.1:3128"}, id="http"),
    pytest.param({"HTTPS_PROXY": "http://127.0.0.1:3129"}, id="https"),
    pytest.param({"ALL_PROXY": "http://127.0.0.1:3130"}, id="all"),
    pytest.param({"HTTPS_PROXY": "127.0.0.1:3129"}, id="no-scheme"),
    pytest.param(
        {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"},
        id="lower-and-upper-case",
    ),
    pytest.param({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, id="no-proxy-*"),
    pytest.param(
        {
            "HTTP_PROXY": "http://p:1",
            "HTTPS_PROXY": "http://p:2",
            "NO_PROXY": "localhost, 127.0.0.1,::1,.example.com,segmind.com",
        },
        id="no-proxy-list",
    ),
    pytest.param(
        {"ALL_PROXY": "http://p:1", "no_proxy": "api.segmind.com"},
        id="no-proxy-host-lower-case",
    ),
    pytest.param(
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "https://api.segmind.com"},
        id="no-proxy-with-scheme",
    ),
    pytest.param(
        {"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"}, id="cgi-ignores-http"
    ),
]
ROUTED_URLS = [
    "https://api.segmind.com/v1/gpt-4o",
    "http://api.segmind.com/v1/gpt-4o",
    "https://segmind.com/v1/gpt-4o",
    "https://notsegmind.com/v1/gpt-4o",
    "http://127.0.0.1:8080/v1/gpt-4o",
    "http://localhost:8080/v1/gpt-4o",
    "http://[::1]:8080/v1/gpt-4o",
    "https://sub.example.com/v1/gpt-4o",
]


def proxy_route(client: Any, url: str) -> str | None:
    """The proxy `client` would send a request for `url` through (`None`: direct)."""
    transport = client._transport_for_url(httpx2.URL(url))
    proxy = getattr(transport._pool, "_proxy_url", None)
    return None if proxy is None else str(proxy)


def close_client(client: Any) -> None:
    if isinstance(client, httpx2.AsyncClient):
        asyncio.run(client.aclose())
    else:
        client.close()


@pytest.mark.parametrize("kind", [httpx2.Client, httpx2.AsyncClient])
@pytest.mark.parametrize("settings", PROXY_SETTINGS)
def test_default_clients_route_through_proxies_as_a_plain_client_does(
    monkeypatch, settings, kind
):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    ours, plain = _http._new_client(kind), kind()
    try:
        routes = {url: proxy_route(ours, url) for url in ROUTED_URLS}
        expected = {url: proxy_route(plain, url) for url in ROUTED_URLS}
    finally:
        close_client(ours)
        close_client(plain)

    assert routes == expected
    if settings.get("HTTPS_PROXY") == "http://127.0.0.1:3129":  # the test can fail
        assert routes["https://api.segmind.com/v1/gpt-4o"] is not None


@pytest.mark.parametrize("kind", [httpx2.Client, httpx2.AsyncClient])
def test_every_transport_of_a_default_client_sets_tcp_keepalive(monkeypatch, kind):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3129")
    monkeypatch.setenv("NO_PROXY", "localhost")
    client = _http._new_client(kind)
    try:
        transports = [client._transport, *client._mounts.values()]
        pools = [t._pool for t in transports if t is not None]
    finally:
        close_client(client)

    assert len(pools) == 2  # direct, and the proxy's
    expected = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in [
        ("TCP_KEEPIDLE", 60),
        ("TCP_KEEPINTVL", 60),
        ("TCP_KEEPCNT", 5),
    ]:
        if hasattr(socket, name):
            expected.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    for pool in pools:
        assert list(pool._socket_options) == expected
    assert client._transport._pool._max_connections == 100


# -- rule 11: the user's own client (httpx2 or legacy httpx), used as given -----------

LIBRARIES = [pytest.param(httpx2, id="httpx2"), pytest.param(httpx, id="httpx")]


class Script:
    """A `MockTransport` handler for either library: answers from a list, records.

    Items: an int (a Segmind error with that status), an exception (raised),
    or `"ok"` (an OpenAI-shaped answer).
    """

    def __init__(self, lib: Any, *items: Any) -> None:
        self.lib = lib
        self.items = list(items)
        self.requests: list[Any] = []

    def __call__(self, request: Any) -> Any:
        request.read()
        self.requests.append(request)
        item = self.items.pop(0) if self.items else "ok"
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, int):
            return self.lib.Response(item, json={"error": f"HTTP {item}"})
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-4o",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "from the mock"},
                    "finish_reason": "stop",
                }
            ],
        }
        return self.lib.Response(200, json=payload)


def user_clients(
    lib: Any, handler: Callable[..., Any], hooks: Any = None
) -> dict[str, Any]:
    """Both user clients of `lib` on `handler`, with event hooks (sync, async)."""
    sync_hooks, async_hooks = hooks or ({}, {})
    transport = lib.MockTransport(handler)
    return {
        "http_client": lib.Client(transport=transport, event_hooks=sync_hooks),
        "http_async_client": lib.AsyncClient(
            transport=transport, event_hooks=async_hooks
        ),
    }


@pytest.mark.parametrize("lib", LIBRARIES)
def test_a_user_client_is_used_with_its_transport_and_hooks(
    make_model, recorder, call, lib
):
    script = Script(lib)
    seen: list[Any] = []

    def hook(request: Any) -> None:
        seen.append(request)

    async def ahook(request: Any) -> None:
        seen.append(request)

    hooks = ({"request": [hook]}, {"request": [ahook]})
    model = make_model(ChatSegmindGPT4o, **user_clients(lib, script, hooks))

    answer = call(model, "Hi")

    assert answer.content == "from the mock"
    assert recorder.count == 0  # not the default client
    assert len(script.requests) == 1
    assert len(seen) == 1
    assert isinstance(seen[0], lib.Request)
    assert seen[0].headers["x-api-key"] == "test-key"
    assert str(seen[0].url) == "https://api.segmind.com/v1/gpt-4o"
    assert json.loads(script.requests[0].content)["messages"][0]["content"] == "Hi"


@pytest.mark.parametrize("lib", LIBRARIES)
def test_a_user_client_gets_the_same_retries(make_model, call, lib):
    script = Script(lib, 503, 502, "ok")
    model = make_model(ChatSegmindGPT4o, max_retries=2, **user_clients(lib, script))

    assert call(model, "Hi").content == "from the mock"
    assert len(script.requests) == 3


@pytest.mark.parametrize("lib", LIBRARIES)
def test_a_user_client_gets_the_same_typed_errors(make_model, call, lib):
    refused = lib.ConnectError("[Errno 111] Connection refused")
    script = Script(lib, refused, refused, refused)
    model = make_model(ChatSegmindGPT4o, max_retries=2, **user_clients(lib, script))

    with pytest.raises(SegmindConnectionError, match="Connection refused"):
        call(model, "Hi")
    assert len(script.requests) == 3

    script.items = [401]
    with pytest.raises(SegmindAuthenticationError, match="HTTP 401"):
        call(model, "Hi")
    assert len(script.requests) == 4


@pytest.mark.parametrize("lib", LIBRARIES)
def test_a_user_client_gets_the_same_timeouts(make_model, call, lib):
    script = Script(lib, lib.ReadTimeout("timed out"))
    clients = user_clients(lib, script)
    model = make_model(ChatSegmindGPT4o, timeout=1.5, max_retries=2, **clients)

    with pytest.raises(SegmindTimeoutError, match=r"timeout=1\.5s"):
        call(model, "Hi")
    assert len(script.requests) == 1
    # the model's deadline, not the client's own timeout (5 s by default)
    assert script.requests[0].extensions["timeout"]["read"] == pytest.approx(1.5)


@pytest.mark.parametrize("lib", LIBRARIES)
def test_a_raise_for_status_hook_keeps_the_typed_errors_and_retries(
    make_model, call, lib
):
    def check(response: Any) -> None:
        response.raise_for_status()

    async def acheck(response: Any) -> None:
        response.raise_for_status()

    script = Script(lib, 503, "ok")
    hooks = ({"response": [check]}, {"response": [acheck]})
    clients = user_clients(lib, script, hooks)
    model = make_model(ChatSegmindGPT4o, max_retries=2, **clients)

    assert call(model, "Hi").content == "from the mock"
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("http_client", "http://proxy:3128"),
        ("http_client", object()),
        ("http_client", httpx2.AsyncClient()),
        ("http_client", httpx.AsyncClient()),
        ("http_client", httpx2.MockTransport(lambda request: None)),
        ("http_async_client", httpx2.Client()),
        ("http_async_client", httpx.Client()),
        ("http_async_client", 42),
    ],
    ids=lambda value: type(value).__name__,
)
def test_anything_but_a_client_of_the_right_kind_is_refused_at_construction(
    field, value
):
    kind = "Client" if field == "http_client" else "AsyncClient"

    with pytest.raises((TypeError, SegmindInputError), match=rf"httpx2\.{kind}"):
        ChatSegmind(model="gpt-4o", api_key="test-key", **{field: value})
