"""Tests of the loopback Segmind emulator itself, with plain httpx2."""

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

REPO_ROOT = Path(__file__).resolve().parents[2]
# One TLS context for every client: building one per client costs ~50 ms.
TLS = ssl.create_default_context()
HELLO = {"messages": [{"role": "user", "content": "Say hello to the emulator"}]}
DEFAULT_REPLY = "Segmind emulator reply (not a model) to: Say hello to the emulator"


def new_client(**kwargs: Any) -> httpx2.Client:
    return httpx2.Client(verify=TLS, timeout=5, **kwargs)


def post(url: str, **kwargs: Any) -> httpx2.Response:
    with new_client() as http:
        return http.post(url, **kwargs)


def get(url: str, **kwargs: Any) -> httpx2.Response:
    with new_client() as http:
        return http.get(url, **kwargs)


@pytest.fixture
def emulator() -> Iterator[SegmindEmulator]:
    with SegmindEmulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: SegmindEmulator) -> Iterator[httpx2.Client]:
    with new_client(
        base_url=emulator.url, headers={"x-api-key": emulator.api_key}
    ) as http:
        yield http


def user(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


# -- gateway validation, in the gateway's order -----------------------------------


def test_wrong_method_is_an_html_405(client: httpx2.Client) -> None:
    response = client.get("/v1/gpt-4o")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing Authorization or x-api-key in header"),
        ({"authorization": f"Bearer {DEFAULT_API_KEY}"}, "Missing Authorization"),
        ({"x-api-key": "wrong"}, "Unauthorized. API key is invalid"),
    ],
)
def test_authentication(
    emulator: SegmindEmulator, headers: dict[str, str], message: str
) -> None:
    response = post(f"{emulator.base_url}/gpt-4o", json=HELLO, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"].startswith(message)


def test_content_type_must_be_json(client: httpx2.Client) -> None:
    response = client.post(
        "/v1/gpt-4o", content=json.dumps(HELLO), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Invalid content type"


def test_json_content_type_with_charset_is_accepted(client: httpx2.Client) -> None:
    response = client.post(
        "/v1/gpt-4o",
        content=json.dumps(HELLO),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


def test_unknown_and_retired_slugs(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    unknown = client.post("/v1/no-such-model", json=HELLO)
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Model no-such-model not found"}

    emulator.retire("claude-3.5-sonnet")
    retired = client.post("/v1/claude-3.5-sonnet", json=HELLO)
    assert retired.status_code == 410
    assert retired.json()["error"].startswith(
        "Model claude-3.5-sonnet has been retired."
    )

    emulator.add_model("claude-3.5-sonnet")
    emulator.add_model("my-new-model")
    assert client.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 200
    assert client.post("/v1/my-new-model", json=HELLO).status_code == 200


def test_body_must_be_json(client: httpx2.Client) -> None:
    response = client.post(
        "/v1/gpt-4o", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("body", [{}, {"messages": []}, {"messages": "hi"}])
def test_messages_are_required(client: httpx2.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/gpt-4o", json=body)
    assert response.status_code == 422
    assert response.json() == {"error": "messages: at least one message is required"}


def test_insufficient_credits(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.remaining_credits = 0.01
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 406
    assert response.json() == {
        "error": "Insufficient credits. Your balance is 0.01 credits, "
        "this request costs 0.0123 credits."
    }
    assert emulator.remaining_credits == 0.01


def test_checks_run_in_the_gateway_order(client: httpx2.Client) -> None:
    # a wrong key wins over an unknown slug and a bad body
    no_key = client.post("/v1/nope", content=b"x", headers={"x-api-key": "bad"})
    assert no_key.status_code == 401
    # the content type is checked before the slug
    bad_type = client.post("/v1/nope", content=b"x", headers={"content-type": "x/y"})
    assert bad_type.status_code == 406
    # the slug before the body
    bad_body = client.post(
        "/v1/nope", content=b"x", headers={"content-type": "application/json"}
    )
    assert bad_body.status_code == 404


def test_failed_calls_are_not_billed(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    client.post("/v1/gpt-4o", json={"messages": []})
    client.post("/v1/claude-3.5-sonnet", json={**HELLO, "temperature": 3})
    assert emulator.remaining_credits == 10_000.0


# -- the provider's own rules ---------------------------------------------------


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
        ("claude-3.5-sonnet", {**HELLO, "stream": True}, "Streaming"),
        ("gpt-4o", {**HELLO, "max_tokens": 0}, "max_tokens"),
    ],
)
def test_provider_rules_are_400s(
    client: httpx2.Client, slug: str, body: dict[str, Any], fragment: str
) -> None:
    response = client.post(f"/v1/{slug}", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_what_providers_accept(client: httpx2.Client) -> None:
    gpt = {
        "messages": [{"role": "system", "content": "be brief"}, *HELLO["messages"]],
        "temperature": 1.5,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "tool_choice": "auto",
    }
    assert client.post("/v1/gpt-4o", json=gpt).status_code == 200
    claude = {**HELLO, "instruction": "be brief", "temperature": 1, "tools": []}
    response = client.post("/v1/claude-3.5-sonnet", json=claude)
    assert response.status_code == 200
    assert "tool_use" not in response.text


# -- successful answers ---------------------------------------------------------


def test_claude_answers_in_anthropic_shape(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    response = client.post(
        "/v1/claude-3.5-sonnet", json={**HELLO, "instruction": "Be kind"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("msg_emu_")
    assert body["type"] == "message"
    assert body["role"] == "assistant"
    assert body["model"] == "claude-3.5-sonnet"
    assert body["content"] == [{"type": "text", "text": DEFAULT_REPLY}]
    assert body["stop_reason"] == "end_turn"
    assert body["stop_sequence"] is None
    assert body["usage"] == {"input_tokens": 7, "output_tokens": 12}
    assert_billing_headers(response, emulator)


def test_gpt_answers_in_openai_shape(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    body = client.post("/v1/gpt-4o", json=HELLO).json()
    assert body["id"].startswith("chatcmpl-emu-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int)
    assert body["model"] == "gpt-4o"
    assert body["system_fingerprint"]
    (choice,) = body["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"] == {
        "role": "assistant",
        "content": DEFAULT_REPLY,
        "refusal": None,
    }
    assert body["usage"] == {
        "prompt_tokens": 5,
        "completion_tokens": 12,
        "total_tokens": 17,
    }


def test_gemini_answers_in_gemini_shape(client: httpx2.Client) -> None:
    body = client.post("/v1/gemini-2.5-pro", json=HELLO).json()
    (candidate,) = body["candidates"]
    assert candidate["content"]["parts"] == [{"text": DEFAULT_REPLY}]
    assert candidate["finishReason"] == "STOP"
    assert body["usageMetadata"] == {
        "promptTokenCount": 5,
        "candidatesTokenCount": 12,
        "totalTokenCount": 17,
    }


def assert_billing_headers(response: httpx2.Response, emu: SegmindEmulator) -> None:
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-segmind-emulator"] == "1"
    assert float(response.headers["x-cost"]) == pytest.approx(0.0123)
    assert float(response.headers["x-generation-time"]) >= 0
    assert response.headers["x-request-id"]
    remaining = float(response.headers["x-remaining-credits"])
    assert remaining == pytest.approx(10_000 - 0.0123)
    assert emu.remaining_credits == remaining


def test_credits_decrease_and_request_ids_differ(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    first = client.post("/v1/gpt-4o", json=HELLO)
    second = client.post("/v1/gemini-2.5-flash", json=HELLO)
    assert float(second.headers["x-remaining-credits"]) == pytest.approx(
        float(first.headers["x-remaining-credits"]) - 0.0123
    )
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert emulator.remaining_credits == pytest.approx(10_000 - 2 * 0.0123)


def test_default_reply_reads_text_blocks_of_the_last_user_turn(
    client: httpx2.Client,
) -> None:
    body = {
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
    reply = client.post("/v1/gpt-4o", json=body).json()
    text = reply["choices"][0]["message"]["content"]
    assert text == "Segmind emulator reply (not a model) to: look at this"


def test_default_reply_quotes_at_most_200_characters(client: httpx2.Client) -> None:
    reply = client.post("/v1/gpt-4o", json=user("x" * 500)).json()
    text = reply["choices"][0]["message"]["content"]
    assert text == "Segmind emulator reply (not a model) to: " + "x" * 200


def test_stop_sequences_are_left_to_the_client(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.script_replies("one two STOP three")
    reply = client.post("/v1/gpt-4o", json={**HELLO, "stop": ["STOP"]}).json()
    assert reply["choices"][0]["message"]["content"] == "one two STOP three"


# -- scripted replies and the responder -----------------------------------------


def text_of(response: httpx2.Response) -> str:
    body = response.json()
    if "content" in body:
        return str(body["content"][0]["text"])
    if "candidates" in body:
        return str(body["candidates"][0]["content"]["parts"][0]["text"])
    return str(body["choices"][0]["message"]["content"])


def test_per_slug_scripts_come_before_global_ones(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.script_replies("global one", "global two")
    emulator.script_replies("for claude", slug="claude-3.5-sonnet")
    assert text_of(client.post("/v1/claude-3.5-sonnet", json=HELLO)) == "for claude"
    assert text_of(client.post("/v1/claude-3.5-sonnet", json=HELLO)) == "global one"
    assert text_of(client.post("/v1/gpt-4o", json=HELLO)) == "global two"
    assert text_of(client.post("/v1/gpt-4o", json=HELLO)) == DEFAULT_REPLY


def test_responder_comes_after_scripts() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def responder(slug: str, body: dict[str, Any]) -> str | None:
        calls.append((slug, body))
        return None if slug == "gpt-4o" else f"{slug} says hi"

    with SegmindEmulator(responder=responder) as emu:
        emu.script_replies("scripted")
        url = emu.base_url
        headers = {"x-api-key": emu.api_key}
        assert text_of(post(f"{url}/o3", json=HELLO, headers=headers)) == ("scripted")
        assert text_of(post(f"{url}/o3", json=HELLO, headers=headers)) == ("o3 says hi")
        assert text_of(post(f"{url}/gpt-4o", json=HELLO, headers=headers)) == (
            DEFAULT_REPLY
        )
    assert calls == [("o3", HELLO), ("gpt-4o", HELLO)]


def test_a_failing_responder_gives_a_500() -> None:
    def responder(slug: str, body: dict[str, Any]) -> str | None:
        raise RuntimeError("boom")

    with SegmindEmulator(responder=responder) as emu:
        response = post(
            f"{emu.base_url}/gpt-4o", json=HELLO, headers={"x-api-key": emu.api_key}
        )
    assert response.status_code == 500
    assert "boom" in response.json()["error"]


# -- structured output and max_tokens ---------------------------------------------


def test_json_schema_reply_is_a_minimal_instance(client: httpx2.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "score": {"type": "number"},
            "ok": {"type": "boolean"},
            "colour": {"enum": ["red", "green"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "pet": {"$ref": "#/$defs/Pet"},
            "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "optional": {"type": "string"},
        },
        "required": ["name", "age", "score", "ok", "colour", "tags", "pet", "nickname"],
        "$defs": {
            "Pet": {
                "type": "object",
                "properties": {
                    "species": {"const": "cat"},
                    "legs": {"type": "integer"},
                },
                "required": ["species", "legs"],
            }
        },
    }
    body = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": schema},
        },
    }
    for slug in ("claude-3.5-sonnet", "gpt-4o", "gemini-2.5-pro"):
        reply = json.loads(text_of(client.post(f"/v1/{slug}", json=body)))
        assert reply == {
            "name": "example",
            "age": 1,
            "score": 1.0,
            "ok": True,
            "colour": "red",
            "tags": ["example"],
            "pet": {"species": "cat", "legs": 1},
            "nickname": "example",
        }


def test_json_object_reply(client: httpx2.Client) -> None:
    body = {
        **user("Answer in JSON please"),
        "response_format": {"type": "json_object"},
    }
    reply = json.loads(text_of(client.post("/v1/gpt-4o", json=body)))
    assert reply == {
        "reply": "Segmind emulator reply (not a model) to: " + ("Answer in JSON please")
    }


def test_scripts_win_over_structured_replies(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.script_replies('{"custom": true}')
    body = {
        **HELLO,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "X", "schema": {"type": "object"}},
        },
    }
    assert text_of(client.post("/v1/gpt-4o", json=body)) == '{"custom": true}'


@pytest.mark.parametrize(
    ("slug", "path", "finish"),
    [
        ("claude-3.5-sonnet", ("stop_reason",), "max_tokens"),
        ("gpt-4o", ("choices", 0, "finish_reason"), "length"),
        ("gemini-2.5-pro", ("candidates", 0, "finishReason"), "MAX_TOKENS"),
    ],
)
def test_max_tokens_cuts_the_reply(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    slug: str,
    path: tuple[Any, ...],
    finish: str,
) -> None:
    emulator.script_replies("one two three four five", "one two")
    cut = client.post(f"/v1/{slug}", json={**HELLO, "max_tokens": 3})
    assert text_of(cut) == "one two three"
    assert dig(cut.json(), path) == finish
    whole = client.post(f"/v1/{slug}", json={**HELLO, "max_tokens": 3})
    assert text_of(whole) == "one two"
    assert dig(whole.json(), path) != finish


def dig(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


# -- faults -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type", "body"),
    [
        (Fault.server_error(503), 503, "application/json", '{"error": '),
        (Fault(status=500), 500, "application/json", '{"error": '),
        (Fault(status=502, body={"error": "x"}), 502, "application/json", '{"error"'),
        (Fault.html(502), 502, "text/html", "<html>"),
        (Fault.plain(504, "upstream timed out"), 504, "text/plain", "upstream timed"),
        (Fault.empty(500), 500, "text/plain", ""),
        (Fault.not_json(), 200, "text/plain", "upstream"),
        (Fault(status=418, body="<p>teapot</p>"), 418, "text/html", "<p>"),
    ],
)
def test_http_faults(
    emulator: SegmindEmulator,
    client: httpx2.Client,
    fault: Fault,
    status: int,
    content_type: str,
    body: str,
) -> None:
    emulator.inject(fault)
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    assert response.text.startswith(body)
    assert response.headers["x-segmind-emulator"] == "1"
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200
    assert emulator.remaining_credits == pytest.approx(10_000 - 0.0123)


def test_not_json_fault_cannot_be_parsed(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.not_json())
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


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


def test_slow_fault_then_normal_answer(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.slow(0.3))
    started = time.monotonic()
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert float(response.headers["x-generation-time"]) >= 0.3


def test_slow_fault_trips_a_client_timeout(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.slow(0.5))
    with pytest.raises(httpx2.ReadTimeout):
        client.post("/v1/gpt-4o", json=HELLO, timeout=0.1)


def test_latency_applies_to_every_answer(emulator: SegmindEmulator) -> None:
    emulator.latency = 0.2
    started = time.monotonic()
    response = post(f"{emulator.base_url}/gpt-4o", json=HELLO)
    assert response.status_code == 401
    assert time.monotonic() - started >= 0.2
    assert emulator.latency == 0.2


def test_connection_reset_is_a_transport_error(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.connection_reset())
    with pytest.raises(httpx2.TransportError):
        client.post("/v1/gpt-4o", json=HELLO)
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200


def test_truncated_body_is_a_transport_error(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.truncated())
    with pytest.raises(httpx2.RemoteProtocolError):
        client.post("/v1/gpt-4o", json=HELLO)
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200


def test_faults_are_fifo_counted_and_slug_specific(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error(503), times=2, slug="claude-3.5-sonnet")
    emulator.inject(Fault.server_error(502))
    emulator.inject(Fault.server_error(504))
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 502
    assert client.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 503
    assert client.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 503
    assert client.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 504
    assert client.post("/v1/claude-3.5-sonnet", json=HELLO).status_code == 200


def test_faults_come_before_validation(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error(503))
    response = client.post("/v1/gpt-4o", json={}, headers={"x-api-key": "wrong"})
    assert response.status_code == 503


# -- request log and connections ----------------------------------------------------


def test_request_log_masks_credentials(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.inject(Fault.server_error())
    client.post("/v1/gpt-4o", json=HELLO)
    client.post(
        "/v1/chat/completions",
        json={"model": "gpt-4o", **HELLO},
        headers={"authorization": "Bearer secret-token"},
    )
    first, second = emulator.requests
    assert (first.method, first.path) == ("POST", "/v1/gpt-4o")
    assert first.headers["x-api-key"] == "***"
    assert first.body == HELLO
    assert json.loads(first.raw_body) == HELLO
    assert second.headers["authorization"] == "***"
    assert "secret-token" not in repr(emulator.requests)
    assert DEFAULT_API_KEY not in repr(emulator.requests)
    assert emulator.requests_to("/gpt-4o") == [first]
    assert emulator.requests_to("/chat/completions") == [second]


def test_non_json_body_is_logged_raw(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    client.post("/v1/gpt-4o", content=b"hello", headers={"content-type": "text/plain"})
    (request,) = emulator.requests
    assert request.body is None
    assert request.raw_body == b"hello"


def test_keep_alive_uses_one_connection(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    for _ in range(5):
        assert client.post("/v1/gpt-4o", json=HELLO).status_code == 200
    client.post("/v1/gpt-4o", json={})  # errors keep the connection too
    assert emulator.connections_opened == 1


def test_connection_close_is_honoured(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    for _ in range(3):
        response = client.post(
            "/v1/gpt-4o", json=HELLO, headers={"connection": "close"}
        )
        assert response.headers["connection"] == "close"
    assert emulator.connections_opened == 3


def test_reset_clears_log_scripts_faults_and_counts(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    client.post("/v1/gpt-4o", json=HELLO)
    emulator.script_replies("scripted")
    emulator.inject(Fault.server_error())
    emulator.reset()
    assert emulator.requests == []
    assert emulator.connections_opened == 0
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert text_of(response) == DEFAULT_REPLY
    assert emulator.remaining_credits == pytest.approx(10_000 - 2 * 0.0123)


def test_concurrent_requests(emulator: SegmindEmulator) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with new_client(headers={"x-api-key": emulator.api_key}) as http:
            for _ in range(5):
                response = http.post(f"{emulator.base_url}/gpt-4o", json=HELLO)
                with lock:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 40
    assert emulator.connections_opened == 8
    assert len(emulator.requests) == 40
    assert emulator.remaining_credits == pytest.approx(10_000 - 40 * 0.0123)


def test_stop_does_not_wait_for_idle_keep_alive_connections() -> None:
    emu = SegmindEmulator().start()
    http = new_client(headers={"x-api-key": emu.api_key})
    assert http.post(f"{emu.base_url}/gpt-4o", json=HELLO).status_code == 200
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(httpx2.TransportError):
        http.post(f"{emu.base_url}/gpt-4o", json=HELLO)
    http.close()


def test_addresses_and_catalogue() -> None:
    emu = SegmindEmulator(api_key="secret-key")
    assert emu.port == 0
    with emu:
        assert emu.port > 0
        assert emu.url == f"http://127.0.0.1:{emu.port}"
        assert emu.base_url == emu.url + "/v1"
        assert emu.v2_base_url == emu.url + "/v2"
        assert emu.api_key == "secret-key"
        assert "secret-key" not in repr(emu)
    for slug in ("claude-3.5-sonnet", "gpt-4o", "gemini-3-pro", "glm-5.2", "o3-mini"):
        assert DEFAULT_CATALOGUE[slug] == "active"


def test_custom_catalogue() -> None:
    catalogue = {"claude-3.5-sonnet": "retired", "gpt-4o": "active"}
    with SegmindEmulator(catalogue=catalogue) as emu:
        headers = {"x-api-key": emu.api_key}

        def status(slug: str) -> int:
            return post(
                f"{emu.base_url}/{slug}", json=HELLO, headers=headers
            ).status_code

        assert status("gpt-4o") == 200
        assert status("claude-3.5-sonnet") == 410
        assert status("o3") == 404


# -- /v1/chat/completions -------------------------------------------------------------


def test_chat_completions_accepts_bearer_and_answers_openai_shape(
    emulator: SegmindEmulator,
) -> None:
    body = {
        "model": "claude-3.5-sonnet",
        "messages": [{"role": "system", "content": "sys"}, *HELLO["messages"]],
    }
    url = f"{emulator.base_url}/chat/completions"
    bearer = post(
        url, json=body, headers={"authorization": "Bearer " + (emulator.api_key)}
    )
    assert bearer.status_code == 200
    assert bearer.json()["object"] == "chat.completion"
    assert bearer.json()["model"] == "claude-3.5-sonnet"
    assert text_of(bearer) == DEFAULT_REPLY
    assert "x-remaining-credits" in bearer.headers

    keyed = post(url, json=body, headers={"x-api-key": emulator.api_key})
    assert keyed.status_code == 200
    wrong = post(url, json=body, headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert post(url, json=body).status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (HELLO, 400),
        ({"model": "nope", **HELLO}, 404),
        ({"model": "gpt-4o", "messages": []}, 422),
    ],
)
def test_chat_completions_validation(
    client: httpx2.Client, body: dict[str, Any], status: int
) -> None:
    assert client.post("/v1/chat/completions", json=body).status_code == status


# -- v2 queue ------------------------------------------------------------------


def test_v2_lifecycle(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.script_replies("queued answer")
    submitted = client.post("/v2/claude-3.5-sonnet", json=HELLO)
    assert submitted.status_code == 200
    job = submitted.json()
    assert job["status"] == "QUEUED"
    request_id = job["request_id"]
    assert job["status_url"] == f"{emulator.url}/v2/requests/{request_id}/status"
    assert job["response_url"] == f"{emulator.url}/v2/requests/{request_id}"

    early = client.get(job["response_url"])
    assert (early.status_code, early.json()) == (200, {"status": "QUEUED"})
    assert emulator.remaining_credits == 10_000

    first = client.get(job["status_url"]).json()
    assert first["status"] == "PROCESSING"
    assert client.get(job["response_url"]).json() == {"status": "PROCESSING"}
    second = client.get(job["status_url"]).json()
    assert second["status"] == "COMPLETED"
    assert emulator.remaining_credits == pytest.approx(10_000 - 0.0123)

    result = client.get(job["response_url"]).json()
    assert result["status"] == "COMPLETED"
    assert set(result["metrics"]) >= {"inference_time", "cost", "remaining_credits"}
    assert result["metrics"]["cost"] == pytest.approx(0.0123)
    output = json.loads(result["output"])
    assert output["type"] == "message"
    assert output["content"] == [{"type": "text", "text": "queued answer"}]
    # polling more neither advances nor bills again
    assert client.get(job["status_url"]).json()["status"] == "COMPLETED"
    assert emulator.remaining_credits == pytest.approx(10_000 - 0.0123)


def test_v2_failure(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    emulator.fail_next_queue_job("GPU on fire")
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    statuses = [client.get(job["status_url"]).json()["status"] for _ in range(2)]
    assert statuses == ["PROCESSING", "FAILED"]
    failed = client.get(job["response_url"])
    assert failed.status_code == 422
    assert failed.json() == {"status": "FAILED", "error": "GPU on fire"}
    assert emulator.remaining_credits == 10_000
    # only the next job fails
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    for _ in range(2):
        client.get(job["status_url"])
    assert client.get(job["response_url"]).json()["status"] == "COMPLETED"


def test_v2_validation(emulator: SegmindEmulator, client: httpx2.Client) -> None:
    assert client.post("/v2/gpt-4o", json={}).status_code == 422
    assert client.post("/v2/nope", json=HELLO).status_code == 404
    assert client.get("/v2/gpt-4o").status_code == 405
    unknown = client.get("/v2/requests/no-such-id/status")
    assert unknown.status_code == 404
    assert client.get("/v2/requests/no-such-id").status_code == 404
    job = client.post("/v2/gpt-4o", json=HELLO).json()
    anonymous = get(job["status_url"])
    assert anonymous.status_code == 401
    assert client.post(job["status_url"], json=HELLO).status_code == 405


def test_v2_completes_at_once_with_zero_polls() -> None:
    with SegmindEmulator(queue_polls_until_complete=0) as emu:
        headers = {"x-api-key": emu.api_key}
        job = post(
            f"{emu.v2_base_url}/gemini-2.5-flash", json=HELLO, headers=headers
        ).json()
        result = get(job["response_url"], headers=headers).json()
    assert result["status"] == "COMPLETED"
    assert "candidates" in json.loads(result["output"])


# -- command line --------------------------------------------------------------


def test_cli_serves_until_terminated() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "langchain_segmind.testing",
            "--port",
            "0",
            "--api-key",
            "cli-key",
            "--credits",
            "5",
        ],
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
        response = post(
            f"{base_url}/gpt-4o", json=HELLO, headers={"x-api-key": "cli-key"}
        )
        assert response.status_code == 200
        assert float(response.headers["x-remaining-credits"]) == pytest.approx(
            5 - 0.0123
        )
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=5)
    assert process.returncode == 0
    assert stderr == ""
