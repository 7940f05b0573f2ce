"""Proxy and certificate settings from the environment, on real sockets.

The default clients (`sync`; async over `httpx2` or `aiohttp`) read them as a
plain `httpx2.Client` does: a connection, direct or through a proxy, keeps TCP
keepalive; a `NO_PROXY` entry that covers the host bypasses the proxy; a proxy
that leads nowhere is a retried connection error, and a setting that cannot
work a setup error. The emulator stands in for the proxy where one must answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import importlib.util
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from langchain_segmind import (
    ChatSegmind,
    SegmindConnectionError,
    SegmindInputError,
)
from langchain_segmind.testing import Fault, SegmindEmulator
from langchain_segmind.transport import clients
from tests.integration_tests.support import (
    PATHS,
    REPLY,
    closed_port,
    failure_of,
    invoke,
    model_on,
    one_connection_server,
    run,
)

PROXY_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
]
PROXY_VARIABLES += [name.lower() for name in PROXY_VARIABLES[:4]]
EXPECTED_KEEPALIVE = {
    name: value
    for name, value in {
        "TCP_KEEPIDLE": 60,
        "TCP_KEEPINTVL": 60,
        "TCP_KEEPCNT": 5,
    }.items()
    if hasattr(socket, name)
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No proxy or certificate settings but the test's own, read by default
    clients built inside the test and closed after it."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    forget_default_clients()
    yield monkeypatch
    monkeypatch.undo()
    forget_default_clients()


def forget_default_clients() -> None:
    clients.DEFAULT_CLIENTS.sync().close()
    clients.DEFAULT_CLIENTS.reset()


# -- proxies from the environment --


@pytest.fixture
def opened_sockets(monkeypatch: pytest.MonkeyPatch) -> list[socket.socket]:
    """Every socket given an option while the test runs (each TCP connection is)."""
    seen: list[socket.socket] = []
    setsockopt = socket.socket.setsockopt

    def recorded(sock: socket.socket, *args: Any) -> None:
        seen.append(sock)
        setsockopt(sock, *args)

    monkeypatch.setattr(socket.socket, "setsockopt", recorded)
    return seen


def keepalive_to(port: int, sockets: list[socket.socket]) -> list[dict[str, int]]:
    """The keepalive options of the open sockets connected to `port`."""
    found = []
    for sock in dict.fromkeys(sockets):
        with contextlib.suppress(OSError):
            if sock.getpeername()[1] != port:
                continue
            options = {
                name: sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, name))
                for name in EXPECTED_KEEPALIVE
            }
            options["SO_KEEPALIVE"] = int(
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
            )
            found.append(options)
    return found


@pytest.mark.parametrize("route", ["direct", "proxy"])
@pytest.mark.parametrize("path", PATHS)
def test_default_client_connections_carry_tcp_keepalive(
    request: pytest.FixtureRequest,
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    opened_sockets: list[socket.socket],
    path: str,
    route: str,
) -> None:
    base_url = emulator.base_url
    if route == "proxy":
        # The emulator serves a forward proxy's requests too: a host that does
        # not exist is reached only through it. Its credentials go with them.
        proxy = emulator.url.replace("http://", "http://us%40er:p%3Ass@")
        environment.setenv("HTTP_PROXY", proxy)
        base_url = "http://api.segmind.invalid/v1"
    model = model_on(base_url, path, api_key=emulator.api_key)

    answer, options = run(
        path,
        invoke(model, path),
        lambda: keepalive_to(emulator.port, opened_sockets),
    )

    assert answer.content
    if route == "proxy":
        assert emulator.requests[0].headers["host"] == "api.segmind.invalid"
        credentials = base64.b64encode(b"us@er:p:ss").decode()
        assert emulator.requests[0].headers["proxy-authorization"] == (
            f"Basic {credentials}"
        )
    assert options, "no open connection to the emulator"
    assert options == [{**EXPECTED_KEEPALIVE, "SO_KEEPALIVE": 1}] * len(options)


@pytest.mark.parametrize(
    ("proxy", "no_proxy"),
    [
        ("http", "127.0.0.1"),
        ("http", "*"),
        ("http", "localhost,127.0.0.1"),
        # A plain httpx2.Client() fails on this entry (a punycode host).
        ("http", "xn--bcher-kva.example,127.0.0.1"),
        ("socks5", "127.0.0.1"),  # a proxy it cannot use (no socksio)
    ],
    ids=["host", "star", "list", "an-entry-httpx2-cannot-read", "unusable-proxy"],
)
@pytest.mark.parametrize("path", PATHS)
def test_no_proxy_covering_the_host_bypasses_the_proxy(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    path: str,
    proxy: str,
    no_proxy: str,
) -> None:
    environment.setenv("ALL_PROXY", f"{proxy}://127.0.0.1:{closed_port()}")
    environment.setenv("NO_PROXY", no_proxy)
    model = model_on(emulator.base_url, path, api_key=emulator.api_key)

    (answer,) = run(path, invoke(model, path))

    assert answer.content
    assert len(emulator.requests) == 1


@pytest.mark.parametrize(
    ("no_proxy", "bypassed"),
    [
        ("*.segmind.invalid", True),
        (".segmind.invalid", True),
        ("segmind.invalid", True),
        ("http://api.segmind.invalid", True),
        ("http://[::1,http://x:y,http://api.segmind.invalid", True),  # bad: skipped
        ("10.0.0.0/99,[::1]/x,segmind.invalid", True),  # bad networks: skipped
        ("10.0.0.0/255.0.0.0,fe80::1%eth0/64,segmind.invalid", True),
        ("::1,fe80::/10,segmind.invalid", True),  # bare IPv6 addresses and networks
        ("*.segmind.example", False),
        ("https://api.segmind.invalid", False),
        ("invalid/16", False),  # a network of names: skipped
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_no_proxy_entries_route_as_in_a_plain_httpx2_client(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    path: str,
    no_proxy: str,
    bypassed: bool,
) -> None:
    # The emulator serves a forward proxy's requests too; a `.invalid` host
    # reached directly fails to resolve, at once rather than by asking DNS.
    resolve = socket.getaddrinfo

    def resolve_offline(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    environment.setattr(socket, "getaddrinfo", resolve_offline)
    environment.setenv("HTTP_PROXY", emulator.url)
    environment.setenv("NO_PROXY", no_proxy)
    base_url = "http://api.segmind.invalid/v1"
    try:
        with httpx2.Client(trust_env=True) as plain:
            plain.get(base_url)
        plain_bypassed = False
    except httpx2.ConnectError:  # went direct, and the name does not resolve
        plain_bypassed = True
    model = model_on(base_url, path, api_key=emulator.api_key)

    if bypassed:
        error = failure_of(lambda: run(path, invoke(model, path)))
        assert isinstance(error, SegmindConnectionError), repr(error)
    else:
        (answer,) = run(path, invoke(model, path))
        assert answer.content
    assert plain_bypassed is bypassed


@pytest.mark.parametrize(
    ("no_proxy", "host"),
    [
        ("::1", "[::1]"),
        ("::/64", "[::1]"),
        ("[::1]", "[::1]"),
        ("127.0.0.0/8", "127.0.0.1"),
    ],
    ids=["ipv6-address", "ipv6-network", "bracketed-ipv6", "ipv4-network"],
)
@pytest.mark.parametrize("path", PATHS)
def test_no_proxy_addresses_and_networks_bypass_the_proxy(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    path: str,
    no_proxy: str,
    host: str,
) -> None:
    environment.setenv("HTTP_PROXY", emulator.url)  # it would answer
    environment.setenv("NO_PROXY", no_proxy)
    base_url = f"http://{host}:{closed_port()}/v1"
    model = model_on(base_url, path, api_key=emulator.api_key, max_retries=0)

    error = failure_of(lambda: run(path, invoke(model, path)))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert emulator.requests == []


@pytest.mark.parametrize("path", PATHS)
def test_a_proxy_written_without_its_scheme_is_an_http_proxy(
    emulator: SegmindEmulator, environment: pytest.MonkeyPatch, path: str
) -> None:
    environment.setenv("HTTP_PROXY", emulator.url.removeprefix("http://"))
    model = model_on("http://api.segmind.invalid/v1", path, api_key=emulator.api_key)

    (answer,) = run(path, invoke(model, path))

    assert answer.content
    assert emulator.requests[-1].path == "/v1/gpt-4o"


@pytest.mark.parametrize("path", PATHS)
def test_a_no_proxy_localhost_entry_leaves_its_subdomains_to_the_proxy(
    emulator: SegmindEmulator, environment: pytest.MonkeyPatch, path: str
) -> None:
    # As in a plain httpx2.Client, `localhost` is that one host, not a domain.
    resolve = socket.getaddrinfo

    def resolve_offline(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".localhost"):  # reached directly: fails at once
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    environment.setattr(socket, "getaddrinfo", resolve_offline)
    environment.setenv("HTTP_PROXY", emulator.url)
    environment.setenv("NO_PROXY", "localhost")
    model = model_on("http://api.localhost/v1", path, api_key=emulator.api_key)

    (answer,) = run(path, invoke(model, path))

    assert answer.content
    assert emulator.requests[-1].path == "/v1/gpt-4o"


@pytest.mark.parametrize("proxy", ["closed-port", "refused-connect"])
@pytest.mark.parametrize("path", PATHS)
def test_a_proxy_that_leads_nowhere_is_a_retried_connection_error(
    emulator: SegmindEmulator, environment: pytest.MonkeyPatch, path: str, proxy: str
) -> None:
    if proxy == "closed-port":
        environment.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    else:  # the emulator, standing as the proxy, grants no CONNECT tunnel
        environment.setenv("HTTPS_PROXY", emulator.url)
    scheme = "http" if proxy == "closed-port" else "https"
    model = model_on(f"{scheme}://api.segmind.invalid/v1", path, max_retries=1)

    error = failure_of(lambda: run(path, invoke(model, path)))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "could not reach Segmind" in str(error)
    assert error.is_retryable


@pytest.mark.parametrize(
    "path",
    [
        *PATHS[:2],
        pytest.param(
            "aiohttp",
            marks=pytest.mark.xfail(
                reason="aiohttp tells no tunnel that closed from an answer that "
                "did not come: reported as possibly billed",
                strict=True,
            ),
        ),
    ],
)
@pytest.mark.parametrize("scheme", ["https", "HTTPS"])
def test_a_proxy_that_hangs_up_before_its_tunnel_opens_is_retried(
    environment: pytest.MonkeyPatch, path: str, scheme: str
) -> None:
    requests: list[bytes] = []

    def hang_up() -> None:  # reads the CONNECT, then closes without a word
        while True:
            try:
                client, _ = proxy.accept()
            except OSError:
                return
            with client:
                requests.append(client.recv(65536))

    with socket.create_server(("127.0.0.1", 0)) as proxy:
        environment.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.getsockname()[1]}")
        threading.Thread(target=hang_up, daemon=True).start()
        model = model_on(f"{scheme}://api.segmind.invalid/v1", path, max_retries=1)

        error = failure_of(lambda: run(path, invoke(model, path)))
        with contextlib.suppress(OSError):
            proxy.shutdown(socket.SHUT_RDWR)

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "could not reach Segmind" in str(error)
    assert [request.split(b" ")[:2] for request in requests] == [
        [b"CONNECT", b"api.segmind.invalid:443"]
    ] * 2


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SSL_CERT_FILE", "/nonexistent.pem"), ("NO_PROXY", "http://10.0.0.0/x")],
    ids=["missing-certificate-file", "no-proxy-network-with-a-path"],
)
@pytest.mark.parametrize("path", PATHS)
def test_an_environment_setting_that_cannot_work_is_a_setup_error(
    environment: pytest.MonkeyPatch, path: str, variable: str, value: str
) -> None:
    environment.setenv(variable, value)
    model = model_on("http://127.0.0.1:9/v1", path)

    error = failure_of(lambda: run(path, invoke(model, path)))

    assert isinstance(error, SegmindInputError), repr(error)
    assert "could not set up the HTTP client" in str(error)
    assert "billed" not in str(error)


@pytest.mark.parametrize("path", PATHS)
def test_a_socks_proxy_it_cannot_use_says_what_to_install(
    emulator: SegmindEmulator, environment: pytest.MonkeyPatch, path: str
) -> None:
    if path != "aiohttp" and importlib.util.find_spec("socksio"):
        pytest.skip("httpx2 can use the proxy: socksio is installed")
    environment.setenv("ALL_PROXY", f"socks5://127.0.0.1:{closed_port()}")
    model = model_on(emulator.base_url, path)

    error = failure_of(lambda: run(path, invoke(model, path)))

    assert isinstance(error, SegmindInputError), repr(error)
    assert 'pip install "httpx2[socks]"' in str(error)
    # aiohttp's refusal says it all: not worded as a setup failure around it
    setup_failure = str(error).startswith("could not set up the HTTP client")
    assert setup_failure is (path != "aiohttp")
    assert emulator.requests == []


# -- certificates from the environment --

CERTIFICATES = Path(__file__).parent / "certificates"
"""`localhost.pem`: a certificate (and its key) for localhost and 127.0.0.1,
signed by the test CA of `ca.pem`; both valid until 2126."""


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for end in (source, target):  # a hang-up on one side reaches the other
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()


@contextlib.contextmanager
def _tls_relay(upstream_port: Callable[[ssl.SSLSocket], int]) -> Iterator[int]:
    """A TLS server's port on loopback; it relays each connection, TLS ended, to
    the loopback port `upstream_port` reads from it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTIFICATES / "localhost.pem")
    listener = socket.create_server(("127.0.0.1", 0))

    def relay() -> None:
        while True:
            try:
                client, _ = listener.accept()
                tls = context.wrap_socket(client, server_side=True)
                upstream = socket.create_connection(("127.0.0.1", upstream_port(tls)))
            except (OSError, ValueError, IndexError):  # refused, closed, no CONNECT
                if listener.fileno() == -1:
                    return
                continue
            for ends in ((tls, upstream), (upstream, tls)):
                threading.Thread(target=_pipe, args=ends, daemon=True).start()

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    yield listener.getsockname()[1]
    with contextlib.suppress(OSError):  # Linux: wakes the blocked accept()
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    relaying.join(timeout=5)


@pytest.fixture
def tls_base_url(emulator: SegmindEmulator) -> Iterator[str]:
    """The emulator's base URL over TLS: a relay on loopback ends TLS before it."""
    with _tls_relay(lambda _: emulator.port) as port:
        yield f"https://localhost:{port}/v1"


@pytest.fixture
def https_proxy() -> Iterator[tuple[str, list[str]]]:
    """An https proxy's URL, and the `host:port` of each tunnel it opened."""
    tunnels: list[str] = []

    def open_tunnel(tls: ssl.SSLSocket) -> int:
        tunnels.append(tls.recv(65536).split(b" ")[1].decode())  # CONNECT host:port
        tls.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        return int(tunnels[-1].rpartition(":")[2])

    with _tls_relay(open_tunnel) as port:
        yield f"https://localhost:{port}", tunnels


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
@pytest.mark.parametrize("path", PATHS)
def test_a_call_over_tls_trusts_the_certificates_the_environment_names(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    tls_base_url: str,
    path: str,
    trusted: bool,
) -> None:
    if trusted:
        environment.setenv("SSL_CERT_FILE", str(CERTIFICATES / "ca.pem"))
    model = model_on(tls_base_url, path, api_key=emulator.api_key, max_retries=0)

    if trusted:
        [answer] = run(path, invoke(model, path, "over TLS"))
        assert answer.content == f"{REPLY}over TLS"
        return
    error = failure_of(lambda: run(path, invoke(model, path)))
    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "CERTIFICATE_VERIFY_FAILED" in str(error)
    assert emulator.requests == []


@pytest.mark.parametrize("path", PATHS)
def test_a_hang_up_after_the_tls_handshake_may_have_been_billed(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    tls_base_url: str,
    path: str,
) -> None:
    environment.setenv("SSL_CERT_FILE", str(CERTIFICATES / "ca.pem"))
    emulator.inject(Fault.connection_reset(), times=2)
    model = model_on(tls_base_url, path, api_key=emulator.api_key, max_retries=1)

    error = failure_of(lambda: run(path, invoke(model, path)))

    assert isinstance(error, SegmindConnectionError), repr(error)
    assert "may have been billed" in str(error)
    assert len(emulator.requests) == 1


@pytest.mark.usefixtures("real_clock")
@pytest.mark.parametrize("path", PATHS)
def test_a_tls_handshake_that_never_ends_is_bounded_by_timeout(
    environment: pytest.MonkeyPatch, path: str
) -> None:
    gc.collect()  # what earlier tests left, so that only this call's counts
    # Connections are queued, never accepted: the handshake waits forever.
    with (
        socket.create_server(("127.0.0.1", 0)) as silent,
        warnings.catch_warnings(record=True) as warned,
    ):
        warnings.simplefilter("always", ResourceWarning)
        port = silent.getsockname()[1]
        model = model_on(f"https://localhost:{port}/v1", path, timeout=0.5)

        error = failure_of(lambda: run(path, invoke(model, path)))
        gc.collect()  # a socket left open warns as it is collected

    # The connect timeout covers the handshake: cut to leave the POST time for
    # its answer, it ends as a request that was never sent.
    assert isinstance(error, SegmindConnectionError), repr(error)
    assert error.is_retryable
    assert "billed" not in str(error)
    assert [w.message for w in warned if w.category is ResourceWarning] == []


def test_a_tls_call_cancelled_in_a_loop_that_then_ends_leaves_no_socket_open(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("SSL_CERT_FILE", str(CERTIFICATES / "ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTIFICATES / "localhost.pem")
    cancelled = threading.Event()

    def read_then_wait(connection: socket.socket) -> None:
        with context.wrap_socket(connection, server_side=True) as tls:
            tls.recv(65536)
            cancelled.wait(5)  # reading nothing more meanwhile

    async def cancelled_while_waiting(model: ChatSegmind) -> None:
        calling = asyncio.ensure_future(model.ainvoke("Hi"))
        await asyncio.sleep(0.2)
        calling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await calling

    gc.collect()  # what earlier tests left, so that only this call counts
    with (
        one_connection_server(read_then_wait) as base_url,
        warnings.catch_warnings(record=True) as warned,
    ):
        warnings.simplefilter("always", ResourceWarning)
        model = model_on(base_url.replace("http:", "https:"), "async")
        asyncio.run(cancelled_while_waiting(model))
        gc.collect()  # a socket left open warns as it is collected
        cancelled.set()

    assert [w.message for w in warned if w.category is ResourceWarning] == []


@pytest.mark.parametrize("path", PATHS)
def test_a_call_over_tls_through_an_https_proxy_is_tls_inside_its_tls(
    emulator: SegmindEmulator,
    environment: pytest.MonkeyPatch,
    tls_base_url: str,
    https_proxy: tuple[str, list[str]],
    path: str,
) -> None:
    proxy_url, tunnels = https_proxy
    environment.setenv("SSL_CERT_FILE", str(CERTIFICATES / "ca.pem"))
    environment.setenv("HTTPS_PROXY", proxy_url)
    model = model_on(tls_base_url, path, api_key=emulator.api_key, max_retries=0)

    answers = run(path, invoke(model, path, "one"), invoke(model, path, "two"))

    assert [answer.content for answer in answers] == [f"{REPLY}one", f"{REPLY}two"]
    assert tunnels == [tls_base_url.split("/")[2]]  # one tunnel, kept for both
