"""The loopback emulator of Segmind's LLM gateway: lifecycle and test controls."""

from __future__ import annotations

import ipaddress
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any, ClassVar

import httpx2
from pydantic import SecretStr

from langchain_segmind.callbacks import forget_known_balances
from langchain_segmind.catalogue.profiles import PROFILES
from langchain_segmind.transport import clients
from langchain_segmind.transport.deadline import replaced_clock

from ._clock import FakeClock
from ._faults import Fault
from ._gateway import Gateway, Settings
from ._server import EmulatorServer
from ._state import ACTIVE, RETIRED, GatewayState, RecordedRequest

DEFAULT_API_KEY = "segmind-emulator-key"
"""The API key the emulator accepts unless told otherwise."""


DEFAULT_CATALOGUE: dict[str, str] = {
    **dict.fromkeys(PROFILES, ACTIVE),
    "qwen2p5-vl-32b-instruct": RETIRED,  # gone from Segmind's directory: HTTP 410
}
"""Slugs the emulator knows by default, each `"active"` or `"retired"`."""

# What an `x-api-key` header can carry, as the package's client checks it.
SENDABLE_KEY = re.compile(r"[\x21-\x7e]+")
_POLL_INTERVAL = 0.02  # seconds; bounds how long stop() waits for the serve loop


class SegmindEmulator:
    """An in-process emulator of Segmind's LLM gateway on loopback.

    It speaks the wire protocol of `POST /v1/<slug>` (answering in the slug's
    provider shape: Anthropic, Gemini or OpenAI) and the v2 queue API; it
    validates requests as the gateway and the providers do, bills credits, and can be
    scripted to reply with given texts or payloads, or to fail in chosen ways.
    Every response carries `x-segmind-emulator: 1`.

    ```python
    with SegmindEmulator() as emulator, emulator.capture_default_clients():
        emulator.script_replies("Hello!")
        assert ChatSegmind(model="gpt-4o").invoke("Hi").content == "Hello!"
    ```

    Args:
        host: Interface to listen on: a loopback address (`127.0.0.1`, `::1`,
            `localhost`) unless `allow_remote` is set.
        allow_remote: Allow an explicit non-loopback `host` such as `0.0.0.0`,
            which makes the emulator reachable from other machines. An empty
            `host` is refused all the same.
        port: Port to listen on; `0` picks a free one.
        api_key: The only key accepted.
        credits: Starting credit balance.
        cost_per_call: Credits billed per successful call.
        latency: Seconds added before every answer.
        catalogue: Slug to `"active"`/`"retired"`; defaults to `DEFAULT_CATALOGUE`.
        responder: Called as `responder(slug, body)` when no scripted reply is
            queued; a string it returns is the reply text, `None` falls back to
            the default reply.
        queue_polls_until_complete: Status polls after which a v2 job completes
            (a job moves on when its status is polled, as the package does).
        context_window: The largest prompt accepted, in the emulator's tokens
            (whitespace-separated words); `None` for no limit.

    Raises:
        ValueError: `host` is empty, or not loopback without `allow_remote`; or
            `api_key` is not a key a client could send (printable ASCII,
            no spaces).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        allow_remote: bool = False,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        credits: float = 10_000.0,
        cost_per_call: float = 0.0123,
        latency: float = 0.0,
        catalogue: Mapping[str, str] | None = None,
        responder: Callable[[str, dict[str, Any]], str | None] | None = None,
        queue_polls_until_complete: int = 2,
        context_window: int | None = None,
    ) -> None:
        self._host = checked_host(host, allow_remote=allow_remote)
        if not SENDABLE_KEY.fullmatch(api_key):
            raise ValueError(
                "api_key must be printable ASCII without spaces: no client "
                f"could send {api_key!r}"
            )
        self._port = port
        self._api_key = api_key
        self._cost_per_call = cost_per_call
        self._responder = responder
        self._clock = FakeClock(real_time=True)
        self._state = GatewayState(
            credits=credits,
            latency=latency,
            catalogue=DEFAULT_CATALOGUE if catalogue is None else catalogue,
            context_window=context_window,
            polls_until_complete=queue_polls_until_complete,
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

    def capture_default_clients(self) -> AbstractContextManager[FakeClock]:
        """Send every call of the package's default clients here, on fake time.

        While the block runs (process-wide), every model that has no client of
        its own calls this emulator with its key: models built anywhere, even
        at import, given an `api_key` or `base_url` or not, sync and async, so
        no call can reach Segmind, nor any proxy of the environment; processes
        started in the block inherit the route (an environment variable).
        Models given their own `http_client` keep it for sync calls (and
        `http_async_client` for async ones) and call their own `base_url`,
        unless it is Segmind's: that call is refused
        (`SegmindInputError`) before sending. Calls are also timed on `clock`,
        so waits between retries and polls take no real time, and no balance
        seen before the block counts in it, nor one seen in it after it. The
        `segmind_emulator` fixture does this for you. The capture lasts until
        it is exited, even if the object returned is dropped first (as after a
        bare `__enter__()` in a notebook cell).

        Returns:
            The capture; entering it gives `clock`, the fake clock the calls
            are timed on.

        Raises:
            RuntimeError: On entering, if the emulator is not started.
        """
        return _Kept(self._capture())

    @contextmanager
    def _capture(self) -> Iterator[FakeClock]:
        if self._server is None:
            raise RuntimeError(
                "start the emulator (or use it as a context manager) before "
                "capturing the default clients: it is not serving"
            )
        route = route_to(self.base_url, self._api_key)
        forget_known_balances()  # a balance seen before is not this emulator's
        try:
            with (
                _routed_default_clients(
                    route, for_children=f"{self.base_url} {self._api_key}"
                ),
                replaced_clock(self._clock),
            ):
                yield self._clock
        finally:
            forget_known_balances()  # nor is this one the next account's

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

    @property
    def clock(self) -> FakeClock:
        """The fake clock `capture_default_clients` times calls on.

        Its `waits` list every wait between retries and polls.
        """
        return self._clock

    # -- state and assertions ----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received, in order, faulted ones included."""
        return self._state.requests()

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """The recorded requests whose path (query aside) ends with `path_suffix`.

        Args:
            path_suffix: The path's end, e.g. `"/gpt-4o"` or `"/status"`.

        Returns:
            The matching requests, in order.
        """
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

    @property
    def context_window(self) -> int | None:
        """The largest prompt accepted, in whitespace-separated words.

        A larger prompt gets HTTP 400 in the provider's words, as a model with
        a small context window answers: Anthropic's `"prompt is too long: N
        tokens > M maximum"`, OpenAI's `"This model's maximum context length
        is M tokens. ..."` (with `"code": "context_length_exceeded"`), Gemini's
        `"The input token count (N) exceeds the maximum number of tokens
        allowed (M)."`. `None` (the default) accepts any prompt.
        """
        return self._state.context_window

    @context_window.setter
    def context_window(self, value: int | None) -> None:
        self._state.context_window = value

    @property
    def queue_polls_until_complete(self) -> int:
        """Status polls after which a v2 job settles (COMPLETED or FAILED).

        Read at every status poll (a result fetch moves no job on), so a
        change applies to running jobs too: set it high to keep jobs running
        (a client times out with a job to resume), then to `0` to let the next
        poll complete them. Jobs stay fetchable at `/v2/requests/<id>/status`
        and `/v2/requests/<id>` until `reset` (Segmind keeps them an hour).
        A job is billed when the poll that completes it comes, so one that is
        never polled again is never billed (Segmind bills it all the same):
        count the jobs sent with `requests_to`.
        """
        return self._state.polls_until_complete

    @queue_polls_until_complete.setter
    def queue_polls_until_complete(self, value: int) -> None:
        self._state.polls_until_complete = value

    def reset(self) -> None:
        """Clear the request log, scripts, faults, queue jobs and connection count.

        Credits, latency, the catalogue, the context window, the queue pace
        and the clock are kept.
        """
        self._state.reset()

    # -- replies, faults and the catalogue ---------------------------------------

    def script_replies(self, *texts: str, slug: str | None = None) -> None:
        """Queue assistant reply texts.

        A request takes the next script (text or payload) of its slug's queue,
        else of the global queue (`slug=None`), else asks the responder, else
        gets the default reply. Texts are put in the slug's provider shape and
        cut to `max_tokens` words.

        Args:
            *texts: Reply texts, used in order.
            slug: Only for requests to this slug; `None` for any request.

        Raises:
            TypeError: A text is not a `str`.
            ValueError: `slug` is not in the emulator's catalogue (its calls get
                a 404, so the script would never be used).
        """
        _check_all(
            texts,
            str,
            "script_replies takes texts, one per argument "
            '(script_replies("a", "b"), or script_replies(*texts) for a list)',
        )
        self._add_script(slug, texts)

    def script_payloads(
        self, *payloads: dict[str, Any], slug: str | None = None
    ) -> None:
        """Queue whole provider answers, each sent verbatim.

        For answers a text cannot express: an Anthropic `stop_reason:
        "refusal"` or `thinking` blocks, an OpenAI `message.refusal` or
        `reasoning_content`. Each payload is the 200 body of one call (or a v2
        job's `output`), with the usual billing headers. Payloads share one
        queue with `script_replies`.

        ```python
        emulator.script_payloads(
            {
                "type": "message",
                "role": "assistant",
                "content": [],
                "stop_reason": "refusal",
                "usage": {"input_tokens": 9, "output_tokens": 0},
            },
            slug="claude-3.5-sonnet",
        )
        ```

        Args:
            *payloads: Provider JSON bodies, used in order.
            slug: Only for requests to this slug; `None` for any request.

        Raises:
            TypeError: A payload is not a `dict`.
            ValueError: `slug` is not in the emulator's catalogue.
        """
        _check_all(
            payloads,
            dict,
            "script_payloads takes dicts, one per argument (script_payloads(*payloads) "
            "for a list); parse JSON text with json.loads first",
        )
        self._add_script(slug, payloads)

    def _add_script(self, slug: str | None, scripts: tuple[Any, ...]) -> None:
        if slug is not None and self._state.model_status(slug) is None:
            raise ValueError(
                f"{slug!r} is not in the emulator's catalogue, so its calls get a "
                f"404 and never use the script: check the slug, or add_model({slug!r})"
            )
        self._state.add_script(slug, scripts)

    def inject(self, fault: Fault, *, times: int = 1, slug: str | None = None) -> None:
        """Make the next `times` matching requests fail with `fault`.

        Faults are used first-in first-out and are taken before any validation.

        Args:
            fault: What to do instead of answering.
            times: How many requests it applies to (0: none).
            slug: Only requests about this slug (its v1/v2 path, or a v2
                job's polls); `None` for any request.

        Raises:
            TypeError: `fault` is not a `Fault`.
            ValueError: `times` is negative (not "forever": 0 arms nothing).
        """
        _check_all(
            (fault,), Fault, "inject takes a Fault, e.g. Fault.server_error(503)"
        )
        if times < 0:
            raise ValueError(f"inject needs times >= 0 (0 arms nothing), got {times}")
        self._state.arm_fault(fault, times, slug)

    def retire(self, slug: str) -> None:
        """Mark `slug` retired: calls to it get HTTP 410.

        Args:
            slug: The model's slug, in the catalogue or not.
        """
        self._state.set_model(slug, RETIRED)

    def add_model(self, slug: str) -> None:
        """Add `slug` to the catalogue as active (or re-activate it).

        Args:
            slug: The model's slug.
        """
        self._state.set_model(slug, ACTIVE)

    def fail_next_queue_job(self, message: str = "Model inference failed") -> None:
        """Make the next submitted v2 job end `FAILED` with `message`.

        Args:
            message: The `error` of the job's status and result.
        """
        self._state.fail_next_job(message)


def route_to(
    base_url: str, api_key: str
) -> Callable[[str, SecretStr | None], tuple[str, SecretStr | None]]:
    """The route to the emulator at `base_url`, for `_routed_default_clients`.

    A URL goes there from its `/v1/` or `/v2/` on, with the emulator's key.
    """
    base = httpx2.URL(base_url)
    root_path = base.path.rstrip("/").removesuffix("/v1").removesuffix("/v2")
    root = str(base.copy_with(path=root_path)).rstrip("/")

    def route(url: str, _key: SecretStr | None) -> tuple[str, SecretStr | None]:
        path = httpx2.URL(url).raw_path.decode("ascii")  # no query: none is sent
        api = max(path.rfind("/v1/"), path.rfind("/v2/"))
        return root + (path[api:] if api >= 0 else path), SecretStr(api_key)

    return route


@contextmanager
def _routed_default_clients(
    route: clients.Route, *, for_children: str
) -> Iterator[None]:
    """Send every default-client request to the URL and key `route(url, key)` gives.

    Process-wide while the block runs, on default clients of its own that use
    no proxy nor the environment's TLS settings (the route leads to loopback);
    calls through a client the user passed are left alone. Processes started
    in the block inherit the route `for_children` names ("<emulator base URL>
    <key>").
    """
    variable = clients.ROUTE_VARIABLE
    previous = clients.captured_route, clients.DEFAULT_CLIENTS, os.environ.get(variable)
    clients.captured_route = route
    clients.DEFAULT_CLIENTS = clients.DefaultClients(environment=False)
    os.environ[variable] = for_children
    try:
        yield
    finally:
        # The variable first: a first look at it with no captured route is cached.
        if (inherited := previous[2]) is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = inherited
        routed_clients = clients.DEFAULT_CLIENTS
        clients.captured_route, clients.DEFAULT_CLIENTS = previous[:2]
        routed_clients.close()


class _Kept(AbstractContextManager[FakeClock]):
    """A capture held until exited: a generator's block, dropped, would end."""

    _active: ClassVar[set[_Kept]] = set()

    def __init__(self, block: AbstractContextManager[FakeClock]) -> None:
        self._block = block

    def __enter__(self) -> FakeClock:
        clock = self._block.__enter__()
        _Kept._active.add(self)
        return clock

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        _Kept._active.discard(self)
        return self._block.__exit__(kind, error, traceback)


def _check_all(values: tuple[Any, ...], kind: type, usage: str) -> None:
    """A `TypeError` that says what to pass, unless every value is a `kind`."""
    for value in values:
        if not isinstance(value, kind):
            raise TypeError(f"{usage}; got {value!r:.80}")


def checked_host(host: str, *, allow_remote: bool) -> str:
    """`host` if the emulator may listen there, else a `ValueError` saying why.

    An empty host would mean every interface (as an unset variable gives), so
    it is never taken; any other non-loopback host needs `allow_remote`.
    """
    if not host.strip():
        raise ValueError(
            "the emulator's host is empty, which would listen on every interface; "
            "give a loopback address (the default is 127.0.0.1), or an explicit "
            "address such as 0.0.0.0 with allow_remote=True (--allow-remote)"
        )
    if allow_remote or is_loopback(host):
        return host
    raise ValueError(
        f"the emulator's host {host!r} is not a loopback address: other machines "
        "could call it with its well-known key. Pass allow_remote=True "
        "(--allow-remote) to listen there all the same"
    )


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (`localhost`, 127.0.0.0/8, `::1`)."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    # `::ffff:127.0.0.1` is loopback on every Python, not only from 3.13 on.
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback
