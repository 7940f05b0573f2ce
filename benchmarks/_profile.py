"""Where the time of `invoke` goes: a pyinstrument profile, summarised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from pyinstrument import Profiler, processors
from pyinstrument.frame import Frame

SOCKET = "socket calls (send/recv, incl. waiting for the emulator)"
SEGMIND = "langchain-segmind"
CORE = "langchain-core (incl. the pydantic models it builds)"
HTTP = "httpx / httpcore / h11"

_K = TypeVar("_K")

# A frame belongs to the layer of the first of these path fragments it has;
# other frames (stdlib, pydantic, json, ...) count for their caller's layer.
_LAYER_PATHS = (
    ("/langchain_segmind/", SEGMIND),
    ("/langchain_core/", CORE),
    ("/httpx/", HTTP),
    ("/httpcore/", HTTP),
    ("/h11/", HTTP),
)


@dataclass(frozen=True)
class ProfileSummary:
    """Shares of the profiled `invoke` time, each list largest first."""

    calls: int
    seconds: float
    layers: list[tuple[str, float]]  # (layer, share)
    # Where a call enters a layer: (frame, layer, share including deeper layers).
    entries: list[tuple[str, str, float]]
    # langchain-segmind functions: (frame, share of time spent in that layer).
    own: list[tuple[str, float]]


def profile(invoke: Callable[[], object], calls: int) -> ProfileSummary:
    """Profile `calls` invokes with pyinstrument (1 ms sampling)."""
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(calls):
        invoke()
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    root = processors.aggregate_repeated_calls(session.root_frame(), {})
    root = processors.merge_consecutive_self_time(root, {})
    assert root is not None
    invokes = list(_outermost(root, lambda frame: frame.function == "invoke"))
    total = sum(frame.time for frame in invokes)
    tally = _Tally()
    for frame in invokes:
        tally.add(frame, CORE, frozenset())
    return ProfileSummary(
        calls=calls,
        seconds=total,
        layers=_largest_first((k, v / total) for k, v in tally.layers.items()),
        entries=[
            (label, layer, share)
            for (label, layer), share in _largest_first(
                (k, v / total) for k, v in tally.entries.items()
            )
        ],
        own=_largest_first((k, v / total) for k, v in tally.own.items()),
    )


def _largest_first(items: Iterable[tuple[_K, float]]) -> list[tuple[_K, float]]:
    return sorted(items, key=lambda item: -item[1])


def _outermost(frame: Frame, wanted: Callable[[Frame], bool]) -> Iterator[Frame]:
    if wanted(frame):
        yield frame
        return
    for child in frame.children:
        yield from _outermost(child, wanted)


def _layer(frame: Frame, caller_layer: str) -> str:
    path = frame.file_path or ""
    if path == "<built-in>" and frame.function.startswith(("socket.", "select.")):
        return SOCKET
    for fragment, layer in _LAYER_PATHS:
        if fragment in path:
            return layer
    return caller_layer


def _label(frame: Frame) -> str:
    path = (frame.file_path or "").replace("\\", "/")
    if "/langchain_segmind/" in path:
        path = "langchain_segmind/" + path.split("/langchain_segmind/", 1)[1]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    owner = f"{frame.class_name}." if frame.class_name else ""
    return f"{module}: {owner}{frame.function}"


@dataclass
class _Tally:
    """Self time by layer; layer entries; langchain-segmind time by function."""

    layers: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    entries: dict[tuple[str, str], float] = field(
        default_factory=lambda: defaultdict(float)
    )
    own: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, frame: Frame, caller_layer: str, open_calls: frozenset[str]) -> None:
        """Count `frame` and its callees.

        `open_calls` are the langchain-segmind functions on the stack: each
        gets the self time of its layer below it, counted once per function
        however deep it recurses.
        """
        layer = _layer(frame, caller_layer)
        if layer != caller_layer and not frame.is_synthetic:
            self.entries[_label(frame), layer] += frame.time
            open_calls = frozenset()
        if layer == SEGMIND and not frame.is_synthetic:
            open_calls |= {_label(frame)}
        self_time = frame.time - sum(child.time for child in frame.children)
        self.layers[layer] += self_time
        if layer == SEGMIND:
            for label in open_calls:
                self.own[label] += self_time
        for child in frame.children:
            self.add(child, layer, open_calls)
