"""One request to Segmind: attempts within one deadline, retries, and the answer.

Each attempt reads the answer's decoded bytes up to `MAX_ANSWER_BYTES`, checking
the deadline between chunks, and parses it as JSON within a budget of values.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import aclosing, closing
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import httpx2
from langchain_core.utils import secret_from_env
from pydantic import (
    SecretStr,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from langchain_segmind.errors import (
    SegmindAuthenticationError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
)
from langchain_segmind.transport import clients
from langchain_segmind.transport.clients import AsyncClient, SyncClient
from langchain_segmind.transport.deadline import MAX_TIMEOUT_SECONDS, Deadline
from langchain_segmind.transport.failures import (
    ATTEMPT,
    MAX_JSON_VALUES,
    Progress,
    billed_clause,
    error_for_answer,
    error_for_exception,
    forget_stack_locals,
    too_many_json_values,
)
from langchain_segmind.transport.redaction import (
    forget_attempt,
    redact_key,
    redact_request,
    redactable,
    without_key,
)
from langchain_segmind.transport.retry import retry_delay, should_retry, spare_time

if TYPE_CHECKING:
    from langchain_segmind.transport.queue import SegmindJob

logger = logging.getLogger("langchain_segmind")

MAX_ANSWER_BYTES = 8 * 1024 * 1024  # Segmind's are kilobytes: a bound on a hostile one
# Set by HTTP itself (a caller's value would break the connection or the
# message framing), or for the package (the body's type, the key; the
# decoding httpx2 asks for).
_CONNECTION = ("host", "content-length", "transfer-encoding", "connection")
_HOP_BY_HOP = ("keep-alive", "te", "trailer", "upgrade", "proxy-connection")
RESERVED_HEADERS = frozenset(
    (*_CONNECTION, *_HOP_BY_HOP, "x-api-key", "content-type", "accept-encoding")
)
_SLUG = re.compile(r"[A-Za-z0-9._-]+")
_SECRET_NAME = re.compile(
    r"api[-_]?key|(?:access|private)[-_]?key|secret|passw(?:or)?d|passphrase"
    r"|authorization|credential|bearer|^auth$|^token$|^(?:segmind[-_]?)?key$"
    r"|(?:^|[-_])(?:access|auth|oauth|api|segmind|session|refresh|id)[-_]?token"
    r"|[-_]token$|cookie"  # `X-Amz-Security-Token`, `X-CSRF-Token`, `Cookie`
    # A header's own (`Helicone-Auth`, `Ocp-Apim-Subscription-Key`), not a body
    # field's (`prompt_cache_key`) nor `Idempotency-Key`.
    r"|-auth$|(?<!idempotency)-key$",
    re.I,
)
# `openai_api_base`, `anthropic_api_url`: base_url in ChatOpenAI and ChatAnthropic.
_PROVIDER_URL = re.compile(r"(?:^|_)api_(?:base|url)$", re.I)
_CAMEL_CASE_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Printable ASCII without `"` or `\`, which no key has (JSON would hide its echo).
_KEY_CHARACTERS = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")


@dataclass(slots=True)  # never changed, not frozen: a frozen `__init__` costs 3x
class Call:
    """One request to Segmind and the limits it runs within.

    With a `body` it is a POST of that JSON, encoded (and checked) when the
    call is made; without one, a GET (a v2 poll).
    """

    url: str
    api_key: SecretStr | None = field(repr=False)
    body: Mapping[str, Any] | None
    headers: Mapping[str, str]
    """The caller's extra headers, already checked (`check_caller_headers`)."""
    timeout: float | None
    max_retries: int
    model: str
    async_backend: str
    job: SegmindJob | None
    """An accepted v2 job this call collects, never submitting (`resume`)."""
    queued: bool
    """Whether it runs as a v2 job (`queue.exchange`), not as one request."""
    account: str = field(repr=False)
    """`callbacks.account_id` of its key, whose balance its answers report."""
    content: bytes | None = field(init=False, repr=False, compare=False)
    method: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):  # set past the model's checks
            self.api_key = SecretStr(self.api_key)
        check_timeout(self.timeout)  # per-call overrides land here unchecked
        check_max_retries(self.max_retries)
        self.content = _encode(self.body)
        self.method = "GET" if self.body is None else "POST"


@dataclass(slots=True)  # never changed either
class Answer:
    """A successful answer: status, headers (read by lower-case name), parsed JSON."""

    status_code: int
    headers: Mapping[str, str]
    payload: Any
    job: SegmindJob | None = None
    """The v2 job it is the result of, if any."""


def check_api_key(key: SecretStr | None) -> SecretStr | None:
    """The key, `None` if missing (refused when a call is made), or an error.

    `None` is also what `load` passes without a secrets map: the environment's
    key serves. No local holds the key's text: a traceback would show it.
    """
    if key is None:
        key = secret_from_env("SEGMIND_API_KEY", default=None)()
    if key is None or not key.get_secret_value():
        return None
    if not _KEY_CHARACTERS.fullmatch(key.get_secret_value()):
        # HTTP headers carry no others, and JSON (twice, in tool arguments)
        # would hide a `"` or `\` that a server echoes from redaction.
        raise SegmindInputError(
            "api_key holds characters no Segmind key has: white space (a line "
            'break from a .env file?), non-ASCII, `"` or `\\`; check the api_key '
            "argument or SEGMIND_API_KEY"
        )
    return key


def masked_key(key: object, handler: SerializerFunctionWrapHandler) -> Any:
    """The key as `model_dump` shows it: masked, even a plain string (`model_copy`)."""
    return handler(SecretStr(key) if isinstance(key, str) else key)


def check_caller_headers(headers: Mapping[str, object] | None) -> dict[str, str]:
    """The caller's headers with lower-case names; `SegmindInputError` if unsendable."""
    if headers is not None and not isinstance(headers, Mapping):
        raise SegmindInputError(
            "headers must be a mapping of names to values, got "
            f"{type(headers).__name__}"
        )
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise SegmindInputError(f"{name!r} is not a valid HTTP header name")
        if name.lower() in RESERVED_HEADERS:
            raise SegmindInputError(
                f"the header {name!r} is set by langchain-segmind and cannot be "
                "given (reserved: " + ", ".join(sorted(RESERVED_HEADERS)) + ")"
            )
        if not isinstance(value, str) or not _FIELD_VALUE.fullmatch(value):
            # Checked here, not left to HTTP's refusal, which would quote
            # every header of the request (the key among them) in its frames.
            raise SegmindInputError(
                f"the value of header {name!r} is not printable ASCII text"
            )
        checked[name.lower()] = value
    return checked


def check_default_headers(headers: Mapping[str, object] | None) -> dict[str, str]:
    """`check_caller_headers`, refusing credentials: a model's repr shows them."""
    checked = check_caller_headers(headers)
    if named := [name for name in checked if named_like_a_credential(name)]:
        raise SegmindInputError(
            f"default_headers may not hold a credential ({named[0]!r}): a model's "
            "repr, dumpd and traces show them; pass it per call in "
            "extra_headers, or in your own http_client's headers"
        )
    return checked


def named_like_a_credential(name: object) -> bool:
    """Whether a field or header `name` reads as a credential's (`userAccessToken`)."""
    words = _CAMEL_CASE_BOUNDARY.sub("_", str(name))
    return bool(_SECRET_NAME.search(str(name)) or _SECRET_NAME.search(words))


def redacted_for_traces(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A call's arguments as traces may show them: credentials' values redacted.

    LangChain traces them before the call refuses a key given per call.
    """
    shown = _redacted(kwargs)
    for option in ("extra_headers", "extra_body"):
        if isinstance(given := shown.get(option), Mapping):
            shown[option] = _redacted(given)
    return shown


def _redacted(given: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: "[redacted]" if named_like_a_credential(name) else value
        for name, value in given.items()
    }


def check_body_fields(names: Iterable[object] | None) -> Iterable[object] | None:
    """Return `names`; refuse one named like a credential or another provider's URL."""
    for name in names or ():
        if _PROVIDER_URL.search(str(name)):  # sent as a body field, it would do nothing
            raise SegmindInputError(
                f"{name!r} is another provider's URL, not a body field: give "
                "Segmind's gateway URL as base_url=... (or set SEGMIND_BASE_URL)"
            )
        if named_like_a_credential(name):
            raise SegmindInputError(
                f"{name!r} looks like a credential, so it is not sent as a body "
                "field: give the key to the model when building it (api_key=...) "
                "or set SEGMIND_API_KEY; to choose it per call, make it configurable "
                '(llm.configurable_fields(api_key=ConfigurableField(id="api_key")), '
                'then config={"configurable": {"api_key": ...}})'
            )
    return names


def check_timeout(timeout: Any) -> Any:
    """Return `timeout` if it is seconds in (0, `MAX_TIMEOUT_SECONDS`] or `None`."""
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if timeout is not None and not (number and 0 < timeout <= MAX_TIMEOUT_SECONDS):
        per_phase = "" if number else " (per-phase timeouts go on your own http_client)"
        raise SegmindInputError(
            f"timeout must be a number of seconds in (0, {MAX_TIMEOUT_SECONDS:g}]"
            f" or None, got {timeout!r}{per_phase}"
        )
    return timeout


def checked(check: Callable[[Any], Any]) -> WrapValidator:
    """Validate with pydantic, then `check`, whose message also names a wrong type."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            value = handler(value)
        except ValidationError as error:
            try:
                check(value)
            except SegmindInputError as refused:  # `(5, 60)`: what to give instead
                raise refused from error
            raise  # a value only pydantic refuses: an int with no float form
        return check(value)

    return WrapValidator(validate)


def check_max_retries(retries: Any) -> Any:
    """Return `retries` if it is a whole number >= 0 (not a bool)."""
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise SegmindInputError(
            f"max_retries must be a whole number >= 0, got {retries!r}"
        )
    return retries


def check_slug(slug: object) -> str:
    """Return `slug` if it can name a Segmind model (one URL path segment)."""
    if slug is None:
        raise SegmindInputError(
            "model is required: pass the Segmind slug, e.g. "
            "ChatSegmind(model='claude-4.5-sonnet')"
        )
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug) or not slug.strip("."):
        raise SegmindInputError(
            f"model {slug!r} is not a Segmind model slug: slugs are one path segment "
            "of letters, digits, '.', '-' and '_' (e.g. 'claude-4.5-sonnet', 'gpt-4o')"
        )
    return slug


def check_base_url(url: str) -> str:
    """Return `url` (without a trailing slash) if it can be the gateway's base URL."""
    if "@" in url:  # no scheme holds one
        raise SegmindInputError(  # the URL itself not quoted: it may hold them
            "base_url is not usable: it holds an '@', as credentials "
            "(user:password@) do, which repr, serialized models and traces would "
            "show; give credentials to your own http_client (auth=...) instead"
        )
    try:
        parsed = httpx2.URL(url)
    except (ValueError, httpx2.InvalidURL) as error:
        raise SegmindInputError(f"base_url {url!r} is not a valid URL") from error
    problem = None
    if parsed.scheme not in ("http", "https"):
        problem = "it must start with http:// or https://"
    elif not parsed.host:
        problem = "it has no host"
    elif parsed.port is not None and not 0 < parsed.port < 65536:
        problem = f"port {parsed.port} cannot be connected to (ports are 1-65535)"
    elif parsed.query or parsed.fragment or url.endswith(("?", "#")):
        problem = "it may not carry a query or fragment"
    elif " " in url:  # httpx2.URL refused control characters
        problem = "it holds spaces or control characters"
    elif not _idna_encodable(parsed.host):
        problem = "its host name cannot be looked up (a label over 63 characters?)"
    elif parsed.path.rstrip("/").endswith("/v2"):
        problem = (
            "it is the v2 queue API's; give the v1 base URL and "
            'api_version="v2" (the queue URLs are derived from it)'
        )
    if problem:
        raise SegmindInputError(f"base_url {url!r} is not usable: {problem}")
    return url.rstrip("/")


def _idna_encodable(host: str) -> bool:
    try:
        host.encode("idna")  # as the resolver will
    except UnicodeError:
        return False
    return True


def send(
    call: Call, client: SyncClient | None = None, *, deadline: Deadline | None = None
) -> Answer:
    """Send `call` on `client` (`None`: the default one), retrying as allowed.

    `deadline` may be shared with other requests (a queued job's polls); by
    default it is `call.timeout` from now.
    """
    deadline = deadline or Deadline.start(call.timeout)
    call = _addressed(call, client)
    retries, answered_failure = 0, None
    while True:
        progress = Progress(deadline, caller_exception=sys.exc_info()[1])
        try:
            return _decode(_attempt(client, call, progress), progress, call)
        except Exception as error:  # classified: ours, or the user's re-raised
            delay, answered_failure = _delay_or_raise(
                error, progress, call, retries, answered_failure
            )
        except BaseException as interrupted:  # Ctrl-C: raised as it is
            _forget_attempt(interrupted, progress, call)
            raise
        deadline.clock.sleep(delay)
        retries += 1


async def asend(
    call: Call, client: AsyncClient | None = None, *, deadline: Deadline | None = None
) -> Answer:
    """The async form of `send`; `asyncio.timeout` bounds each attempt."""
    deadline = deadline or Deadline.start(call.timeout)
    call = _addressed(call, client)
    retries, answered_failure = 0, None
    while True:
        progress = Progress(deadline, caller_exception=sys.exc_info()[1])
        try:
            return _decode(await _aattempt(client, call, progress), progress, call)
        except Exception as error:  # classified: ours, or the user's re-raised
            delay, answered_failure = _delay_or_raise(
                error, progress, call, retries, answered_failure
            )
        except BaseException as interrupted:  # cancelled, Ctrl-C: raised as it is
            _forget_attempt(interrupted, progress, call)
            raise
        await deadline.clock.asleep(delay)
        retries += 1


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _encode(body: Mapping[str, Any] | None) -> bytes | None:
    if body is None:
        return None
    try:
        text = _JSON_ENCODER.encode(body)
        try:
            return text.encode()
        except UnicodeEncodeError:
            # A lone surrogate (half an emoji a model's JSON escaped, read
            # back) has no UTF-8 form, and strict parsers (Anthropic's) refuse
            # its JSON escape: it goes as U+FFFD; two halves side by side join.
            utf16 = text.encode("utf-16-le", "surrogatepass")
            return utf16.decode("utf-16-le", "replace").encode()
    except (TypeError, ValueError, RecursionError) as error:
        # An extra body field JSON cannot carry: an object, bytes, NaN, a cycle.
        raise SegmindInputError(
            f"the request body cannot be sent as JSON: {error}"
        ) from error


def _addressed(call: Call, client: object) -> Call:
    """`call` as it really goes out (a default client may be routed); key checked.

    While an emulator captures the default clients, a user's client may not
    call Segmind itself: tests must not spend real credits.
    """
    route = clients.active_route()
    if route and client is None:
        url, key = route(call.url, call.api_key)
        call = replace(call, url=url, api_key=key)
    elif route and _is_segmind(call.url):
        raise SegmindInputError(
            f"the model's own HTTP client would call Segmind ({call.url}) while "
            "an emulator captures this process's calls (the segmind_emulator "
            "fixture, say): give that model the emulator's base_url and "
            "api_key, or no client of its own"
        )
    # Checked again: it may have been set past the model's checks (assigned).
    if call.api_key is None or check_api_key(call.api_key) is None:
        raise SegmindAuthenticationError(
            "no Segmind API key: pass api_key=... to the model or set the "
            "SEGMIND_API_KEY environment variable"
        )
    return call


def _is_segmind(url: str) -> bool:
    host = _parsed_url(url).host.removesuffix(".")  # `segmind.com.` resolves too
    return host == "segmind.com" or host.endswith(".segmind.com")


@lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx2.URL:
    return httpx2.URL(url)  # parsing is a third of `build_request`'s time


def _build(http: Any, call: Call, progress: Progress, *, default: bool) -> Any:
    """The attempt's request on `http`, its phases bounded by the deadline."""
    # A default client sends our user agent and accept header itself.
    headers = dict(call.headers) if default else {**clients.HEADERS, **call.headers}
    if call.content is not None:
        headers["content-type"] = "application/json"
    headers["x-api-key"] = call.api_key.get_secret_value()  # type: ignore[union-attr]
    url = _parsed_url(call.url) if default else call.url  # httpx takes only text
    built = http.build_request(call.method, url, headers=headers, content=call.content)
    progress.https = built.url.scheme == "https"
    progress.client_timeouts = built.extensions.get("timeout", {})
    spare = spare_time(progress.deadline, call.method)
    progress.timeouts = progress.deadline.timeouts(progress.client_timeouts, spare)
    if default:  # the deadline ends its reads and writes anyway (bounded sync
        # sockets, `asyncio.timeout`): a timeout of their own costs a timer
        progress.timeouts.update(read=None, write=None)
    built.extensions["timeout"] = progress.timeouts
    return built


def _attempt(client: SyncClient | None, call: Call, progress: Progress) -> bytes:
    http = clients.DEFAULT_CLIENTS.sync() if client is None else client
    built = _build(http, call, progress, default=client is None)
    token = ATTEMPT.set(progress)
    try:
        with closing(http.send(built, stream=True, follow_redirects=False)) as response:
            _start_answer(response, progress, call.api_key)
            for chunk in response.iter_bytes():
                _add_chunk(chunk, progress, call)
            return without_key(bytes(progress.body), call.api_key)
    finally:
        ATTEMPT.reset(token)


async def _aattempt(
    client: AsyncClient | None, call: Call, progress: Progress
) -> bytes:
    default = clients.DEFAULT_CLIENTS
    http = default.for_running_loop(call.async_backend) if client is None else client
    built = _build(http, call, progress, default=client is None)
    token = ATTEMPT.set(progress)
    try:
        async with asyncio.timeout(progress.deadline.remaining()):
            response = await http.send(built, stream=True, follow_redirects=False)
            async with aclosing(response):
                _start_answer(response, progress, call.api_key)
                async for chunk in response.aiter_bytes():
                    _add_chunk(chunk, progress, call)
                return without_key(bytes(progress.body), call.api_key)
    finally:
        ATTEMPT.reset(token)


def _start_answer(response: Any, progress: Progress, api_key: SecretStr | None) -> None:
    """Record status and headers, key redacted; bound the body; refuse redirects."""
    progress.status_code = response.status_code
    # Read by lower-case name several times: one dict is cheaper than httpx2's.
    headers = progress.headers = dict(response.headers.items())
    key = redactable(api_key)
    named = key.lower()  # in a name, as HTTP stacks give names: lower case
    if key and any(named in name or key in value for name, value in headers.items()):
        progress.headers = {
            name.replace(named, "[redacted]"): value.replace(key, "[redacted]")
            for name, value in headers.items()
        }
    progress.timeouts.update(progress.deadline.timeouts(progress.client_timeouts))
    if 300 <= response.status_code < 400:  # never followed
        raise error_for_answer(response.status_code, progress.headers, b"", model="")


def _add_chunk(chunk: bytes, progress: Progress, call: Call) -> None:
    progress.body += chunk  # what came, should the rest fail
    if len(progress.body) > MAX_ANSWER_BYTES:
        status = progress.status_code or 0
        if status >= 400:  # an error answer: its status says what to do
            excerpt = bytes(progress.body[:65536])
            raise error_for_answer(status, progress.headers, excerpt, model=call.model)
        raise SegmindResponseError(
            f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB once "
            "decompressed (Segmind's answers are far smaller)"
            + billed_clause(call.method),
            status_code=progress.status_code,
            request_id=progress.headers.get("x-request-id"),
        )
    if progress.deadline.expired():
        raise progress.deadline.error()


def _forget_attempt(error: BaseException, progress: Progress, call: Call) -> None:
    """Clear the failed attempt's frames and the body it read (a key echoed in it)."""
    forget_attempt(error, call.api_key, progress.caller_exception)
    progress.body.clear()


def _delay_or_raise(
    error: Exception,
    progress: Progress,
    call: Call,
    retries: int,
    answered_failure: SegmindError | None,
) -> tuple[float, SegmindError | None]:
    """The wait before the next attempt, and the new `answered_failure`; or raises."""
    failure = error_for_exception(
        error, progress, model=call.model, url=call.url, method=call.method
    )
    if failure is None:
        progress.body.clear()
        forget_stack_locals(error)
        raise error
    _forget_attempt(error, progress, call)
    redact_request(error)
    if failure is not error:
        failure.__cause__ = error
    failure.headers = progress.headers
    redact_key(failure, call.api_key)  # a hook's raise_for_status(), an answer too big
    deadline, method = progress.deadline, call.method
    retry = retries < call.max_retries and should_retry(
        failure, may_have_reached=not progress.never_sent, method=method
    )
    delay = retry_delay(failure, retries, deadline, method) if retry else None
    logger.info(
        "%s %s failed: %s; %s",
        method,
        call.url,
        # One line (a server's text cannot add one), without a final period.
        " ".join(str(failure).split()).removesuffix("."),
        "giving up" if delay is None else f"retrying in {delay:.2f}s",
    )
    if delay is None:
        if answered_failure and progress.never_sent and failure.is_retryable:
            # The retry was never sent (no connection free or opened in time):
            # the call fails as the last attempt that may have reached Segmind
            # did (this retry is logged above).
            raise answered_failure from answered_failure.__cause__
        if failure.request_id is None:
            # The answer's, if it had begun (a timeout in its body, say).
            failure.status_code = failure.status_code or progress.status_code
            failure.request_id = progress.headers.get("x-request-id")
        raise failure
    return delay, (answered_failure if progress.never_sent else failure)


def _decode(body: bytes, progress: Progress, call: Call) -> Answer:
    status, headers = progress.status_code or 0, progress.headers
    if status >= 400:
        raise error_for_answer(status, headers, body, model=call.model, url=call.url)
    request_id = headers.get("x-request-id")

    def unusable(problem: str) -> SegmindResponseError:
        return SegmindResponseError(
            f"Segmind answered with {problem}{billed_clause(call.method)}",
            status_code=status,
            request_id=request_id,
            body=excerpt(body),
        )

    payload = read_json(body, unusable, not_json="a body that is not JSON")
    logger.debug("%s -> %s (request id %s)", call.url, status, request_id)
    return Answer(status, headers, payload)


def read_json(
    data: bytes,
    refuse: Callable[[str], SegmindResponseError],
    not_json: str = "not JSON",
) -> Any:
    """`data` parsed as JSON within `MAX_JSON_VALUES`, or `refuse(problem)` raised."""
    if too_many_json_values(data):
        raise refuse(f"JSON of more than {MAX_JSON_VALUES:,} values")
    try:
        return json.loads(data)
    except RecursionError as error:
        raise refuse("JSON nested too deeply to read") from error
    except ValueError as error:
        raise refuse(f"{not_json}: {excerpt(data)!r}") from error


def excerpt(body: bytes) -> str:
    """The start of an answer's body that an error quotes."""
    return body[:300].decode("utf-8", errors="replace")
