"""Where the CPU time of a call goes: a sampling profile, summarised by layer.

Every millisecond (a wall-clock interval timer, `SIGALRM`) a signal handler
records the Python stack, weighted by the process CPU time, user and system,
used since the previous sample. Nothing runs between samples, so the profile
does not inflate code that makes many small calls (as a tracing profiler, or
one that checks the clock on every call, does); time spent waiting for the
emulator uses no CPU and weighs nothing. A C function (`json.loads`, a
socket's `send`, pydantic's validator) counts for the Python frame that
called it. (The CPU-time timer, `ITIMER_PROF`, would need no weights, but
fires only at the kernel's tick, every 4 ms here.)
"""

from __future__ import annotations

import signal
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

SEGMIND = "langchain-segmind"
CORE = "langchain-core and langsmith (incl. the pydantic models they build)"
HTTP = "httpx2 / httpcore2 / h11 (incl. socket system calls)"
AIOHTTP = "aiohttp / httpx-aiohttp"
LOOP = "asyncio event loop and the benchmark's own loop"
LAYERS = (SEGMIND, CORE, HTTP, AIOHTTP, LOOP)

SAMPLE_SECONDS = 0.001

_K = TypeVar("_K")

# A frame belongs to the layer of the first of these path fragments it has;
# other frames (stdlib, pydantic, json, anyio, asyncio below a library ...)
# count for their caller's layer.
_LAYER_PATHS = (
    ("/langchain_segmind/", SEGMIND),
    ("/langchain_core/", CORE),
    ("/langsmith/", CORE),
    ("/httpx2/", HTTP),
    ("/httpcore2/", HTTP),
    ("/h11/", HTTP),
    ("/httpx_aiohttp/", AIOHTTP),
    ("/aiohttp/", AIOHTTP),
    ("/multidict/", AIOHTTP),
    ("/yarl/", AIOHTTP),
)

# What each langchain-segmind module does for a plain chat call (a module
# missing here is listed without a description).
MODULE_ROLES = {
    "chat_models": "the model: `_prepare` builds the call, `_read` the AIMessage",
    "conversion": "the dialect's request body; the answer read into an AIMessage",
    "conversion.messages": "LangChain messages into neutral turns",
    "conversion.openai": "OpenAI dialect: renders the body, parses the answer",
    "conversion.anthropic": "Anthropic dialect: renders the body, parses the answer",
    "conversion.types": "the neutral turn and part types",
    "conversion.blocks": "content blocks (media, reasoning)",
    "transport.send": "one call: headers, JSON body, attempts, bounded read, JSON",
    "transport.failures": "the classification of failures",
    "transport.retry": "the retry decision",
    "transport.deadline": "the call's deadline and per-phase timeouts",
    "transport.clients": "default clients; the deadline-bounded sync sockets",
    "transport.redaction": "the answer checked for the key before it is parsed",
    "callbacks": "the credit balance memory",
    "catalogue.profiles": "model profiles (sampling rules)",
    "tools.binding": "tool binding (none here)",
    "tools.protocol": "the scan for tool parts (nothing to write here)",
    "tools.structured": "structured output (none here)",
    "_lazy": "lazy exports",
}


@dataclass(frozen=True)
class ProfileSummary:
    """The CPU time of a profiled run of `calls` calls, by where it was spent.

    Each figure is a weight: the CPU seconds of the samples it covers.
    """

    calls: int
    cpu_seconds: float  # process CPU time of the profiled run
    samples: int
    weight: float  # the CPU seconds all samples cover
    layers: dict[str, float]  # by the layer of the sample's innermost frame
    # Where a call enters a layer: (frame, layer, weight at or below it).
    entries: list[tuple[str, str, float]]
    # langchain-segmind's weight by module (innermost langchain-segmind frame).
    modules: list[tuple[str, float]]

    def per_call_us(self, weight: float) -> float:
        """The CPU time per call that `weight` stands for, in µs."""
        if not self.weight:
            return 0.0
        return self.cpu_seconds * weight / self.weight / self.calls * 1e6

    def share(self, weight: float) -> float:
        return weight / self.weight if self.weight else 0.0


def available() -> bool:
    """Whether this platform has the interval timer the profile samples with."""
    return hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


Stack = tuple[tuple[str, str], ...]  # (file name, qualified name), outermost first


class CallProfile:
    """A sampling profile of the CPU time of `calls` calls (`start` to `stop`).

    Samples the main thread, which runs the calls (and, for async calls, the
    event loop that runs them).
    """

    def __init__(self, calls: int, interval: float = SAMPLE_SECONDS) -> None:
        self.calls = calls
        self.interval = interval
        self._stacks: defaultdict[Stack, float] = defaultdict(float)
        self._cpu_start = self._cpu_last = 0.0
        self._samples = 0

    def _sample(self, _signum: int, frame: FrameType | None) -> None:
        now = time.process_time()
        weight, self._cpu_last = now - self._cpu_last, now
        self._samples += 1
        stack: list[tuple[str, str]] = []
        while frame is not None:
            code = frame.f_code
            stack.append((code.co_filename, code.co_qualname))
            frame = frame.f_back
        stack.reverse()
        self._stacks[tuple(stack)] += weight

    def start(self) -> None:
        self._stacks.clear()
        self._samples = 0
        signal.signal(signal.SIGALRM, self._sample)
        self._cpu_start = self._cpu_last = time.process_time()
        signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)

    def stop(self) -> ProfileSummary:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        cpu_seconds = time.process_time() - self._cpu_start
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        layers: defaultdict[str, float] = defaultdict(float)
        entries: defaultdict[tuple[str, str], float] = defaultdict(float)
        modules: defaultdict[str, float] = defaultdict(float)
        for stack, count in self._stacks.items():
            layer, module, entered = _attribute(stack)
            layers[layer] += count
            if layer == SEGMIND:
                modules[module] += count
            for entry in entered:
                entries[entry] += count
        return ProfileSummary(
            calls=self.calls,
            cpu_seconds=cpu_seconds,
            samples=self._samples,
            weight=sum(self._stacks.values()),
            layers={layer: layers[layer] for layer in LAYERS},
            entries=[
                (label, layer, count)
                for (label, layer), count in _largest_first(entries.items())
            ],
            modules=_largest_first(modules.items()),
        )


def _largest_first(items: Iterable[tuple[_K, float]]) -> list[tuple[_K, float]]:
    return sorted(items, key=lambda item: -item[1])


def _layer_of(path: str, caller_layer: str) -> str:
    for fragment, layer in _LAYER_PATHS:
        if fragment in path:
            return layer
    return caller_layer


def _attribute(stack: Stack) -> tuple[str, str, set[tuple[str, str]]]:
    """The sample's layer, its langchain-segmind module, and the layer entries."""
    layer, module = LOOP, ""
    entered: set[tuple[str, str]] = set()
    for path, name in stack:
        path = path.replace("\\", "/")
        frame_layer = _layer_of(path, layer)
        if frame_layer != layer:
            entered.add((_label(path, name), frame_layer))
        layer = frame_layer
        if "/langchain_segmind/" in path:
            module = _segmind_module(path)
    return layer, module, entered


def _segmind_module(path: str) -> str:
    inner = path.rsplit("/langchain_segmind/", 1)[1]
    module = inner.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return module or "__init__"


def _label(path: str, name: str) -> str:
    if "/langchain_segmind/" in path:
        path = "langchain_segmind/" + path.rsplit("/langchain_segmind/", 1)[1]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return f"{module}: {name}"
