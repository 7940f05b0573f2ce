"""The goals, the measured results they are judged on, and paired ratios."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from _hostile import HostileReadings
from _instructions import InstructionCounts
from _measure import BatchSamples, RssSamples, Settings
from _profile import ProfileSummary
from _subjects import CLAUDE, GPT4O, MINIMAL, OPENAI

# The goals (issue 17, item 6). The floor is the minimal integration: the raw
# httpx2 POST made from a BaseChatModel's `_generate` / `_agenerate`.
MAX_CPU_VS_MINIMAL = 1.15  # times the minimal integration's client CPU
MAX_CPU_VS_OPENAI = 0.4  # times ChatOpenAI's
MAX_BATCH_VS_MINIMAL = 1.05  # times the minimal integration's abatch wall time
# "Flat": the peak after 5,000 calls at most 1 MiB above the peak after 500,
# under 233 bytes per call over the 4,500 calls between (ru_maxrss is the
# high-water mark, so it never goes down).
MAX_RSS_GROWTH_BYTES = 2**20
# Issue 19: a hostile reply is read in time linear in its length. Read
# linearly, the largest doubling of a run was 2.00x to 2.26x in 30 runs on 2
# shared CPUs, quiet or busy (2.30x at most in 21 `--quick` runs): 500 KB ->
# 1 MB of white space or a cut-off fence costs about 5% more per MB, back
# down at 2 and 4 MB. A quadratic reading doubles at about 4x.
MAX_HOSTILE_DOUBLING = 2.5
CPU_GOAL_MODELS = (GPT4O, CLAUDE)
CPU_LIMITS = ((MINIMAL, MAX_CPU_VS_MINIMAL), (OPENAI, MAX_CPU_VS_OPENAI))
BASELINE_LABELS = {MINIMAL: "the minimal integration", OPENAI: "ChatOpenAI"}

MODES = ("invoke", "ainvoke")


@dataclass(frozen=True)
class Results:
    settings: Settings
    invoke_us: dict[str, list[float]]
    ainvoke_us: dict[str, list[float]]
    batches: dict[str, BatchSamples]
    imports_s: dict[str, list[float]]
    construction_us: dict[str, list[float]]
    rss: RssSamples
    profiles: dict[tuple[str, str], ProfileSummary]
    backlog: str
    openai_http: str
    aiohttp_missing: str | None
    # Section 7, or why it was not measured.
    instructions: InstructionCounts | str
    hostile: HostileReadings

    def cpu(self, mode: str) -> dict[str, list[float]]:
        return self.invoke_us if mode == "invoke" else self.ainvoke_us


@dataclass(frozen=True)
class Check:
    goal: str
    measured: str
    target: str
    passed: bool | None  # None: could not be measured here

    @property
    def result(self) -> str:
        return {True: "PASS", False: "FAIL", None: "NOT RUN"}[self.passed]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(
    samples: dict[str, list[float]], name: str, over: Sequence[str]
) -> float:
    """Median over rounds of `name` / sum of `over`, each from the same round."""
    return median(
        [
            value / sum(samples[other][round_] for other in over)
            for round_, value in enumerate(samples[name])
        ]
    )


def ideal_batch_seconds(settings: Settings) -> float:
    waves = math.ceil(settings.batch_calls / settings.batch_concurrency)
    return waves * settings.batch_latency


def paired_batch_cpu_ratio(results: Results, name: str, floor: str) -> float:
    """Median over rounds of `name`'s client CPU / `floor`'s in the same round."""
    batch, base = results.batches[name], results.batches[floor]
    return median(
        [
            cpu / base.client_cpu_ms_per_call[round_]
            for round_, cpu in enumerate(batch.client_cpu_ms_per_call)
        ]
    )


def paired_batch_ratio(results: Results, name: str, floor: str) -> float:
    """Median over rounds of `name`'s wall time / `floor`'s in the same round."""
    batch, base = results.batches[name], results.batches[floor]
    return median(
        [
            wall / base.wall_seconds[round_]
            for round_, wall in enumerate(batch.wall_seconds)
        ]
    )
