"""Scripted failures: what the network or the gateway does instead of answering."""

from __future__ import annotations

import functools
import json
import math
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_segmind.transport.deadline import current_clock

from ._wire import HTML_TYPE, JSON_TYPE, TEXT_TYPE, Answer, html_page, reason as _reason

_MIB = 1024 * 1024
_TRUNCATED_BODY = '{"id": "msg_emu_truncated", "type": "message", "content": [{"ty'


@dataclass(frozen=True)
class Fault:
    """A failure to serve instead of the normal answer.

    Faults are taken before any validation: they model the network, a proxy or the
    gateway failing, so the request is never billed, unless the fault passes it
    through (`slow`, `drip_feed`, `stale_keep_alive`), to be served and billed.

    ```python
    from langchain_segmind import ChatSegmind
    from langchain_segmind.testing import Fault


    def test_two_busy_answers_are_retried(segmind_emulator):
        segmind_emulator.inject(Fault.server_error(503), times=2)
        reply = ChatSegmind(model="gpt-4o", max_retries=2).invoke("hi")
        assert reply.content  # the third attempt was answered
    ```

    Attributes:
        status: HTTP status of the answer.
        body: `dict` is sent as JSON, `str`/`bytes` as they are. `None`
            sends `{"error": "<reason phrase>"}`.
        content_type: Defaults to `application/json` for a `dict` (or
            `None`) body, `text/html` for a body starting with `<`, else
            `text/plain`.
        headers: Extra response headers.
        latency: Seconds to wait before answering.
        reset_connection: Close the socket abruptly (TCP RST) without answering.
        truncate: Promise a longer `Content-Length` than the body written, then
            close the connection.
        passthrough: After `latency`, serve the request normally (a slow answer
            rather than a failed one); the fields above are then ignored.
        drip: Write the answer's body one byte every `drip` seconds.
        endless: Stream a body that never ends (until the client hangs up).
        close_after: After answering, close the connection without saying so
            (`Connection: close`), as a server whose keep-alive timer ran out.
        interim: Send a `102 Processing` interim answer every `interim`
            seconds instead of the answer (until the client hangs up); under
            a millisecond, a flood of them.
        header_drip: Send a status line, then a header one byte every
            `header_drip` seconds, never ending it (until the client hangs up).
        with_request_id: Send a fresh `x-request-id` with each answer, as the
            emulator's own refusals (401, 404, 406...) do, unless `headers`
            has one.
    """

    status: int = 500
    body: str | bytes | dict[str, Any] | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    reset_connection: bool = False
    truncate: bool = False
    passthrough: bool = False
    drip: float = 0.0
    endless: bool = False
    close_after: bool = False
    interim: float = 0.0
    header_drip: float = 0.0
    with_request_id: bool = False

    @classmethod
    def rate_limit(cls, reset_in: float = 1.0) -> Fault:
        """A 429 with `x-rate-limit-reset-at-utc` about `reset_in` seconds ahead.

        The reset time has whole-second precision and is rounded up, so it is never
        earlier than `reset_in` seconds from now: now on the clock calls are timed
        on (under the `segmind_emulator` fixture, its `FakeClock`). It is set when
        the fault is made, not when it is served: every use of the fault
        (`times=2`, say) sends the same time, which a model retrying the first
        429 has waited out by the second, so it retries that one at once
        (`clock.waits` reads about `[reset_in, 0.0]`). Make the fault in the
        test: one made ahead of it (in `parametrize`) may have passed by then.

        Args:
            reset_in: Seconds until the limit resets.

        Returns:
            The fault, with Segmind's JSON error and rate-limit headers.
        """
        now = current_clock().now().timestamp()
        reset_at = datetime.fromtimestamp(math.ceil(now + reset_in), tz=UTC)
        return cls(
            status=429,
            body={"error": "Rate limit exceeded. Please retry after the reset time."},
            headers={
                "x-rate-limit-reset-at-utc": reset_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "x-rate-limit-remaining": "0",
            },
        )

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """A JSON `{"error": ...}` server error (500, 502, 503, 504...).

        Args:
            status: The HTTP status; the error text is its reason phrase.

        Returns:
            The fault. The model retries 500, 502, 503 and 504 (Segmind bills
            none of them) within `max_retries` and `timeout`, then raises
            `SegmindServerError`; it raises any other 5xx at once.
        """
        return cls(status=status, body={"error": _reason(status)})

    @classmethod
    def model_not_permitted(cls) -> Fault:
        """A 403: the account may not use the model called.

        Segmind documents this answer but not its text; the message here is
        plain English, not Segmind's exact wording.

        ```python
        segmind_emulator.inject(Fault.model_not_permitted())
        with pytest.raises(SegmindPermissionError):
            ChatSegmind(model="gpt-4o").invoke("hi")
        ```

        Returns:
            The fault, with Segmind's JSON error and an `x-request-id`. The
            model raises `SegmindPermissionError` at once, without retrying.
        """
        return cls(
            status=403,
            body={"error": "This model is not permitted for your account."},
            with_request_id=True,
        )

    @classmethod
    def team_spend_limit(cls) -> Fault:
        """A 406: the team's spend limit is reached.

        Segmind documents this answer among its 406s but not its text; the
        message here is plain English, not Segmind's exact wording. It names
        no credits or balance: adding credits does not lift a team's limit.

        ```python
        segmind_emulator.inject(Fault.team_spend_limit())
        with pytest.raises(SegmindBadRequestError):
            ChatSegmind(model="gpt-4o").invoke("hi")
        ```

        Returns:
            The fault, with Segmind's JSON error and an `x-request-id`. The
            model raises `SegmindBadRequestError` (not
            `SegmindInsufficientCreditsError`) at once, without retrying.
        """
        return cls(
            status=406,
            body={"error": "Team spend limit reached."},
            with_request_id=True,
        )

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """An nginx-like HTML error page, as a proxy in front of the gateway sends.

        Args:
            status: The HTTP status, named in the page's title.

        Returns:
            The fault, with a `text/html` body.
        """
        return cls(status=status, body=html_page(status))

    @classmethod
    def plain(cls, status: int, text: str) -> Fault:
        """A plain-text body.

        Args:
            status: The HTTP status.
            text: The body, sent as `text/plain`.

        Returns:
            The fault. The model's error quotes `text` as Segmind's message.
        """
        return cls(status=status, body=text, content_type=TEXT_TYPE)

    @classmethod
    def not_json(
        cls,
        text: str = "upstream answered: OK (this is not JSON)",
        content_type: str = TEXT_TYPE,
    ) -> Fault:
        """A 200 whose body is not JSON.

        Args:
            text: The body.
            content_type: The `Content-Type` header sent.

        Returns:
            The fault. The model raises `SegmindResponseError` quoting the
            body's start, and does not retry: the call may have been billed.
        """
        return cls(status=200, body=text, content_type=content_type)

    @classmethod
    def empty(cls, status: int = 500) -> Fault:
        """An answer with an empty body.

        Args:
            status: The HTTP status.

        Returns:
            The fault. The model's error for it says `(empty response body)`.
        """
        return cls(status=status, body=b"")

    @classmethod
    def connection_reset(cls) -> Fault:
        """Reset the TCP connection instead of answering.

        Returns:
            The fault, with `reset_connection` set.
        """
        return cls(reset_connection=True)

    @classmethod
    def truncated(cls) -> Fault:
        """A 200 whose body stops short of its `Content-Length`.

        Returns:
            The fault, with `truncate` set.
        """
        return cls(status=200, body=_TRUNCATED_BODY, truncate=True)

    @classmethod
    def slow(cls, latency: float) -> Fault:
        """Wait `latency` seconds, then answer normally.

        Args:
            latency: Seconds to wait, in real time (not on the fake clock).

        Returns:
            The fault, with `passthrough` set: the request is served and billed.
        """
        return cls(latency=latency, passthrough=True)

    @classmethod
    def drip_feed(cls, interval: float = 0.2) -> Fault:
        """Answer normally, but write the body one byte every `interval` seconds.

        Args:
            interval: Seconds between two bytes, in real time.

        Returns:
            The fault, with `passthrough` set: the request is served and billed.
        """
        return cls(passthrough=True, drip=interval)

    @classmethod
    def gzip_bomb(cls, inflated_mib: int = 256) -> Fault:
        """A 200 whose small gzip body inflates to `inflated_mib` MiB of zeros.

        Args:
            inflated_mib: The inflated size, in MiB; the body is about 1 KiB per MiB.

        Returns:
            The fault, with `Content-Encoding: gzip`.
        """
        return cls(
            status=200,
            body=gzipped_zeros(inflated_mib),
            content_type=JSON_TYPE,
            headers={"Content-Encoding": "gzip"},
        )

    @classmethod
    def endless_body(cls) -> Fault:
        """A 200 whose body never ends (chunked, until the client hangs up).

        Returns:
            The fault, with `endless` set.
        """
        return cls(status=200, body=b"", endless=True)

    @classmethod
    def interim_answers(cls, interval: float = 0.05) -> Fault:
        """`102 Processing` interim answers every `interval` seconds, never more.

        Under a millisecond, they flood: as many as the connection takes.

        Args:
            interval: Seconds between two interim answers, in real time.

        Returns:
            The fault, with `interim` set.
        """
        return cls(status=102, interim=interval)

    @classmethod
    def dripping_headers(cls, interval: float = 0.05) -> Fault:
        """A status line, then header bytes every `interval` seconds, never ending.

        Args:
            interval: Seconds between two header bytes, in real time.

        Returns:
            The fault, with `header_drip` set.
        """
        return cls(status=200, header_drip=interval)

    @classmethod
    def stale_keep_alive(cls) -> Fault:
        """Answer normally, then close the idle connection without saying so.

        Returns:
            The fault, with `passthrough` and `close_after` set: the request is
            served and billed.
        """
        return cls(passthrough=True, close_after=True)


@functools.cache
def gzipped_zeros(inflated_mib: int) -> bytes:
    """A valid gzip member of `inflated_mib` MiB of zeros, about 1 KiB per MiB.

    After a full flush, deflate's output for the same input repeats exactly,
    so one compressed MiB is repeated instead of compressing them all.
    """
    block = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = compressor.flush()[:-8]  # the trailer is written below
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(block, crc)
    size = (inflated_mib * _MIB) & 0xFFFFFFFF
    trailer = struct.pack("<II", crc, size)
    return first + repeated * (inflated_mib - 1) + final_block + trailer


@dataclass(frozen=True)
class StalledAnswer(Answer):
    """An answer whose head never ends: interim answers, or dripping headers."""

    interval: float = 0.0
    dripping_headers: bool = False


def fault_answer(fault: Fault) -> Answer:
    """The emulator's answer for `fault` (`passthrough` aside)."""
    if fault.reset_connection:
        return Answer(0, reset=True)
    if fault.interim or fault.header_drip:
        interval = fault.interim or fault.header_drip
        return StalledAnswer(
            fault.status, interval=interval, dripping_headers=bool(fault.header_drip)
        )
    if fault.body is None or isinstance(fault.body, dict):
        payload = {"error": _reason(fault.status)} if fault.body is None else fault.body
        body = json.dumps(payload).encode()
        content_type = fault.content_type or JSON_TYPE
    else:
        body = fault.body.encode() if isinstance(fault.body, str) else fault.body
        content_type = fault.content_type or _sniff_type(body)
    headers = dict(fault.headers)
    if fault.with_request_id:
        headers.setdefault("x-request-id", str(uuid.uuid4()))
    return Answer(
        fault.status,
        body,
        content_type,
        headers,
        truncate=fault.truncate,
        drip=fault.drip,
        endless=fault.endless,
        close_after=fault.close_after,
    )


def _sniff_type(body: bytes) -> str:
    return HTML_TYPE if body.lstrip().startswith(b"<") else TEXT_TYPE
