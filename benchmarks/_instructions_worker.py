"""Section 1's calls between callgrind's markers, each client in its own process.

Usage (`_instructions.py` runs it under callgrind, instrumentation off):

    python benchmarks/_instructions_worker.py BASE_URL API_KEY CALLS WARMUP

It reads a JSON list of module names on stdin and imports them (the modules
the benchmark's own process loaded, so that no call imports anything later),
builds the clients, then prints `instrumentation on` and waits for a line on
stdin, which the parent writes once `callgrind_control` has switched it on.
Start-up runs uninstrumented, several times faster.

Then, for each client, a forked child makes its calls: for `invoke`, then for
`ainvoke` in one event loop, WARMUP calls, a garbage collection,
`os.getppid()` (callgrind zeroes the child's counts on entering libc's
`getppid`), CALLS calls and `os.getpgrp()` (callgrind writes the counts since
the zero to a new file on entering `getpgrp`; the Nth file of a child holds
its Nth block: nothing else calls either function). The child prints
`{"pid": ..., "client": ..., "modes": [...]}` and exits. One child per
client keeps langchain-core's shared code specialized for that client's
classes only, as in an application that uses one model.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import os
import sys
import traceback
from dataclasses import dataclass

from _subjects import Subject, subjects


@dataclass
class Address:
    base_url: str
    api_key: str


def run_sync(client: Subject, calls: int, warmup: int) -> list[str]:
    invoke = client.invoke
    if invoke is None:
        return []
    for _ in range(warmup):
        invoke()
    gc.collect()
    os.getppid()
    for _ in range(calls):
        invoke()
    os.getpgrp()
    return ["invoke"]


async def run_async(client: Subject, calls: int, warmup: int) -> list[str]:
    for _ in range(warmup):
        await client.ainvoke()
    gc.collect()
    os.getppid()
    for _ in range(calls):
        await client.ainvoke()
    os.getpgrp()
    if client.aclose is not None:
        await client.aclose()
    return ["ainvoke"]


def measure(client: Subject, calls: int, warmup: int) -> None:
    """In a forked child: measure `client`, print what was measured, exit."""
    try:
        modes = run_sync(client, calls, warmup)
        modes += asyncio.run(run_async(client, calls, warmup))
        line = {"pid": os.getpid(), "client": client.name, "modes": modes}
        print(json.dumps(line), flush=True)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def main() -> int:
    base_url, api_key, calls, warmup = sys.argv[1:]
    for module in json.loads(sys.stdin.readline()):
        # Some loaded modules cannot be imported by name (`__mp_main__`).
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    clients = subjects(Address(base_url, api_key))
    print("instrumentation on", flush=True)
    sys.stdin.readline()
    for client in clients:
        child = os.fork()
        if child == 0:
            measure(client, int(calls), int(warmup))
        _, status = os.waitpid(child, 0)
        if status != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
