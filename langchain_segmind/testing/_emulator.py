"""The loopback emulator of Segmind's LLM gateway: lifecycle and test controls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from langchain_segmind.catalogue.slugs import DIRECTORY_SLUGS

from ._faults import Fault
from ._gateway import Gateway, Settings
from ._server import EmulatorServer
from ._state import ACTIVE, RETIRED, GatewayState, RecordedRequest

DEFAULT_API_KEY = "segmind-emulator-key"
"""The API key the emulator accepts unless told otherwise."""


DEFAULT_CATALOGUE: dict[str, str] = dict.fromkeys(DIRECTORY_SLUGS, ACTIVE)
"""Slugs the emulator knows by default, each `"active"` or `"retired"`."""

_POLL_INTERVAL = 0.02  # seconds; bounds how long stop() waits for the serve loop


class SegmindEmulator:
    """A faithful, in-process emulator of Segmind's LLM gateway on loopback.

    It speaks the wire protocol of `POST /v1/<slug>` (answering in the slug's
    provider shape: Anthropic, Gemini or OpenAI), the OpenAI-compatible
    `POST /v1/chat/completions`, and the v2 queue API; it validates requests in
    the gateway's order, bills credits, and can be scripted to reply with given
    texts or to fail in chosen ways. Every response carries
    `x-segmind-emulator: 1`.

    Example:
        >>> with SegmindEmulator() as emulator:  # doctest: +SKIP
        ...     emulator.script_replies("Hello!")
        ...     model = ChatSegmind(base_url=emulator.base_url,
        ...                         api_key=emulator.api_key)

    Args:
        host: Interface to listen on.
        port: Port to listen on; `0` picks a free one.
        api_key: The only key accepted.
        credits: Starting credit balance.
        cost_per_call: Credits billed per successful call.
        latency: Seconds added before every answer.
        catalogue: Slug to `"active"`/`"retired"`; defaults to
            :data:`DEFAULT_CATALOGUE`.
        responder: Called as `responder(slug, body)` when no scripted reply is
            queued; a string it returns is the reply text, `None` falls back to
            the default reply.
        queue_polls_until_complete: Status polls after which a v2 job completes.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        credits: float = 10_000.0,
        cost_per_call: float = 0.0123,
        latency: float = 0.0,
        catalogue: Mapping[str, str] | None = None,
        responder: Callable[[str, dict[str, Any]], str | None] | None = None,
        queue_polls_until_complete: int = 2,
    ) -> None:
        self._host = host
        self._port = port
        self._api_key = api_key
        self._cost_per_call = cost_per_call
        self._responder = responder
        self._polls_until_complete = queue_polls_until_complete
        self._state = GatewayState(
            credits=credits,
            latency=latency,
            catalogue=DEFAULT_CATALOGUE if catalogue is None else catalogue,
        )
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        running = "running" if self._server is not None else "stopped"
        return f"SegmindEmulator({self.url!r}, {running})"

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> SegmindEmulator:
        """Bind the port and serve on a daemon thread; no-op if already started.

        Returns:
            The emulator itself, for chaining.
        """
        if self._server is not None:
            return self
        server = EmulatorServer(self._host, self._port, self._state)
        self._port = int(server.server_address[1])
        server.gateway = Gateway(
            self._state,
            Settings(
                api_key=self._api_key,
                cost_per_call=self._cost_per_call,
                responder=self._responder,
                polls_until_complete=self._polls_until_complete,
                url=self.url,
            ),
        )
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"segmind-emulator-{self._port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, sever open connections and close the listening socket."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.sever_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SegmindEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------

    @property
    def host(self) -> str:
        """The interface the emulator listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The port (the one actually bound, once started)."""
        return self._port

    @property
    def url(self) -> str:
        """The server's root, e.g. `http://127.0.0.1:PORT`."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        """The v1 base URL to give clients (`url + "/v1"`)."""
        return f"{self.url}/v1"

    @property
    def v2_base_url(self) -> str:
        """The v2 (queue) base URL (`url + "/v2"`)."""
        return f"{self.url}/v2"

    @property
    def api_key(self) -> str:
        """The API key the emulator accepts."""
        return self._api_key

    # -- state and assertions ----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received, in order, faulted ones included."""
        return self._state.requests()

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """The recorded requests whose path (query aside) ends with `path_suffix`."""
        return [
            request
            for request in self._state.requests()
            if request.path.split("?", 1)[0].endswith(path_suffix)
        ]

    @property
    def connections_opened(self) -> int:
        """How many TCP connections the server has accepted."""
        return self._state.connections

    @property
    def remaining_credits(self) -> float:
        """The account's credit balance."""
        return self._state.credits

    @remaining_credits.setter
    def remaining_credits(self, value: float) -> None:
        self._state.credits = value

    @property
    def latency(self) -> float:
        """Seconds added before every answer (for benchmarks and timeouts)."""
        return self._state.latency

    @latency.setter
    def latency(self, value: float) -> None:
        self._state.latency = value

    def reset(self) -> None:
        """Clear the request log, scripts, faults, queue jobs and connection count.

        Credits, latency and the catalogue are kept.
        """
        self._state.reset()

    # -- replies, faults and the catalogue ---------------------------------------

    def script_replies(self, *texts: str, slug: str | None = None) -> None:
        """Queue assistant reply texts.

        A request takes the next text of its slug's queue, else of the global
        queue (`slug=None`), else asks the responder, else gets the default
        reply. Texts are still cut to `max_tokens` words.

        Args:
            *texts: Reply texts, used in order.
            slug: Only for requests to this slug; `None` for any request.
        """
        self._state.add_script(slug, texts)

    def inject(self, fault: Fault, *, times: int = 1, slug: str | None = None) -> None:
        """Make the next `times` matching requests fail with `fault`.

        Faults are used first-in first-out and are taken before any validation.

        Args:
            fault: What to do instead of answering.
            times: How many requests it applies to.
            slug: Only requests about this slug (v1/v2 path, `model` of a
                `/v1/chat/completions` body, or a v2 job's slug); `None` for
                any request.
        """
        self._state.arm_fault(fault, times, slug)

    def retire(self, slug: str) -> None:
        """Mark `slug` retired: calls to it get HTTP 410."""
        self._state.set_model(slug, RETIRED)

    def add_model(self, slug: str) -> None:
        """Add `slug` to the catalogue as active (or re-activate it)."""
        self._state.set_model(slug, ACTIVE)

    def fail_next_queue_job(self, message: str = "Model inference failed") -> None:
        """Make the next submitted v2 job end `FAILED` with `message`."""
        self._state.fail_next_job(message)
