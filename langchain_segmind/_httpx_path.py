"""Requests carried by httpx.

httpx carries what the package's own connections do not serve: a client the
user passed in, proxies, and unusual URLs.

Its results and failures take the same shapes as the own connections'
(`_http1.Response`, `_http1.ExchangeError`), so `_transport` treats both alike.
"""

from __future__ import annotations

import httpx

from langchain_segmind._http1 import ExchangeError, Response, check_headers
from langchain_segmind.errors import SegmindInputError


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    content: bytes | None,
) -> httpx.Request:
    """Build the request once; every attempt sends it again.

    Raises:
        HeaderValueError: HTTP/1.1 cannot carry a header (checked here, as on
            the own path, so that httpx never quotes a value, the key
            included, in an error).
        SegmindInputError: The URL is malformed.
    """
    check_headers(headers)
    try:
        return http.build_request(method, url, headers=headers, content=content)
    except httpx.InvalidURL as error:
        raise SegmindInputError(f"bad URL {url!r}: {error}") from None


def exchange(
    http: httpx.Client, request: httpx.Request, timeout: float | None
) -> Response:
    """Send `request` and read its whole answer within `timeout` seconds.

    Raises:
        ExchangeError: The request or its answer failed.
        SegmindInputError: The URL's scheme is not http(s).
    """
    request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    try:
        response = http.send(request, stream=True)
    except httpx.HTTPError as error:
        raise _failure(error) from None
    try:
        body = response.read()
    except httpx.HTTPError as error:
        raise _failure(error, response) from None
    finally:
        response.close()
    return _response(response, body)


async def aexchange(
    http: httpx.AsyncClient, request: httpx.Request, timeout: float | None
) -> Response:
    """The async twin of `exchange`."""
    request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    try:
        response = await http.send(request, stream=True)
    except httpx.HTTPError as error:
        raise _failure(error) from None
    try:
        body = await response.aread()
    except httpx.HTTPError as error:
        raise _failure(error, response) from None
    finally:
        await response.aclose()
    return _response(response, body)


def _response(response: httpx.Response, body: bytes) -> Response:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Response(response.status_code, headers, body, reusable=True)


def _failure(
    error: httpx.HTTPError, response: httpx.Response | None = None
) -> Exception:
    if isinstance(error, httpx.UnsupportedProtocol):
        return SegmindInputError(f"the URL is not http(s): {error}")
    if isinstance(error, httpx.LocalProtocolError):
        # Its message may quote a header value, and the key is one.
        return SegmindInputError("httpx refused to send the request as given")
    return ExchangeError(
        f"{type(error).__name__}: {error}",
        timed_out=isinstance(error, httpx.TimeoutException),
        malformed=response is None and _garbled_answer(error),
        status_code=None if response is None else response.status_code,
        headers=None if response is None else _response(response, b"").headers,
    )


def _garbled_answer(error: httpx.HTTPError) -> bool:
    """Whether the server answered, but not in valid HTTP.

    httpx reports a connection closed before any answer (a stale keep-alive
    connection, say) as a protocol error too; that one is not garbled.
    """
    return isinstance(error, httpx.RemoteProtocolError) and not str(error).startswith(
        "Server disconnected without sending a response"
    )
