"""How much a ChatSegmind call costs on top of the HTTP call itself.

    python benchmarks/run.py                           # full run (~3 min, 2 cores)
    python benchmarks/run.py --quick                   # smoke run (~1 min)
    python benchmarks/run.py --write docs/benchmarks.md

(`python dev.py bench [options]` runs the same.) The emulator runs in a child
process (`_server.py`), so its CPU time is not the client's. Every client is
on httpx2. Measured, in one run, with warm-up and interleaved repetitions,
reporting medians:

1. client CPU time per `invoke`/`ainvoke`: raw httpx2, a no-op langchain-core
   model (the floor), the two together (a minimal integration),
   ChatSegmindGPT4o, ChatSegmindClaude and langchain-openai's ChatOpenAI (and,
   with the `aiohttp` extra, the async calls over httpx-aiohttp's transport);
2. `abatch` of 256 calls at max_concurrency=64 against 50 ms of latency,
   against a raw `asyncio.gather` floor on the same transport, and the TCP
   connections opened;
3. import time in a fresh interpreter;
4. construction time of one model;
5. peak RSS of a fresh process after 500 and after 5,000 invokes (and ainvokes);

then profiles the CPU time of ChatSegmindGPT4o and the minimal integration,
prints every goal with PASS/FAIL and, with `--write`, writes the markdown
report.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _measure import (
    BATCH_FLOOR,
    BATCH_GOALS,
    BATCH_MINIMAL,
    BATCH_MINIMAL_AIOHTTP,
    BATCH_RAW,
    BATCH_RAW_AIOHTTP,
    FULL,
    IMPORTS,
    QUICK,
    RSS_MODES,
    BatchSamples,
    RssSamples,
    Settings,
    abatch,
    construction_us,
    cpu_per_call,
    import_times,
    peak_rss,
)
from _profile import LAYERS, MODULE_ROLES, CallProfile, ProfileSummary, available
from _report import (
    count,
    load_average,
    machine,
    mib,
    ms,
    percent,
    ratio,
    table,
    us,
)
from _subjects import (
    CLAUDE,
    FLOOR,
    GPT4O,
    GPT4O_AIOHTTP,
    MESSAGES,
    MINIMAL,
    OPENAI,
    RAW,
    RAW_AIOHTTP,
    EmulatorProcess,
    MinimalChatModel,
    NoOpChatModel,
    RawHttpx2,
    aiohttp_missing,
    chat_openai_http,
    check_same_body,
    segmind_claude,
    segmind_gpt4o,
    subjects,
)
from langchain_core.language_models import BaseChatModel

# The goals of issue 12, item 6.
MAX_CPU_VS_FLOOR = 1.2  # times (raw httpx2 + langchain-core floor)
MAX_CPU_VS_OPENAI = 0.4  # times ChatOpenAI
MAX_BATCH_VS_FLOOR = 1.15  # times the raw gather floor on the same transport
MAX_IMPORT_VS_BASELINE = 1.1  # times BaseChatModel + httpx2
MAX_CONSTRUCTION_US = 100.0
# "Flat": the peak after 5,000 calls at most 1 MiB above the peak after 500,
# under 233 bytes per call over the 4,500 calls between (ru_maxrss is the
# high-water mark, so it never goes down).
MAX_RSS_GROWTH_BYTES = 2**20

PROFILE_ENTRY_ROWS = 10
PROFILE_MODULE_ROWS = 12
PROFILE_MIN_SHARE = 0.005

# `--write` keeps whatever follows this line in the existing report (hand-written
# analysis), and regenerates everything above it.
KEEP_MARKER = "<!-- Hand-written below this line: kept by `run.py --write`. -->"

IMPORT_BASELINE = "BaseChatModel + httpx2"
MODES = ("invoke", "ainvoke")
# The profiled calls: (client, mode).
PROFILED = (
    (MINIMAL, "invoke"),
    (GPT4O, "invoke"),
    (MINIMAL, "ainvoke"),
    (GPT4O, "ainvoke"),
)


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


# -- measuring -----------------------------------------------------------------


def _step(title: str) -> Callable[[], None]:
    print(f"-- {title} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    return lambda: print(
        f"   done in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )


def _profile_calls(model: BaseChatModel, mode: str, calls: int) -> ProfileSummary:
    """Profile `calls` sequential calls, after a few untimed ones."""
    recorder = CallProfile(calls)
    if mode == "invoke":
        for _ in range(10):
            model.invoke(MESSAGES)
        recorder.start()
        for _ in range(calls):
            model.invoke(MESSAGES)
        return recorder.stop()

    async def run() -> ProfileSummary:
        for _ in range(10):
            await model.ainvoke(MESSAGES)
        recorder.start()
        for _ in range(calls):
            await model.ainvoke(MESSAGES)
        summary = recorder.stop()
        if isinstance(model, MinimalChatModel):
            await model.raw.aclose()
        return summary

    return asyncio.run(run())


def measure(settings: Settings) -> Results:
    with EmulatorProcess() as emulator:
        check_same_body(emulator)
        backlog = emulator.command("backlog")
        openai_http = chat_openai_http(emulator)

        done = _step("client CPU per invoke and ainvoke")
        invoke_us, ainvoke_us = cpu_per_call(subjects(emulator), settings)
        done()

        done = _step("abatch against the emulator's latency")
        batches = abatch(emulator, settings)
        done()

        done = _step("construction")
        constructed = construction_us(
            {
                FLOOR: NoOpChatModel,
                GPT4O: lambda: segmind_gpt4o(emulator),
                CLAUDE: lambda: segmind_claude(emulator),
            },
            settings,
        )
        done()

        done = _step("peak RSS after invokes and ainvokes (fresh processes)")
        rss = peak_rss(emulator, settings)
        done()

        done = _step("CPU profiles of ChatSegmindGPT4o and the minimal integration")
        models: dict[str, BaseChatModel] = {
            GPT4O: segmind_gpt4o(emulator),
            MINIMAL: MinimalChatModel(
                raw=RawHttpx2(emulator.base_url, emulator.api_key)
            ),
        }
        profiles = (
            {
                (name, mode): _profile_calls(models[name], mode, settings.profile_calls)
                for name, mode in PROFILED
            }
            if available()
            else {}
        )
        done()

    done = _step("import time (fresh interpreters)")
    imports_s = import_times(settings)
    done()
    return Results(
        settings=settings,
        invoke_us=invoke_us,
        ainvoke_us=ainvoke_us,
        batches=batches,
        imports_s=imports_s,
        construction_us=constructed,
        rss=rss,
        profiles=profiles,
        backlog=backlog,
        openai_http=openai_http,
        aiohttp_missing=aiohttp_missing(),
    )


# -- goals ---------------------------------------------------------------------------


def _cpu_checks(results: Results) -> list[Check]:
    found: list[Check] = []
    for mode in MODES:
        samples = results.cpu(mode)
        floor = median(samples[RAW]) + median(samples[FLOOR])
        for model in (GPT4O, CLAUDE):
            vs_floor = paired_ratio(samples, model, [RAW, FLOOR])
            vs_openai = paired_ratio(samples, model, [OPENAI])
            found.append(
                Check(
                    f"{model}.{mode} client CPU vs raw httpx2 + core floor",
                    f"{ratio(vs_floor, 3)} ({us(median(samples[model]))} vs "
                    f"{us(floor)})",
                    f"≤ {ratio(MAX_CPU_VS_FLOOR)}",
                    vs_floor <= MAX_CPU_VS_FLOOR,
                )
            )
            found.append(
                Check(
                    f"{model}.{mode} client CPU vs ChatOpenAI",
                    f"{ratio(vs_openai, 3)} ({us(median(samples[model]))} vs "
                    f"{us(median(samples[OPENAI]))})",
                    f"≤ {ratio(MAX_CPU_VS_OPENAI)}",
                    vs_openai <= MAX_CPU_VS_OPENAI,
                )
            )
    return found


def _batch_checks(results: Results) -> list[Check]:
    found: list[Check] = []
    concurrency = results.settings.batch_concurrency
    for model, floor in BATCH_GOALS.items():
        if model not in results.batches:
            reason = f"not measured: {results.aiohttp_missing}"
            found.append(
                Check(
                    f"{model}.abatch wall time vs {_floor_label(floor)}",
                    reason,
                    "",
                    None,
                )
            )
            found.append(Check(f"{model}.abatch TCP connections", reason, "", None))
            continue
        batch, base = results.batches[model], results.batches[floor]
        vs_floor = _paired_batch_ratio(results, model, floor)
        found.append(
            Check(
                f"{model}.abatch wall time vs {_floor_label(floor)}",
                f"{ratio(vs_floor, 3)} ({ms(median(batch.wall_seconds) * 1e3)} vs "
                f"{ms(median(base.wall_seconds) * 1e3)})",
                f"≤ {ratio(MAX_BATCH_VS_FLOOR)}",
                vs_floor <= MAX_BATCH_VS_FLOOR,
            )
        )
        found.append(
            Check(
                f"{model}.abatch TCP connections opened (most in a round)",
                str(max(batch.connections)),
                f"≤ {concurrency}",
                max(batch.connections) <= concurrency,
            )
        )
    return found


def checks(results: Results) -> list[Check]:
    found = [*_cpu_checks(results), *_batch_checks(results)]
    imports = results.imports_s
    import_ratio = paired_ratio(imports, GPT4O, [IMPORT_BASELINE])
    found.append(
        Check(
            f"`{IMPORTS[GPT4O]}` vs {IMPORT_BASELINE}",
            f"{ratio(import_ratio, 3)} ({ms(median(imports[GPT4O]) * 1e3)} vs "
            f"{ms(median(imports[IMPORT_BASELINE]) * 1e3)})",
            f"≤ {ratio(MAX_IMPORT_VS_BASELINE)}",
            import_ratio <= MAX_IMPORT_VS_BASELINE,
        )
    )
    for model in (GPT4O, CLAUDE):
        construction = median(results.construction_us[model])
        found.append(
            Check(
                f"{model}(...) construction time",
                f"{construction / 1e3:.3f} ms",
                f"≤ {MAX_CONSTRUCTION_US / 1e3:g} ms",
                construction <= MAX_CONSTRUCTION_US,
            )
        )
    first, last = results.rss.checkpoints
    for mode in RSS_MODES:
        before, after = results.rss.peak_bytes[mode]
        found.append(
            Check(
                f"peak RSS after {last:,} {mode}s vs after {first:,} (flat)",
                f"{mib(after - before)} growth ({mib(before)} → {mib(after)})",
                f"≤ {mib(MAX_RSS_GROWTH_BYTES)} growth",
                after - before <= MAX_RSS_GROWTH_BYTES,
            )
        )
    return found


# -- report ----------------------------------------------------------------------------


def goals_table(found: Sequence[Check]) -> list[str]:
    rows = [[c.goal, c.measured, c.target, c.result] for c in found]
    return table(["Goal", "Measured (median)", "Target", "Result"], rows)


def cpu_section(results: Results) -> list[str]:
    s = results.settings
    names = list(dict.fromkeys([*results.invoke_us, *results.ainvoke_us]))

    def cell(samples: dict[str, list[float]], name: str) -> str:
        return us(median(samples[name])) if name in samples else "— (async only)"

    rows = [
        [name, cell(results.invoke_us, name), cell(results.ainvoke_us, name)]
        for name in names
    ]
    sums = {
        mode: median(results.cpu(mode)[RAW]) + median(results.cpu(mode)[FLOOR])
        for mode in MODES
    }
    rows.append(
        ["raw httpx2 + core floor (sum)", us(sums["invoke"]), us(sums["ainvoke"])]
    )
    own = {mode: paired_ratio(results.cpu(mode), GPT4O, [MINIMAL]) for mode in MODES}
    minimal = {
        mode: paired_ratio(results.cpu(mode), MINIMAL, [RAW, FLOOR]) for mode in MODES
    }
    lines = [
        "### 1. Client CPU time per call",
        "",
        "Process CPU time of the client (`time.process_time`), latency 0; "
        f"{count(s.cpu_rounds, 'round')} of {s.cpu_calls} sequential calls per "
        f"client after {count(s.warmup_calls, 'warm-up call')}, clients interleaved "
        "round by round. Ratios are the median of per-round ratios. Async calls "
        "run in one event loop, each client on its own pooled connection.",
        "",
        *table(["Client", "invoke", "ainvoke"], rows),
        "",
        "The minimal integration is not a goal's baseline: it is the raw httpx2 "
        "call made from a BaseChatModel's `_generate`, the least an integration "
        f"on httpx2 can cost. It already takes {ratio(minimal['invoke'])} "
        f"(invoke) and {ratio(minimal['ainvoke'])} (ainvoke) of the sum of its "
        "two parts measured apart; ChatSegmindGPT4o takes "
        f"{ratio(own['invoke'])} of it per invoke and {ratio(own['ainvoke'])} "
        f"per ainvoke. ChatOpenAI's clients here are {results.openai_http}.",
    ]
    if GPT4O_AIOHTTP in results.ainvoke_us:
        aio = results.ainvoke_us
        vs_raw = paired_ratio(aio, GPT4O_AIOHTTP, [RAW_AIOHTTP, FLOOR])
        vs_goal = paired_ratio(aio, GPT4O_AIOHTTP, [RAW, FLOOR])
        vs_openai = paired_ratio(aio, GPT4O_AIOHTTP, [OPENAI])
        vs_default = paired_ratio(aio, GPT4O_AIOHTTP, [GPT4O])
        lines += [
            "",
            'With `async_transport="aiohttp"` (not a goal), ChatSegmindGPT4o\'s '
            f"ainvoke takes {ratio(vs_default)} of its default one: "
            f"{ratio(vs_raw)} of raw httpx2 over the same transport + the core "
            f"floor, {ratio(vs_goal)} of the goals' baseline (raw httpx2 on its "
            f"own transport + the core floor) and {ratio(vs_openai)} of "
            "ChatOpenAI.",
        ]
    else:
        lines += [
            "",
            f"The aiohttp transport was not measured: {results.aiohttp_missing}.",
        ]
    return lines


def batch_section(results: Results) -> list[str]:
    s = results.settings
    ideal = ideal_batch_seconds(s)
    rows = [
        [
            name,
            ms(median(b.wall_seconds) * 1e3),
            ", ".join(str(c) for c in b.connections),
            ms(median(b.client_cpu_ms_per_call)),
            ms(median(b.server_cpu_ms_per_call)),
        ]
        for name, b in results.batches.items()
    ]
    floor = median(results.batches[BATCH_FLOOR].wall_seconds)
    return [
        "### 2. abatch",
        "",
        f"`abatch` of {s.batch_calls} calls, "
        f'`config={{"max_concurrency": {s.batch_concurrency}}}`, emulator latency '
        f"{s.batch_latency * 1e3:g} ms. The floors are the same {s.batch_calls} "
        "POSTs with the raw library: `asyncio.gather` bounded by "
        f"`asyncio.Semaphore({s.batch_concurrency})`, on one `httpx2.AsyncClient` "
        f"limited to {s.batch_concurrency} connections (httpx2's transport, or "
        "httpx-aiohttp's), parsing each JSON answer. "
        f"{count(s.batch_rounds, 'round')}, clients interleaved; each batch runs "
        "in a new event loop (so on a new connection pool) warmed by one untimed "
        "call, and the connection count includes that call's. Emulator listen "
        f"backlog: {results.backlog}.",
        "",
        *table(
            [
                "Client",
                "Wall (median)",
                "Connections per round",
                "Client CPU per call",
                "Emulator CPU per call",
            ],
            rows,
        ),
        "",
        "Information, not goals: langchain-core's own `abatch` of a model that "
        f"makes no request and only sleeps {s.batch_latency * 1e3:g} ms per call "
        f"takes {ms(floor * 1e3)}, {ratio(floor / ideal)} of the "
        f"{ms(ideal * 1e3)} that {s.batch_calls // s.batch_concurrency} waves of "
        "the latency would take. The minimal integration (the raw call in a "
        "BaseChatModel, its client limited to "
        f"{s.batch_concurrency} connections) shows what langchain-core's `abatch` "
        f"adds to the raw floor: {_minimal_batch_ratios(results)}.",
    ]


def _minimal_batch_ratios(results: Results) -> str:
    found = []
    for minimal, floor in (
        (BATCH_MINIMAL, BATCH_RAW),
        (BATCH_MINIMAL_AIOHTTP, BATCH_RAW_AIOHTTP),
    ):
        if minimal in results.batches:
            vs_floor = _paired_batch_ratio(results, minimal, floor)
            found.append(f"{ratio(vs_floor, 3)} of {_floor_label(floor)}")
    return " and ".join(found)


def _floor_label(floor: str) -> str:
    return f"the raw gather floor on {_transport(floor)}"


def _transport(floor: str) -> str:
    return "AiohttpTransport" if floor == BATCH_RAW_AIOHTTP else "httpx2's transport"


def _paired_batch_ratio(results: Results, name: str, floor: str) -> float:
    """Median over rounds of `name`'s wall time / `floor`'s in the same round."""
    batch, base = results.batches[name], results.batches[floor]
    return median(
        [
            wall / base.wall_seconds[round_]
            for round_, wall in enumerate(batch.wall_seconds)
        ]
    )


def import_section(results: Results) -> list[str]:
    imports = results.imports_s
    rows = [
        [name, f"`{IMPORTS[name]}`", ms(median(values) * 1e3)]
        for name, values in imports.items()
    ]
    return [
        "### 3. Import time",
        "",
        "Fresh interpreter per import, bytecode cached, "
        f"{count(results.settings.import_rounds, 'round')}, interleaved.",
        "",
        *table(["Import", "Statement", "Time (median)"], rows),
        "",
        "`import langchain_core.language_models` and `import langchain_segmind` "
        "are lazy: they load no model class. Importing `BaseChatModel` (which "
        "pulls in langchain-core's tracers and langsmith) and httpx2 is the floor "
        "for any chat-model package on httpx2 that defines its class at import.",
    ]


def construction_section(results: Results) -> list[str]:
    rows = [
        [name, us(median(values))] for name, values in results.construction_us.items()
    ]
    return [
        "### 4. Construction",
        "",
        f"CPU time per instance, {count(results.settings.construct_rounds, 'round')}"
        f" of {results.settings.construct_calls:,} constructions "
        "(`api_key=` and `base_url=` given).",
        "",
        *table(["Model", "Construction (median)"], rows),
    ]


def rss_section(results: Results) -> list[str]:
    first, last = results.rss.checkpoints
    rows = [
        [
            f"`{mode}`",
            mib(results.rss.peak_bytes[mode][0]),
            mib(results.rss.peak_bytes[mode][1]),
        ]
        for mode in RSS_MODES
    ]
    return [
        "### 5. Peak RSS",
        "",
        "ChatSegmindGPT4o in a fresh process per mode, sequential calls (the "
        "ainvokes in one event loop); `ru_maxrss` sampled after "
        f"{first:,} and after {last:,} calls. Flat means at most "
        f"{mib(MAX_RSS_GROWTH_BYTES)} of growth between the two.",
        "",
        *table(["Calls", f"After {first:,}", f"After {last:,}"], rows),
    ]


def profile_section(results: Results) -> list[str]:
    profiles = results.profiles
    if not profiles:
        return [
            "## Where the time goes",
            "",
            "Not profiled: this platform has no CPU-time interval timer.",
        ]
    sample = next(iter(profiles.values()))

    headers = ["Layer"]
    for mode in MODES:
        headers += [f"minimal {mode}", f"ours {mode}", "ours - minimal"]
    layer_rows = []
    for layer in (*LAYERS, None):
        row = [layer or "**all (CPU per call while profiled)**"]
        for mode in MODES:
            cells = []
            for name in (MINIMAL, GPT4O):
                summary = profiles[name, mode]
                weight = summary.weight if layer is None else summary.layers[layer]
                cells.append(summary.per_call_us(weight))
            row += [us(cells[0]), us(cells[1]), f"{cells[1] - cells[0]:+,.0f} µs"]
        layer_rows.append(row)

    module_names = list(
        dict.fromkeys(
            name
            for mode in MODES
            for name, weight in profiles[GPT4O, mode].modules
            if profiles[GPT4O, mode].share(weight) >= PROFILE_MIN_SHARE
        )
    )[:PROFILE_MODULE_ROWS]
    module_rows = []
    for name in module_names:
        row = [f"`{name}`", MODULE_ROLES.get(name.split(".")[0], "")]
        for mode in MODES:
            summary = profiles[GPT4O, mode]
            row.append(us(summary.per_call_us(dict(summary.modules).get(name, 0))))
        module_rows.append(row)

    entry_rows = []
    for mode in MODES:
        summary = profiles[GPT4O, mode]
        entry_rows += [
            [mode, f"`{label}`", layer, percent(summary.share(weight))]
            for label, layer, weight in summary.entries[:PROFILE_ENTRY_ROWS]
            if summary.share(weight) >= PROFILE_MIN_SHARE
        ]
    samples = ", ".join(
        f"{_short(name)} {mode} {summary.samples:,}"
        for (name, mode), summary in profiles.items()
    )
    return [
        "## Where the time goes",
        "",
        "A sampling profile of CPU time (`_profile.py`: every millisecond the "
        "Python stack is recorded, weighted by the process CPU time used since "
        f"the last sample) over {sample.calls:,} sequential calls of each "
        "client at latency 0, the ainvokes in one event loop. Waiting uses no "
        "CPU and weighs nothing; a C function (a socket system call, "
        "`json.loads`, pydantic's validator) counts for the Python frame that "
        "called it, and stdlib, pydantic and anyio frames for their caller's "
        "layer. Each layer's share of the weight times the CPU time per call of "
        f"the profiled run gives its µs per call (samples: {samples}):",
        "",
        *table(headers, layer_rows),
        "",
        "ChatSegmindGPT4o's own CPU time per call by module (the samples whose "
        "innermost langchain-segmind frame is in it, with the stdlib and pydantic "
        "calls it makes; not its calls into httpx2 or langchain-core):",
        "",
        *table(["Module", "What it does", "invoke", "ainvoke"], module_rows),
        "",
        "Where ChatSegmindGPT4o's calls enter each layer (share of the CPU time "
        "at or below that frame):",
        "",
        *table(["Mode", "Frame", "Layer", "Share"], entry_rows),
    ]


def _short(name: str) -> str:
    return "ours" if name == GPT4O else "minimal"


def report(
    results: Results,
    found: Sequence[Check],
    command: str,
    started: datetime,
    loads: tuple[str, str],
    *,
    goals_last: bool = False,
) -> list[str]:
    """The markdown report; `goals_last` puts the goals at the end (console)."""
    passed = sum(check.passed is True for check in found)
    goals = [f"## Goals: {passed} of {len(found)} pass", "", *goals_table(found), ""]
    machine_rows = [[key, value] for key, value in machine().items()]
    machine_rows.append(["HTTP library of ChatOpenAI's clients", results.openai_http])
    machine_rows.append(["Load average (1/5/15 min) at start", loads[0]])
    machine_rows.append(["Load average (1/5/15 min) at end", loads[1]])
    body = [
        "## Machine",
        "",
        *table(["Item", "Value"], machine_rows),
        "",
        "The emulator (`python -m langchain_segmind.testing`'s server, in a child "
        "process) shares these CPUs with the client; a load average above the CPU "
        "count means other processes competed for them during the run.",
        "",
        "## Results",
        "",
        *cpu_section(results),
        "",
        *batch_section(results),
        "",
        *import_section(results),
        "",
        *construction_section(results),
        "",
        *rss_section(results),
        "",
        *profile_section(results),
        "",
    ]
    title = [
        "# Benchmarks",
        "",
        "How much a langchain-segmind call costs on top of the HTTP call itself, "
        "every client on httpx2. "
        f"Generated by `{command}` on {started:%Y-%m-%d %H:%M} UTC; the code is "
        "in `benchmarks/` (see its README).",
        "",
    ]
    return [*title, *body, *goals] if goals_last else [*title, *goals, *body]


def write_report(path: Path, lines: Sequence[str]) -> None:
    """Write the report, keeping the hand-written part of the old one."""
    text = "\n".join(lines)
    old = path.read_text() if path.exists() else ""
    if KEEP_MARKER in old:
        text += "\n" + old[old.index(KEEP_MARKER) :]
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions: a smoke run"
    )
    parser.add_argument(
        "--write", type=Path, metavar="PATH", help="write the markdown report here"
    )
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    if args.write:
        command += f" --write {args.write.as_posix()}"
    started = datetime.now(UTC)
    load_at_start = load_average()
    clock = time.perf_counter()

    results = measure(settings)
    found = checks(results)
    loads = (load_at_start, load_average())
    print("\n".join(report(results, found, command, started, loads, goals_last=True)))
    passed = sum(check.passed is True for check in found)
    print(
        f"{passed} of {len(found)} goals pass "
        f"(run took {time.perf_counter() - clock:.0f} s)",
        file=sys.stderr,
    )
    if args.write:
        write_report(args.write, report(results, found, command, started, loads))
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
