"""HTTP/1.1 messages as bytes, without any I/O.

The package's own connections (`_connections`) write requests encoded here
and feed what they read to a `ResponseReader`. Only what a JSON API needs is
understood: bodies framed by `content-length`, by chunked transfer coding or
by the end of the connection, and gzip or deflate content coding.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

MAX_HEAD_BYTES = 64 * 1024
"""The longest status line and headers accepted, so a bad peer cannot make a
reader buffer without end."""

ACCEPTED_ENCODINGS = "gzip, deflate"

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
_DIGITS = re.compile(r"[0-9]+")
_TARGET = re.compile(r"[!-~]+")  # printable ASCII, no spaces
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) (\d{3})(?: [^\r\n]*)?")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?")


class MalformedResponseError(Exception):
    """The peer sent something that is not a well-formed HTTP/1.1 response."""


class ExchangeError(Exception):
    """A request could not get its whole response.

    `status_code` and `headers` are set when the response's head had arrived
    before the failure (its body was cut off). `malformed` says the server
    answered, but not with valid HTTP.
    """

    def __init__(
        self,
        reason: str,
        *,
        timed_out: bool = False,
        malformed: bool = False,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.timed_out = timed_out
        self.malformed = malformed
        self.status_code = status_code
        self.headers = headers


class HeaderValueError(ValueError):
    """A header name or value HTTP cannot carry (the value is never quoted)."""


class RequestBytes(bytes):
    """The bytes of one request, with a repr that hides them.

    They hold the API key, and tracebacks that show local variables print reprs.
    """

    def __repr__(self) -> str:
        return f"<HTTP request, {len(self)} bytes>"


@dataclass(frozen=True)
class Response:
    """A whole response: header names are lower-case, repeated ones joined."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes
    reusable: bool
    """Whether the connection may carry another request after this one."""


def encode_request(
    method: str, target: str, headers: Mapping[str, str], body: bytes | None
) -> RequestBytes:
    """The bytes of one request; `headers` must include `host`.

    Raises:
        HeaderValueError: A name is not a token, or a value holds characters
            other than printable ASCII and tabs (CR and LF among them).
    """
    if not _TOKEN.fullmatch(method) or not _TARGET.fullmatch(target):
        raise ValueError("a request needs a token method and a printable target")
    check_headers(headers)
    lines = [f"{method} {target} HTTP/1.1"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if body is not None:
        lines.append(f"content-length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return RequestBytes(head + body if body else head)


def check_headers(headers: Mapping[str, str]) -> None:
    """Check that HTTP/1.1 can carry `headers` as they are.

    Raises:
        HeaderValueError: A name is not a token, or a value holds characters
            other than printable ASCII and tabs (CR and LF among them). The
            error names the header, never its value.
    """
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            raise HeaderValueError(name)


def decode_content(body: bytes, coding: str | None) -> bytes:
    """Undo the `content-encoding` a server applied.

    Raises:
        MalformedResponseError: The coding is unknown or the data is corrupt.
    """
    if not coding or coding == "identity" or not body:
        return body
    try:
        if coding in ("gzip", "x-gzip"):
            return _inflate_members(body, zlib.MAX_WBITS | 16)
        if coding == "deflate":
            try:
                return _inflate_members(body, zlib.MAX_WBITS, single=True)
            except zlib.error:  # some servers send deflate without its header
                return _inflate_members(body, -zlib.MAX_WBITS, single=True)
    except zlib.error as error:
        raise MalformedResponseError(f"corrupt {coding} body: {error}") from None
    raise MalformedResponseError(f"unsupported content-encoding {coding!r}")


def _inflate_members(data: bytes, wbits: int, *, single: bool = False) -> bytes:
    """Inflate every compressed stream in `data` (gzip allows several in a row).

    Raises:
        zlib.error: A stream is corrupt or cut short, or bytes follow the
            stream where no other may.
    """
    parts = []
    while data:
        inflater = zlib.decompressobj(wbits)
        parts.append(inflater.decompress(data))
        if not inflater.eof:
            raise zlib.error("the compressed data is cut short")
        data = inflater.unused_data
        if single and data:
            raise zlib.error("bytes follow the compressed data")
    return b"".join(parts)


class ResponseReader:
    """Turns the bytes of one connection into responses, one request at a time.

    Call `feed` with what was read until it returns a `Response`; call `eof`
    when the peer closes. After a response, `start` readies the reader for
    the next request's answer.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._head_only = False
        self.status_code: int | None = None
        self.headers: dict[str, str] | None = None
        self._keep_alive = True
        self._length: int | None = None  # bytes of body still to come
        self._chunked = False
        self._until_close = False
        self._body = bytearray()

    def start(self, *, head_only: bool = False) -> None:
        """Expect the answer to a new request (`head_only` for HEAD)."""
        self._head_only = head_only
        self.status_code = None
        self.headers = None
        self._keep_alive = True
        self._length = None
        self._chunked = False
        self._until_close = False
        self._body = bytearray()

    def failure(
        self, reason: str, *, timed_out: bool = False, malformed: bool = False
    ) -> ExchangeError:
        """The error of an exchange that failed now.

        It carries the answer's status and headers if they had arrived.
        """
        return ExchangeError(
            reason,
            timed_out=timed_out,
            malformed=malformed,
            status_code=self.status_code,
            headers=self.headers,
        )

    def feed(self, data: bytes) -> Response | None:
        """Take bytes read from the connection.

        Returns:
            The response, once it is whole; otherwise None.

        Raises:
            MalformedResponseError: The bytes are not a valid response.
        """
        self._buffer += data
        if self.headers is None and not self._read_head():
            return None
        return self._read_body()

    def eof(self) -> Response:
        """The peer closed the connection: finish a body that runs to the end.

        Raises:
            ExchangeError: The response was not whole.
        """
        if self.headers is None:
            raise self.failure("the connection closed without a response")
        if not self._until_close:
            raise self.failure("the connection closed before the end of the response")
        self._body += self._buffer
        self._buffer.clear()
        return self._finish(reusable=False)

    def _read_head(self) -> bool:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if (end < 0 and len(self._buffer) > MAX_HEAD_BYTES) or end > MAX_HEAD_BYTES:
                raise MalformedResponseError("the response head is too long")
            if end < 0:
                return False
            head = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            status_line, _, fields = head.partition(b"\r\n")
            match = _STATUS_LINE.fullmatch(status_line)
            if match is None:
                raise MalformedResponseError(f"bad status line {status_line[:80]!r}")
            status = int(match[2])
            if 100 <= status < 200 and status != 101:
                continue  # an interim answer; the real one follows
            self._parse_fields(fields, http10=match[1] == b"0")
            self.status_code = status
            self._frame_body(status)
            return True

    def _parse_fields(self, fields: bytes, *, http10: bool) -> None:
        headers: dict[str, str] = {}
        for line in fields.decode("latin-1").split("\r\n") if fields else ():
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.fullmatch(name):
                raise MalformedResponseError(f"bad header line {line[:80]!r}")
            name = name.lower()
            value = value.strip(" \t")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.headers = headers
        connection = {
            option.strip()
            for option in headers.get("connection", "").lower().split(",")
        }
        self._keep_alive = (
            "keep-alive" in connection if http10 else "close" not in connection
        )

    def _frame_body(self, status: int) -> None:
        assert self.headers is not None
        if self._head_only or status in (204, 304) or status == 101:
            self._length = 0
        elif "chunked" in self.headers.get("transfer-encoding", "").lower():
            self._chunked = True
        elif "content-length" in self.headers:
            lengths = {v.strip() for v in self.headers["content-length"].split(",")}
            if len(lengths) != 1 or not _DIGITS.fullmatch(next(iter(lengths))):
                raise MalformedResponseError("bad content-length")
            self._length = int(lengths.pop())
        else:
            self._until_close = True

    def _read_body(self) -> Response | None:
        if self._until_close:
            self._body += self._buffer
            self._buffer.clear()
            return None
        if self._chunked:
            return self._read_chunks()
        assert self._length is not None
        if len(self._buffer) < self._length:
            return None
        self._body = self._buffer[: self._length]
        del self._buffer[: self._length]
        return self._finish(reusable=self._keep_alive and not self._buffer)

    def _read_chunks(self) -> Response | None:
        while True:
            if self._length is None:  # at a chunk-size line
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    if len(self._buffer) > MAX_HEAD_BYTES:
                        raise MalformedResponseError("a chunk-size line is too long")
                    return None
                match = _CHUNK_SIZE.fullmatch(self._buffer[:end])
                if match is None:
                    raise MalformedResponseError("bad chunk size")
                del self._buffer[: end + 2]
                self._length = int(match[1], 16)
                if self._length == 0:
                    self._length = -1  # the last chunk: trailers follow
            if self._length == -1:
                return self._read_trailers()
            if len(self._buffer) < self._length + 2:
                return None
            if self._buffer[self._length : self._length + 2] != b"\r\n":
                raise MalformedResponseError("a chunk does not end with CRLF")
            self._body += self._buffer[: self._length]
            del self._buffer[: self._length + 2]
            self._length = None

    def _read_trailers(self) -> Response | None:
        if self._buffer.startswith(b"\r\n"):
            del self._buffer[:2]
        else:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD_BYTES:
                    raise MalformedResponseError("the trailers are too long")
                return None
            del self._buffer[: end + 4]  # trailers carry nothing we use
        return self._finish(reusable=self._keep_alive and not self._buffer)

    def _finish(self, *, reusable: bool) -> Response:
        assert self.status_code is not None
        assert self.headers is not None
        body = decode_content(
            bytes(self._body), self.headers.get("content-encoding", "").lower()
        )
        response = Response(self.status_code, self.headers, body, reusable)
        self.start()
        return response
