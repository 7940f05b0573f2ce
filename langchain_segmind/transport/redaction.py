"""The key redacted from whatever a server sends back: bodies, headers, errors.

A server (or a proxy) may echo the key, whole, cut short, spelled in JSON
escapes or in UTF-16; nothing it sends reaches the user, a log or a trace
with the key in it.
"""

from __future__ import annotations

import json
import re
import traceback
from contextlib import suppress
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from langchain_segmind.errors import SegmindError


def without_key(body: bytes, api_key: SecretStr | None) -> bytes:
    """An answer's body, as UTF-8, with the key a server may echo redacted."""
    if (encoding := json.detect_encoding(body)) != "utf-8":
        # JSON may come in UTF-16 or 32, whose bytes hide the key, or after a
        # BOM: json.loads reads them all, an error's message is read as UTF-8.
        body = body.decode(encoding, "replace").encode()
    key = redactable(api_key)
    # The key as written, or maybe in escapes. Read escape by escape: text
    # after `\n` or inside `\u00de` may only look like it.
    if key and (
        key.encode() in body
        or _ESCAPED_ASCII.search(body)
        or ("/" in key and b"\\/" in body)
    ):
        return _escaped_key(key).sub(_redacted_or_escape, body)
    return body


def _redacted_or_escape(found: re.Match[bytes]) -> bytes:
    return b"[redacted]" if found[1] is not None else found[0]


# A key is printable ASCII: only such an escaped character can spell part of it.
_ESCAPED_ASCII = re.compile(rb"\\u00[2-7][0-9A-Fa-f]")


@lru_cache(maxsize=8)
def _escaped_key(key: str, cut: bool = False) -> re.Pattern[bytes]:
    """The key as JSON may spell it: any of its characters escaped.

    With `cut`, its first six characters or more, ending a text cut short.
    """
    spelled = []
    for char in key:  # no key has `"` or `\`; JSON may write its `/` as `\/`
        forms = [re.escape(char), f"\\\\u(?i:{ord(char):04x})"]
        if char == "/":
            forms.append(r"\\/")
        spelled.append(f"(?:{'|'.join(forms)})")
    rest = "".join(spelled[6:])
    if cut:
        rest = ""
        for form in reversed(spelled[6:]):
            rest = f"(?:{form}{rest})?"
        rest += r"(?:\\u?[0-9A-Fa-f]{0,3})?\Z"  # maybe cut inside an escape
    # Or a whole escape, kept: no key starts inside one (`\u00de` + "adbeef").
    escape = r'|\\(?:u[0-9A-Fa-f]{4}|["\\/bfnrt])'  # (`C:\<key>` is no escape)
    return re.compile(f"({''.join(spelled[:6])}{rest}){escape}".encode())


def redact_key(failure: SegmindError, api_key: SecretStr | None) -> None:
    """Redact the key (even cut short) from an error's text that no attempt redacted."""
    key = redactable(api_key)
    if not key:
        return
    # The answer a user's hook raised on, as it came (a name in lower case).
    failure.headers = {
        name.replace(key.lower(), "[redacted]"): value.replace(key, "[redacted]")
        for name, value in failure.headers.items()
    }
    if failure.request_id:
        failure.request_id = failure.request_id.replace(key, "[redacted]")
    message = _without_cut_key(failure.message, key)
    body = failure.body and _without_cut_key(failure.body, key)
    if (message, body) != (failure.message, failure.body):
        failure.message, failure.body = message, body
        failure.args = (message,)


def redactable(api_key: SecretStr | None) -> str:
    """The key to redact from what a server sends; none if short, as a test's "k"."""
    key = "" if api_key is None else api_key.get_secret_value()
    return key if len(key) >= 12 else ""


def _without_cut_key(text: str, key: str) -> str:
    if "\\" in text:  # an error's excerpt of a body not read whole: escapes too
        written = text.encode("utf-8", "surrogatepass")
        for whole_or_cut in (_escaped_key(key), _escaped_key(key, cut=True)):
            written = whole_or_cut.sub(_redacted_or_escape, written)
        text = written.decode("utf-8", "surrogatepass")
    text = text.replace(key, "[redacted]")
    # The key's start, at a cut: six characters or more, so that a message
    # ending in a word the key happens to begin with ("live") keeps it.
    for size in range(len(key) - 1, 5, -1):
        if text.endswith(key[:size]):
            return f"{text[:-size]}[redacted]"
    return text


def forget_attempt(
    error: BaseException, api_key: SecretStr | None, callers: BaseException | None
) -> None:
    """Clear the key from what an attempt raised: `error` and its chain.

    Their finished frames' locals hold the request, key included. An answer
    the HTTP stack's parser refuses (a status line or header echoing the key)
    is quoted in its errors' arguments, and in aiohttp's `message`. The chain
    stops at the exception the caller was handling when it called (`callers`):
    that one and its frames are theirs.
    """
    key = redactable(api_key)
    pending: list[BaseException | None] = [error]
    seen = {id(callers)}
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        traceback.clear_frames(item.__traceback__)
        pending += [item.__cause__, item.__context__]
        if not key:
            continue
        with suppress(Exception):  # read-only on some exception types
            item.args = tuple(_without_key_in(arg, key) for arg in item.args)
        with suppress(Exception):  # none, or not text
            item.message = item.message.replace(key, "[redacted]")  # type: ignore[attr-defined]


def _without_key_in(value: object, key: str) -> object:
    if isinstance(value, str):
        return value.replace(key, "[redacted]")
    if isinstance(value, bytes | bytearray):
        return bytes(value).replace(key.encode(), b"[redacted]")
    return value


def redact_request(error: Exception) -> None:
    """Point an HTTP error (the typed failure's cause) at copies without the key."""
    try:
        request = error.request  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # none, or not set
        request = None
    if "x-api-key" in getattr(request, "headers", ()):
        headers = request.headers.copy()
        headers["x-api-key"] = "[redacted]"
        request = type(request)(request.method, request.url, headers=headers)
        error.request = request  # type: ignore[attr-defined]
        response = getattr(error, "response", None)  # httpx2's HTTPStatusError
        if response is not None:
            response.request = request
    info = getattr(error, "request_info", None)  # aiohttp's ClientResponseError
    if info is not None and "x-api-key" in getattr(info, "headers", ()):
        from multidict import CIMultiDict, CIMultiDictProxy

        copied: CIMultiDict[str] = CIMultiDict(info.headers)
        copied["x-api-key"] = "[redacted]"
        redacted = info._replace(headers=CIMultiDictProxy(copied))
        error.request_info = redacted  # type: ignore[attr-defined]
        error.args = tuple(redacted if arg is info else arg for arg in error.args)
