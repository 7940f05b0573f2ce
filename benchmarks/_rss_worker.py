"""Peak RSS of a fresh process after N and M invokes of ChatSegmindGPT4o.

Usage: python benchmarks/_rss_worker.py BASE_URL API_KEY N M

Prints a JSON object mapping each checkpoint to the peak RSS in bytes.
"""

from __future__ import annotations

import json
import resource
import sys

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import SecretStr

from langchain_segmind import ChatSegmindGPT4o

# ru_maxrss is in KiB on Linux, in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_UNIT


def main() -> int:
    base_url, api_key, *checkpoints = sys.argv[1:]
    stops = sorted(int(n) for n in checkpoints)
    model = ChatSegmindGPT4o(api_key=SecretStr(api_key), base_url=base_url)
    messages = [SystemMessage("You are terse."), HumanMessage("Say hello.")]
    peaks: dict[int, int] = {}
    for call in range(1, stops[-1] + 1):
        model.invoke(messages)
        if call in stops:
            peaks[call] = peak_rss_bytes()
    print(json.dumps(peaks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
