"""The measurements: client CPU per call, abatch, import, construction, RSS."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _subjects import (
    GPT4O,
    GPT4O_AIOHTTP,
    MESSAGES,
    AsyncTransportFactory,
    EmulatorProcess,
    MinimalChatModel,
    RawHttpx2,
    SleepingChatModel,
    Subject,
    aiohttp_missing,
    aiohttp_transport,
    segmind_gpt4o,
    segmind_gpt4o_aiohttp,
    stopwatch,
)
from langchain_core.language_models import BaseChatModel

RSS_WORKER = Path(__file__).resolve().with_name("_rss_worker.py")


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does (full run or `--quick`)."""

    cpu_calls: int  # calls per timed block
    cpu_rounds: int  # timed blocks per client, interleaved
    warmup_calls: int
    batch_calls: int
    batch_concurrency: int
    batch_latency: float
    batch_rounds: int
    import_rounds: int
    construct_calls: int
    construct_rounds: int
    rss_checkpoints: tuple[int, int]
    profile_calls: int
    instruction_calls: int  # calls counted per client and mode, per run
    instruction_warmup: int
    hostile_rounds: int  # section 8: rounds of every reply shape and size
    hostile_reads: int  # reads per timed sample


FULL = Settings(
    cpu_calls=200,
    cpu_rounds=7,
    warmup_calls=100,
    batch_calls=256,
    batch_concurrency=64,
    batch_latency=0.05,
    batch_rounds=9,
    import_rounds=5,
    construct_calls=2000,
    construct_rounds=5,
    rss_checkpoints=(500, 5000),
    profile_calls=2000,
    instruction_calls=50,
    instruction_warmup=20,
    hostile_rounds=9,
    hostile_reads=2,
)
QUICK = Settings(
    cpu_calls=50,
    cpu_rounds=2,
    warmup_calls=10,
    batch_calls=256,
    batch_concurrency=64,
    batch_latency=0.05,
    batch_rounds=1,
    import_rounds=1,
    construct_calls=200,
    construct_rounds=2,
    rss_checkpoints=(100, 1000),
    profile_calls=200,
    instruction_calls=10,
    instruction_warmup=5,
    hostile_rounds=3,
    hostile_reads=1,
)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def rotated(items: Sequence[Any], by: int) -> list[Any]:
    """`items` starting at position `by`, so no client always runs first."""
    by %= len(items)
    return [*items[by:], *items[:by]]


# -- 1. client CPU per call ----------------------------------------------------


def cpu_per_call(
    clients: Sequence[Subject], settings: Settings
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Client CPU time per call, in µs, one sample per round: (invoke, ainvoke).

    Clients are interleaved round by round, so that a slow spell of the machine
    hits every client alike and per-round ratios stay comparable.
    """
    return _sync_cpu(clients, settings), asyncio.run(_async_cpu(clients, settings))


def _sync_cpu(clients: Sequence[Subject], settings: Settings) -> dict[str, list[float]]:
    calls = {c.name: c.invoke for c in clients if c.invoke is not None}
    for invoke in calls.values():
        for _ in range(settings.warmup_calls):
            invoke()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(settings.cpu_rounds):
        for name in rotated(list(calls), round_):
            invoke = calls[name]
            gc.collect()
            start = time.process_time()
            for _ in range(settings.cpu_calls):
                invoke()
            elapsed = time.process_time() - start
            samples[name].append(elapsed / settings.cpu_calls * 1e6)
    return samples


async def _async_cpu(
    clients: Sequence[Subject], settings: Settings
) -> dict[str, list[float]]:
    for client in clients:
        for _ in range(settings.warmup_calls):
            await client.ainvoke()
    samples: dict[str, list[float]] = {client.name: [] for client in clients}
    for round_ in range(settings.cpu_rounds):
        for client in rotated(clients, round_):
            gc.collect()
            start = time.process_time()
            for _ in range(settings.cpu_calls):
                await client.ainvoke()
            elapsed = time.process_time() - start
            samples[client.name].append(elapsed / settings.cpu_calls * 1e6)
    for client in clients:
        if client.aclose is not None:
            await client.aclose()
    return samples


# -- 2. abatch -------------------------------------------------------------------


@dataclass
class BatchSamples:
    """One client's abatch rounds."""

    wall_seconds: list[float]
    connections: list[int]
    client_cpu_ms_per_call: list[float]
    server_cpu_ms_per_call: list[float]


BatchRunner = Callable[
    [EmulatorProcess, Settings], Coroutine[Any, Any, tuple[float, float]]
]


def _model_batch(
    factory: Callable[[EmulatorProcess, Settings], BaseChatModel],
) -> BatchRunner:
    async def run(emulator: EmulatorProcess, settings: Settings) -> tuple[float, float]:
        model = factory(emulator, settings)
        # One untimed call creates this event loop's pooled client, as the
        # first call of an application would.
        await model.ainvoke(MESSAGES)
        with stopwatch() as elapsed:
            await model.abatch(
                [MESSAGES] * settings.batch_calls,
                config={"max_concurrency": settings.batch_concurrency},
            )
        if isinstance(model, MinimalChatModel):
            await model.aclose()
        return elapsed.wall, elapsed.cpu

    return run


def _raw_batch(raw_client: Callable[[EmulatorProcess], RawHttpx2]) -> BatchRunner:
    async def run(emulator: EmulatorProcess, settings: Settings) -> tuple[float, float]:
        raw = raw_client(emulator)
        return await raw.abatch(settings.batch_calls, settings.batch_concurrency)

    return run


BATCH_FLOOR = "langchain-core floor (no-op model sleeping the latency, no I/O)"
BATCH_RAW = "raw httpx2 (gather + semaphore)"
BATCH_RAW_AIOHTTP = "raw httpx2 over AiohttpTransport (gather + semaphore)"
BATCH_MINIMAL = "minimal integration (raw httpx2 in a BaseChatModel)"
BATCH_MINIMAL_AIOHTTP = "minimal integration over AiohttpTransport"


def batch_clients() -> dict[str, BatchRunner]:
    """The clients of the abatch benchmark (the aiohttp ones when available)."""
    clients: dict[str, BatchRunner] = {
        BATCH_FLOOR: _model_batch(
            lambda _emulator, settings: SleepingChatModel(
                latency=settings.batch_latency
            )
        ),
        BATCH_RAW: _raw_batch(lambda e: RawHttpx2(e.base_url, e.api_key)),
        BATCH_MINIMAL: _model_batch(_minimal(None)),
        GPT4O: _model_batch(lambda emulator, _settings: segmind_gpt4o(emulator)),
    }
    if aiohttp_missing() is None:
        clients[BATCH_RAW_AIOHTTP] = _raw_batch(
            lambda e: RawHttpx2(e.base_url, e.api_key, aiohttp_transport)
        )
        clients[BATCH_MINIMAL_AIOHTTP] = _model_batch(_minimal(aiohttp_transport))
        clients[GPT4O_AIOHTTP] = _model_batch(
            lambda emulator, _settings: segmind_gpt4o_aiohttp(emulator)
        )
    return clients


def _minimal(
    transport: AsyncTransportFactory | None,
) -> Callable[[EmulatorProcess, Settings], BaseChatModel]:
    """A minimal integration whose client allows the batch's concurrency."""

    def make(emulator: EmulatorProcess, settings: Settings) -> BaseChatModel:
        raw = RawHttpx2(
            emulator.base_url,
            emulator.api_key,
            transport,
            max_connections=settings.batch_concurrency,
        )
        return MinimalChatModel(raw=raw)

    return make


def _one_batch(
    emulator: EmulatorProcess, settings: Settings, run: BatchRunner
) -> tuple[float, int, float, float]:
    """Wall seconds, connections, client and server CPU seconds of one batch.

    Each batch runs in a new event loop, hence on a new connection pool; the
    connection count includes the one the warm-up call opened.
    """
    gc.collect()
    emulator.reset()
    server_start = emulator.cpu_seconds()
    wall, client_cpu = asyncio.run(run(emulator, settings))
    server_cpu = emulator.cpu_seconds() - server_start
    return wall, emulator.connections(), client_cpu, server_cpu


def abatch(emulator: EmulatorProcess, settings: Settings) -> dict[str, BatchSamples]:
    """`abatch` against the emulator's latency, every client in each round."""
    emulator.set_latency(settings.batch_latency)
    clients = batch_clients()
    names = list(clients)
    samples = {name: BatchSamples([], [], [], []) for name in names}
    try:
        for round_ in range(settings.batch_rounds):
            for name in rotated(names, round_):
                wall, connections, client_cpu, server_cpu = _one_batch(
                    emulator, settings, clients[name]
                )
                per_call_ms = 1e3 / settings.batch_calls
                sample = samples[name]
                sample.wall_seconds.append(wall)
                sample.connections.append(connections)
                sample.client_cpu_ms_per_call.append(client_cpu * per_call_ms)
                sample.server_cpu_ms_per_call.append(server_cpu * per_call_ms)
    finally:
        emulator.set_latency(0.0)
    return samples


# -- 3. import time ----------------------------------------------------------------

IMPORTS: dict[str, str] = {
    "langchain_core.language_models + httpx2": (
        "import langchain_core.language_models, httpx2"
    ),
    "langchain_segmind": "import langchain_segmind",
    "langchain_openai": "import langchain_openai",
    # What any chat-model package pays once it defines its class: the two
    # imports above are lazy and load no model class.
    "BaseChatModel + httpx2": (
        "from langchain_core.language_models import BaseChatModel; import httpx2"
    ),
    "ChatSegmindGPT4o": "from langchain_segmind import ChatSegmindGPT4o",
    "ChatOpenAI": "from langchain_openai import ChatOpenAI",
}


def _import_seconds(statement: str, env: dict[str, str]) -> float:
    code = (
        "import time\n"
        "start = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - start)\n"
    )
    # From this directory, which holds no package: `-c` puts the working
    # directory first on sys.path, and the project root would win over the
    # installed (or PYTHONPATH's) langchain_segmind.
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=RSS_WORKER.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.split()[-1])


def import_times(settings: Settings) -> dict[str, list[float]]:
    """Seconds to import each target in a fresh interpreter, `import_rounds` each.

    Bytecode caching is allowed, as in an installed package: a first, untimed
    round compiles what is not compiled yet.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for statement in IMPORTS.values():
        _import_seconds(statement, env)
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    names = list(IMPORTS)
    for round_ in range(settings.import_rounds):
        for name in rotated(names, round_):
            samples[name].append(_import_seconds(IMPORTS[name], env))
    return samples


# -- 4. construction -----------------------------------------------------------------


def construction_us(
    factories: dict[str, Callable[[], object]], settings: Settings
) -> dict[str, list[float]]:
    """CPU µs to construct one instance, per round."""
    samples: dict[str, list[float]] = {name: [] for name in factories}
    for factory in factories.values():
        for _ in range(settings.construct_calls // 10):
            factory()
    for round_ in range(settings.construct_rounds):
        for name in rotated(list(factories), round_):
            factory = factories[name]
            gc.collect()
            start = time.process_time()
            for _ in range(settings.construct_calls):
                factory()
            elapsed = time.process_time() - start
            samples[name].append(elapsed / settings.construct_calls * 1e6)
    return samples


# -- 5. peak RSS ---------------------------------------------------------------------


RSS_MODES = ("invoke", "ainvoke")


@dataclass(frozen=True)
class RssSamples:
    """Peak RSS of a fresh process after each checkpoint's number of calls."""

    checkpoints: tuple[int, int]
    # By mode ("invoke", "ainvoke"): the peak at each checkpoint, in bytes.
    peak_bytes: dict[str, tuple[int, int]]


def peak_rss(emulator: EmulatorProcess, settings: Settings) -> RssSamples:
    """Sequential invokes, then ainvokes (one event loop), each in a new process."""
    first, last = settings.rss_checkpoints
    peaks: dict[str, tuple[int, int]] = {}
    for mode in RSS_MODES:
        result = subprocess.run(
            [
                sys.executable,
                str(RSS_WORKER),
                mode,
                emulator.base_url,
                emulator.api_key,
                str(first),
                str(last),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        found = json.loads(result.stdout)
        peaks[mode] = (found[str(first)], found[str(last)])
    return RssSamples((first, last), peaks)
