"""What the benchmark calls: the emulator process, the request and the clients."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import httpx2
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from langchain_segmind import ChatSegmindClaude, ChatSegmindGPT4o

SERVER_SCRIPT = Path(__file__).resolve().with_name("_server.py")

MESSAGES: list[BaseMessage] = [
    SystemMessage("You are terse."),
    HumanMessage("Say hello."),
]
# The body ChatSegmindGPT4o sends for MESSAGES (checked by `check_same_body`),
# which the raw httpx2 baseline posts to the same route.
BODY: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello."},
    ]
}
RAW_ROUTE = "gpt-4o"

RAW = "raw httpx2"
RAW_AIOHTTP = "raw httpx2 over AiohttpTransport"
FLOOR = "langchain-core floor (no-op model)"
GPT4O = "ChatSegmindGPT4o"
GPT4O_AIOHTTP = 'ChatSegmindGPT4o (async_transport="aiohttp")'
CLAUDE = "ChatSegmindClaude"
OPENAI = "ChatOpenAI (langchain-openai)"
MINIMAL = "minimal integration (raw httpx2 in a BaseChatModel)"


def split_cpus() -> tuple[set[int], set[int]] | None:
    """The client's CPUs and the emulator's, when there are two or more to split."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return (set(cpus[:-1]), {cpus[-1]}) if len(cpus) >= 2 else None


class Endpoint(Protocol):
    """Where the emulator listens and the key it accepts: what a client needs."""

    base_url: str
    api_key: str


class EmulatorProcess:
    """The emulator in a child process (`_server.py`), steered over a pipe.

    Where there are two CPUs or more, the emulator runs on the last one and
    the client on the others while it lives: neither's work then lands in the
    other's time slices (in one trial, rounds of the same client then
    differed by about ±8 µs per call instead of ±50 µs).
    """

    def __init__(self) -> None:
        split = split_cpus()
        # Every CPU the benchmark had before the split (`None`: no split).
        self.cpus = None if split is None else split[0] | split[1]
        self._process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=None if split is None else partial(_pin, split[1]),
        )
        if split is not None:
            _pin(split[0])
        self.base_url = self._read_line()
        self.api_key = self._read_line().removeprefix("api key: ")

    def _read_line(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process exited unexpectedly")
        return line.strip()

    def command(self, line: str) -> str:
        """Send one control command and return its one-line answer."""
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._read_line()

    def reset(self) -> None:
        """Clear the request log and the connection count."""
        self.command("reset")

    def connections(self) -> int:
        """TCP connections accepted since the last reset."""
        return int(self.command("connections"))

    def set_latency(self, seconds: float) -> None:
        """Set the latency the emulator adds to every answer."""
        self.command(f"latency {seconds}")

    def cpu_seconds(self) -> float:
        """The emulator process's CPU time so far."""
        return float(self.command("cpu"))

    def close(self) -> None:
        """Stop the emulator process; the client gets back every CPU."""
        if self.cpus is not None:
            _pin(self.cpus)
        if self._process.poll() is None:
            try:
                self.command("quit")
                self._process.wait(timeout=10)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _pin(cpus: set[int]) -> None:
    os.sched_setaffinity(0, cpus)


def _fixed_result() -> ChatResult:
    return ChatResult(generations=[ChatGeneration(message=AIMessage("Hello."))])


class NoOpChatModel(BaseChatModel):
    """The langchain-core floor: what `invoke` costs with no I/O at all."""

    @property
    def _llm_type(self) -> str:
        return "no-op"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _fixed_result()

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _fixed_result()


class SleepingChatModel(NoOpChatModel):
    """The langchain-core floor of an `abatch`: each call only waits `latency`."""

    latency: float = 0.0

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        await asyncio.sleep(self.latency)
        return _fixed_result()


AsyncTransportFactory = Callable[[int], httpx2.AsyncBaseTransport]


def aiohttp_missing() -> str | None:
    """Why the aiohttp subjects cannot run here, or `None` when they can."""
    if "async_transport" not in ChatSegmindGPT4o.model_fields:
        return "this langchain-segmind has no `async_transport` field"
    try:
        import aiohttp  # noqa: F401
        import httpx_aiohttp.httpx2  # noqa: F401
    except ImportError:
        return "the `aiohttp` extra is not installed"
    return None


def aiohttp_transport(max_connections: int) -> httpx2.AsyncBaseTransport:
    """httpx-aiohttp's transport, at most `max_connections` connections."""
    from httpx_aiohttp.httpx2 import AiohttpTransport

    return AiohttpTransport(
        limits=httpx2.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
        )
    )


def _answer_text(response: httpx2.Response) -> str:
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


class RawHttpx2:
    """The request and answer of ChatSegmindGPT4o, with nothing but httpx2.

    `async_transport` builds the async client's transport (from its
    connection limit); by default it is httpx2's own. `max_connections` is
    the limit of `ainvoke`'s client; by default the library's.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        async_transport: AsyncTransportFactory | None = None,
        max_connections: int | None = None,
    ) -> None:
        self.url = f"{base_url}/{RAW_ROUTE}"
        self.headers = {"x-api-key": api_key}
        self._async_transport = async_transport
        self._max_connections = max_connections
        self._client: httpx2.Client | None = None
        self._async_client: httpx2.AsyncClient | None = None

    def _new_async_client(self, max_connections: int | None) -> httpx2.AsyncClient:
        """A new async client; `None` keeps the library's default limits."""
        if self._async_transport is not None:
            return httpx2.AsyncClient(
                transport=self._async_transport(max_connections or 100)
            )
        if max_connections is None:
            return httpx2.AsyncClient()
        limits = httpx2.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        return httpx2.AsyncClient(limits=limits)

    def invoke(self) -> str:
        if self._client is None:
            self._client = httpx2.Client()
        return _answer_text(
            self._client.post(self.url, json=BODY, headers=self.headers)
        )

    async def ainvoke(self) -> str:
        if self._async_client is None:
            self._async_client = self._new_async_client(self._max_connections)
        return await self._apost(self._async_client)

    async def aclose(self) -> None:
        """Close the async client of `ainvoke` (in the loop that made it)."""
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    async def _apost(self, client: httpx2.AsyncClient) -> str:
        response = await client.post(self.url, json=BODY, headers=self.headers)
        return _answer_text(response)

    async def abatch(self, calls: int, max_concurrency: int) -> tuple[float, float]:
        """Wall and CPU seconds of `calls` posts, `max_concurrency` at a time.

        The floor of an `abatch`: `asyncio.gather` bounded by a semaphore, on
        one client limited to `max_concurrency` connections. Like the models'
        abatch, on a new pool warmed by one call (untimed).
        """
        gate = asyncio.Semaphore(max_concurrency)

        async def gated(client: httpx2.AsyncClient) -> str:
            async with gate:
                return await self._apost(client)

        async with self._new_async_client(max_concurrency) as client:
            await self._apost(client)
            with stopwatch() as elapsed:
                await asyncio.gather(*(gated(client) for _ in range(calls)))
        return elapsed.wall, elapsed.cpu


class MinimalChatModel(BaseChatModel):
    """The cheapest integration: RawHttpx2's call inside a BaseChatModel.

    Not a goal's baseline; it shows what langchain-core and the HTTP call cost
    together, which is more than the sum of their costs apart.
    """

    raw: RawHttpx2

    @property
    def _llm_type(self) -> str:
        return "minimal"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = AIMessage(self.raw.invoke())
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = AIMessage(await self.raw.ainvoke())
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def aclose(self) -> None:
        """Close the async client (in the event loop that made it)."""
        await self.raw.aclose()


@dataclass
class Elapsed:
    """Wall and process CPU seconds, set when the `stopwatch` block ends."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Elapsed]:
    """Measure the wall and process CPU time of the block."""
    elapsed = Elapsed()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield elapsed
    finally:
        elapsed.wall = time.perf_counter() - wall
        elapsed.cpu = time.process_time() - cpu


def segmind_gpt4o(emulator: Endpoint, **fields: Any) -> ChatSegmindGPT4o:
    return ChatSegmindGPT4o(
        api_key=SecretStr(emulator.api_key), base_url=emulator.base_url, **fields
    )


def segmind_gpt4o_aiohttp(emulator: Endpoint) -> ChatSegmindGPT4o:
    return segmind_gpt4o(emulator, async_transport="aiohttp")


def segmind_claude(emulator: Endpoint) -> ChatSegmindClaude:
    return ChatSegmindClaude(
        api_key=SecretStr(emulator.api_key), base_url=emulator.base_url
    )


def chat_openai(emulator: Endpoint) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=emulator.base_url, api_key=SecretStr(emulator.api_key), model="gpt-4o"
    )


def http_library(client: object) -> str:
    """The HTTPX class `client` is (or derives from): `httpx2.Client`, say."""
    for kind in type(client).__mro__:
        library = kind.__module__.split(".")[0]
        if library in ("httpx2", "httpx"):
            return f"{library}.{kind.__name__}"
    return f"{type(client).__module__}.{type(client).__qualname__} (not HTTPX)"


def chat_openai_http(emulator: EmulatorProcess) -> str:
    """Which HTTP library ChatOpenAI's sync and async clients run on, here."""
    model = chat_openai(emulator)
    sync = http_library(model.root_client._client)
    async_ = http_library(model.root_async_client._client)
    return f"`{sync}` and `{async_}`"


@dataclass(frozen=True)
class Subject:
    """One client under test: a sync and an async call of MESSAGES.

    `invoke` is `None` for a variant that only changes the async path.
    """

    name: str
    invoke: Callable[[], object] | None
    ainvoke: Callable[[], Awaitable[object]]
    # Run at the end of the async benchmark's event loop, if given.
    aclose: Callable[[], Awaitable[None]] | None = None


def model_subject(name: str, model: BaseChatModel, *, sync: bool = True) -> Subject:
    return Subject(
        name,
        (lambda: model.invoke(MESSAGES)) if sync else None,
        lambda: model.ainvoke(MESSAGES),
    )


def subjects(emulator: Endpoint) -> list[Subject]:
    """The clients of the CPU benchmark, baselines first."""
    raw = RawHttpx2(emulator.base_url, emulator.api_key)
    found = [
        Subject(RAW, raw.invoke, raw.ainvoke, raw.aclose),
        model_subject(FLOOR, NoOpChatModel()),
        model_subject(MINIMAL, MinimalChatModel(raw=raw)),
        model_subject(GPT4O, segmind_gpt4o(emulator)),
        model_subject(CLAUDE, segmind_claude(emulator)),
        model_subject(OPENAI, chat_openai(emulator)),
    ]
    if aiohttp_missing() is None:
        raw_aiohttp = RawHttpx2(
            emulator.base_url, emulator.api_key, async_transport=aiohttp_transport
        )
        found += [
            Subject(RAW_AIOHTTP, None, raw_aiohttp.ainvoke, raw_aiohttp.aclose),
            model_subject(GPT4O_AIOHTTP, segmind_gpt4o_aiohttp(emulator), sync=False),
        ]
    return found


def check_same_body(emulator: EmulatorProcess) -> None:
    """Fail unless ChatSegmindGPT4o sends BODY to the raw baseline's route."""
    sent: list[httpx2.Request] = []
    with httpx2.Client(event_hooks={"request": [sent.append]}) as client:
        model = ChatSegmindGPT4o(
            api_key=SecretStr(emulator.api_key),
            base_url=emulator.base_url,
            http_client=client,
        )
        model.invoke(MESSAGES)
    request = sent[-1]
    if request.url.path != f"/v1/{RAW_ROUTE}" or json.loads(request.content) != BODY:
        raise RuntimeError(
            "ChatSegmindGPT4o no longer sends the raw baseline's request: "
            f"{request.url.path} {request.content!r}; update BODY in _subjects.py"
        )
