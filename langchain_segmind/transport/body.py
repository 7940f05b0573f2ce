"""An answer's body, read within a size bound, decompressed as it arrives.

Segmind's answers are a few kilobytes of JSON; a body that grows past
`MAX_ANSWER_BYTES` (after decompression) is refused before more of it is held
in memory, whether it is endless or a small gzip bomb. The package asks only
for gzip and deflate (`_headers.ACCEPTED_ENCODINGS`); they are decoded here,
a bounded step at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

MAX_ANSWER_BYTES = 32 * 1024 * 1024
# Output taken from the decompressor per step: bounds memory between checks.
_DECODE_STEP_BYTES = 1024 * 1024
_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}


class BodyError(Exception):
    """The body cannot be accepted; the message says why."""


class BoundedBody:
    """Collects a body's decoded bytes, up to `limit`.

    Args:
        content_encoding: The answer's `Content-Encoding` header, if any.
        limit: The most decoded bytes accepted.

    Raises:
        BodyError: On an encoding other than gzip, deflate or identity.
    """

    def __init__(
        self, content_encoding: str | None, limit: int = MAX_ANSWER_BYTES
    ) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        coding = (content_encoding or "identity").strip().lower()
        if coding == "identity":
            self._decoder = None
        elif coding in _WBITS:
            self._decoder = zlib.decompressobj(wbits=_WBITS[coding])
        else:
            raise BodyError(
                f"Segmind answered with Content-Encoding {coding!r}, which was not "
                "asked for"
            )

    def feed(self, raw: bytes) -> None:
        """Add raw (still encoded) bytes from the wire.

        Raises:
            BodyError: The decoded body passed the limit, or does not decode.
        """
        for chunk in self._decoded(raw):
            self._size += len(chunk)
            if self._size > self._limit:
                raise BodyError(
                    f"the answer is larger than {self._limit // (1024 * 1024)} MiB "
                    "once decompressed; Segmind's answers are far smaller"
                )
            self._parts.append(chunk)

    def finish(self) -> bytes:
        """The whole decoded body.

        Raises:
            BodyError: The compressed stream is incomplete.
        """
        if self._decoder is not None and not self._decoder.eof:
            raise BodyError("the answer's compressed stream ends early")
        return b"".join(self._parts)

    def _decoded(self, raw: bytes) -> Iterator[bytes]:
        if self._decoder is None:
            yield raw
            return
        data = raw
        try:
            while not self._decoder.eof:
                out = self._decoder.decompress(data, _DECODE_STEP_BYTES)
                yield out
                data = self._decoder.unconsumed_tail
                # A full step may leave output pending even with no input left.
                if not data and len(out) < _DECODE_STEP_BYTES:
                    break
        except zlib.error as error:
            raise BodyError(f"the answer does not decompress: {error}") from None
