"""Section 8: reading hostile replies, in time linear in their length.

A tool-bound ChatSegmindGPT4o reads each reply as a user meets it: `invoke`,
its `http_client` a local `httpx2.MockTransport` client that answers with the
reply as a gpt-4o chat completion. No socket and no emulator, so the time is
the reading's (the answer's JSON, the protocol's blocks, the calls' arguments)
plus the call's fixed cost, which a short reply measures and which is taken
off. Each shape is read at N, 2N and 4N characters; a doubling's ratio is the
time ratio scaled to an exact doubling of the length.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from dataclasses import dataclass

import httpx2
from _measure import rotated
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from pydantic import SecretStr

from langchain_segmind import ChatSegmindGPT4o

SIZES = (250_000, 500_000, 1_000_000)  # characters of reply text: N, 2N, 4N
# Each shape is first read once at each size of a ladder from N / 32 up; a
# read slower than this stops it there (a quadratic reading can take minutes
# at 1 MB), and the shape is judged on the ladder's last doubling.
LADDER = (*(SIZES[0] // 2**k for k in range(5, 0, -1)), *SIZES)
STOP_SECONDS = 0.5
# The control's calls: 32 at N, 128 (the most a reply may make) at 4N.
CALL_CHARS = SIZES[0] // 32
PROMPT = "Call echo."


@tool
def echo(text: str) -> str:
    """Return the text."""
    return text


def _call(chars: int) -> str:
    block = '<tool_call>{"name": "echo", "arguments": {"text": ""}}</tool_call>\n'
    return block.replace('""', f'"{"y" * (chars - len(block))}"')


@dataclass(frozen=True)
class Shape:
    """A reply: `head`, then `unit` as often as fits in the size, then `tail`."""

    name: str
    head: str
    unit: str
    tail: str = ""
    control: bool = False

    def reply(self, size: int) -> str:
        units = (size - len(self.head) - len(self.tail)) // len(self.unit)
        return f"{self.head}{self.unit * units}{self.tail}"


SHAPES = (
    Shape("white space after an opening tag", "<tool_call>\n", " \n"),
    Shape("a string cut off at the reply's end", "", "x", '<tool_call>{"x": "'),
    Shape("a fenced call cut off (`max_tokens`)", "<tool_call>\n```json\n", "\n"),
    Shape("`</think>` in a JSON string, over and over", '{"a": "', "</think>{"),
    Shape("strings running on across blocks", "", '<tool_call>{"k": "' + "x" * 1000),
    Shape("empty blocks, past the 128-call cap", "", "<tool_call></tool_call>", "{"),
    Shape("valid calls of a bound tool (control)", "", _call(CALL_CHARS), control=True),
)


@dataclass(frozen=True)
class ShapeReading:
    """One shape's reads: CPU seconds per read, by size, then round."""

    shape: Shape
    lengths: tuple[int, ...]  # the reply's characters at each size
    calls: str  # valid / invalid calls read at the largest size read
    seconds: tuple[list[float], ...]  # left empty when `stopped`
    ladder: list[tuple[int, float]]  # the single first reads: (length, seconds)

    @property
    def stopped(self) -> bool:
        return self.ladder[-1][1] > STOP_SECONDS


@dataclass(frozen=True)
class HostileReadings:
    short_seconds: list[float]  # a short reply's, per round: the fixed cost
    shapes: list[ShapeReading]
    rounds: int
    reads: int  # reads per sample
    seconds: float  # the section's wall time

    @property
    def fixed(self) -> float:
        return statistics.median(self.short_seconds)

    def per_mb_ms(self, reading: ShapeReading, size: int) -> float:
        """Median ms per million characters at `SIZES[size]`, net of `fixed`."""
        net = statistics.median(reading.seconds[size]) - self.fixed
        return net * 1e3 / (reading.lengths[size] / 1e6)

    def doubling(self, reading: ShapeReading, size: int) -> float:
        """The median over rounds of `SIZES[size + 1]`'s time over `SIZES[size]`'s."""
        first, second = reading.lengths[size : size + 2]
        return statistics.median(
            self._scaled((first, small), (second, large))
            for small, large in zip(*reading.seconds[size : size + 2], strict=True)
        )

    def ladder_doubling(self, reading: ShapeReading) -> float:
        """A stopped shape's last doubling (infinite if it stopped at once)."""
        if len(reading.ladder) < 2:
            return math.inf
        return self._scaled(*reading.ladder[-2:])

    def _scaled(self, small: tuple[int, float], large: tuple[int, float]) -> float:
        """Net time ratio of two reads, as if `large`'s length were twice `small`'s."""
        (first, fast), (second, slow) = small, large
        # A read at or under the fixed cost (noise) must not make a ratio pass.
        return (slow - self.fixed) / max(fast - self.fixed, 1e-9) * (2 * first / second)

    def worst(self) -> tuple[float, ShapeReading, str]:
        """The largest doubling of a hostile shape, its shape and its sizes."""
        found = []
        for reading in self.shapes:
            if reading.shape.control:
                continue
            if reading.stopped:
                lengths = [length for length, _ in reading.ladder[-2:]]
                found.append((self.ladder_doubling(reading), reading, lengths))
                continue
            for size in range(len(SIZES) - 1):
                lengths = list(reading.lengths[size : size + 2])
                found.append((self.doubling(reading, size), reading, lengths))
        value, reading, lengths = max(found, key=lambda item: item[0])
        return value, reading, " → ".join(kb(length) for length in lengths)


def kb(characters: int) -> str:
    return f"{characters / 1e3:,.0f} KB"


def _body(text: str) -> bytes:
    """The gpt-4o chat completion whose answer is `text`."""
    message = {"role": "assistant", "content": text}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    usage = {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18}
    return json.dumps(
        {"id": "chatcmpl-8", "model": "gpt-4o", "choices": [choice], "usage": usage}
    ).encode()


class _Reader:
    """A tool-bound ChatSegmindGPT4o whose every call gets `body` back."""

    def __init__(self) -> None:
        self.body = b""
        client = httpx2.Client(transport=httpx2.MockTransport(self._answer))
        model = ChatSegmindGPT4o(
            api_key=SecretStr("benchmark"), http_client=client, max_retries=0
        )
        self.model: Runnable[LanguageModelInput, AIMessage] = model.bind_tools([echo])

    def _answer(self, request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "application/json"}
        return httpx2.Response(200, content=self.body, headers=headers)

    def seconds(self, body: bytes, reads: int) -> float:
        """CPU seconds per read of `body`, over `reads` reads."""
        self.body = body
        gc.collect()
        start = time.process_time()
        for _ in range(reads):
            self.model.invoke(PROMPT)
        return (time.process_time() - start) / reads


def _ladder(reader: _Reader, shape: Shape) -> tuple[list[tuple[int, float]], str]:
    """One read at each size of LADDER, up to the first slow one."""
    ladder = []
    for size in LADDER:
        text = shape.reply(size)
        reader.body = _body(text)
        gc.collect()
        start = time.process_time()
        message = reader.model.invoke(PROMPT)
        ladder.append((len(text), time.process_time() - start))
        if ladder[-1][1] > STOP_SECONDS:
            break
    return ladder, f"{len(message.tool_calls)} / {len(message.invalid_tool_calls)}"


def read_hostile(rounds: int, reads: int) -> HostileReadings:
    """Each shape's ladder, then `rounds` rounds of `reads` reads at each size."""
    started = time.perf_counter()
    reader = _Reader()
    short = _body("Hello!")
    reader.seconds(short, 1)
    # The benchmark's heap is large (a full collection took 30 ms here), and
    # each sample starts with one: frozen, a collection visits only new objects.
    gc.collect()
    gc.freeze()
    try:
        readings, bodies = [], {}
        for shape in SHAPES:
            ladder, calls = _ladder(reader, shape)
            texts = [shape.reply(size) for size in SIZES]
            lengths = tuple(len(text) for text in texts)
            samples: tuple[list[float], ...] = tuple([] for _ in SIZES)
            reading = ShapeReading(shape, lengths, calls, samples, ladder)
            readings.append(reading)
            if not reading.stopped:
                bodies[shape.name] = [_body(text) for text in texts]
        timed = [reading for reading in readings if not reading.stopped]
        sizes = list(range(len(SIZES)))
        short_seconds = []
        for round_ in range(rounds):
            short_seconds.append(reader.seconds(short, 4 * reads))
            for reading in rotated(timed, round_) if timed else []:
                for size in sizes if round_ % 2 == 0 else sizes[::-1]:
                    body = bodies[reading.shape.name][size]
                    reading.seconds[size].append(reader.seconds(body, reads))
    finally:
        gc.unfreeze()
    seconds = time.perf_counter() - started
    return HostileReadings(short_seconds, readings, rounds, reads, seconds)
