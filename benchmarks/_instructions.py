"""Instructions per call under callgrind: a repeatable companion to section 1.

CPU time swings from run to run on a shared machine; the number of
instructions the client executes per call does not (same binary, inputs and
environment). `_instructions_worker.py` makes section 1's calls under
`valgrind --tool=callgrind`, which counts only the blocks between two
markers: it zeroes its counts on entering libc's `getppid` and writes them to
a file on entering `getpgrp`, so start-up, imports, construction and warm-up
never count. The worker starts uninstrumented (`--instr-atstart=no`, several
times faster through the imports) and asks for instrumentation once its
imports are done (`callgrind_control -i on`); then each client runs in a
child forked from it, which inherits the instrumentation. The emulator stays
in the benchmark's own child process, outside valgrind.

Only user-space instructions count: the kernel's work in system calls (the
socket I/O) is in section 1's CPU time but not here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from _subjects import EmulatorProcess

WORKER = Path(__file__).resolve().with_name("_instructions_worker.py")
CALLGRIND = (
    "--tool=callgrind",
    "--instr-atstart=no",
    "--zero-before=getppid",
    "--dump-before=getpgrp",
    "--dump-line=no",
)
RUNS = 2  # separate valgrind processes, to show how repeatable the counts are
SWITCH_SECONDS = 60  # the most `callgrind_control` may take
# A dump's `summary:` is the sum of the costs it lists (what callgrind_annotate
# shows); its `totals:` line can be larger in the first dump after a zero
# (by 59M instructions once, in a trial), so it is not used.
_SUMMARY = re.compile(r"^summary:\s*(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class InstructionCounts:
    """Instructions per call of each client and mode, one figure per run."""

    calls: int  # measured calls per client, mode and run
    warmup_calls: int
    # By mode ("invoke", "ainvoke"), then client: instructions per call, by run.
    per_call: dict[str, dict[str, list[float]]]
    seconds: float  # wall time of the runs together


def valgrind_missing() -> str | None:
    """Why instructions cannot be counted here, or `None` when they can."""
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not on PATH"
    return None


class _Run:
    """One worker under callgrind: a child process per client."""

    def __init__(self, directory: Path, calls: int, warmup: int) -> None:
        self.directory = directory
        self.calls = calls
        self.warmup = warmup

    def per_call(self, emulator: EmulatorProcess) -> dict[tuple[str, str], float]:
        """Run the worker to its end: instructions per call, by (mode, client)."""
        self.directory.mkdir()
        # The client is pinned apart from the emulator; under callgrind it is
        # tens of times slower than the emulator, so it may use any CPU.
        cpus = emulator.cpus
        on_cpus = None if cpus is None else partial(os.sched_setaffinity, 0, cpus)
        with (
            (self.directory / "stderr.txt").open("w+", encoding="utf-8") as log,
            subprocess.Popen(
                [
                    "valgrind",
                    *CALLGRIND,
                    f"--callgrind-out-file={self.directory}/callgrind.out.%p",
                    sys.executable,
                    str(WORKER),
                    emulator.base_url,
                    emulator.api_key,
                    str(self.calls),
                    str(self.warmup),
                ],
                # Fixed string hashes: the same dict and set layouts, hence
                # the same work, in every run.
                env={**os.environ, "PYTHONHASHSEED": "0"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                preexec_fn=on_cpus,
            ) as process,
        ):
            try:
                found = self._drive(process)
            except BaseException:
                # SIGTERM, not SIGKILL: valgrind then removes its vgdb FIFOs.
                process.terminate()
                raise
            if process.wait() != 0:
                log.seek(0)
                tail = " / ".join(log.read().strip().splitlines()[-3:])
                raise RuntimeError(f"the worker exited {process.returncode}: {tail}")
        return found

    def _drive(self, process: subprocess.Popen[str]) -> dict[tuple[str, str], float]:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(sorted(sys.modules)) + "\n")
        process.stdin.flush()
        found: dict[tuple[str, str], float] = {}
        for line in process.stdout:
            if line.startswith("instrumentation "):
                self._switch(process, line.split()[1])
                continue
            child = json.loads(line)
            totals = self._summaries(child["pid"], len(child["modes"]))
            for mode, total in zip(child["modes"], totals, strict=True):
                found[mode, child["client"]] = total / self.calls
        return found

    def _switch(self, process: subprocess.Popen[str], state: str) -> None:
        assert process.stdin is not None
        try:
            # It reaches a worker blocked in a read through ptrace (vgdb).
            switch = subprocess.run(
                ["callgrind_control", "-i", state, str(process.pid)],
                capture_output=True,
                text=True,
                timeout=SWITCH_SECONDS,
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(f"callgrind_control took over {err.timeout} s") from err
        if switch.returncode != 0 or "OK" not in switch.stdout:
            raise RuntimeError(f"callgrind_control: {switch.stdout.strip()}")
        process.stdin.write("\n")
        process.stdin.flush()

    def _summaries(self, pid: int, blocks: int) -> list[int]:
        """The summary of each of a child's dumps, which must be `blocks`."""
        dumps = sorted(
            self.directory.glob(f"callgrind.out.{pid}.*"),
            key=lambda dump: int(dump.suffix[1:]),
        )
        if len(dumps) != blocks:
            raise RuntimeError(
                f"callgrind wrote {len(dumps)} dumps for {blocks} blocks"
            )
        summaries = []
        for dump in dumps:
            found = _SUMMARY.search(dump.read_text(encoding="utf-8"))
            if found is None:
                raise RuntimeError(f"no summary in callgrind's {dump.name}")
            summaries.append(int(found.group(1)))
        return summaries


def instruction_counts(
    emulator: EmulatorProcess, calls: int, warmup: int, runs: int = RUNS
) -> InstructionCounts | str:
    """Instructions per call in `runs` callgrind runs, or why there are none.

    Each client runs in a process of its own, as in an application that uses
    one: langchain-core's code, shared by every model, then only ever sees
    that client's classes. (With every client in one process, a trial counted
    up to 4% more per ainvoke, depending on which clients ran before: the
    interpreter's specialized attribute lookups missed on the classes the
    others left.) The runs go at once, as many as there are CPUs.
    """
    missing = valgrind_missing()
    if missing is not None:
        return missing
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="callgrind-") as directory:
        jobs = [_Run(Path(directory, str(run)), calls, warmup) for run in range(runs)]
        cpus = len(emulator.cpus) if emulator.cpus else 1
        pool = ThreadPoolExecutor(min(runs, cpus))
        try:
            found = list(pool.map(lambda job: job.per_call(emulator), jobs))
        except (RuntimeError, OSError, ValueError) as err:
            return f"callgrind failed ({err})"
        finally:
            pool.shutdown(cancel_futures=True)
    per_call: dict[str, dict[str, list[float]]] = {}
    for mode, name in found[0]:
        per_call.setdefault(mode, {})[name] = [run[mode, name] for run in found]
    return InstructionCounts(calls, warmup, per_call, time.perf_counter() - started)
