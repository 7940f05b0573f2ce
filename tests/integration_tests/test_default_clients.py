"""The package's default clients, seen from outside: per loop, pooled, keyless.

Models built without a client of their own share the default clients: one
for sync calls, one per event loop (and async transport) for async calls,
closed when `asyncio.run` shuts its loop down. The emulator counts the
connections they open.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindInputError,
    SegmindTimeoutError,
    __version__,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from langchain_segmind.transport import clients
from langchain_segmind.transport.deadline import Clock
from tests import exit_code_of_forked
from tests.integration_tests.support import REPLY, new_model, one_connection_server


class NoAttributesLoop(asyncio.SelectorEventLoop):
    """A loop that takes no attributes of others, as one written in C may not."""

    @property
    def __dict__(self) -> Any:
        raise AttributeError("__dict__")


@pytest.mark.parametrize("loop", [None, NoAttributesLoop], ids=["asyncio", "no-dict"])
def test_repeated_asyncio_run_gets_a_client_per_loop(
    segmind_emulator: SegmindEmulator, loop: Any
) -> None:
    model = ChatSegmindClaude()

    async def two_calls(n: int) -> list[Any]:
        first = await model.ainvoke(f"run {n} call 1")
        second = await model.ainvoke(f"run {n} call 2")
        return [first.content, second.content]

    def run(n: int) -> list[Any]:  # as `asyncio.run` does
        with asyncio.Runner(loop_factory=loop) as runner:
            return runner.run(two_calls(n))

    results = [run(n) for n in range(3)]

    assert results == [
        [f"{REPLY}run {n} call 1", f"{REPLY}run {n} call 2"] for n in range(3)
    ]
    # One connection per loop, reused for both of its calls.
    assert segmind_emulator.connections_opened == 3


async def test_models_share_the_loops_client(segmind_emulator: SegmindEmulator) -> None:
    claude, gpt = ChatSegmindClaude(), ChatSegmindGPT4o()

    for n in range(4):
        await (claude if n % 2 else gpt).ainvoke(f"one after another {n}")
    assert segmind_emulator.connections_opened == 1

    await asyncio.gather(*(gpt.ainvoke(f"together {n}") for n in range(8)))
    assert segmind_emulator.connections_opened <= 8
    assert len(segmind_emulator.requests) == 12


def test_default_clients_send_the_package_headers(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()

    model.invoke("sync", extra_headers={"x-trace": "1"})
    asyncio.run(model.ainvoke("async", extra_headers={"accept": "text/plain"}))

    sync, async_ = (request.headers for request in segmind_emulator.requests)
    assert (
        sync["user-agent"] == async_["user-agent"] == f"langchain-segmind/{__version__}"
    )
    assert sync["accept"] == "application/json"
    assert sync["content-type"] == async_["content-type"] == "application/json"
    assert sync["x-trace"] == "1"
    assert async_["accept"] == "text/plain"  # the caller's own header wins


def test_a_loop_that_failed_leaves_the_next_one_working(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindClaude(max_retries=0)
    segmind_emulator.inject(Fault(status=400, body={"error": "bad"}))

    with pytest.raises(SegmindBadRequestError, match="bad"):
        asyncio.run(model.ainvoke("Hi"))

    assert asyncio.run(model.ainvoke("again")).content == f"{REPLY}again"


@pytest.mark.parametrize("loop", [None, NoAttributesLoop], ids=["asyncio", "no-dict"])
def test_finished_loops_are_not_kept_alive(
    segmind_emulator: SegmindEmulator, loop: Any
) -> None:
    model = ChatSegmindGPT4o()
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def one_call() -> Any:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return (await model.ainvoke("Hi")).content

    def run() -> Any:  # as `asyncio.run` does
        with asyncio.Runner(loop_factory=loop) as runner:
            return runner.run(one_call())

    assert [run() for _ in range(3)] == [f"{REPLY}Hi"] * 3
    gc.collect()

    alive = [ref for ref in loops if ref() is not None]
    # One that takes no attributes is held until the next call lets it go.
    assert alive == ([] if loop is None else loops[-1:])


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
def test_repeated_asyncio_runs_leave_no_resource_warning(
    segmind_emulator: SegmindEmulator, transport: str
) -> None:
    if transport == "aiohttp":
        pytest.importorskip("httpx_aiohttp")
    unraisable: list[str] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(repr(info.exc_value))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            model = ChatSegmindGPT4o(async_transport=transport)
            for _ in range(3):
                assert asyncio.run(model.ainvoke("Hi")).content
            gc.collect()
    finally:
        sys.unraisablehook = previous_hook

    assert unraisable == []
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
async def test_each_async_transport_works_and_sync_calls_use_httpx2(
    segmind_emulator: SegmindEmulator, transport: str
) -> None:
    if transport == "aiohttp":
        pytest.importorskip("httpx_aiohttp")
    model = ChatSegmindClaude(async_transport=transport)

    first = await model.ainvoke("one")
    second = await model.ainvoke("two")

    assert [first.content, second.content] == [f"{REPLY}one", f"{REPLY}two"]
    assert segmind_emulator.connections_opened == 1  # one pooled connection
    assert model.invoke("sync").content == f"{REPLY}sync"


@pytest.mark.parametrize(
    "clone",
    [
        pytest.param(copy.deepcopy, id="deepcopy"),
        pytest.param(copy.copy, id="copy"),
        pytest.param(lambda m: pickle.loads(pickle.dumps(m)), id="pickle"),
    ],
)
def test_a_model_that_made_calls_can_be_copied_and_pickled(
    emulator: SegmindEmulator, clone: Any
) -> None:
    model = new_model(emulator, ChatSegmindClaude, temperature=0.2)
    model.invoke("before")
    asyncio.run(model.ainvoke("before, async"))

    copied = clone(model)

    assert copied.model_dump() == model.model_dump()
    assert copied.invoke("after").content == f"{REPLY}after"
    assert asyncio.run(copied.ainvoke("after")).content == f"{REPLY}after"
    first, *_, last = emulator.requests
    assert last.body == {**first.body, "messages": last.body["messages"]}
    assert last.body["temperature"] == 0.2


@pytest.mark.parametrize("backend", ["httpx2", "aiohttp"])
def test_the_default_clients_set_no_timeout_of_their_own(backend: str) -> None:
    # httpx2's default is 5 s a phase: a call's `timeout` alone bounds it.
    async def async_client() -> Any:
        return clients.DEFAULT_CLIENTS.for_running_loop(backend)

    assert clients.DEFAULT_CLIENTS.sync().timeout == httpx2.Timeout(None)
    assert asyncio.run(async_client()).timeout == httpx2.Timeout(None)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_default_clients_keep_no_key(emulator: SegmindEmulator, mode: str) -> None:
    # The emulator's log masks keys; its answers tell them apart.
    right = new_model(emulator)
    wrong = new_model(emulator, api_key="sk-another-account")

    async def in_turn() -> list[Any]:
        results: list[Any] = []
        for model in (right, wrong, right):
            try:
                results.append((await model.ainvoke("Hi")).content)
            except SegmindAuthenticationError as error:
                results.append(error.status_code)
        return results

    if mode == "sync":
        results: list[Any] = [right.invoke("Hi").content]
        with pytest.raises(SegmindAuthenticationError):
            wrong.invoke("Hi")
        results += [401, right.invoke("Hi").content]
    else:
        results = asyncio.run(in_turn())

    assert results == [f"{REPLY}Hi", 401, f"{REPLY}Hi"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_300_concurrent_calls_use_at_most_100_connections(
    emulator: SegmindEmulator, mode: str
) -> None:
    emulator.latency = 0.02
    model = new_model(emulator, max_retries=0, timeout=30.0)

    async def all_at_once() -> list[Any]:
        calls = (model.ainvoke(f"question {n}") for n in range(300))
        return await asyncio.gather(*calls, return_exceptions=True)

    if mode == "async":
        results = asyncio.run(all_at_once())
    else:
        with ThreadPoolExecutor(max_workers=150) as pool:
            results = list(pool.map(lambda n: model.invoke(f"q {n}"), range(300)))

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert len(emulator.requests) == 300
    assert 1 < emulator.connections_opened <= 100


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_the_fixture_catches_a_model_with_a_base_url_of_its_own(
    segmind_emulator: SegmindEmulator, api_version: str
) -> None:
    base_url = "https://gateway.example.com/segmind/v1"
    llm = ChatSegmind(model="gpt-4o", base_url=base_url, api_version=api_version)

    assert llm.invoke("hi").content.startswith(REPLY)
    assert segmind_emulator.requests_to(f"/{api_version}/gpt-4o")


def invoke_as(mode: str, model: ChatSegmind, prompt: str) -> Any:
    """`model.invoke(prompt)`, or `model.ainvoke(prompt)` in an `asyncio.run`."""
    if mode == "sync":
        return model.invoke(prompt)
    return asyncio.run(model.ainvoke(prompt))


@pytest.mark.parametrize(
    ("mode", "transport"),
    [("sync", "httpx2"), ("async", "httpx2"), ("async", "aiohttp")],
)
def test_the_fixture_reaches_its_emulator_past_the_environments_settings(
    segmind_emulator: SegmindEmulator,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    transport: Literal["httpx2", "aiohttp"],
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # A CA file a laptop has and a CI machine lacks: the emulator needs no TLS.
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/corporate-ca.pem")

    model = ChatSegmindGPT4o(max_retries=0, async_transport=transport)

    assert invoke_as(mode, model, "Hi").content == f"{REPLY}Hi"


def test_a_process_started_under_the_fixture_calls_the_emulator_too(
    segmind_emulator: SegmindEmulator,
) -> None:
    # A spawned worker shares no memory: the route reaches it by inheritance.
    script = (
        "from langchain_segmind import ChatSegmindGPT4o\n"
        "llm = ChatSegmindGPT4o(base_url='https://api.segmind.com/v1', "
        "api_key='sk-a-real-looking-key', max_retries=0)\n"
        "print(llm.invoke('Hi').content)\n"
    )

    finished = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.stdout.strip() == f"{REPLY}Hi", finished.stderr  # its key
    assert len(segmind_emulator.requests) == 1


OPENAI_ANSWER = {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}


@pytest.mark.parametrize(
    ("base_url", "sent"),
    [
        ("https://api.segmind.com/v1", False),
        ("https://eu.api.segmind.com./v1", False),  # a fully qualified name
        ("https://gateway.example/v1", True),  # not Segmind: the user's choice
    ],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_model_with_its_own_client_never_calls_segmind_under_the_fixture(
    segmind_emulator: SegmindEmulator, base_url: str, sent: bool, mode: str
) -> None:
    requests: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return httpx2.Response(200, json=OPENAI_ANSWER)

    transport = httpx2.MockTransport(answer)
    model = ChatSegmindGPT4o(
        base_url=base_url,
        api_key="sk-a-real-looking-key",
        http_client=httpx2.Client(transport=transport),
        http_async_client=httpx2.AsyncClient(transport=transport),
    )

    if sent:
        assert invoke_as(mode, model, "Hi").content == "hi"
    else:
        with pytest.raises(SegmindInputError, match="the emulator's base_url"):
            invoke_as(mode, model, "Hi")
    assert [str(request.url) for request in requests] == (
        [f"{base_url}/gpt-4o"] if sent else []
    )
    assert segmind_emulator.requests == []


def test_a_script_that_called_leaves_no_socket_open_at_exit(
    emulator: SegmindEmulator,
) -> None:
    script = (
        "from langchain_segmind import ChatSegmindGPT4o\n"
        f"llm = ChatSegmindGPT4o(base_url={emulator.base_url!r}, "
        f"api_key={emulator.api_key!r})\n"
        "print(llm.invoke('Hi').content)\n"
    )

    finished = subprocess.run(
        [sys.executable, "-X", "dev", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.stdout == f"{REPLY}Hi\n"
    assert "ResourceWarning" not in finished.stderr


SLUGS = ["gpt-4o", "gpt-4", "gpt-4-turbo", "gpt-5", "gpt-5-mini", "o3", "o4-mini"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_concurrent_calls_under_the_fixture_wait_their_own_time(
    segmind_emulator: SegmindEmulator, mode: str
) -> None:
    for slug in SLUGS:  # one 503 for each call, retried after 0.5 s
        segmind_emulator.inject(Fault.server_error(503), slug=slug)
    models = [ChatSegmind(model=slug, timeout=2, max_retries=1) for slug in SLUGS]

    if mode == "sync":
        with ThreadPoolExecutor(max_workers=len(models)) as pool:
            answers = list(pool.map(lambda model: model.invoke("Hi"), models))
    else:

        async def all_at_once() -> list[Any]:
            return await asyncio.gather(*(model.ainvoke("Hi") for model in models))

        answers = asyncio.run(all_at_once())

    # Seven waits of 0.5 s overlap: no call's 2 s ran out on the others' waits.
    assert [answer.content for answer in answers] == [f"{REPLY}Hi"] * len(SLUGS)
    assert segmind_emulator.clock.waits == [0.5] * len(SLUGS)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_call_without_a_timeout_waits_as_long_as_the_answer_takes(
    segmind_emulator: SegmindEmulator, mode: str
) -> None:
    segmind_emulator.inject(Fault.slow(0.3))
    model = ChatSegmindGPT4o(timeout=None, max_retries=0)

    message = invoke_as(mode, model, "Hi")

    assert message.content == f"{REPLY}Hi"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_https_to_a_plain_http_server_is_a_connection_error_that_never_sent(
    emulator: SegmindEmulator, mode: str
) -> None:
    # The TLS handshake fails before the request: safe to retry, nothing billed.
    https = emulator.base_url.replace("http://", "https://")
    model = ChatSegmindGPT4o(base_url=https, api_key=emulator.api_key, max_retries=1)

    with pytest.raises(SegmindConnectionError) as caught:
        invoke_as(mode, model, "Hi")

    assert caught.value.message.startswith("could not reach Segmind at 127.0.0.1:")
    assert "SSL" in caught.value.message
    assert caught.value.is_retryable is True
    assert emulator.requests == []
    assert emulator.connections_opened == 2  # the first attempt and its retry


def _drops_connections(address: Any) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        try:
            probe.connect(address)
        except OSError as error:  # a timeout when dropped, a refusal elsewhere
            return isinstance(error, TimeoutError)
    return False


def test_a_name_whose_first_address_hangs_is_reached_at_the_next(
    emulator: SegmindEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A listener whose queue is full drops new connections: they hang, as to
    # an address family a network drops in silence.
    with socket.socket() as hanging, socket.socket() as queued:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(0)
        queued.connect(hanging.getsockname())
        if not _drops_connections(hanging.getsockname()):
            pytest.skip("this platform refuses, not drops, a full queue's connections")
        port = int(emulator.base_url.rsplit(":", 1)[1].split("/")[0])
        addresses = [hanging.getsockname(), ("127.0.0.1", port)]
        resolve = socket.getaddrinfo

        def resolve_both(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host != "segmind.invalid":
                return resolve(host, *args, **kwargs)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", resolve_both)
        base_url = emulator.base_url.replace("127.0.0.1", "segmind.invalid")
        model = ChatSegmindGPT4o(
            base_url=base_url, api_key=emulator.api_key, timeout=10, max_retries=0
        )

        answer = asyncio.run(model.ainvoke("Hi"))

    assert answer.content == f"{REPLY}Hi"


def test_a_loop_that_goes_on_after_shutting_down_its_generators_calls_again(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(model.ainvoke("before"))
        loop.run_until_complete(loop.shutdown_asyncgens())  # closes its client
        with warnings.catch_warnings():  # asyncio's: a generator made after it
            warnings.simplefilter("ignore", ResourceWarning)
            second = loop.run_until_complete(model.ainvoke("after"))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    assert [first.content, second.content] == [f"{REPLY}before", f"{REPLY}after"]


def test_a_loop_closed_without_asyncio_run_is_let_go_at_the_next_call(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    loop = asyncio.new_event_loop()
    closed = weakref.ref(loop)
    first = loop.run_until_complete(model.ainvoke("old loop"))
    # Closed without `shutdown_asyncgens` (unlike `asyncio.run`): nothing
    # told the package, and its connection cannot be closed any more.
    loop.close()
    del loop

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        second = asyncio.run(model.ainvoke("new loop"))
        gc.collect()

    assert [first.content, second.content] == [f"{REPLY}old loop", f"{REPLY}new loop"]
    assert closed() is None


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_a_closed_loop_kept_by_the_caller_lets_its_client_go_at_the_next_call(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    asyncio.run(model.ainvoke("first loop"))  # the default clients made
    open_before = len(os.listdir("/proc/self/fd"))
    kept = []  # by a worker object, say
    for n in range(5):
        loop = asyncio.new_event_loop()
        loop.run_until_complete(model.ainvoke(f"loop {n}"))
        loop.close()  # without `shutdown_asyncgens`: its connection stays open
        kept.append(loop)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        asyncio.run(model.ainvoke("next loop"))
        gc.collect()
    # The emulator, in this process, closes its side once the client's is.
    waited_until = time.monotonic() + 5
    while len(os.listdir("/proc/self/fd")) > open_before:
        if time.monotonic() > waited_until:
            break
        time.sleep(0.01)

    assert len(os.listdir("/proc/self/fd")) <= open_before


def test_a_loop_dropped_without_being_closed_is_freed_with_its_client(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    dropped = []
    for n in range(3):
        loop = asyncio.new_event_loop()
        dropped.append(weakref.ref(loop))
        answer = loop.run_until_complete(model.ainvoke(f"loop {n}"))
        assert answer.content == f"{REPLY}loop {n}"
        del loop  # never closed: only the garbage collector frees it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # its unclosed socket
        gc.collect()

    assert [ref for ref in dropped if ref() is not None] == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_key_echoed_in_the_status_line_is_not_logged(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-echoed-in-the-reason-0123"
    status_line = f"HTTP/1.1 401 {key}\r\n".encode()

    def answer_once(connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(65536)
        connection.sendall(
            status_line + b"content-length: 2\r\nconnection: close\r\n\r\n{}"
        )

    with one_connection_server(answer_once) as base_url:
        model = ChatSegmindGPT4o(base_url=base_url, api_key=key, max_retries=0)

        with (
            caplog.at_level("DEBUG", logger="httpx2"),
            pytest.raises(SegmindAuthenticationError),
        ):
            invoke_as(mode, model, "Hi")

    assert "HTTP/1.1 401 Unauthorized" in caplog.text
    assert key not in caplog.text


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_tls_handshake_that_hangs_ends_while_a_post_could_still_be_answered(
    mode: str, real_clock: Clock
) -> None:
    # With timeout=2, a POST needs half a second left when it goes out.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # the kernel takes the connection; no TLS answer comes
        base_url = f"https://127.0.0.1:{server.getsockname()[1]}/v1"
        model = ChatSegmindGPT4o(base_url=base_url, api_key="k", timeout=2.0)

        started = time.monotonic()
        with pytest.raises(SegmindConnectionError) as caught:
            invoke_as(mode, model, "Hi")
        elapsed = time.monotonic() - started

    assert caught.value.message.startswith("could not reach Segmind")
    assert 1.3 < elapsed < 1.9


def test_a_head_that_trickles_then_stalls_ends_the_sync_call_at_its_timeout(
    real_clock: Clock,
) -> None:
    # Each byte comes within a read's timeout; the silence after them gets only
    # what is left of the call's.
    stalled = threading.Event()

    def trickle_then_stall(connection: socket.socket) -> None:
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\n":  # 0.85 s of head
            connection.sendall(bytes([byte]))
            time.sleep(0.05)
        stalled.wait(5)

    with one_connection_server(trickle_then_stall) as base_url:
        model = ChatSegmindGPT4o(base_url=base_url, api_key="k", timeout=1.0)

        started = time.monotonic()
        with pytest.raises(SegmindTimeoutError, match=r"within timeout=1s"):
            model.invoke("Hi")
        elapsed = time.monotonic() - started
        stalled.set()

    assert 0.9 < elapsed < 1.45


@pytest.mark.parametrize("transport", ["httpx2", "aiohttp"])
async def test_a_call_cancelled_in_its_tls_handshake_closes_its_connection(
    transport: str,
) -> None:
    if transport == "aiohttp":
        pytest.importorskip("httpx_aiohttp")
    loop = asyncio.get_running_loop()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # the kernel takes the connection; no TLS answer comes
        server.settimeout(5)
        base_url = f"https://127.0.0.1:{server.getsockname()[1]}/v1"
        model = ChatSegmindGPT4o(
            base_url=base_url, api_key="k", async_transport=transport
        )

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(model.ainvoke("Hi"), 0.3)
        connection, _ = server.accept()
        connection.setblocking(False)

        async def read_to_the_end() -> None:  # the ClientHello, then nothing
            while await loop.sock_recv(connection, 65536):
                pass

        with connection:
            reading = loop.create_task(read_to_the_end())
            done, _ = await asyncio.wait([reading], timeout=2)
            reading.cancel()

    assert done, "the connection was still open 2 s after the cancel"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_calls_on_a_connection_of_its_own(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    assert model.invoke("parent").content == f"{REPLY}parent"  # its socket pooled

    with clients.DEFAULT_CLIENTS._lock:  # as held by another thread at the fork
        assert exit_code_of_forked(lambda: model.invoke("child").content) == 0
    assert model.invoke("parent again").content == f"{REPLY}parent again"
    assert [r.body["messages"][-1]["content"] for r in segmind_emulator.requests] == [
        "parent",
        "child",
        "parent again",
    ]
    assert segmind_emulator.connections_opened == 2  # the parent's, the child's
