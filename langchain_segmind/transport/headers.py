"""The headers of a request: the package's own, and the caller's, checked.

Callers may add headers (`default_headers`, per-call `extra_headers`) but not
replace the ones that frame the request or carry the key: those are refused
with `SegmindInputError`, as is any value HTTP cannot carry. No error quotes
a header value, since the key is one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import SecretStr

from langchain_segmind._version import __version__
from langchain_segmind.errors import SegmindInputError

USER_AGENT = f"langchain-segmind/{__version__}"
# Answers are decompressed by `_body`, which knows these two; asking for no
# other keeps a decompression bomb within its bounded reader.
ACCEPTED_ENCODINGS = "gzip, deflate"

# Set by the package or by HTTP itself; a caller's value would break framing,
# the body's type or the key's privacy.
RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "x-api-key",
        "content-type",
        "accept-encoding",
    }
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Visible ASCII, space and tab; no CR, LF, NUL or other control characters.
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")


def check_caller_headers(headers: Mapping[str, object] | None) -> dict[str, str]:
    """Return the caller's headers with lower-case names, if they may be sent.

    Raises:
        SegmindInputError: A name is reserved or not a valid header name, or a
            value is not a string HTTP can carry.
    """
    if headers is not None and not isinstance(headers, Mapping):
        raise SegmindInputError(
            "headers must be a mapping of names to values, got "
            f"{type(headers).__name__}"
        )
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise SegmindInputError(f"{name!r} is not a valid HTTP header name")
        lower = name.lower()
        if lower in RESERVED_HEADERS:
            raise SegmindInputError(
                f"the header {name!r} is set by langchain-segmind and cannot be "
                "given (reserved: " + ", ".join(sorted(RESERVED_HEADERS)) + ")"
            )
        if not isinstance(value, str) or not _FIELD_VALUE.fullmatch(value):
            raise SegmindInputError(
                f"the value of header {name!r} is not printable ASCII (it holds a "
                "CR, LF, NUL, another control character or non-ASCII text)"
            )
        checked[lower] = value
    return checked


def request_headers(
    api_key: SecretStr, caller_headers: Mapping[str, str], *, has_body: bool
) -> dict[str, str]:
    """All headers of one request: the caller's (already checked) and the package's.

    The key stays wrapped until it is put in the returned mapping, so no frame
    a traceback shows holds it in a variable.

    Raises:
        SegmindInputError: The key holds characters HTTP headers cannot carry.
    """
    if not _usable_key(api_key):
        raise SegmindInputError(
            "the API key holds characters HTTP headers cannot carry (only "
            "printable ASCII, with no surrounding spaces); check SEGMIND_API_KEY"
        )
    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    headers.update(caller_headers)
    headers["accept-encoding"] = ACCEPTED_ENCODINGS
    if has_body:
        headers["content-type"] = "application/json"
    headers["x-api-key"] = api_key.get_secret_value()
    return headers


def _usable_key(api_key: SecretStr) -> bool:
    return bool(_FIELD_VALUE.fullmatch(api_key.get_secret_value())) and (
        api_key.get_secret_value() == api_key.get_secret_value().strip()
    )
