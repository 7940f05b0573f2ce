"""Peak RSS of a fresh process after N and M calls of ChatSegmindGPT4o.

Usage: python benchmarks/_rss_worker.py {invoke|ainvoke} BASE_URL API_KEY N M

`ainvoke` makes its calls one after another in one event loop. Prints a JSON
object mapping each checkpoint to the peak RSS in bytes.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import SecretStr

from langchain_segmind import ChatSegmindGPT4o

# ru_maxrss is in KiB on Linux, in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024
MESSAGES = [SystemMessage("You are terse."), HumanMessage("Say hello.")]


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_UNIT


def run_sync(model: ChatSegmindGPT4o, stops: list[int]) -> dict[int, int]:
    peaks: dict[int, int] = {}
    for call in range(1, stops[-1] + 1):
        model.invoke(MESSAGES)
        if call in stops:
            peaks[call] = peak_rss_bytes()
    return peaks


async def run_async(model: ChatSegmindGPT4o, stops: list[int]) -> dict[int, int]:
    peaks: dict[int, int] = {}
    for call in range(1, stops[-1] + 1):
        await model.ainvoke(MESSAGES)
        if call in stops:
            peaks[call] = peak_rss_bytes()
    return peaks


def main() -> int:
    mode, base_url, api_key, *checkpoints = sys.argv[1:]
    stops = sorted(int(n) for n in checkpoints)
    model = ChatSegmindGPT4o(api_key=SecretStr(api_key), base_url=base_url)
    if mode == "invoke":
        peaks = run_sync(model, stops)
    elif mode == "ainvoke":
        peaks = asyncio.run(run_async(model, stops))
    else:
        raise SystemExit(f"unknown mode {mode!r}: invoke or ainvoke")
    print(json.dumps(peaks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
