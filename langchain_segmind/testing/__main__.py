"""Serve the Segmind emulator from a shell.

Usage:

```bash
python -m langchain_segmind.testing --port 8080 [--host 127.0.0.1]
python -m langchain_segmind.testing --api-key KEY --latency 0.05 --credits 10000
python -m langchain_segmind.testing --host 0.0.0.0 --allow-remote
```

The first line printed is the v1 base URL, the second `api key: ...`; it serves
until Ctrl-C or SIGTERM. It listens on loopback only: an empty `--host` is
refused, and any other address needs `--allow-remote`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import (
    DEFAULT_API_KEY,
    SENDABLE_KEY,
    SegmindEmulator,
    checked_host,
    is_loopback,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_segmind.testing",
        description="Serve a loopback emulator of Segmind's LLM gateway "
        "(not a model: replies are scripted or canned).",
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="0 picks a free port (default 8080)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host such as 0.0.0.0 (reachable from other "
        "machines)",
    )
    parser.add_argument(
        "--api-key",
        default=DEFAULT_API_KEY,
        help=f"the only key accepted (default {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer"
    )
    parser.add_argument(
        "--credits",
        type=float,
        default=10_000.0,
        help="the starting credit balance (default 10000)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until interrupted.

    Args:
        argv: Command-line arguments (default: `sys.argv[1:]`).

    Returns:
        The process exit status.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        checked_host(args.host, allow_remote=args.allow_remote)
    except ValueError as refused:
        parser.error(str(refused))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0-65535, got {args.port}")
    if not SENDABLE_KEY.fullmatch(args.api_key):
        parser.error("--api-key must be printable ASCII without spaces")
    if not 0 <= args.latency < 3600:
        parser.error(f"--latency must be 0 to 3600 seconds, got {args.latency}")
    stopping = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_sigterm)
    emulator = SegmindEmulator(
        host=args.host,
        allow_remote=args.allow_remote,
        port=args.port,
        api_key=args.api_key,
        latency=args.latency,
        credits=args.credits,
    )
    try:
        emulator.start()
    except OSError as error:  # the port is taken, say
        parser.error(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    with emulator:
        sys.stdout.write(
            f"{emulator.base_url}\n"
            f"api key: {emulator.api_key}\n"
            f"v2 queue API: {emulator.v2_base_url} (for models: the base URL "
            'above and api_version="v2")\n'
            "Segmind emulator running (not a model); Ctrl-C to stop.\n"
        )
        if not is_loopback(args.host):
            sys.stderr.write(
                f"warning: listening on {args.host}, reachable from other machines\n"
            )
        sys.stdout.flush()
        try:
            while not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
