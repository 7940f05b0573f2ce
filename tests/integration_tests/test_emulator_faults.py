"""The loopback Segmind emulator's faults, request log, life and v2 queue.

Spoken to over HTTP with plain httpx2, like `test_emulator.py`; here also where
it listens and its command line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from langchain_segmind import ChatSegmindGPT4o
from langchain_segmind.testing import FakeClock, Fault, SegmindEmulator
from langchain_segmind.testing.__main__ import main
from tests.integration_tests._emulator_http import (
    COST,
    DEFAULT_REPLY,
    HELLO,
    client_of,  # noqa: F401 - the `client` fixture
    fresh_emulator,  # noqa: F401 - the `emulator` fixture
    keyed_client,
    new_client,
    text_of,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


# -- faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type", "body"),
    [
        (Fault.server_error(503), 503, "application/json", '{"error": '),
        (Fault(status=502, body={"error": "x"}), 502, "application/json", '{"error"'),
        (
            Fault(
                status=400, body={"type": "x"}, content_type="application/problem+json"
            ),
            400,
            "application/problem+json",
            '{"type"',
        ),
        (Fault.html(502), 502, "text/html", "<html>"),
        (Fault.plain(504, "upstream timed out"), 504, "text/plain", "upstream timed"),
        (Fault.empty(500), 500, "text/plain", ""),
        (Fault.not_json(), 200, "text/plain", "upstream"),
        (Fault.not_json("{", "application/json"), 200, "application/json", "{"),
        (
            Fault(status=503),
            503,
            "application/json",
            '{"error": "Service Unavailable"}',
        ),
        (Fault(status=418, body="<p>teapot</p>"), 418, "text/html", "<p>"),
    ],
)
def test_http_faults_answer_once_before_any_check_and_bill_nothing(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    fault: Fault,
    status: int,
    content_type: str,
    body: str,
) -> None:
    emulator.inject(fault)
    response = client.post("/v1/gpt-4o", json={}, headers={"x-api-key": "wrong"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    assert response.text.startswith(body)
    assert response.headers["x-segmind-emulator"] == "1"
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200
    assert emulator.remaining_credits == pytest.approx(10_000 - COST)


def test_rate_limit_fault(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.inject(Fault.rate_limit(reset_in=2))
    before = datetime.now(UTC)
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 429
    assert "Rate limit" in response.json()["error"]
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert "retry-after" not in response.headers
    reset_at = datetime.strptime(
        response.headers["x-rate-limit-reset-at-utc"], "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=UTC)
    assert 1 <= (reset_at - before).total_seconds() <= 4


def test_a_rate_limit_after_earlier_waits_resets_on_the_tests_clock(
    segmind_emulator: SegmindEmulator,
) -> None:
    model = ChatSegmindGPT4o()
    segmind_emulator.inject(Fault.server_error(503), times=2)
    model.invoke("retried twice")
    segmind_emulator.clock.waits.clear()

    segmind_emulator.inject(Fault.rate_limit(reset_in=1.0))
    model.invoke("rate limited once")

    [wait] = segmind_emulator.clock.waits
    # About `reset_in`, less the real time from the fault to the answer.
    assert 0.9 <= wait <= 2.0


def test_a_rate_limit_used_twice_names_the_same_reset_the_second_time(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.inject(Fault.rate_limit(reset_in=1.0), times=2)

    ChatSegmindGPT4o().invoke("rate limited twice")

    first, second = segmind_emulator.clock.waits
    assert 0.9 <= first <= 2.0
    assert second == 0.0  # waited out by the first retry, as its docstring says


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_sync_waits_block_and_async_ones_do_not(
    segmind_emulator: SegmindEmulator, mode: str
) -> None:
    segmind_emulator.inject(Fault.server_error(503))
    model = ChatSegmindGPT4o()
    if mode == "sync":
        model.invoke("hi")
    else:
        asyncio.run(model.ainvoke("hi"))
    assert segmind_emulator.clock.waits == [0.5]
    assert segmind_emulator.clock.blocking_waits == ([0.5] if mode == "sync" else [])


def test_the_fake_clock_never_runs_backwards() -> None:
    clock = FakeClock()
    clock.sleep(2.0)
    clock.sleep(-1.0)  # a deadline already past: no wait, no time travel
    assert (clock.waits, clock.monotonic()) == ([2.0, -1.0], 2.0)


def test_slow_answers_and_latency(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.slow(0.5))
    with pytest.raises(httpx2.ReadTimeout):
        client.post("/v1/gpt-4o", json=HELLO, timeout=0.1)
    emulator.inject(Fault.slow(0.2))
    started = time.monotonic()
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 200
    assert float(response.headers["x-generation-time"]) >= 0.2
    emulator.latency = 0.2
    client.post("/v1/gpt-4o", json={}, headers={"x-api-key": "wrong"})
    assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.connection_reset(), httpx2.ReadError),  # a TCP RST, not a clean close
        (Fault.truncated(), httpx2.RemoteProtocolError),
    ],
)
def test_broken_connections_are_transport_errors(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    fault: Fault,
    error: type[Exception],
) -> None:
    emulator.inject(fault)
    with pytest.raises(error):
        client.post("/v1/gpt-4o", json=HELLO)
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200


@pytest.mark.parametrize(
    ("fault", "head"),
    [
        (Fault.interim_answers(0.01), b"HTTP/1.1 102 Processing\r\n\r\n"),
        (Fault.dripping_headers(0.01), b"HTTP/1.1 200 OK\r\nX-Drip: a"),
    ],
    ids=["interim-answers", "dripping-headers"],
)
def test_a_stalled_head_starts_as_documented(
    emulator: SegmindEmulator, fault: Fault, head: bytes
) -> None:
    emulator.inject(fault)
    with socket.create_connection((emulator.host, emulator.port), timeout=2) as sock:
        sock.sendall(b"GET /v1/gpt-4o HTTP/1.1\r\nHost: emulator\r\n\r\n")
        received = b""
        while len(received) < len(head):
            received += sock.recv(64)
    assert received.startswith(head)


def test_faults_are_fifo_counted_and_slug_specific(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error(503), times=2, slug="claude-3.5-sonnet")
    emulator.inject(Fault.server_error(502))
    emulator.inject(Fault.server_error(504))
    statuses = [
        client.post(f"/v1/{slug}", json=HELLO).status_code
        for slug in ["gpt-4o"] + ["claude-3.5-sonnet"] * 4
    ]
    assert statuses == [502, 503, 503, 504, 200]


def test_a_fault_injected_zero_times_never_fires_and_negative_times_are_refused(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error(503), times=0)
    with pytest.raises(ValueError, match="times >= 0"):
        emulator.inject(Fault.server_error(503), times=-1)
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200


def test_a_script_for_a_slug_outside_the_catalogue_is_refused(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    with pytest.raises(ValueError, match=r"'gpt-4-o' is not in the emulator"):
        emulator.script_replies("Paris", slug="gpt-4-o")
    emulator.add_model("gpt-4-o")
    emulator.script_replies("Paris", slug="gpt-4-o")
    assert text_of(client.post("/v1/gpt-4-o", json=HELLO)) == "Paris"


@pytest.mark.parametrize(
    ("misuse", "says"),
    [
        (lambda e: e.inject(Fault.server_error), "inject takes a Fault, e.g. Fault."),
        (lambda e: e.inject(Fault), "inject takes a Fault"),
        (lambda e: e.inject(503), "inject takes a Fault"),
        (lambda e: e.inject("server_error"), "inject takes a Fault"),
        (lambda e: e.script_replies(["Paris", "Rome"]), "script_replies(*texts)"),
        (lambda e: e.script_replies("Paris", None), "script_replies takes texts"),
        (lambda e: e.script_payloads('{"choices": []}'), "json.loads first"),
        (lambda e: e.script_payloads([{"choices": []}]), "script_payloads(*payl"),
    ],
    ids=[
        "a-method",
        "the-class",
        "a-status",
        "a-name",
        "a-list",
        "none",
        "json",
        "list",
    ],
)
def test_misuse_is_a_type_error_at_the_call_that_says_what_to_pass(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    misuse: Callable[[SegmindEmulator], None],
    says: str,
) -> None:
    with pytest.raises(TypeError, match=re.escape(says)):
        misuse(emulator)
    assert text_of(client.post("/v1/gpt-4o", json=HELLO)) == DEFAULT_REPLY


def test_a_fault_the_emulator_cannot_serve_is_a_500_not_a_hang_up(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault(status=503, body={"at": datetime.now(UTC)}))
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 500
    assert "emulator failure" in response.json()["error"]
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200


# -- the request log, connections and the server's life ----------------------------


def test_the_request_log_masks_credentials(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error())
    client.post("/v1/gpt-4o", json=HELLO)
    client.post(
        "/v1/o3",
        content=b"hello",
        headers={"content-type": "text/plain", "authorization": "Bearer secret"},
    )
    first, second = emulator.requests
    assert (first.method, first.path, first.body) == ("POST", "/v1/gpt-4o", HELLO)
    assert first.headers["x-api-key"] == second.headers["authorization"] == "***"
    assert (second.body, second.raw_body) == (None, b"hello")
    assert emulator.api_key not in repr(emulator.requests)
    assert "secret" not in repr(emulator.requests)
    assert emulator.requests_to("/gpt-4o") == [first]


def test_keep_alive_and_connection_close(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    for _ in range(3):
        assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200
    client.post("/v1/gpt-4o", json={})  # errors keep the connection too
    assert emulator.connections_opened == 1
    for _ in range(2):
        closing = client.post("/v1/gpt-4o", json=HELLO, headers={"connection": "close"})
        assert closing.headers["connection"] == "close"
    assert emulator.connections_opened == 2


def test_a_head_request_gets_no_body_and_keeps_the_connection_usable(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    head = client.head("/v1/gpt-4o")
    assert (head.status_code, head.content) == (405, b"")
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200
    assert emulator.connections_opened == 1


def test_reset_clears_the_log_scripts_faults_and_count(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    client.post("/v1/gpt-4o", json=HELLO)
    emulator.script_replies("scripted")
    emulator.inject(Fault.server_error())
    emulator.reset()
    assert (emulator.requests, emulator.connections_opened) == ([], 0)
    assert text_of(client.post("/v1/gpt-4o", json=HELLO)) == DEFAULT_REPLY
    assert emulator.remaining_credits == pytest.approx(10_000 - 2 * COST)


def test_concurrent_requests(emulator: SegmindEmulator) -> None:
    statuses: list[int] = []

    def worker() -> None:
        with keyed_client(emulator) as http:
            statuses.extend(
                http.post("/v1/gpt-4o", json=HELLO).status_code for _ in range(5)
            )

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 40
    assert emulator.connections_opened == 8
    assert emulator.remaining_credits == pytest.approx(10_000 - 40 * COST)


def test_addresses_and_a_quick_stop() -> None:
    emu = SegmindEmulator(api_key="secret-key")
    assert emu.port == 0
    with emu, keyed_client(emu) as http:
        assert emu.port > 0
        assert emu.url == f"http://127.0.0.1:{emu.port}"
        assert (emu.base_url, emu.v2_base_url) == (emu.url + "/v1", emu.url + "/v2")
        assert "secret-key" not in repr(emu)
        assert http.post("/v1/gpt-4o", json=HELLO).status_code == 200
        started = time.monotonic()
        emu.stop()  # does not wait for the idle keep-alive connection
        assert time.monotonic() - started < 1
        with pytest.raises(httpx2.TransportError):
            http.post("/v1/gpt-4o", json=HELLO)


# -- where it listens -----------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["", "  ", "0.0.0.0", "::", "192.0.2.1", "::ffff:192.0.2.1", "example.com"]
)
def test_only_loopback_unless_remote_is_allowed(host: str) -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        SegmindEmulator(host=host)


@pytest.mark.parametrize("host", ["127.0.0.2", "::ffff:127.0.0.1", "LOCALHOST"])
def test_every_spelling_of_loopback_is_taken_without_allow_remote(host: str) -> None:
    assert SegmindEmulator(host=host).host == host


@pytest.mark.parametrize("host", ["", "  "])
def test_an_empty_host_is_refused_even_when_remote_is_allowed(host: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        SegmindEmulator(host=host, allow_remote=True)
    assert SegmindEmulator(host="0.0.0.0", allow_remote=True).host == "0.0.0.0"


@pytest.mark.parametrize("api_key", ["", " sk-1", "sk 1", "sk-\u00e9", "sk-\n1"])
def test_a_key_no_client_could_send_is_refused(api_key: str) -> None:
    with pytest.raises(ValueError, match="no client could send"):
        SegmindEmulator(api_key=api_key)


def test_capturing_the_clients_of_an_emulator_not_started_is_refused() -> None:
    with (
        pytest.raises(RuntimeError, match="start the emulator"),
        SegmindEmulator().capture_default_clients(),
    ):
        pass


def test_a_capture_lasts_until_exited_even_when_its_object_is_dropped() -> None:
    with SegmindEmulator() as emu:
        capture = emu.capture_default_clients()
        capture.__enter__()  # as a notebook cell may, keeping no reference
        kept = weakref.ref(capture)
        del capture
        gc.collect()
        try:
            answer = ChatSegmindGPT4o(max_retries=0).invoke("Hi")
        finally:
            if (capture := kept()) is not None:
                capture.__exit__(None, None, None)

    assert answer.content == "Segmind emulator reply (not a model) to: Hi"
    assert len(emu.requests) == 1


@pytest.mark.parametrize("host", ["localhost", "::1"])
def test_loopback_hosts_serve(host: str) -> None:
    with SegmindEmulator(host=host) as emu, keyed_client(emu) as http:
        assert http.post("/v1/gpt-4o", json=HELLO).status_code == 200


@pytest.mark.parametrize(
    "argv", [["--host", ""], ["--host", "0.0.0.0"], ["--host", "", "--allow-remote"]]
)
def test_the_command_line_refuses_other_hosts_and_says_why(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--port", "0", *argv])
    assert exit_.value.code == 2
    assert "loopback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--port", "-1"], "--port must be 0-65535"),
        (["--port", "70000"], "--port must be 0-65535"),
        (["--port", "0", "--api-key", ""], "--api-key must be printable ASCII"),
        (["--port", "0", "--api-key", " sk-1"], "--api-key must be printable ASCII"),
        (["--port", "0", "--latency", "inf"], "--latency must be 0 to 3600"),
    ],
)
def test_the_command_line_refuses_settings_that_cannot_work(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert reason in capsys.readouterr().err


def test_the_command_line_help_gives_every_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for default in ("8080", "127.0.0.1", "segmind-emulator-key", "10000"):
        assert f"(default {default})" in shown


def test_the_command_line_says_when_its_port_is_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with SegmindEmulator() as taken, pytest.raises(SystemExit) as exit_:
        main(["--port", str(taken.port)])
    assert exit_.value.code == 2
    assert f"cannot listen on 127.0.0.1:{taken.port}" in capsys.readouterr().err


def test_the_command_line_serves_until_terminated() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    command = ["--port", "0", "--api-key", "cli-key", "--credits", "5"]
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_segmind.testing", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        assert "cli-key" in process.stdout.readline()
        with new_client(headers={"x-api-key": "cli-key"}) as http:
            response = http.post(f"{base_url}/gpt-4o", json=HELLO)
        assert float(response.headers["x-remaining-credits"]) == pytest.approx(5 - COST)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=5)
    assert (process.returncode, stderr) == (0, "")


# -- the v2 queue ---------------------------------------------------------------------


def test_a_v2_job_runs_settles_bills_once_and_stays_fetchable(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.script_replies("queued answer")
    job = client.post("/v2/claude-3.5-sonnet", json=HELLO).json()
    request_id = job["request_id"]
    assert job == {
        "request_id": request_id,
        "status": "QUEUED",
        "status_url": f"{emulator.url}/v2/requests/{request_id}/status",
        "response_url": f"{emulator.url}/v2/requests/{request_id}",
    }
    queued = client.get(job["response_url"])
    assert (queued.status_code, queued.json()) == (200, {"status": "QUEUED"})
    assert client.get(job["status_url"]).json()["status"] == "PROCESSING"
    assert client.get(job["response_url"]).json() == {"status": "PROCESSING"}
    assert emulator.remaining_credits == 10_000
    assert client.get(job["status_url"]).json()["status"] == "COMPLETED"
    for _ in range(2):  # more polls neither advance nor bill again
        result = client.get(job["response_url"]).json()
        assert client.get(job["status_url"]).json()["status"] == "COMPLETED"
    assert result["metrics"]["cost"] == pytest.approx(COST)
    assert set(result["metrics"]) >= {"inference_time", "remaining_credits"}
    output = json.loads(result["output"])
    assert output["content"] == [{"type": "text", "text": "queued answer"}]
    assert emulator.remaining_credits == pytest.approx(10_000 - COST)
    emulator.reset()
    assert client.get(job["response_url"]).status_code == 404


def test_the_queue_pace_is_read_at_every_poll(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.queue_polls_until_complete = 1_000
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    statuses = {client.get(job["status_url"]).json()["status"] for _ in range(5)}
    assert statuses == {"PROCESSING"}
    emulator.queue_polls_until_complete = 0
    assert client.get(job["status_url"]).json()["status"] == "COMPLETED"
    at_once = client.post("/v2/gemini-2.5-flash", json=HELLO).json()
    result = client.get(at_once["response_url"]).json()
    assert "candidates" in json.loads(result["output"])


def test_a_failed_v2_job(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.fail_next_queue_job("GPU on fire")
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    statuses = [client.get(job["status_url"]).json()["status"] for _ in range(2)]
    assert statuses == ["PROCESSING", "FAILED"]
    failed = client.get(job["response_url"])
    assert (failed.status_code, failed.json()) == (
        422,
        {"status": "FAILED", "error": "GPU on fire"},
    )
    assert emulator.remaining_credits == 10_000
    emulator.queue_polls_until_complete = 0
    job = client.post("/v2/gpt-4o", json=HELLO).json()  # only the next job fails
    assert client.get(job["response_url"]).json()["status"] == "COMPLETED"


def test_a_v2_job_that_completes_without_credits_fails_unbilled(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    emulator.remaining_credits = 0
    statuses = [client.get(job["status_url"]).json()["status"] for _ in range(2)]
    assert statuses == ["PROCESSING", "FAILED"]
    failed = client.get(job["response_url"])
    assert (failed.status_code, failed.json()["error"]) == (
        422,
        "Insufficient credits. Your balance is 0 credits, "
        "this request costs 0.0123 credits.",
    )
    assert emulator.remaining_credits == 0


def test_a_scripted_payload_is_a_v2_jobs_output(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    payload = {"choices": [{"message": {"content": None, "refusal": "No."}}]}
    emulator.script_payloads(payload)
    emulator.queue_polls_until_complete = 0
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    assert json.loads(client.get(job["response_url"]).json()["output"]) == payload


def test_another_path_under_a_job_is_not_its_status(
    client: httpx2.Client,
) -> None:
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    response = client.get(f"{job['response_url']}/cancel")
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})


def test_v2_checks(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    assert client.post("/v2/gpt-4o", json={}).status_code == 422
    emulator.context_window = 1
    assert client.post("/v2/gpt-4o", json=HELLO).status_code == 400
    emulator.context_window = None
    assert client.post("/v2/nope", json=HELLO).status_code == 404
    assert client.get("/v2/gpt-4o").status_code == 405
    assert client.get("/v2/requests/no-such-id/status").status_code == 404
    assert client.get("/v2/requests/no-such-id").status_code == 404
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    with new_client() as anonymous:
        assert anonymous.get(job["status_url"]).status_code == 401
    assert client.post(job["status_url"], json=HELLO).status_code == 405
