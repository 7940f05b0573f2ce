"""The Segmind emulator in its own process, steered over stdin/stdout.

The benchmark runs the emulator here so that the server's CPU time is not
counted as the client's. On start it prints two lines, the v1 base URL and
`api key: <key>`, then answers each command read on stdin with one line:

    connections      TCP connections accepted since the last reset
    reset            clear the request log and the connection count -> "ok"
    latency SECONDS  set the latency added to every answer -> "ok"
    cpu              this process's CPU time so far, in seconds
    backlog          the emulator's listen backlog
    quit (or EOF)    stop the emulator and exit

Segmind has no OpenAI-compatible route, so the emulator has none either; for
the ChatOpenAI row this process answers `POST /v1/chat/completions` as
`POST /v1/gpt-4o`, taking the key from `Authorization: Bearer`, so that
ChatOpenAI runs unmodified against the same answer.

Usage: python benchmarks/_server.py [--latency 0.05] [--credits 1e12]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

from langchain_segmind.testing import SegmindEmulator
from langchain_segmind.testing._gateway import Gateway, Incoming
from langchain_segmind.testing._server import EmulatorServer
from langchain_segmind.testing._wire import Answer

OPENAI_ROUTE = "/v1/chat/completions"
OPENAI_SLUG = "gpt-4o"


def _serve_openai_route(gateway: Gateway) -> None:
    """Answer ChatOpenAI's route and bearer key as the `gpt-4o` slug's."""
    serve = gateway.serve

    def serve_aliased(incoming: Incoming) -> Answer:
        if incoming.target == OPENAI_ROUTE:
            bearer = incoming.headers.get("authorization", "")
            headers = {**incoming.headers, "x-api-key": bearer.removeprefix("Bearer ")}
            incoming = replace(incoming, target=f"/v1/{OPENAI_SLUG}", headers=headers)
        return serve(incoming)

    gateway.serve = serve_aliased  # type: ignore[method-assign]


def _answer(emulator: SegmindEmulator, command: str) -> str:
    name, _, argument = command.partition(" ")
    if name == "connections":
        return str(emulator.connections_opened)
    if name == "reset":
        emulator.reset()
        return "ok"
    if name == "latency":
        emulator.latency = float(argument)
        return "ok"
    if name == "cpu":
        return repr(time.process_time())
    if name == "backlog":
        return str(EmulatorServer.request_queue_size)
    return f"error: unknown command {command!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve the Segmind emulator.")
    parser.add_argument("--latency", type=float, default=0.0)
    # The emulator's default 10,000 credits last ~800,000 calls; never run out.
    parser.add_argument("--credits", type=float, default=1e12)
    args = parser.parse_args()
    emulator = SegmindEmulator(port=0, latency=args.latency, credits=args.credits)
    with emulator:
        server = emulator._server
        assert server is not None
        assert server.gateway is not None
        _serve_openai_route(server.gateway)
        print(emulator.base_url, flush=True)
        print(f"api key: {emulator.api_key}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            if command:
                print(_answer(emulator, command), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
