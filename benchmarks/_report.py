"""The report (console and markdown): the machine, the tables, every section."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path

from _goals import (
    BASELINE_LABELS,
    CPU_GOAL_MODELS,
    CPU_LIMITS,
    MAX_CPU_VS_MINIMAL,
    MAX_CPU_VS_OPENAI,
    MAX_RSS_GROWTH_BYTES,
    MODES,
    Check,
    Results,
    ideal_batch_seconds,
    median,
    paired_batch_cpu_ratio,
    paired_batch_ratio,
    paired_ratio,
)
from _hostile import LADDER, SIZES, STOP_SECONDS, kb
from _measure import (
    BATCH_FLOOR,
    BATCH_MINIMAL,
    BATCH_MINIMAL_AIOHTTP,
    BATCH_RAW,
    BATCH_RAW_AIOHTTP,
    IMPORTS,
    RSS_MODES,
)
from _profile import LAYERS, MODULE_ROLES
from _subjects import FLOOR, GPT4O, GPT4O_AIOHTTP, MINIMAL, OPENAI, RAW, RAW_AIOHTTP

PACKAGES = (
    "langchain-segmind",
    "langchain-core",
    "langsmith",
    "httpx2",
    "httpcore2",
    "h11",
    "anyio",
    "aiohttp",
    "httpx-aiohttp",
    "pydantic",
    "langchain-openai",
    "openai",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def package_versions() -> str:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return ", ".join(versions)


def _git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def measured_commit() -> str:
    """The commit of the langchain_segmind imported here, and whether it is clean.

    To measure another commit than the working tree's, check it out apart
    (`git worktree add --detach DIR COMMIT`) and run with `PYTHONPATH=DIR`.
    """
    import langchain_segmind

    package = Path(langchain_segmind.__file__).resolve().parent
    try:
        commit = _git(package, "rev-parse", "--short=12", "HEAD")
        changed = _git(package, "status", "--porcelain", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (langchain_segmind is not in a git checkout)"
    state = "with uncommitted changes" if changed else "clean"
    return f"{commit} (langchain_segmind/ {state})"


def machine() -> dict[str, str]:
    return {
        "Commit measured": measured_commit(),
        "CPU": cpu_model(),
        "CPUs available (nproc)": str(cpu_count()),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": platform.platform(),
        "Packages": package_versions(),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table, padded so that it also reads well in a terminal."""
    cells = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            + " |"
        )

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line(cells[0]), separator, *(line(row) for row in cells[1:])]


def us(value: float) -> str:
    return f"{value:,.0f} µs"


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def ratio(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}x"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def count(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless one: "1 round", "5 rounds"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# -- the markdown report ------------------------------------------------------------

PROFILE_ENTRY_ROWS = 10
PROFILE_MODULE_ROWS = 12
PROFILE_MIN_SHARE = 0.005

# `--write` keeps whatever follows this line in the existing report (hand-written
# analysis), and regenerates everything above it.
KEEP_MARKER = "<!-- Hand-written below this line: kept by `run.py --write`. -->"


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
            ratio(paired_batch_ratio(results, name, BATCH_MINIMAL), 3),
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
            ratio(paired_batch_cpu_ratio(results, BATCH_RAW_AIOHTTP, BATCH_RAW)),
        ],
        [
            "minimal integration",
            "",
            ratio(
                paired_batch_cpu_ratio(results, BATCH_MINIMAL_AIOHTTP, BATCH_MINIMAL)
            ),
        ],
        [
            "ChatSegmindGPT4o",
            ratio(paired_ratio(aio, GPT4O_AIOHTTP, [GPT4O])),
            ratio(paired_batch_cpu_ratio(results, GPT4O_AIOHTTP, GPT4O)),
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


def instructions_section(results: Results) -> list[str]:
    """Section 7: section 1's calls counted in instructions (information)."""
    title = "### 7. Instructions per call (information)"
    counted = results.instructions
    if isinstance(counted, str):
        return [title, "", f"Not measured: {counted}."]
    per_call = counted.per_call

    def vs(mode: str, name: str, baseline: str) -> list[float]:
        """The ratio in each run."""
        return [
            value / base
            for value, base in zip(
                per_call[mode][name], per_call[mode][baseline], strict=True
            )
        ]

    rows = []
    for name in dict.fromkeys(name for mode in MODES for name in per_call[mode]):
        row, spreads = [name], []
        for mode in MODES:
            runs = per_call[mode].get(name)
            if runs is None:
                row += ["— (async only)", "", ""]
                continue
            row += [
                f"{median(runs) / 1e6:,.3f} M",
                ratio(median(vs(mode, name, MINIMAL)), 3),
                ratio(median(vs(mode, name, OPENAI)), 3),
            ]
            spreads.append(f"{(max(runs) - min(runs)) / min(runs) * 100:.3f}%")
        rows.append([*row, " / ".join(spreads)])
    goal_rows = [
        [
            f"{model}.{mode} vs {BASELINE_LABELS[baseline]}",
            ", ".join(f"{run:.4f}x" for run in vs(mode, model, baseline)),
            ratio(paired_ratio(results.cpu(mode), model, [baseline]), 3),
            f"≤ {ratio(limit)}",
        ]
        for mode in MODES
        for model in CPU_GOAL_MODELS
        for baseline, limit in CPU_LIMITS
    ]
    run_count = len(per_call[MODES[0]][MINIMAL])
    return [
        title,
        "",
        "The instructions the client executes per call, counted by valgrind's "
        "callgrind: the same count for the same work, where section 1's CPU "
        f"time swings with the machine's load. {count(run_count, 'run')}, each a "
        "valgrind process of its own in which every client runs in a child "
        "process of its own (forked after the imports, as in an application "
        f"that uses one model), makes {count(counted.warmup_calls, 'warm-up call')}"
        f" and then {counted.calls} counted calls per mode. Only those are "
        "counted (callgrind zeroes its count and writes it at two markers), not "
        "start-up, imports or warm-up; the emulator runs outside valgrind. Figures "
        "are the median of the runs; the spread is the runs' difference (invoke / "
        f"ainvoke). The section took {counted.seconds:.0f} s.",
        "",
        *table(
            [
                "Client",
                "invoke",
                "vs minimal",
                "vs ChatOpenAI",
                "ainvoke",
                "vs minimal",
                "vs ChatOpenAI",
                "Run spread",
            ],
            rows,
        ),
        "",
        "Information that explains the CPU goals, which stay on CPU time: an "
        "instruction count leaves out the kernel's work in system calls (the "
        "socket I/O, the event loop's polling) and what an instruction costs "
        "(cache misses, branches), so its ratios are not the CPU time ratios. "
        "The goals' ratios in instructions (each run) and in CPU time (section "
        "1, this run):",
        "",
        *table(
            ["Ratio", "Instructions (each run)", "CPU time (section 1)", "Goal"],
            goal_rows,
        ),
    ]


def hostile_section(results: Results) -> list[str]:
    """Section 8: the reading time of hostile replies at N, 2N and 4N."""
    hostile = results.hostile
    sizes = [f"ms/MB, {kb(size)}" for size in SIZES]
    rows = []
    for reading in hostile.shapes:
        row = [reading.shape.name, reading.calls]
        if reading.stopped:
            length, seconds = reading.ladder[-1]
            row += [f"stopped: {seconds:.2f} s at {kb(length)}", "", ""]
            row += [f"{ratio(hostile.ladder_doubling(reading))} (to there)", ""]
        else:
            row += [f"{hostile.per_mb_ms(reading, i):.1f}" for i in range(len(SIZES))]
            row += [ratio(hostile.doubling(reading, i)) for i in range(len(SIZES) - 1)]
        rows.append(row)
    return [
        "### 8. Reading hostile replies",
        "",
        "CPU time of a tool-bound ChatSegmindGPT4o's `invoke` to read a reply of "
        "each shape, its `http_client` a local `httpx2.MockTransport` client (no "
        "socket): ms per million characters at N, 2N and 4N, net of the call's "
        f"fixed cost ({us(hostile.fixed * 1e6)}, a short reply's). A doubling is "
        "the time ratio scaled to an exact doubling of the length, the median of "
        f"{count(hostile.rounds, 'round')} of {count(hostile.reads, 'read')} per "
        "size, shapes interleaved. First, one read at each size from "
        f"{kb(LADDER[0])} up stops a shape at a read over {STOP_SECONDS:g} s, and "
        "it is judged on its last doubling there. Calls: valid / invalid, at the "
        f"largest size read. The section took {hostile.seconds:.1f} s.",
        "",
        *table(["Reply", "Calls", *sizes, "N → 2N", "2N → 4N"], rows),
        "",
        "The goal is the hostile shapes' largest doubling; the control shows "
        "an ordinary reply's in the same run. Past the 128-call cap a reply is "
        "left unread, so the capped shapes grow less than twice.",
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
        "process) runs on the last of these CPUs and the client on the others "
        "(on one CPU, both share it); a load average above the CPU count means "
        "other processes competed for them during the run.",
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
        *instructions_section(results),
        "",
        *hostile_section(results),
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
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if KEEP_MARKER in old:
        text += "\n" + old[old.index(KEEP_MARKER) :]
    path.write_text(text, encoding="utf-8")
