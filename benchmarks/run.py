"""How much a ChatSegmind call costs against the minimal integration.

    python benchmarks/run.py                           # full run (~4 min, 2 cores)
    python benchmarks/run.py --quick                   # smoke run (~1 min)
    python benchmarks/run.py --write docs/benchmarks.md

(`python dev.py bench [options]` runs the same.) The emulator runs in a child
process (`_server.py`), so its CPU time is not the client's. Every client is
on httpx2. The goals' floor is the minimal integration: the raw httpx2 POST
made from a `BaseChatModel._generate` / `_agenerate`. Measured, in one run,
with warm-up and interleaved repetitions, reporting medians:

1. client CPU time per `invoke`/`ainvoke`: the minimal integration,
   ChatSegmindGPT4o, ChatSegmindClaude and langchain-openai's ChatOpenAI; for
   information raw httpx2 and a no-op langchain-core model (the minimal
   integration's two parts), and with the `aiohttp` extra the async calls
   over httpx-aiohttp's transport;
2. `abatch` of 256 calls at max_concurrency=64 against 50 ms of latency,
   against the minimal integration's, and the TCP connections opened;
3. the aiohttp transport's client CPU against httpx2's (information);
4. peak RSS of a fresh process after 500 and after 5,000 invokes (and ainvokes);
5. import time in a fresh interpreter (information);
6. construction time of one model (information);

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

# The goals (issue 17, item 6). The floor is the minimal integration: the raw
# httpx2 POST made from a BaseChatModel's `_generate` / `_agenerate`.
MAX_CPU_VS_MINIMAL = 1.15  # times the minimal integration's client CPU
MAX_CPU_VS_OPENAI = 0.4  # times ChatOpenAI's
MAX_BATCH_VS_MINIMAL = 1.05  # times the minimal integration's abatch wall time
# "Flat": the peak after 5,000 calls at most 1 MiB above the peak after 500,
# under 233 bytes per call over the 4,500 calls between (ru_maxrss is the
# high-water mark, so it never goes down).
MAX_RSS_GROWTH_BYTES = 2**20
CPU_GOAL_MODELS = (GPT4O, CLAUDE)
CPU_LIMITS = ((MINIMAL, MAX_CPU_VS_MINIMAL), (OPENAI, MAX_CPU_VS_OPENAI))
BASELINE_LABELS = {MINIMAL: "the minimal integration", OPENAI: "ChatOpenAI"}

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
        for model in CPU_GOAL_MODELS:
            for baseline, limit in CPU_LIMITS:
                vs = paired_ratio(samples, model, [baseline])
                found.append(
                    Check(
                        f"{model}.{mode} client CPU vs {BASELINE_LABELS[baseline]}",
                        f"{ratio(vs, 3)} ({us(median(samples[model]))} vs "
                        f"{us(median(samples[baseline]))})",
                        f"≤ {ratio(limit)}",
                        vs <= limit,
                    )
                )
    return found


def _batch_check(results: Results) -> Check:
    goal = f"{GPT4O}.abatch wall time vs the minimal integration's"
    batch, base = results.batches[GPT4O], results.batches[BATCH_MINIMAL]
    vs = _paired_batch_ratio(results, GPT4O, BATCH_MINIMAL)
    return Check(
        goal,
        f"{ratio(vs, 3)} ({ms(median(batch.wall_seconds) * 1e3)} vs "
        f"{ms(median(base.wall_seconds) * 1e3)})",
        f"≤ {ratio(MAX_BATCH_VS_MINIMAL)}",
        vs <= MAX_BATCH_VS_MINIMAL,
    )


def checks(results: Results) -> list[Check]:
    found = [*_cpu_checks(results), _batch_check(results)]
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

    def vs_minimal(samples: dict[str, list[float]], name: str) -> str:
        if name not in samples:
            return ""
        return ratio(paired_ratio(samples, name, [MINIMAL]))

    rows = [
        [
            name,
            cell(results.invoke_us, name),
            vs_minimal(results.invoke_us, name),
            cell(results.ainvoke_us, name),
            vs_minimal(results.ainvoke_us, name),
        ]
        for name in names
    ]
    parts = {
        mode: paired_ratio(results.cpu(mode), MINIMAL, [RAW, FLOOR]) for mode in MODES
    }
    # Both goals at once: what the ChatOpenAI goal allows, in minimal integrations.
    room = {
        mode: MAX_CPU_VS_OPENAI / paired_ratio(results.cpu(mode), MINIMAL, [OPENAI])
        for mode in MODES
    }
    return [
        "### 1. Client CPU time per call",
        "",
        "Process CPU time of the client (`time.process_time`), latency 0; "
        f"{count(s.cpu_rounds, 'round')} of {s.cpu_calls} sequential calls per "
        f"client after {count(s.warmup_calls, 'warm-up call')}, clients interleaved "
        "round by round. Ratios are the median of per-round ratios. Async calls "
        "run in one event loop, each client on its own pooled connection.",
        "",
        *table(["Client", "invoke", "vs minimal", "ainvoke", "vs minimal"], rows),
        "",
        "The minimal integration (the goals' floor) is the raw httpx2 call made "
        "from a BaseChatModel's `_generate` / `_agenerate`, the least an "
        "integration on httpx2 can cost. Raw httpx2 and the no-op model are its "
        "two parts, measured apart for information; together they already cost "
        f"{ratio(parts['invoke'])} (invoke) and {ratio(parts['ainvoke'])} "
        "(ainvoke) of the sum of the parts. ChatOpenAI's clients here are "
        f"{results.openai_http}.",
        "",
        f"The two CPU goals together: {ratio(MAX_CPU_VS_OPENAI)} of ChatOpenAI is "
        f"{ratio(room['invoke'])} of the minimal integration per invoke and "
        f"{ratio(room['ainvoke'])} per ainvoke in this run, so wherever that is "
        f"below {ratio(MAX_CPU_VS_MINIMAL)} the ChatOpenAI goal is the binding one.",
    ]


def batch_section(results: Results) -> list[str]:
    s = results.settings
    ideal = ideal_batch_seconds(s)
    rows = [
        [
            name,
            ms(median(b.wall_seconds) * 1e3),
            ratio(_paired_batch_ratio(results, name, BATCH_MINIMAL), 3),
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
        f"{s.batch_latency * 1e3:g} ms. The goal's floor is the minimal "
        "integration's `abatch`, its `httpx2.AsyncClient` limited to "
        f"{s.batch_concurrency} connections. For information: the same "
        f"{s.batch_calls} POSTs with raw httpx2 (`asyncio.gather` bounded by "
        f"`asyncio.Semaphore({s.batch_concurrency})`, parsing each JSON answer), "
        f"and a no-op model that only sleeps {s.batch_latency * 1e3:g} ms "
        f"(langchain-core's own `abatch`: {ms(floor * 1e3)}, "
        f"{ratio(floor / ideal)} of the {ms(ideal * 1e3)} that "
        f"{s.batch_calls // s.batch_concurrency} waves of the latency take). "
        f"{count(s.batch_rounds, 'round')}, clients interleaved; each batch runs "
        "in a new event loop (so on a new connection pool) warmed by one untimed "
        "call, and the connection count includes that call's. Emulator listen "
        f"backlog: {results.backlog}.",
        "",
        *table(
            [
                "Client",
                "Wall (median)",
                "vs minimal (paired)",
                "Connections per round",
                "Client CPU per call",
                "Emulator CPU per call",
            ],
            rows,
        ),
    ]


def aiohttp_section(results: Results) -> list[str]:
    """The aiohttp transport's client CPU against httpx2's (not a goal)."""
    if GPT4O_AIOHTTP not in results.ainvoke_us:
        return [
            "### 3. The aiohttp transport",
            "",
            f"Not measured: {results.aiohttp_missing}.",
        ]
    aio, batches = results.ainvoke_us, results.batches
    rows = [
        [
            "raw httpx2 (AiohttpTransport / httpx2's)",
            ratio(paired_ratio(aio, RAW_AIOHTTP, [RAW])),
            ratio(_paired_batch_cpu_ratio(results, BATCH_RAW_AIOHTTP, BATCH_RAW)),
        ],
        [
            "minimal integration",
            "",
            ratio(
                _paired_batch_cpu_ratio(results, BATCH_MINIMAL_AIOHTTP, BATCH_MINIMAL)
            ),
        ],
        [
            "ChatSegmindGPT4o",
            ratio(paired_ratio(aio, GPT4O_AIOHTTP, [GPT4O])),
            ratio(_paired_batch_cpu_ratio(results, GPT4O_AIOHTTP, GPT4O)),
        ],
    ]
    aio_ms = median(batches[GPT4O_AIOHTTP].client_cpu_ms_per_call)
    httpx2_ms = median(batches[GPT4O].client_cpu_ms_per_call)
    return [
        "### 3. The aiohttp transport (not a goal)",
        "",
        'Client CPU with `async_transport="aiohttp"` (httpx-aiohttp\'s transport) '
        "as a fraction of the same client on httpx2's own transport: per "
        "sequential `ainvoke` (section 1) and per call of the `abatch` of "
        f"section 2 ({ms(aio_ms)} against {ms(httpx2_ms)} for ChatSegmindGPT4o). "
        "Medians of per-round ratios.",
        "",
        *table(["Client", "ainvoke", "abatch"], rows),
    ]


def _paired_batch_cpu_ratio(results: Results, name: str, floor: str) -> float:
    """Median over rounds of `name`'s client CPU / `floor`'s in the same round."""
    batch, base = results.batches[name], results.batches[floor]
    return median(
        [
            cpu / base.client_cpu_ms_per_call[round_]
            for round_, cpu in enumerate(batch.client_cpu_ms_per_call)
        ]
    )


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
        "### 5. Import time (information)",
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
        "### 6. Construction (information)",
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
        "### 4. Peak RSS",
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
        row = [
            f"`{name}`",
            MODULE_ROLES.get(name, MODULE_ROLES.get(name.split(".")[0], "")),
        ]
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
        *aiohttp_section(results),
        "",
        *rss_section(results),
        "",
        *import_section(results),
        "",
        *construction_section(results),
        "",
        *profile_section(results),
        "",
    ]
    title = [
        "# Benchmarks",
        "",
        "How much a langchain-segmind call costs against the minimal integration "
        "(the raw httpx2 POST made from a `BaseChatModel._generate`), every client "
        "on httpx2. "
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
