"""Tests of `_http1`: request bytes, response parsing and content decoding.

Everything here is sans-IO: requests are compared byte for byte and responses
are fed to a `ResponseReader` whole, split at every point, or byte by byte.
"""

from __future__ import annotations

import gzip
import itertools
import zlib
from collections.abc import Callable, Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langchain_segmind._http1 import (
    MAX_HEAD_BYTES,
    ExchangeError,
    HeaderValueError,
    MalformedResponseError,
    Response,
    ResponseReader,
    decode_content,
    encode_request,
)

# -- helpers -----------------------------------------------------------------------


def _reader(*, head_only: bool = False) -> ResponseReader:
    reader = ResponseReader()
    reader.start(head_only=head_only)
    return reader


def _feed_all(reader: ResponseReader, pieces: Iterable[bytes]) -> list[Response]:
    """Feed every piece; return the responses the reader gave back."""
    responses = []
    for piece in pieces:
        response = reader.feed(piece)
        if response is not None:
            responses.append(response)
    return responses


def _one(raw: bytes, *, head_only: bool = False) -> Response:
    """The response the reader gives for `raw` fed in one piece."""
    response = _reader(head_only=head_only).feed(raw)
    assert response is not None
    return response


def _response(
    body: bytes = b"",
    *,
    status: str = "200 OK",
    version: str = "1.1",
    headers: Iterable[tuple[str, str]] = (),
    length: bool = True,
) -> bytes:
    lines = [f"HTTP/{version} {status}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _chunked(
    chunks: Iterable[bytes],
    *,
    headers: Iterable[tuple[str, str]] = (),
    trailers: bytes = b"",
    extension: bytes = b"",
) -> bytes:
    head = _response(headers=[*headers, ("transfer-encoding", "chunked")], length=False)
    body = b"".join(
        b"%x%s\r\n%s\r\n" % (len(chunk), extension, chunk) for chunk in chunks if chunk
    )
    return head + body + b"0" + extension + b"\r\n" + trailers + b"\r\n"


# -- encode_request ----------------------------------------------------------------


def test_post_with_body_gets_content_length_and_body() -> None:
    request = encode_request(
        "POST",
        "/v1/chat?x=1",
        {"host": "api.segmind.com", "content-type": "application/json"},
        b'{"a": 1}',
    )
    assert request == (
        b"POST /v1/chat?x=1 HTTP/1.1\r\n"
        b"host: api.segmind.com\r\n"
        b"content-type: application/json\r\n"
        b"content-length: 8\r\n"
        b"\r\n"
        b'{"a": 1}'
    )


def test_get_without_body_has_no_content_length() -> None:
    request = encode_request("GET", "/", {"host": "h", "accept": "*/*"}, None)
    assert request == b"GET / HTTP/1.1\r\nhost: h\r\naccept: */*\r\n\r\n"


def test_empty_body_is_sent_as_content_length_zero() -> None:
    request = encode_request("POST", "/p", {"host": "h"}, b"")
    assert request == b"POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n"


def test_request_repr_hides_its_bytes() -> None:
    """Tracebacks that print locals must not show the API key."""
    request = encode_request(
        "POST", "/", {"host": "h", "x-api-key": "sk-SECRET"}, b"{}"
    )
    assert isinstance(request, bytes)
    assert b"sk-SECRET" in request
    assert "SECRET" not in repr(request)
    assert "SECRET" not in repr([request])
    assert "SECRET" not in f"{request!r}"


def test_header_order_and_allowed_values_are_kept() -> None:
    """Tabs, spaces, empty values and all printable ASCII pass unchanged."""
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    headers = {"z-last": "a\tb", "a-first": "", "x-all": printable}
    request = encode_request("GET", "/", headers, None)
    expected = f"GET / HTTP/1.1\r\nz-last: a\tb\r\na-first: \r\nx-all: {printable}"
    assert request == (expected + "\r\n\r\n").encode("ascii")


@pytest.mark.parametrize(
    "value",
    [
        "secret\r\nx-injected: yes",
        "secret\nx-injected: yes",
        "secret\rmore",
        "secret\x00",
        "secret\x7f",
        "secret\x1b[0m",
        "sécret",
        "secret\u2028",
        "secret🔑",
    ],
)
def test_bad_header_value_raises_without_quoting_it(value: str) -> None:
    with pytest.raises(HeaderValueError) as caught:
        encode_request("GET", "/", {"host": "h", "authorization": value}, None)
    assert "secret" not in str(caught.value)
    assert "secret" not in repr(caught.value.args)


@pytest.mark.parametrize(
    "name", ["", "x header", "x:y", "x\r\ny", "x\n", "héader", "(x)", "x/y", "x@y"]
)
def test_header_name_that_is_not_a_token_raises(name: str) -> None:
    with pytest.raises(HeaderValueError):
        encode_request("GET", "/", {"host": "h", name: "v"}, None)


def test_header_value_error_is_a_value_error() -> None:
    with pytest.raises(ValueError) as caught:  # noqa: PT011
        encode_request("GET", "/", {"x-key": "\r\n"}, None)
    assert isinstance(caught.value, HeaderValueError)


# -- decode_content ----------------------------------------------------------------


@pytest.mark.parametrize("coding", [None, "", "identity"])
def test_identity_coding_leaves_body_alone(coding: str | None) -> None:
    assert decode_content(b"\x1f\x8b not gzip", coding) == b"\x1f\x8b not gzip"


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, no zlib header
    ],
)
def test_compressed_body_is_decoded(
    coding: str, encode: Callable[[bytes], bytes]
) -> None:
    data = b'{"choices": []}' * 50
    assert decode_content(encode(data), coding) == data


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip", "*"])
def test_unknown_coding_raises(coding: str) -> None:
    with pytest.raises(MalformedResponseError, match="unsupported"):
        decode_content(b"data", coding)


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"not gzip at all"),
        ("gzip", gzip.compress(b"x" * 1000)[:-6]),  # truncated
        ("gzip", zlib.compress(b"zlib, not gzip")),
        ("deflate", b"not deflate at all"),
        ("deflate", zlib.compress(b"x" * 1000)[:10]),
    ],
)
def test_corrupt_body_raises(coding: str, body: bytes) -> None:
    with pytest.raises(MalformedResponseError, match="corrupt"):
        decode_content(body, coding)


def test_multi_member_gzip_is_decoded_whole() -> None:
    body = gzip.compress(b"first ") + gzip.compress(b"second")
    assert decode_content(body, "gzip") == b"first second"


# -- ResponseReader: content-length ------------------------------------------------


def test_content_length_body() -> None:
    raw = _response(b"hello", headers=[("Content-Type", "text/plain")])
    response = _one(raw)
    assert response == Response(
        200, {"content-type": "text/plain", "content-length": "5"}, b"hello", True
    )


def test_status_line_without_reason_phrase() -> None:
    assert _one(_response(b"x", status="201")).status_code == 201


def test_header_names_are_lower_cased_and_values_trimmed() -> None:
    raw = b"HTTP/1.1 200 OK\r\nX-Request-ID:\t  req-1 \t\r\nContent-Length: 0\r\n\r\n"
    assert _one(raw).headers == {"x-request-id": "req-1", "content-length": "0"}


def test_repeated_headers_are_joined() -> None:
    raw = _response(
        headers=[("Set-Cookie", "a=1"), ("x-thing", "one"), ("set-cookie", "b=2")]
    )
    headers = _one(raw).headers
    assert headers["set-cookie"] == "a=1, b=2"
    assert headers["x-thing"] == "one"


def test_every_split_point_gives_the_response_once() -> None:
    raw = _response(b'{"ok": true}', headers=[("x-cost", "0.1")])
    whole = _one(raw)
    for split in range(len(raw) + 1):
        reader = _reader()
        responses = _feed_all(reader, [raw[:split], raw[split:]])
        assert responses == [whole], split


def test_byte_by_byte_gives_the_response_on_the_last_byte() -> None:
    raw = _response(b"0123456789")
    reader = _reader()
    for byte in raw[:-1]:
        assert reader.feed(bytes([byte])) is None
    assert reader.feed(raw[-1:]) == _one(raw)


def test_status_and_headers_are_visible_before_the_body_arrives() -> None:
    raw = _response(b"0123456789", status="429 Too Many Requests")
    reader = _reader()
    assert reader.status_code is None
    assert reader.headers is None
    assert reader.feed(raw[:5]) is None
    assert reader.status_code is None
    assert reader.feed(raw[5:-3]) is None
    assert reader.status_code == 429
    assert reader.headers == {"content-length": "10"}
    assert reader.feed(raw[-3:]) is not None


def test_two_responses_on_one_reader() -> None:
    """Keep-alive: the reader answers one request after another."""
    first = _response(b"first", headers=[("x-n", "1")])
    second = _response(b"second!", status="404 Not Found", headers=[("x-n", "2")])
    reader = ResponseReader()
    reader.start()
    assert _feed_all(reader, [first[:7], first[7:]]) == [_one(first)]
    reader.start()
    assert _feed_all(reader, [second[:20], second[20:]]) == [_one(second)]
    assert _one(first).reusable
    assert _one(second).reusable


def test_extra_bytes_after_a_whole_response_make_it_not_reusable() -> None:
    raw = _response(b"body") + b"HTTP/1.1 200 OK\r\n"
    response = _one(raw)
    assert response.body == b"body"
    assert not response.reusable


def test_bytes_arriving_with_the_head_beyond_the_length_are_not_body() -> None:
    raw = _response(b"abc") + b"def"
    assert _one(raw).body == b"abc"


@pytest.mark.parametrize(
    ("version", "connection", "reusable"),
    [
        ("1.1", None, True),
        ("1.1", "close", False),
        ("1.1", "keep-alive", True),
        ("1.1", "upgrade, close", False),
        ("1.1", "foo,close", False),
        ("1.0", None, False),
        ("1.0", "keep-alive", True),
        ("1.0", "foo, keep-alive", True),
        ("1.0", "close", False),
    ],
)
def test_connection_reuse(version: str, connection: str | None, reusable: bool) -> None:
    headers = [("Connection", connection)] if connection is not None else []
    response = _one(_response(b"x", version=version, headers=headers))
    assert response.body == b"x"
    assert response.reusable is reusable


def test_connection_close_is_case_insensitive() -> None:
    assert not _one(_response(b"x", headers=[("Connection", "Close")])).reusable


def test_http10_keep_alive_is_case_insensitive() -> None:
    raw = _response(b"x", version="1.0", headers=[("Connection", "Keep-Alive")])
    assert _one(raw).reusable


def test_duplicate_equal_content_lengths_are_accepted() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
    assert _one(raw).body == b"abc"
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc"
    assert _one(raw).body == b"abc"


@pytest.mark.parametrize(
    "fields",
    [
        b"Content-Length: 3\r\nContent-Length: 4",
        b"Content-Length: 3, 4",
        b"Content-Length: 3,",
        b"Content-Length: -3",
        b"Content-Length: +3",
        b"Content-Length: 0x3",
        b"Content-Length: 3.0",
        b"Content-Length: three",
        b"Content-Length: ",
    ],
)
def test_bad_content_length_raises(fields: bytes) -> None:
    raw = b"HTTP/1.1 200 OK\r\n" + fields + b"\r\n\r\nabcd"
    with pytest.raises(MalformedResponseError, match="content-length"):
        _reader().feed(raw)


@pytest.mark.parametrize("digit", [b"\xb2", b"\xb3", b"\xb9", b"1\xb2"])
def test_non_ascii_digit_content_length_raises_malformed(digit: bytes) -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: " + digit + b"\r\n\r\nab"
    with pytest.raises(MalformedResponseError):
        _reader().feed(raw)


# -- ResponseReader: bodies without a length ---------------------------------------


def test_close_delimited_body_is_finished_by_eof() -> None:
    raw = _response(b"", length=False) + b"part one, "
    reader = _reader()
    assert reader.feed(raw) is None
    assert reader.feed(b"part two") is None
    response = reader.eof()
    assert response.status_code == 200
    assert response.body == b"part one, part two"
    assert not response.reusable


def test_http10_without_length_reads_to_close() -> None:
    reader = _reader()
    raw = _response(b"", version="1.0", length=False)
    assert reader.feed(raw + b"all of it") is None
    response = reader.eof()
    assert response.body == b"all of it"
    assert not response.reusable


def test_close_delimited_empty_body() -> None:
    reader = _reader()
    assert reader.feed(_response(length=False)) is None
    assert reader.eof().body == b""


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_204_and_304_have_no_body(status: str) -> None:
    raw = f"HTTP/1.1 {status}\r\ncontent-length: 42\r\n\r\n".encode()
    response = _one(raw)
    assert response.body == b""
    assert response.status_code == int(status[:3])
    assert response.reusable


def test_204_without_length_does_not_wait_for_close() -> None:
    response = _one(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert response.body == b""
    assert response.reusable


def test_head_only_has_no_body() -> None:
    raw = _response(headers=[("content-length", "1000")], length=False)
    response = _one(raw, head_only=True)
    assert response.body == b""
    assert response.headers["content-length"] == "1000"
    assert response.reusable


def test_head_only_with_chunked_has_no_body() -> None:
    raw = _response(headers=[("transfer-encoding", "chunked")], length=False)
    assert _one(raw, head_only=True).body == b""


def test_head_only_lasts_for_one_answer() -> None:
    reader = _reader(head_only=True)
    assert reader.feed(_response(length=False, headers=[("content-length", "3")]))
    reader.start()
    assert reader.feed(_response(b"abc")[:-1]) is None
    response = reader.feed(b"c")
    assert response is not None
    assert response.body == b"abc"


@pytest.mark.parametrize(
    ("raw", "head_only"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\n",
            True,
        ),
        (b"HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n", False),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Encoding: deflate\r\n\r\n", False),
    ],
    ids=["head-gzip", "204-gzip", "304-deflate"],
)
def test_bodiless_response_with_content_encoding_is_empty(
    raw: bytes, head_only: bool
) -> None:
    assert _one(raw, head_only=head_only).body == b""


# -- ResponseReader: interim answers -----------------------------------------------


def test_100_continue_then_200() -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\n" + _response(b"done")
    response = _one(raw)
    assert response.status_code == 200
    assert response.body == b"done"
    assert response.reusable


def test_several_interim_answers_split_everywhere() -> None:
    raw = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        + _response(b"final", status="201 Created")
    )
    for split in range(len(raw) + 1):
        responses = _feed_all(_reader(), [raw[:split], raw[split:]])
        assert len(responses) == 1, split
        assert responses[0].status_code == 201
        assert responses[0].body == b"final"
        assert "link" not in responses[0].headers


# -- ResponseReader: chunked -------------------------------------------------------


def test_chunked_body() -> None:
    raw = _chunked([b"hello, ", b"chunked ", b"world"])
    response = _one(raw)
    assert response.body == b"hello, chunked world"
    assert response.reusable
    assert response.headers["transfer-encoding"] == "chunked"


def test_chunked_with_upper_case_hex_and_extensions() -> None:
    head = _response(headers=[("Transfer-Encoding", "Chunked")], length=False)
    raw = (
        head
        + b"A;name=value\r\n0123456789\r\n"
        + b'1a ; a=1;b="x y"\r\n'
        + b"abcdefghijklmnopqrstuvwxyz\r\n"
        + b"0;last\r\n\r\n"
    )
    assert _one(raw).body == b"0123456789abcdefghijklmnopqrstuvwxyz"


def test_chunked_with_trailers() -> None:
    raw = _chunked([b"data"], trailers=b"x-checksum: abc\r\nx-other: 1\r\n")
    response = _one(raw)
    assert response.body == b"data"
    assert response.reusable


def test_chunked_wins_over_content_length() -> None:
    raw = _chunked([b"abc", b"def"], headers=[("content-length", "2")])
    assert _one(raw).body == b"abcdef"


def test_chunked_split_at_every_byte() -> None:
    raw = _chunked(
        [b"first chunk ", b"x", b"second\r\nchunk"],
        trailers=b"x-t: 1\r\n",
        extension=b";e=1",
    )
    whole = _one(raw)
    assert whole.body == b"first chunk xsecond\r\nchunk"
    for split in range(len(raw) + 1):
        assert _feed_all(_reader(), [raw[:split], raw[split:]]) == [whole], split
    reader = _reader()
    for byte in raw[:-1]:
        assert reader.feed(bytes([byte])) is None
    assert reader.feed(raw[-1:]) == whole


def test_extra_bytes_after_chunked_make_it_not_reusable() -> None:
    response = _one(_chunked([b"abc"]) + b"X")
    assert response.body == b"abc"
    assert not response.reusable


def test_two_chunked_responses_on_one_reader() -> None:
    reader = _reader()
    assert _feed_all(reader, [_chunked([b"one"])])[0].body == b"one"
    reader.start()
    responses = _feed_all(reader, [_chunked([b"two", b"2"], trailers=b"t: 1\r\n")])
    assert [r.body for r in responses] == [b"two2"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"zz\r\nabc\r\n0\r\n\r\n", "chunk size"),  # not hex
        (b"\r\nabc\r\n0\r\n\r\n", "chunk size"),  # empty size
        (b"-3\r\nabc\r\n0\r\n\r\n", "chunk size"),
        (b"3 x\r\nabc\r\n0\r\n\r\n", "chunk size"),
        (b"3\r\nabcd\r\n0\r\n\r\n", "CRLF"),  # chunk longer than its size
        (b"3\r\nabc0\r\n\r\n", "CRLF"),  # missing CRLF after the data
        (b"3\r\nabc\n\r0\r\n\r\n", "CRLF"),
    ],
)
def test_bad_chunk_raises(body: bytes, message: str) -> None:
    head = _response(headers=[("transfer-encoding", "chunked")], length=False)
    with pytest.raises(MalformedResponseError, match=message):
        _reader().feed(head + body)


def test_chunk_size_line_too_long_raises() -> None:
    head = _response(headers=[("transfer-encoding", "chunked")], length=False)
    reader = _reader()
    assert reader.feed(head + b"1;" + b"e" * 1000) is None
    with pytest.raises(MalformedResponseError, match="too long"):
        reader.feed(b"e" * MAX_HEAD_BYTES)


def test_trailers_too_long_raise() -> None:
    head = _response(headers=[("transfer-encoding", "chunked")], length=False)
    reader = _reader()
    assert reader.feed(head + b"0\r\nx-t: " + b"v" * 1000) is None
    with pytest.raises(MalformedResponseError, match="too long"):
        reader.feed(b"v" * MAX_HEAD_BYTES)


# -- ResponseReader: content coding ------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("GZIP", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),
    ],
)
def test_response_content_encoding_is_decoded(
    coding: str, encode: Callable[[bytes], bytes]
) -> None:
    data = b'{"text": "' + b"ab" * 500 + b'"}'
    encoded = encode(data)
    response = _one(_response(encoded, headers=[("Content-Encoding", coding)]))
    assert response.body == data
    chunks = [encoded[i : i + 7] for i in range(0, len(encoded), 7)]
    chunked = _chunked(chunks, headers=[("Content-Encoding", coding)])
    assert _one(chunked).body == data


def test_response_with_unknown_encoding_raises() -> None:
    raw = _response(b"data", headers=[("content-encoding", "br")])
    with pytest.raises(MalformedResponseError, match="unsupported"):
        _reader().feed(raw)


def test_response_with_corrupt_gzip_raises() -> None:
    raw = _response(b"\x1f\x8b\x08\x00 corrupt", headers=[("content-encoding", "gzip")])
    with pytest.raises(MalformedResponseError, match="corrupt"):
        _reader().feed(raw)


def test_close_delimited_gzip_body_is_decoded_at_eof() -> None:
    data = b"streamed to the end " * 20
    raw = _response(gzip.compress(data), headers=[("content-encoding", "gzip")])
    raw = raw.replace(b"content-length", b"x-was-length")
    reader = _reader()
    assert reader.feed(raw) is None
    assert reader.eof().body == data


# -- ResponseReader: end of connection ---------------------------------------------


def test_eof_with_nothing_raises_without_status() -> None:
    with pytest.raises(ExchangeError) as caught:
        _reader().eof()
    assert caught.value.status_code is None
    assert caught.value.headers is None
    assert not caught.value.timed_out


def test_eof_within_the_head_raises_without_status() -> None:
    reader = _reader()
    assert reader.feed(b"HTTP/1.1 200 OK\r\ncontent-len") is None
    with pytest.raises(ExchangeError) as caught:
        reader.eof()
    assert caught.value.status_code is None
    assert caught.value.headers is None


def test_eof_after_interim_answer_raises_without_status() -> None:
    reader = _reader()
    assert reader.feed(b"HTTP/1.1 100 Continue\r\n\r\n") is None
    with pytest.raises(ExchangeError) as caught:
        reader.eof()
    assert caught.value.status_code is None


def test_eof_before_end_of_content_length_body_raises_with_head() -> None:
    raw = _response(b"0123456789", status="503 Busy", headers=[("Retry-After", "3")])
    reader = _reader()
    assert reader.feed(raw[:-4]) is None
    with pytest.raises(ExchangeError) as caught:
        reader.eof()
    assert caught.value.status_code == 503
    assert caught.value.headers == {"retry-after": "3", "content-length": "10"}


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 9])
def test_eof_before_end_of_chunked_body_raises_with_head(cut: int) -> None:
    raw = _chunked([b"abc", b"defg"], headers=[("x-request-id", "r1")])
    reader = _reader()
    assert reader.feed(raw[:-cut]) is None
    with pytest.raises(ExchangeError) as caught:
        reader.eof()
    assert caught.value.status_code == 200
    assert caught.value.headers is not None
    assert caught.value.headers["x-request-id"] == "r1"


def test_eof_after_a_whole_response_raises() -> None:
    reader = _reader()
    assert reader.feed(_response(b"x")) is not None
    reader.start()
    with pytest.raises(ExchangeError) as caught:
        reader.eof()
    assert caught.value.status_code is None


# -- ResponseReader: malformed heads -----------------------------------------------


@pytest.mark.parametrize(
    "status_line",
    [
        b"HTTP/2 200 OK",
        b"HTTP/1.2 200 OK",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 abc OK",
        b"HTTP/1.1 200OK",
        b"http/1.1 200 OK",
        b"ICY 200 OK",
        b" HTTP/1.1 200 OK",
        b"HTTP/1.1  200 OK",
        b"",
        b"<html>",
    ],
)
def test_bad_status_line_raises(status_line: bytes) -> None:
    with pytest.raises(MalformedResponseError, match="status line"):
        _reader().feed(status_line + b"\r\ncontent-length: 0\r\n\r\n")


@pytest.mark.parametrize(
    "line",
    [
        b"no colon here",
        b" folded: value",
        b"\tfolded: value",
        b"bad name: value",
        b"name : value",
        b": no name",
        b"n\xe9me: value",
        b"(name): value",
    ],
)
def test_bad_header_line_raises(line: bytes) -> None:
    raw = b"HTTP/1.1 200 OK\r\nx-ok: 1\r\n" + line + b"\r\ncontent-length: 0\r\n\r\n"
    with pytest.raises(MalformedResponseError, match="header line"):
        _reader().feed(raw)


def test_latin1_header_value_is_kept() -> None:
    raw = b"HTTP/1.1 200 OK\r\nx-name: caf\xe9\r\ncontent-length: 0\r\n\r\n"
    assert _one(raw).headers["x-name"] == "caf\xe9"


def test_head_longer_than_limit_raises_when_fed_in_pieces() -> None:
    reader = _reader()
    fed = b"HTTP/1.1 200 OK\r\n"
    assert reader.feed(fed) is None
    line = b"x-filler: " + b"a" * 1000 + b"\r\n"
    while len(fed) + len(line) <= MAX_HEAD_BYTES:
        assert reader.feed(line) is None
        fed += line
    with pytest.raises(MalformedResponseError, match="too long"):
        reader.feed(line)


def test_head_without_end_raises_once_past_the_limit() -> None:
    prefix = b"HTTP/1.1 200 OK\r\nx: "
    reader = _reader()
    assert reader.feed(prefix + b"a" * (MAX_HEAD_BYTES - len(prefix))) is None
    with pytest.raises(MalformedResponseError, match="too long"):
        reader.feed(b"a")


def test_large_head_under_the_limit_is_accepted() -> None:
    value = "v" * (MAX_HEAD_BYTES // 2)
    response = _one(_response(b"ok", headers=[("x-big", value)]))
    assert response.headers["x-big"] == value
    assert response.body == b"ok"


def test_head_longer_than_limit_raises_when_fed_at_once() -> None:
    raw = _response(b"ok", headers=[("x-big", "v" * (MAX_HEAD_BYTES + 100))])
    with pytest.raises(MalformedResponseError, match="too long"):
        _reader().feed(raw)


# -- property ----------------------------------------------------------------------


@st.composite
def _framed_responses(draw: st.DrawFn) -> tuple[bytes, bytes, str, list[int]]:
    """A response to a random body: (raw bytes, body, framing, split points)."""
    body = draw(st.binary(max_size=300))
    framing = draw(st.sampled_from(["length", "chunked", "close"]))
    if framing == "chunked":
        cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=8)))
        bounds = [0, *cuts, len(body)]
        chunks = [body[a:b] for a, b in itertools.pairwise(bounds)]
        raw = _chunked(
            chunks,
            trailers=draw(st.sampled_from([b"", b"x-t: 1\r\n", b"a: 1\r\nb: 2\r\n"])),
            extension=draw(st.sampled_from([b"", b";e", b';e=1;f="2"', b"  "])),
        )
    else:
        raw = _response(body, length=framing == "length")
    if draw(st.booleans()):
        raw = b"HTTP/1.1 100 Continue\r\n\r\n" + raw
    splits = sorted(draw(st.lists(st.integers(0, len(raw)), max_size=12)))
    return raw, body, framing, splits


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=_framed_responses())
def test_any_framing_and_feed_splits_give_the_body_once(
    case: tuple[bytes, bytes, str, list[int]],
) -> None:
    raw, body, framing, splits = case
    bounds = [0, *splits, len(raw)]
    pieces = [raw[a:b] for a, b in itertools.pairwise(bounds)]
    reader = _reader()
    responses = _feed_all(reader, pieces)
    if framing == "close":
        assert responses == []
        responses.append(reader.eof())
    assert len(responses) == 1
    (response,) = responses
    assert response.status_code == 200
    assert response.body == body
    assert response.reusable is (framing != "close")


@pytest.mark.parametrize(
    ("method", "target"),
    [("GET", "/a\r\nx: y"), ("GET", "/a b"), ("GET", "/café"), ("G T", "/"), ("", "/")],
)
def test_a_bad_method_or_target_is_refused(method: str, target: str) -> None:
    with pytest.raises(ValueError, match="token method and a printable target"):
        encode_request(method, target, {"host": "h"}, None)
