"""Requests carried by httpx.

httpx carries what the package's own connections do not serve: a client the
user passed in, proxies, and unusual URLs.

Its results and failures take the same shapes as the own connections'
(`_http1.Response`, `_http1.ExchangeError`), so `_transport` treats both alike.
"""

from __future__ import annotations

import httpx

from langchain_segmind._http1 import ExchangeError, HeaderValueError, Response
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
        HeaderValueError: A header value is not ASCII.
        SegmindInputError: The URL is malformed.
    """
    try:
        return http.build_request(method, url, headers=headers, content=content)
    except UnicodeEncodeError:
        raise HeaderValueError("a header") from None
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
    return ExchangeError(
        f"{type(error).__name__}: {error}",
        timed_out=isinstance(error, httpx.TimeoutException),
        status_code=None if response is None else response.status_code,
        headers=None if response is None else _response(response, b"").headers,
    )
