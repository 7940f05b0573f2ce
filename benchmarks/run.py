"""How much a ChatSegmind call costs on top of the HTTP call itself.

    python benchmarks/run.py                           # full run (~3 min, 2 cores)
    python benchmarks/run.py --quick                   # smoke run (~1 min)
    python benchmarks/run.py --write docs/benchmarks.md

(`python dev.py bench [options]` runs the same.) The emulator runs in a child
process (`_server.py`), so its CPU time is not the client's. Measured, in one
run, with warm-up and interleaved repetitions, reporting medians:

1. client CPU time per `invoke`/`ainvoke`: raw httpx, a no-op langchain-core
   model (the floor), the two together (a minimal integration),
   ChatSegmindGPT4o, ChatSegmindClaude and langchain-openai's ChatOpenAI;
2. `abatch` of 256 calls at max_concurrency=64 against 50 ms of latency: wall
   time against the ideal, and the TCP connections opened;
3. import time in a fresh interpreter;
4. construction time of one model;
5. peak RSS of a fresh process after 500 and after 5,000 invokes;

then profiles ChatSegmindGPT4o.invoke with pyinstrument, prints every goal with
PASS/FAIL and, with `--write`, writes the markdown report.
"""

from __future__ import annotations

import argparse
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
    FULL,
    IMPORTS,
    QUICK,
    BatchSamples,
    RssSamples,
    Settings,
    abatch,
    construction_us,
    cpu_per_call,
    import_times,
    peak_rss,
)
from _profile import ProfileSummary, profile
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
    MESSAGES,
    MINIMAL,
    OPENAI,
    RAW,
    EmulatorProcess,
    NoOpChatModel,
    check_same_body,
    segmind_claude,
    segmind_gpt4o,
    subjects,
)

# The goals of the issue.
MAX_CPU_VS_FLOOR = 1.3  # times (raw httpx + langchain-core floor)
MAX_CPU_VS_OPENAI = 0.45  # times ChatOpenAI
MAX_BATCH_VS_IDEAL = 1.2  # times the latency of one call per wave
MAX_IMPORT_VS_BASELINE = 1.15  # times import langchain_core.language_models, httpx
MAX_CONSTRUCTION_US = 100.0
MAX_RSS_GROWTH_BYTES = 2**20  # "flat": under ~230 bytes per call over 4,500 calls

PROFILE_ROWS = 12
PROFILE_MIN_SHARE = 0.005

# `--write` keeps whatever follows this line in the existing report (hand-written
# analysis), and regenerates everything above it.
KEEP_MARKER = "<!-- Hand-written below this line: kept by `run.py --write`. -->"

IMPORT_BASELINE = "langchain_core.language_models + httpx"
CLASS_BASELINE = "BaseChatModel + httpx"


@dataclass(frozen=True)
class Results:
    settings: Settings
    invoke_us: dict[str, list[float]]
    ainvoke_us: dict[str, list[float]]
    batches: dict[str, BatchSamples]
    imports_s: dict[str, list[float]]
    construction_us: dict[str, list[float]]
    rss: RssSamples
    profile: ProfileSummary
    backlog: str


@dataclass(frozen=True)
class Check:
    goal: str
    measured: str
    target: str
    passed: bool


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


def measure(settings: Settings) -> Results:
    with EmulatorProcess() as emulator:
        check_same_body(emulator)
        backlog = emulator.command("backlog")

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

        done = _step("peak RSS after invokes (fresh process)")
        rss = peak_rss(emulator, settings)
        done()

        done = _step("profile of ChatSegmindGPT4o.invoke (pyinstrument)")
        model = segmind_gpt4o(emulator)
        summary = profile(lambda: model.invoke(MESSAGES), settings.profile_calls)
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
        profile=summary,
        backlog=backlog,
    )


# -- goals ---------------------------------------------------------------------------


def checks(results: Results) -> list[Check]:
    found: list[Check] = []
    for mode, samples in (
        ("invoke", results.invoke_us),
        ("ainvoke", results.ainvoke_us),
    ):
        for model in (GPT4O, CLAUDE):
            vs_floor = paired_ratio(samples, model, [RAW, FLOOR])
            vs_openai = paired_ratio(samples, model, [OPENAI])
            found.append(
                Check(
                    f"{model}.{mode} client CPU vs raw httpx + core floor",
                    f"{ratio(vs_floor, 3)} ({us(median(samples[model]))} vs "
                    f"{us(median(samples[RAW]) + median(samples[FLOOR]))})",
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
    ideal = ideal_batch_seconds(results.settings)
    concurrency = results.settings.batch_concurrency
    for model in (GPT4O, CLAUDE):
        batch = results.batches[model]
        wall = median(batch.wall_seconds)
        found.append(
            Check(
                f"{model}.abatch wall time vs ideal ({ms(ideal * 1e3)})",
                f"{ratio(wall / ideal, 3)} ({ms(wall * 1e3)})",
                f"≤ {ratio(MAX_BATCH_VS_IDEAL)}",
                wall / ideal <= MAX_BATCH_VS_IDEAL,
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
    imports = results.imports_s
    import_ratio = paired_ratio(imports, "langchain_segmind", [IMPORT_BASELINE])
    found.append(
        Check(
            "import langchain_segmind vs langchain_core.language_models + httpx",
            f"{ratio(import_ratio, 3)} "
            f"({ms(median(imports['langchain_segmind']) * 1e3)})",
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
    before, after = results.rss.peak_bytes
    found.append(
        Check(
            f"peak RSS after {last:,} invokes vs after {first:,}",
            f"{mib(after - before)} growth ({mib(before)} → {mib(after)})",
            f"≤ {mib(MAX_RSS_GROWTH_BYTES)} growth",
            after - before <= MAX_RSS_GROWTH_BYTES,
        )
    )
    return found


# -- report ----------------------------------------------------------------------------


def goals_table(found: Sequence[Check]) -> list[str]:
    rows = [
        [c.goal, c.measured, c.target, "PASS" if c.passed else "FAIL"] for c in found
    ]
    return table(["Goal", "Measured (median)", "Target", "Result"], rows)


def cpu_section(results: Results) -> list[str]:
    s = results.settings
    rows = [
        [
            name,
            us(median(results.invoke_us[name])),
            us(median(results.ainvoke_us[name])),
        ]
        for name in results.invoke_us
    ]
    invoke_floor = median(results.invoke_us[RAW]) + median(results.invoke_us[FLOOR])
    ainvoke_floor = median(results.ainvoke_us[RAW]) + median(results.ainvoke_us[FLOOR])
    rows.append(["raw httpx + core floor (sum)", us(invoke_floor), us(ainvoke_floor)])
    own = {
        mode: paired_ratio(samples, GPT4O, [MINIMAL])
        for mode, samples in (
            ("invoke", results.invoke_us),
            ("ainvoke", results.ainvoke_us),
        )
    }
    return [
        "### 1. Client CPU time per call",
        "",
        "Process CPU time of the client (`time.process_time`), latency 0; "
        f"{count(s.cpu_rounds, 'round')} of {s.cpu_calls} sequential calls per "
        f"client after {count(s.warmup_calls, 'warm-up call')}, clients interleaved "
        "round by round. Ratios in the goals are the median of per-round ratios.",
        "",
        *table(["Client", "invoke", "ainvoke"], rows),
        "",
        "The minimal integration is not a goal's baseline: it is the same raw "
        "httpx call made from a BaseChatModel's `_generate`, the least an "
        "integration built on httpx can cost. ChatSegmindGPT4o, which sends its "
        "requests over its own HTTP/1.1 connections, costs "
        f"{ratio(own['invoke'])} of it per invoke and "
        f"{ratio(own['ainvoke'])} per ainvoke.",
    ]


def batch_section(results: Results) -> list[str]:
    s = results.settings
    ideal = ideal_batch_seconds(s)
    rows = [
        [
            name,
            ms(median(b.wall_seconds) * 1e3),
            ratio(median(b.wall_seconds) / ideal),
            ", ".join(str(c) for c in b.connections),
            ms(median(b.client_cpu_ms_per_call)),
            ms(median(b.server_cpu_ms_per_call)),
        ]
        for name, b in results.batches.items()
    ]
    lines = [
        "### 2. abatch",
        "",
        f"`abatch` of {s.batch_calls} calls, max_concurrency={s.batch_concurrency}, "
        f"emulator latency {s.batch_latency * 1e3:g} ms: ideal "
        f"{ms(ideal * 1e3)}. {count(s.batch_rounds, 'round')}, each in a new event "
        "loop (so on a new connection pool) warmed by one untimed call; the connection "
        "count includes that call's. Emulator listen backlog: "
        f"{results.backlog}.",
        "",
        *table(
            [
                "Client",
                "Wall (median)",
                "Wall / ideal",
                "Connections per round",
                "Client CPU per call",
                "Emulator CPU per call",
            ],
            rows,
        ),
    ]
    floor = median(results.batches[BATCH_FLOOR].wall_seconds)
    lines += [
        "",
        f"The langchain-core floor is `abatch` itself: a model that makes no request "
        f"and only sleeps {s.batch_latency * 1e3:g} ms per call takes "
        f"{ratio(floor / ideal)} of the ideal, so no chat model reaches the ideal "
        f"on this machine. Against it, ChatSegmindGPT4o takes "
        f"{ratio(median(results.batches[GPT4O].wall_seconds) / floor)}.",
    ]
    return lines


def import_section(results: Results) -> list[str]:
    imports = results.imports_s
    rows = [
        [name, f"`{IMPORTS[name]}`", ms(median(values) * 1e3)]
        for name, values in imports.items()
    ]
    class_ratio = paired_ratio(imports, GPT4O, [CLASS_BASELINE])
    return [
        "### 3. Import time",
        "",
        "Fresh interpreter per import, bytecode cached, "
        f"{count(results.settings.import_rounds, 'round')}, interleaved.",
        "",
        *table(["Import", "Statement", "Time (median)"], rows),
        "",
        "`import langchain_core.language_models` is lazy: it loads no model class. "
        "Importing `BaseChatModel` (which pulls in langchain-core's tracers and "
        "langsmith) is the floor for any package that defines a chat model at "
        f"import; against it, `from langchain_segmind import ChatSegmindGPT4o` "
        f"takes {ratio(class_ratio)}.",
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
    before, after = results.rss.peak_bytes
    return [
        "### 5. Peak RSS",
        "",
        "ChatSegmindGPT4o.invoke in a fresh process; `ru_maxrss` sampled after "
        f"{first:,} and after {last:,} invokes.",
        "",
        *table(
            ["After", "Peak RSS"],
            [[f"{first:,} invokes", mib(before)], [f"{last:,} invokes", mib(after)]],
        ),
    ]


def profile_section(results: Results) -> list[str]:
    summary = results.profile
    per_call = summary.seconds / summary.calls * 1e6
    layer_rows = [[layer, percent(share)] for layer, share in summary.layers]
    entry_rows = [
        [f"`{label}`", layer, percent(share)]
        for label, layer, share in summary.entries[:PROFILE_ROWS]
        if share >= PROFILE_MIN_SHARE
    ]
    own_rows = [
        [f"`{label}`", percent(share)]
        for label, share in summary.own[:PROFILE_ROWS]
        if share >= PROFILE_MIN_SHARE
    ]
    return [
        "## Where the time goes",
        "",
        f"pyinstrument (1 ms sampling, wall clock) over {summary.calls:,} "
        f"ChatSegmindGPT4o.invoke calls at latency 0: {us(per_call)} per call under "
        "the profiler, whose overhead inflates Python-heavy code. Shares are of the "
        "time inside `invoke`. By layer (self time; stdlib and pydantic frames count "
        "for their caller's layer):",
        "",
        *table(["Layer", "Share of invoke"], layer_rows),
        "",
        "Where the call enters each layer (inclusive of everything below):",
        "",
        *table(["Frame", "Layer", "Share of invoke"], entry_rows),
        "",
        "langchain-segmind's own time by function (inclusive of its stdlib calls "
        "such as `json`, exclusive of httpx and langchain-core):",
        "",
        *table(["Function", "Share of invoke"], own_rows),
    ]


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
    passed = sum(check.passed for check in found)
    goals = [f"## Goals: {passed} of {len(found)} pass", "", *goals_table(found), ""]
    machine_rows = [[key, value] for key, value in machine().items()]
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
        "How much a langchain-segmind call costs on top of the HTTP call itself. "
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
    passed = sum(check.passed for check in found)
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
