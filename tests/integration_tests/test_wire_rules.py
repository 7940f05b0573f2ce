"""The transport's promises on real sockets, each on the paths it concerns.

The paths are the default clients (`sync`; async over `httpx2` or `aiohttp`,
each async call in its own `asyncio.run`) and, where the rule is about them,
the user's own clients. Every server here is the emulator, with a scripted
`Fault` when it must misbehave. Retries wait on the tier's fake clock; the
tests about a deadline in real time use `real_clock` and a 0.3 s timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import gzip
import json
import sys
import threading
import time
import traceback
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import httpx2
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from tests.integration_tests.support import (
    KEY,
    PATHS,
    assert_key_nowhere,
    closed_port,
    failure_of,
    invoke,
    model_on,
    run,
)

MIB = 1024 * 1024
OPENAI_ANSWER = {
    "id": "chatcmpl-wire",
    "object": "chat.completion",
    "model": "gpt-4o",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "wire reply"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}
OPENAI_ANSWER_BYTES = httpx2.Response(200, json=OPENAI_ANSWER).content


# -- calls --


def through_own_client(
    mode: str,
    base_url: str,
    lib: Any = httpx2,
    *,
    model_timeout: float = 0.3,
    **options: Any,
) -> BaseException:
    """The error of one call through a user's own `lib` client made with `options`."""

    async def in_a_loop() -> Any:
        async with lib.AsyncClient(**options) as own:
            model = model_on(base_url, http_async_client=own, timeout=model_timeout)
            return await model.ainvoke("Hi")

    def in_this_thread() -> Any:
        with lib.Client(**options) as own:
            return model_on(base_url, http_client=own, timeout=model_timeout).invoke(
                "Hi"
            )

    if mode == "sync":
        return failure_of(in_this_thread)
    return failure_of(lambda: asyncio.run(in_a_loop()))


@pytest.fixture
def own_emulator() -> Iterator[SegmindEmulator]:
    """An emulator of the test's own (a stalled answer must not hold `emulator`)."""
    with SegmindEmulator(api_key=KEY) as running:
        yield running


# -- memory: a small answer that decodes or parses into a huge one --


@functools.cache
def gzipped_empty_objects(mib: int) -> bytes:
    """`[{},{},...]` of `mib` MiB, gzipped (32 KiB on the wire for 32 MiB)."""
    count = mib * MIB // 3
    return gzip.compress(b"[" + b"{}," * count + b"{}]", compresslevel=1)


def gzip_fault(body: bytes) -> Fault:
    return Fault(
        status=200,
        body=body,
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )


def failure_and_peak_memory(model: ChatSegmind, path: str) -> tuple[Any, int]:
    """The error of one call on `path`, and the most memory it held at once."""
    gc.collect()
    tracemalloc.start()
    try:
        error = failure_of(lambda: run(path, invoke(model, path)))
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("mib", "refusal"),
    [(32, "larger than 8 MiB once decompressed"), (2, "more than 250,000 values")],
    ids=["32-mib", "2-mib"],
)
@pytest.mark.parametrize("path", [*PATHS, "user-client"])
def test_an_answer_of_many_json_values_is_refused_without_using_much_memory(
    emulator: SegmindEmulator, path: str, mib: int, refusal: str
) -> None:
    emulator.inject(gzip_fault(gzipped_empty_objects(mib)), times=3)
    with httpx2.Client() as own:
        fields = {"http_client": own} if path == "user-client" else {}
        model = model_on(emulator.base_url, path, timeout=30, max_retries=2, **fields)
        error, peak = failure_and_peak_memory(model, path)

    assert isinstance(error, SegmindResponseError), repr(error)
    assert refusal in str(error)
    assert error.is_retryable is False
    assert len(emulator.requests) == 1
    assert peak < 64 * MIB, f"peak {peak / MIB:.0f} MiB"


@pytest.mark.parametrize("path", PATHS)
def test_a_large_error_answer_is_read_without_using_much_memory(
    emulator: SegmindEmulator, path: str
) -> None:
    fault = gzip_fault(gzipped_empty_objects(4))
    emulator.inject(replace(fault, status=503))
    model = model_on(emulator.base_url, path, max_retries=0)
    error, peak = failure_and_peak_memory(model, path)

    assert isinstance(error, SegmindServerError), repr(error)
    assert error.message.startswith("[{},{},")
    assert peak < 32 * MIB, f"peak {peak / MIB:.0f} MiB"


@pytest.mark.parametrize("slug", ["claude-3.5-sonnet", "gpt-4o"])
def test_half_an_emoji_in_the_history_reaches_a_strict_json_parser(
    emulator: SegmindEmulator, slug: str
) -> None:
    # A reply's JSON can escape half an emoji; the reply goes back as history.
    model = ChatSegmind(
        model=slug, base_url=emulator.base_url, api_key=emulator.api_key
    )
    history = [HumanMessage("Hi"), AIMessage("half: \ud83d"), HumanMessage("And?")]

    answer = model.invoke(history)

    assert answer.text
    (sent,) = emulator.requests
    assert "half: \ufffd" in json.dumps(sent.body, ensure_ascii=False)


# -- cookies: the default clients keep none --


@pytest.mark.parametrize("path", [*PATHS, "user-client"])
def test_a_cookie_set_for_one_key_is_not_sent_with_another(
    emulator: SegmindEmulator, path: str
) -> None:
    emulator.inject(
        Fault(status=200, body=OPENAI_ANSWER, headers={"Set-Cookie": "session=a"})
    )
    emulator.inject(Fault(status=200, body=OPENAI_ANSWER))
    # A host name: aiohttp's own jar would refuse a cookie from an IP address.
    base_url = emulator.base_url.replace("127.0.0.1", "localhost")
    with httpx2.Client() as own:  # a user's client keeps cookies, as it chose
        fields = {"http_client": own} if path == "user-client" else {}
        first_key = model_on(base_url, path, **fields)
        other_key = model_on(base_url, path, api_key="sk-other", **fields)
        answers = run(path, invoke(first_key, path), invoke(other_key, path))

    assert [a.content for a in answers] == ["wire reply"] * 2
    sent = emulator.requests[1].headers.get("cookie")
    assert sent == ("session=a" if path == "user-client" else None)


# -- raw deflate --


@pytest.mark.parametrize("path", [*PATHS, "user-client"])
def test_a_raw_deflate_answer_is_read(emulator: SegmindEmulator, path: str) -> None:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # no zlib header
    raw = compressor.compress(OPENAI_ANSWER_BYTES) + compressor.flush()
    emulator.inject(
        Fault(
            status=200,
            body=raw,
            content_type="application/json",
            headers={"Content-Encoding": "deflate"},
        )
    )
    with httpx2.Client() as own:
        fields = {"http_client": own} if path == "user-client" else {}
        model = model_on(emulator.base_url, path, **fields)
        (answer,) = run(path, invoke(model, path))

    assert answer.content == "wire reply"


# -- a huge timeout --


@pytest.mark.parametrize("timeout", [24 * 3600 + 1, 1e10, sys.maxsize, float("inf")])
def test_a_huge_timeout_is_refused_before_any_request(
    emulator: SegmindEmulator, timeout: float
) -> None:
    with pytest.raises(SegmindInputError, match="timeout"):
        model_on(emulator.base_url, timeout=timeout)
    with pytest.raises(SegmindInputError, match="timeout"):
        model_on(emulator.base_url).invoke("Hi", timeout=timeout)
    assert emulator.requests == []


# -- heads that never end, answers that never come --


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize(
    "fault",
    [
        Fault.interim_answers(0.05),
        Fault.interim_answers(0.0001),  # a flood: always bytes to read
        Fault.dripping_headers(0.05),
    ],
    ids=["interim-answers", "interim-flood", "dripping-headers"],
)
@pytest.mark.parametrize("path", [*PATHS, "async-user-client"])
def test_a_head_that_never_ends_cannot_hold_a_call_past_the_timeout(
    own_emulator: SegmindEmulator, path: str, fault: Fault
) -> None:
    own_emulator.inject(fault)

    started = time.monotonic()
    if path == "async-user-client":
        error = through_own_client("async", own_emulator.base_url)
    else:
        model = model_on(own_emulator.base_url, path, timeout=0.3, max_retries=2)
        error = failure_of(lambda: run(path, invoke(model, path)))

    assert time.monotonic() - started < 1.3  # the timeout, and a margin
    assert isinstance(error, SegmindTimeoutError), repr(error)
    assert "within timeout=0.3s" in str(error)
    # Never sent twice. On a loaded machine the server may read the request
    # after the call ended, or not accept it before the connect timeout.
    read_by = time.monotonic() + 1
    while not own_emulator.requests and time.monotonic() < read_by:
        time.sleep(0.01)
    assert len(own_emulator.requests) <= 1


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize("lib", [httpx2, httpx], ids=["httpx2", "httpx"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_user_client_without_a_timeout_still_ends_at_the_models(
    own_emulator: SegmindEmulator, mode: str, lib: Any
) -> None:
    own_emulator.inject(Fault.slow(3.0))

    error = through_own_client(mode, own_emulator.base_url, lib, timeout=None)

    assert isinstance(error, SegmindTimeoutError), repr(error)
    assert "within timeout=0.3s" in str(error)


# -- a user's client is used as given --


def test_a_users_client_is_never_modified(emulator: SegmindEmulator) -> None:
    with httpx2.Client(
        headers={"x-team": "search"}, cookies={"pref": "1"}, timeout=7.0
    ) as own:

        def settings() -> tuple[Any, ...]:
            return (
                dict(own.headers),
                dict(own.cookies),
                own.timeout,
                own.follow_redirects,
                own.event_hooks,
                own.base_url,
            )

        before = settings()
        model = model_on(emulator.base_url, http_client=own, api_key=emulator.api_key)
        model.invoke("one")
        model.invoke("two")
        direct = own.get(f"{emulator.url}/v2/requests/none/status")

        assert settings() == before
    assert direct.status_code in (401, 404)  # the client still works by itself
    assert emulator.connections_opened == 1  # its pool kept one connection for all
    assert emulator.requests[0].headers["x-team"] == "search"
    assert emulator.requests[0].headers["cookie"] == "pref=1"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_users_own_timeouts_apply_inside_an_attempt(
    own_emulator: SegmindEmulator, mode: str
) -> None:
    own_emulator.inject(Fault.slow(2.0))

    error = through_own_client(
        mode, own_emulator.base_url, model_timeout=30, timeout=0.2
    )

    assert isinstance(error, SegmindTimeoutError), repr(error)
    assert "the HTTP client's own timeouts ran out" in str(error)
    assert str(error).endswith("raise the client's timeouts")  # no queue to resume


# -- the key is in no frame of any error's traceback --


def _provoke(
    fault: Fault | None = None,
    *,
    base_url: str | None = None,
    call: dict[str, Any] | None = None,
    **fields: Any,
) -> Callable[[SegmindEmulator, str], BaseException]:
    def provoke(emulator: SegmindEmulator, path: str) -> BaseException:
        if fault is not None:
            emulator.inject(fault)
        model = model_on(base_url or emulator.base_url, path, max_retries=1, **fields)
        return failure_of(lambda: run(path, invoke(model, path, **(call or {}))))

    return provoke


def _key_given_as_a_header(emulator: SegmindEmulator, path: str) -> BaseException:
    return failure_of(
        lambda: ChatSegmindGPT4o(
            base_url=emulator.base_url, api_key=KEY, default_headers={"X-Api-Key": KEY}
        )
    )


# Over the 100 KiB of a header the default clients read: the HTTP stack's own
# error, which holds the request.
TOO_LONG = "x" * 110_000

FAILURE_KINDS = [
    pytest.param(_provoke(), id="401"),
    pytest.param(_provoke(Fault.truncated()), id="cut-off"),
    pytest.param(_provoke(Fault.connection_reset()), id="reset"),
    pytest.param(
        _provoke(Fault(status=307, headers={"Location": "http://x/"})), id="redirect"
    ),
    pytest.param(_provoke(Fault.gzip_bomb(16)), id="too-large"),
    pytest.param(
        _provoke(Fault(status=503, headers={"x-padding": TOO_LONG})),
        id="header-too-long",
    ),
    pytest.param(  # whose start, quoted by the parser's error, echoes the key
        _provoke(Fault(status=503, headers={"x-echo": KEY + TOO_LONG})),
        id="header-too-long-echoing-the-key",
    ),
    pytest.param(_provoke(Fault.slow(2.0), timeout=0.01), id="timeout"),
    pytest.param(
        _provoke(base_url=f"http://127.0.0.1:{closed_port()}/v1"),
        id="connection-refused",
    ),
    pytest.param(_provoke(call={"extra_headers": {"x-t": "a\r\nb"}}), id="bad-header"),
    pytest.param(_key_given_as_a_header, id="key-given-as-a-header"),
    pytest.param(_provoke(call={"model": "../../keys"}), id="bad-slug"),
]


@pytest.mark.parametrize("provoke", FAILURE_KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_the_key_is_in_no_frame_of_any_error(
    emulator: SegmindEmulator,
    path: str,
    provoke: Callable[..., BaseException],
) -> None:
    error = provoke(emulator, path)

    assert isinstance(error, SegmindError), repr(error)
    assert_key_nowhere(error, KEY)


def test_an_error_quoting_a_header_that_echoes_the_key_keeps_the_rest(
    emulator: SegmindEmulator,
) -> None:
    def shown(echo: str) -> tuple[str, list[object]]:
        """The error's traceback, and its chain's texts, reprs and arguments."""
        provoke = _provoke(Fault(status=503, headers={"x-echo": echo + TOO_LONG}))
        error: BaseException | None = provoke(emulator, "aiohttp")
        texts, args = traceback.format_exception(error), []
        while error is not None:
            texts += [str(error), repr(error)]
            args += error.args
            error = error.__cause__ or error.__context__
        return "".join(texts) + repr(args), args

    echoing_the_key, args = shown(KEY)
    stand_in = "Z" * len(KEY)

    assert KEY not in echoing_the_key
    # It reads as for any other header too long: "[redacted]" for the key.
    assert echoing_the_key == shown(stand_in)[0].replace(stand_in, "[redacted]")
    assert None not in args  # what is not text is left as it was


@pytest.mark.parametrize("path", PATHS)
def test_the_exception_a_caller_was_handling_stays_as_it_was(
    emulator: SegmindEmulator, path: str
) -> None:
    echoing = _provoke(Fault(status=503, headers={"x-echo": KEY + TOO_LONG}))
    try:
        raise LookupError(f"the caller's own note: {KEY}")
    except LookupError as handled:
        theirs, error = handled, echoing(emulator, path)

    assert isinstance(error, SegmindError), repr(error)
    assert theirs.args == (f"the caller's own note: {KEY}",)


@pytest.mark.parametrize("path", ["httpx2", "aiohttp"])
def test_a_cancelled_call_leaves_the_key_in_no_frame(
    emulator: SegmindEmulator, path: str
) -> None:
    emulator.inject(Fault.slow(2.0))
    model = model_on(emulator.base_url, path)

    async def cut_short() -> Any:
        return await asyncio.wait_for(model.ainvoke("Hi"), 0.2)

    error = failure_of(lambda: asyncio.run(cut_short()))

    assert isinstance(error, TimeoutError), repr(error)
    assert_key_nowhere(error, KEY)


def test_the_key_walk_finds_a_key_in_a_chained_cause() -> None:
    def holds_the_key() -> None:
        header = {"x-api-key": KEY}
        raise OSError(f"{len(header)} header")

    def wraps() -> None:
        try:
            holds_the_key()
        except OSError as error:
            raise SegmindConnectionError("could not reach Segmind") from error

    with pytest.raises(AssertionError, match=KEY):
        assert_key_nowhere(failure_of(wraps), KEY)


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
def test_an_async_client_reused_in_a_new_event_loop_never_pays_twice(
    own_emulator: SegmindEmulator, transport: str
) -> None:
    if transport == "aiohttp":
        from httpx_aiohttp.httpx2 import AiohttpTransport

        client = httpx2.AsyncClient(transport=AiohttpTransport())
    else:
        client = httpx2.AsyncClient()
    model = model_on(own_emulator.base_url, http_async_client=client)
    asyncio.run(model.ainvoke("first"))

    # The pooled connection belongs to the first, closed loop.
    with pytest.raises(SegmindConnectionError, match="another event loop") as raised:
        asyncio.run(model.ainvoke("second", max_retries=3))
    with contextlib.suppress(Exception):  # what can be closed of it
        asyncio.run(client.aclose())

    assert "was not sent" not in str(raised.value)  # it may have gone out
    assert raised.value.is_retryable is False
    assert len([r for r in own_emulator.requests if r.method == "POST"]) <= 2


@pytest.mark.parametrize("debug", [False, True], ids=["normal", "debug-mode"])
def test_an_async_client_whose_loop_runs_in_another_thread_is_named(
    own_emulator: SegmindEmulator, debug: bool
) -> None:
    client = httpx2.AsyncClient()
    model = model_on(own_emulator.base_url, http_async_client=client)
    loop = asyncio.new_event_loop()
    loop.set_debug(debug)  # as under `python -X dev`, which words the refusal apart
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(model.ainvoke("first"), loop).result(10)

        # The pooled connection belongs to a loop that still runs, elsewhere.
        # A slow answer makes this loop wait on it (an answer already read by
        # the other loop would be taken without waiting).
        own_emulator.inject(Fault.slow(0.5))
        with pytest.raises(SegmindConnectionError) as raised:
            asyncio.run(model.ainvoke("second", max_retries=3))
    finally:
        closing = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
        with contextlib.suppress(Exception):
            closing.result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

    assert "another event loop" in str(raised.value)
    assert raised.value.is_retryable is False
    assert len([r for r in own_emulator.requests if r.method == "POST"]) <= 2


def test_a_poll_on_a_connection_of_a_closed_loop_is_sent_again(
    own_emulator: SegmindEmulator,
) -> None:
    client = httpx2.AsyncClient()
    model = model_on(own_emulator.base_url, http_async_client=client, api_version="v2")
    first = asyncio.run(model.ainvoke("first"))

    again = asyncio.run(model.aresume(first.response_metadata["request_id"]))

    assert again.content == first.content
