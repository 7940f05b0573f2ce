"""The loopback Segmind emulator itself, spoken to over HTTP with plain httpx2."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from langchain_segmind.testing import (
    DEFAULT_API_KEY,
    DEFAULT_CATALOGUE,
    Fault,
    SegmindEmulator,
)
from langchain_segmind.testing.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[2]
# One TLS context for every client: building one per client costs ~50 ms.
TLS = ssl.create_default_context()
HELLO = {"messages": [{"role": "user", "content": "Say hello to the emulator"}]}
DEFAULT_REPLY = "Segmind emulator reply (not a model) to: Say hello to the emulator"
COST = 0.0123


def new_client(**kwargs: Any) -> httpx2.Client:
    return httpx2.Client(verify=TLS, timeout=5, **kwargs)


@pytest.fixture
def emulator() -> Iterator[SegmindEmulator]:
    with SegmindEmulator() as running:
        yield running


@pytest.fixture
def client(emulator: SegmindEmulator) -> Iterator[httpx2.Client]:
    with new_client(
        base_url=emulator.url, headers={"x-api-key": emulator.api_key}
    ) as http:
        yield http


def keyed_client(emulator: SegmindEmulator) -> httpx2.Client:
    return new_client(base_url=emulator.url, headers={"x-api-key": emulator.api_key})


def text_of(response: httpx2.Response) -> str:
    body = response.json()
    if "content" in body:
        return str(body["content"][0]["text"])
    if "candidates" in body:
        return str(body["candidates"][0]["content"]["parts"][0]["text"])
    return str(body["choices"][0]["message"]["content"])


# -- the gateway's checks, in its order ---------------------------------------------

JSON = {"content-type": "application/json"}
BEARER = {"authorization": f"Bearer {DEFAULT_API_KEY}"}  # not how Segmind takes keys


@pytest.mark.parametrize(
    ("method", "path", "headers", "content", "status", "error"),
    [
        ("GET", "/v1/gpt-4o", {}, b"", 405, "<html>"),
        ("POST", "/v1/gpt-4o", {"x-api-key": ""}, b"{}", 401, "Missing Authorization"),
        ("POST", "/v1/gpt-4o", {"x-api-key": "bad"}, b"{}", 401, "Unauthorized. API"),
        ("POST", "/v1/gpt-4o", {"x-api-key": "", **BEARER}, b"{}", 401, "Missing"),
        ("POST", "/v1/nope", {"x-api-key": "bad"}, b"x", 401, "Unauthorized"),
        ("POST", "/v1/nope", {"content-type": "x/y"}, b"x", 406, "Invalid content"),
        ("POST", "/v1/nope", JSON, b"x", 404, "Model nope not found"),
        ("POST", "/v1/gpt-4o", JSON, b"{not json", 400, "Invalid JSON"),
        ("POST", "/v1/gpt-4o", JSON, b"{}", 422, "at least one message"),
        ("POST", "/v1/gpt-4o", JSON, b'{"messages": "hi"}', 422, "at least one"),
        ("POST", "/v1/chat/completions", JSON, b"{}", 404, "Not found"),
    ],
)
def test_gateway_rejections_are_not_billed(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    method: str,
    path: str,
    headers: dict[str, str],
    content: bytes,
    status: int,
    error: str,
) -> None:
    response = client.request(method, path, content=content, headers=headers)
    assert response.status_code == status
    assert error in response.text
    assert emulator.remaining_credits == 10_000


def test_insufficient_credits(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.remaining_credits = 0.01
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert (response.status_code, response.json()) == (
        406,
        {
            "error": "Insufficient credits. Your balance is 0.01 credits, "
            "this request costs 0.0123 credits."
        },
    )


def test_catalogue_retire_and_add() -> None:
    catalogue = {"gpt-4o": "active", "o3": "retired"}
    with SegmindEmulator(catalogue=catalogue) as custom, keyed_client(custom) as http:
        assert http.post("/v1/gpt-4o", json=HELLO).status_code == 200
        retired = http.post("/v1/o3", json=HELLO)
        assert retired.status_code == 410
        assert retired.json()["error"].startswith("Model o3 has been retired.")
        assert http.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 404
        custom.add_model("o3")
        custom.retire("gpt-4o")
        assert http.post("/v1/o3", json=HELLO).status_code == 200
        assert http.post("/v1/gpt-4o", json=HELLO).status_code == 410
    for slug in ("claude-3.5-sonnet", "gpt-4o", "gemini-3-pro", "glm-5.2"):
        assert DEFAULT_CATALOGUE[slug] == "active"


# -- the provider's own rules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "body", "fragment"),
    [
        ("claude-3.5-sonnet", {**HELLO, "temperature": 1.5}, "temperature"),
        ("gpt-4o", {**HELLO, "temperature": 2.5}, "temperature"),
        (
            "claude-3.5-sonnet",
            {"messages": [{"role": "system", "content": "s"}, *HELLO["messages"]]},
            "instruction",
        ),
        (
            "claude-3.5-sonnet",
            {"messages": [*HELLO["messages"], *HELLO["messages"]]},
            "alternate",
        ),
        (
            "claude-3.5-sonnet",
            {"messages": [{"role": "assistant", "content": "hi"}]},
            "first message",
        ),
        (
            "claude-3.5-sonnet",
            {**HELLO, "response_format": {"type": "json_object"}},
            "json_object",
        ),
        ("gpt-4o", {**HELLO, "response_format": {"type": "json_object"}}, "json"),
        ("gpt-4o", {**HELLO, "stream": True}, "Streaming is not supported"),
        ("gpt-4o", {**HELLO, "max_tokens": 0}, "max_tokens"),
    ],
)
def test_provider_rules_are_400s(
    client: httpx2.Client, slug: str, body: dict[str, Any], fragment: str
) -> None:
    response = client.post(f"/v1/{slug}", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_tools_are_accepted_and_ignored(client: httpx2.Client) -> None:
    gpt = {
        "messages": [{"role": "system", "content": "be brief"}, *HELLO["messages"]],
        "temperature": 1.5,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "tool_choice": "auto",
    }
    assert text_of(client.post("/v1/gpt-4o", json=gpt)) == DEFAULT_REPLY
    claude = {**HELLO, "instruction": "be brief", "temperature": 1, "tools": []}
    assert text_of(client.post("/v1/claude-3.5-sonnet", json=claude)) == DEFAULT_REPLY


@pytest.mark.parametrize(
    ("slug", "body"),
    [
        ("claude-3.5-sonnet", {"error": "prompt is too long: 5 tokens > 4 maximum"}),
        (
            "gpt-4o",
            {
                "error": "This model's maximum context length is 4 tokens. However, "
                "your messages resulted in 5 tokens.",
                "code": "context_length_exceeded",
            },
        ),
        (
            "gemini-2.5-pro",
            {
                "error": "The input token count (5) exceeds the maximum number of "
                "tokens allowed (4)."
            },
        ),
    ],
)
def test_a_prompt_over_the_context_window_is_a_400_in_the_providers_words(
    emulator: SegmindEmulator, client: httpx2.Client, slug: str, body: dict[str, str]
) -> None:
    emulator.context_window = 4
    response = client.post(f"/v1/{slug}", json=HELLO)  # 5 words
    assert (response.status_code, response.json()) == (400, body)
    assert emulator.remaining_credits == 10_000
    emulator.context_window = 5
    assert client.post(f"/v1/{slug}", json=HELLO).status_code == 200


# -- answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "claude-3.5-sonnet",
            {
                "id": "msg_emu_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-3.5-sonnet",
                "content": [{"type": "text", "text": DEFAULT_REPLY}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 7, "output_tokens": 12},
            },
        ),
        (
            "gpt-4o",
            {
                "id": "chatcmpl-emu-1",
                "object": "chat.completion",
                "model": "gpt-4o",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": DEFAULT_REPLY,
                            "refusal": None,
                        },
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": 7,
                    "completion_tokens": 12,
                    "total_tokens": 19,
                },
                "system_fingerprint": "fp_segmind_emulator",
            },
        ),
        (
            "gemini-2.5-pro",
            {
                "candidates": [
                    {
                        "content": {
                            "role": "model",
                            "parts": [{"text": DEFAULT_REPLY}],
                        },
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": 7,
                    "candidatesTokenCount": 12,
                    "totalTokenCount": 19,
                },
                "modelVersion": "gemini-2.5-pro",
                "responseId": "gemini-emu-1",
            },
        ),
    ],
)
def test_each_family_answers_in_its_providers_shape_with_billing_headers(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    slug: str,
    expected: dict[str, Any],
) -> None:
    response = client.post(f"/v1/{slug}", json={**HELLO, "instruction": "Be kind"})
    body = response.json()
    body.pop("created", None)
    assert body == expected
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-segmind-emulator"] == "1"
    assert float(response.headers["x-cost"]) == pytest.approx(COST)
    assert float(response.headers["x-generation-time"]) >= 0
    remaining = float(response.headers["x-remaining-credits"])
    assert remaining == emulator.remaining_credits == pytest.approx(10_000 - COST)
    again = client.post(f"/v1/{slug}", json=HELLO)
    assert again.headers["x-request-id"] != response.headers["x-request-id"]


def test_the_default_reply_quotes_the_last_user_text(client: httpx2.Client) -> None:
    blocks = {
        "messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look at "},
                    {"type": "image_url", "image_url": {"url": "data:image/png;b,x"}},
                    {"type": "text", "text": "this"},
                ],
            },
        ]
    }
    quote = "Segmind emulator reply (not a model) to: "
    assert text_of(client.post("/v1/gpt-4o", json=blocks)) == quote + "look at this"
    long = {"messages": [{"role": "user", "content": "x" * 500}]}
    assert text_of(client.post("/v1/gpt-4o", json=long)) == quote + "x" * 200


def test_scripts_then_the_responder_then_the_default() -> None:
    calls: list[str] = []

    def responder(slug: str, body: dict[str, Any]) -> str | None:
        calls.append(slug)
        return None if slug == "gpt-4o" else f"{slug} says hi"

    with SegmindEmulator(responder=responder) as emu, keyed_client(emu) as http:
        emu.script_replies("global one", "global two")
        emu.script_replies("for claude", slug="claude-3.5-sonnet")
        texts = [
            text_of(http.post(f"/v1/{slug}", json=HELLO))
            for slug in ("claude-3.5-sonnet", "claude-3.5-sonnet", "o3", "o3", "gpt-4o")
        ]
    assert texts == [
        "for claude",
        "global one",
        "global two",
        "o3 says hi",
        DEFAULT_REPLY,
    ]
    assert calls == ["o3", "gpt-4o"]


def test_a_failing_responder_gives_a_500() -> None:
    def responder(slug: str, body: dict[str, Any]) -> str | None:
        raise RuntimeError("boom")

    with SegmindEmulator(responder=responder) as emu, keyed_client(emu) as http:
        response = http.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 500
    assert "boom" in response.json()["error"]


def test_scripted_payloads_are_sent_verbatim_in_turn_with_texts(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    refusal = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "thinking", "thinking": "no", "signature": "s"}],
        "stop_reason": "refusal",
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    emulator.script_payloads(refusal, slug="claude-3.5-sonnet")
    emulator.script_replies("plain text")
    payload = client.post("/v1/claude-3.5-sonnet", json={**HELLO, "max_tokens": 1})
    assert payload.json() == refusal
    assert float(payload.headers["x-cost"]) == pytest.approx(COST)
    assert text_of(client.post("/v1/claude-3.5-sonnet", json=HELLO)) == "plain text"


def test_json_replies_follow_the_response_format(client: httpx2.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "ok": {"type": "boolean"},
            "colour": {"enum": ["red", "green"]},
            "tags": {"type": "array", "items": {"type": "number"}},
            "pet": {"$ref": "#/$defs/Pet"},
            "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "optional": {"type": "string"},
        },
        "required": ["name", "age", "ok", "colour", "tags", "pet", "nickname"],
        "$defs": {
            "Pet": {
                "type": "object",
                "properties": {"species": {"const": "cat"}},
                "required": ["species"],
            }
        },
    }
    structured = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": schema},
        },
    }
    for slug in ("claude-3.5-sonnet", "gpt-4o", "gemini-2.5-pro"):
        assert json.loads(text_of(client.post(f"/v1/{slug}", json=structured))) == {
            "name": "example",
            "age": 1,
            "ok": True,
            "colour": "red",
            "tags": [1.0],
            "pet": {"species": "cat"},
            "nickname": "example",
        }
    json_mode = {
        "messages": [{"role": "user", "content": "Answer in JSON"}],
        "response_format": {"type": "json_object"},
    }
    assert json.loads(text_of(client.post("/v1/gpt-4o", json=json_mode))) == {
        "reply": "Segmind emulator reply (not a model) to: Answer in JSON"
    }


@pytest.mark.parametrize(
    ("slug", "finish_of", "cut"),
    [
        ("claude-3.5-sonnet", lambda body: body["stop_reason"], "max_tokens"),
        ("gpt-4o", lambda body: body["choices"][0]["finish_reason"], "length"),
        (
            "gemini-2.5-pro",
            lambda body: body["candidates"][0]["finishReason"],
            "MAX_TOKENS",
        ),
    ],
)
def test_max_tokens_cuts_the_reply_but_stop_is_left_to_the_client(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    slug: str,
    finish_of: Any,
    cut: str,
) -> None:
    emulator.script_replies("one two STOP four five", "one two")
    limited = {**HELLO, "max_tokens": 3, "stop": ["STOP"]}
    first = client.post(f"/v1/{slug}", json=limited)
    assert (text_of(first), finish_of(first.json())) == ("one two STOP", cut)
    second = client.post(f"/v1/{slug}", json=limited)
    assert text_of(second) == "one two"
    assert finish_of(second.json()) != cut


# -- faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type", "body"),
    [
        (Fault.server_error(503), 503, "application/json", '{"error": '),
        (Fault(status=502, body={"error": "x"}), 502, "application/json", '{"error"'),
        (Fault.html(502), 502, "text/html", "<html>"),
        (Fault.plain(504, "upstream timed out"), 504, "text/plain", "upstream timed"),
        (Fault.empty(500), 500, "text/plain", ""),
        (Fault.not_json(), 200, "text/plain", "upstream"),
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
        (Fault.connection_reset(), httpx2.TransportError),
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
    "host", ["", "  ", "0.0.0.0", "::", "192.0.2.1", "example.com"]
)
def test_only_loopback_unless_remote_is_allowed(host: str) -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        SegmindEmulator(host=host)


def test_an_empty_host_is_refused_even_when_remote_is_allowed() -> None:
    with pytest.raises(ValueError, match="empty"):
        SegmindEmulator(host="", allow_remote=True)
    assert SegmindEmulator(host="0.0.0.0", allow_remote=True).host == "0.0.0.0"


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
    assert client.get(job["response_url"]).json() == {"status": "QUEUED"}
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


def test_a_scripted_payload_is_a_v2_jobs_output(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    payload = {"choices": [{"message": {"content": None, "refusal": "No."}}]}
    emulator.script_payloads(payload)
    emulator.queue_polls_until_complete = 0
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    assert json.loads(client.get(job["response_url"]).json()["output"]) == payload


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
