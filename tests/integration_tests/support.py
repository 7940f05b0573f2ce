"""What the integration tests share, besides fixtures (those are in conftest.py).

- The emulator's starting state (`STARTING_CREDITS`, `COST_PER_CALL`, `REPLY`)
  and `reset_emulator`, which puts an emulator back to it.
- Model builders: `model_kwargs`, `new_model`, `model_factory`.
- Calls and the request log: `call`, `slug_of`, `posts`, `approx`.
- Calls on each path of the transport (`PATHS`: the default sync client, and
  async over `httpx2` or `aiohttp`): `model_on` (a model with the key `KEY`),
  `run` and `invoke`; `failure_of` an action, a `closed_port`, and a
  `one_connection_server` whose handler misbehaves as a test needs.
- `each_class_and_mode`: the usual parametrization over both chat model
  classes and both call modes.
- `assert_key_nowhere`: no key in an error, its chain or any frame's locals.
- `StandardSuiteFlags`: the capabilities both runs of LangChain's standard
  suite declare (emulator: test_standard.py, live API: test_live.py).

Import as `from tests.integration_tests.support import ...`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from langchain_segmind.testing import DEFAULT_CATALOGUE, Fault, SegmindEmulator

STARTING_CREDITS = 10_000.0
"""The balance of the tier's emulator at the start of every test."""

COST_PER_CALL = 0.0123
"""What the emulator bills per successful call (its default)."""

REPLY = "Segmind emulator reply (not a model) to: "
"""The emulator's unscripted reply, followed by the last user text."""

CLASSES = [ChatSegmindClaude, ChatSegmindGPT4o]
MODES = ["sync", "async"]

ModelFactory = Callable[..., ChatSegmind]
"""`make_model(cls, **fields)`: a chat model on an emulator (see `model_factory`)."""

_Test = TypeVar("_Test", bound=Callable[..., Any])


# -- the emulator's starting state ---------------------------------------------------


def reset_emulator(emulator: SegmindEmulator) -> None:
    """Put `emulator` back to the tier's starting state.

    `SegmindEmulator.reset` clears the request log, scripted replies, faults,
    queue jobs and connection count; this also restores what it keeps: the
    starting balance, zero latency and the default catalogue.
    """
    emulator.reset()
    emulator.remaining_credits = STARTING_CREDITS
    emulator.latency = 0.0
    for slug, status in DEFAULT_CATALOGUE.items():
        if status == "retired":
            emulator.retire(slug)
        else:
            emulator.add_model(slug)


# -- models --------------------------------------------------------------------------


def model_kwargs(emulator: SegmindEmulator) -> dict[str, Any]:
    """`api_key` and `base_url` for a chat model that talks to `emulator`."""
    return {"api_key": emulator.api_key, "base_url": emulator.base_url}


def new_model(
    emulator: SegmindEmulator, cls: type[ChatSegmind] = ChatSegmindGPT4o, **fields: Any
) -> ChatSegmind:
    """A `cls` on `emulator`, with the emulator's key unless `fields` has one."""
    fields.setdefault("api_key", emulator.api_key)
    return cls(base_url=emulator.base_url, **fields)


def model_factory(emulator: SegmindEmulator, **defaults: Any) -> ModelFactory:
    """`make_model(cls, **fields)`: `new_model` on `emulator`.

    `defaults` are fields the factory's models get unless `fields` says otherwise.
    """

    def make_model(cls: type[ChatSegmind], **fields: Any) -> ChatSegmind:
        return new_model(emulator, cls, **{**defaults, **fields})

    return make_model


def slug_of(cls: type[ChatSegmind]) -> str:
    """The slug a chat model class calls by default."""
    return str(cls.model_fields["model"].default)


# -- calls and the request log -------------------------------------------------------


async def call(runnable: Any, mode: str, prompt: Any, **kwargs: Any) -> Any:
    """`runnable.invoke(prompt, **kwargs)` or `ainvoke`, as `mode` says."""
    if mode == "sync":
        return runnable.invoke(prompt, **kwargs)
    return await runnable.ainvoke(prompt, **kwargs)


def each_class_and_mode(test: _Test) -> _Test:
    """Parametrize `test` over `cls` (both classes) and `mode` (sync, async).

    The same as stacking `@pytest.mark.parametrize("mode", MODES)` over
    `@pytest.mark.parametrize("cls", CLASSES)`, so test ids end `-<cls>-<mode>`.
    """
    with_cls = pytest.mark.parametrize("cls", CLASSES)(test)
    return pytest.mark.parametrize("mode", MODES)(with_cls)


def error_fault(status: int, message: str, request_id: str | None = None) -> Fault:
    """A JSON `{"error": message}` answer, with an `x-request-id` if given."""
    headers = {} if request_id is None else {"x-request-id": request_id}
    return Fault(status=status, body={"error": message}, headers=headers)


def posts(emulator: SegmindEmulator) -> list[str]:
    """The paths of the POSTs the emulator received, in order."""
    return [r.path for r in emulator.requests if r.method == "POST"]


def approx(credits: float) -> Any:
    """Credits compare to a millionth (pytest's default, 1e-6 relative, would
    let 0.01 pass at 10,000 credits: almost one call's cost)."""
    return pytest.approx(credits, abs=1e-6)


# -- calls on each path of the transport --------------------------------------------

KEY = "sk-never-in-a-traceback-3f9a71"
"""The key of `model_on`'s models; a module constant, so no test frame holds it."""

PATHS = ["sync", "httpx2", "aiohttp"]
SYNC_PATHS = ("sync", "user-client")  # a user's client here is an httpx2.Client


def model_on(base_url: str, path: str = "sync", **fields: Any) -> ChatSegmind:
    """A GPT-4o model with the module's key, on the default clients of `path`."""
    fields.setdefault("api_key", KEY)
    backend = "aiohttp" if path == "aiohttp" else "httpx2"
    return ChatSegmindGPT4o(base_url=base_url, async_transport=backend, **fields)


def run(path: str, *calls: Callable[[], Any]) -> list[Any]:
    """Each of `calls` in turn; on an async path, awaited in one `asyncio.run`."""
    if path in SYNC_PATHS:
        return [make() for make in calls]

    async def in_one_loop() -> list[Any]:
        results = []
        for make in calls:
            result = make()
            results.append(await result if asyncio.iscoroutine(result) else result)
        return results

    return asyncio.run(in_one_loop())


def invoke(chat: ChatSegmind, path: str, prompt: str = "Hi", **kwargs: Any) -> Any:
    """A thunk for `run`: the call `path` makes."""
    if path in SYNC_PATHS:
        return lambda: chat.invoke(prompt, **kwargs)
    return lambda: chat.ainvoke(prompt, **kwargs)


def failure_of(action: Callable[[], Any]) -> BaseException:
    """What `action` raised (the test fails if it returned)."""
    try:
        result = action()
    except BaseException as error:  # any escape is the point
        return error
    pytest.fail(f"no error was raised; the call returned {result!r}")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def one_connection_server(
    serve: Callable[[socket.socket], None], *, receive_buffer: int | None = None
) -> Iterator[str]:
    """A loopback server handing its one connection to `serve` in a thread.

    Yields the base URL to give a model; the thread is joined on leaving.
    """
    with socket.socket() as server:
        if receive_buffer is not None:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(10)  # a call that never comes ends the thread

        def accept() -> None:
            connection, _ = server.accept()
            with connection:
                serve(connection)

        serving = threading.Thread(target=accept)
        serving.start()
        try:
            yield f"http://127.0.0.1:{server.getsockname()[1]}/v1"
        finally:
            serving.join()


# -- LangChain's standard suite ------------------------------------------------------


class StandardSuiteFlags:
    """The standard-suite capabilities both classes declare, offline and live.

    Put it before `ChatModelIntegrationTests` among the bases. PDF input is
    left to each suite: the emulator accepts it, the live gateway is unverified.
    """

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        # Passed through to the gateway; the emulator does not fetch the URL.
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True


def assert_key_nowhere(error: BaseException, key: str) -> None:
    """Neither the error, its chain, nor any frame's locals show `key`."""
    seen: set[int] = set()

    def walk(item: BaseException | None) -> None:
        if item is None or id(item) in seen:
            return
        seen.add(id(item))
        for text in (str(item), repr(item), repr(item.args), repr(vars(item))):
            assert key not in text
        assert item.__traceback__ is not None
        tb = item.__traceback__
        while tb is not None:
            for name, value in tb.tb_frame.f_locals.items():
                where = f"{tb.tb_frame.f_code.co_qualname}: {name}"
                assert key not in repr(value), where
            tb = tb.tb_next
        rendered = traceback.TracebackException.from_exception(
            item, capture_locals=True
        )
        for line in rendered.format():
            assert key not in line, line
        walk(item.__cause__)
        walk(item.__context__)

    walk(error)
