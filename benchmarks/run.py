"""How much a ChatSegmind call costs against the minimal integration.

    python benchmarks/run.py                           # full run (~4.5 min, 2 cores)
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
7. instructions per call of section 1's clients under valgrind's callgrind,
   a repeatable count that explains section 1 (information; needs valgrind;
   left out by `--quick` unless `--instructions` is given);
8. the CPU time of reading hostile replies (and valid calls) at N, 2N and
   4N characters, and how much each doubling costs;

then profiles the CPU time of ChatSegmindGPT4o and the minimal integration,
prints every goal with PASS/FAIL and, with `--write`, writes the markdown
report.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from _goals import (
    BASELINE_LABELS,
    CPU_GOAL_MODELS,
    CPU_LIMITS,
    MAX_BATCH_VS_MINIMAL,
    MAX_HOSTILE_DOUBLING,
    MAX_RSS_GROWTH_BYTES,
    MODES,
    Check,
    Results,
    median,
    paired_batch_ratio,
    paired_ratio,
)
from _hostile import STOP_SECONDS, read_hostile
from _instructions import RUNS, InstructionCounts, instruction_counts
from _measure import (
    BATCH_MINIMAL,
    FULL,
    QUICK,
    RSS_MODES,
    Settings,
    abatch,
    construction_us,
    cpu_per_call,
    import_times,
    peak_rss,
)
from _profile import CallProfile, ProfileSummary, available
from _report import load_average, mib, ms, ratio, report, us, write_report
from _subjects import (
    CLAUDE,
    FLOOR,
    GPT4O,
    MESSAGES,
    MINIMAL,
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

# The profiled calls: (client, mode).
PROFILED = (
    (MINIMAL, "invoke"),
    (GPT4O, "invoke"),
    (MINIMAL, "ainvoke"),
    (GPT4O, "ainvoke"),
)


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


def measure(settings: Settings, instructions_left_out: str | None) -> Results:
    """Everything; section 7 unless `instructions_left_out` says why not."""
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

        counted: InstructionCounts | str | None = instructions_left_out
        if counted is None:
            done = _step(f"instructions per call under callgrind ({RUNS} runs)")
            counted = instruction_counts(
                emulator, settings.instruction_calls, settings.instruction_warmup
            )
            done()

    done = _step("reading hostile replies")
    hostile = read_hostile(settings.hostile_rounds, settings.hostile_reads)
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
        instructions=counted,
        hostile=hostile,
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
    vs = paired_batch_ratio(results, GPT4O, BATCH_MINIMAL)
    return Check(
        goal,
        f"{ratio(vs, 3)} ({ms(median(batch.wall_seconds) * 1e3)} vs "
        f"{ms(median(base.wall_seconds) * 1e3)})",
        f"≤ {ratio(MAX_BATCH_VS_MINIMAL)}",
        vs <= MAX_BATCH_VS_MINIMAL,
    )


def _hostile_check(results: Results) -> Check:
    worst, reading, sizes = results.hostile.worst()
    stopped = f", where a read over {STOP_SECONDS:g} s stopped it"
    how = stopped if reading.stopped else ""
    return Check(
        "doubling a hostile reply at most doubles its reading time",
        f"{ratio(worst)} ({reading.shape.name}: {sizes}{how})",
        f"≤ {ratio(MAX_HOSTILE_DOUBLING)} per doubling",
        worst <= MAX_HOSTILE_DOUBLING,
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
    return [*found, _hostile_check(results)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions: a smoke run"
    )
    parser.add_argument(
        "--instructions",
        action=argparse.BooleanOptionalAction,
        help="count instructions per call under callgrind (default: unless --quick)",
    )
    parser.add_argument(
        "--write", type=Path, metavar="PATH", help="write the markdown report here"
    )
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    left_out = None
    if args.instructions is False:
        command += " --no-instructions"
        left_out = "left out by `--no-instructions`"
    elif args.instructions:
        command += " --instructions"
    elif args.quick:
        left_out = "left out by `--quick` (add `--instructions`)"
    if args.write:
        command += f" --write {args.write.as_posix()}"
    started = datetime.now(UTC)
    load_at_start = load_average()
    clock = time.perf_counter()

    results = measure(settings, left_out)
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
