"""The loopback Segmind emulator itself, spoken to over HTTP with plain httpx2.

Here: the gateway's checks, the providers' rules and the answers (JSON ones in
`test_emulator_json_replies.py`). Faults, the request log, the server's life,
the command line and the v2 queue are in `test_emulator_faults.py`.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest

from langchain_segmind.testing import (
    DEFAULT_API_KEY,
    DEFAULT_CATALOGUE,
    SegmindEmulator,
)
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

# -- the gateway's checks, in its order ---------------------------------------------

JSON = {"content-type": "application/json"}
BEARER = {"authorization": f"Bearer {DEFAULT_API_KEY}"}  # not how Segmind takes keys
LONE_SURROGATE = b'{"messages": [{"role": "user", "content": "half: \\ud83d"}]}'


@pytest.mark.parametrize(
    ("method", "path", "headers", "content", "status", "error"),
    [
        ("GET", "/v1/gpt-4o", {}, b"", 405, "<html>"),
        ("GET", "/v1/gpt-4o", {"x-api-key": "bad"}, b"", 405, "<html>"),
        ("POST", "/v1/gpt-4o", {"x-api-key": ""}, b"{}", 401, "Missing Authorization"),
        ("POST", "/v1/gpt-4o", {"x-api-key": "bad"}, b"{}", 401, "Unauthorized. API"),
        ("POST", "/v1/gpt-4o", {"x-api-key": "", **BEARER}, b"{}", 401, "Missing"),
        ("POST", "/v1/nope", {"x-api-key": "bad"}, b"x", 401, "Unauthorized"),
        ("POST", "/v1/nope", {"content-type": "x/y"}, b"x", 406, "Invalid content"),
        ("POST", "/v1/nope", JSON, b"x", 404, "Model nope not found"),
        ("POST", "/v1/gpt-4o", JSON, b"{not json", 400, "Invalid JSON"),
        ("POST", "/v1/gpt-4o", JSON, b"[]", 400, "must be a JSON object"),
        ("POST", "/v1/gpt-4o", JSON, LONE_SURROGATE, 400, "no low surrogate"),
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


def test_a_balance_of_exactly_one_call_pays_for_it(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.remaining_credits = COST
    response = client.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 200
    assert float(response.headers["x-remaining-credits"]) == 0
    assert client.post("/v1/gpt-4o", json=HELLO).status_code == 406


def test_balances_are_billed_as_decimals() -> None:
    with (
        SegmindEmulator(credits=1.0, cost_per_call=0.1) as emulator,
        keyed_client(emulator) as client,
    ):
        answers = [client.post("/v1/gpt-4o", json=HELLO) for _ in range(10)]
    assert [answer.status_code for answer in answers] == [200] * 10
    remaining = [answer.headers["x-remaining-credits"] for answer in answers]
    assert remaining[-3:] == ["0.2", "0.1", "0.0"]


def test_malformed_messages_are_a_422_even_without_credits(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    emulator.remaining_credits = 0
    response = client.post("/v1/gpt-4o", json={"messages": []})
    assert response.status_code == 422
    assert "at least one message" in response.json()["error"]


def test_a_query_string_leaves_the_route_and_the_log_as_they_are(
    emulator: SegmindEmulator, client: httpx2.Client
) -> None:
    response = client.post("/v1/gpt-4o?trace=1", json=HELLO)
    assert text_of(response) == DEFAULT_REPLY
    [request] = emulator.requests_to("/gpt-4o")
    assert request.path == "/v1/gpt-4o?trace=1"


def test_the_content_type_is_read_as_a_media_type(client: httpx2.Client) -> None:
    media_type = {"content-type": "Application/JSON; charset=utf-8"}
    response = client.post("/v1/gpt-4o", json=HELLO, headers=media_type)
    assert text_of(response) == DEFAULT_REPLY


def test_a_message_without_content_is_well_formed(client: httpx2.Client) -> None:
    turns = [*HELLO["messages"], {"role": "assistant", "content": None}]
    response = client.post("/v1/gpt-4o", json={"messages": [*turns, *turns[:1]]})
    assert text_of(response) == DEFAULT_REPLY


def test_credits_spent_while_the_answer_is_made_are_a_406_not_a_debt() -> None:
    def spend_it_all(slug: str, body: dict[str, Any]) -> str:
        emu.remaining_credits = 0
        return "too late"

    with SegmindEmulator(responder=spend_it_all) as emu, keyed_client(emu) as http:
        response = http.post("/v1/gpt-4o", json=HELLO)
    assert (response.status_code, response.json()) == (
        406,
        {
            "error": "Insufficient credits. Your balance is 0 credits, "
            "this request costs 0.0123 credits."
        },
    )
    assert emu.remaining_credits == 0


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


def test_the_slug_segmind_retired_is_a_410_by_default(client: httpx2.Client) -> None:
    response = client.post("/v1/qwen2p5-vl-32b-instruct", json=HELLO)
    assert response.status_code == 410
    assert "has been retired" in response.json()["error"]


# -- the provider's own rules ---------------------------------------------------------

PNG = "iVBORw0KGgo="
IMAGE_URL_BLOCK = {
    "type": "image_url",
    "image_url": {"url": f"data:image/png;base64,{PNG}"},
}
ANTHROPIC_IMAGE_BLOCK = {
    "type": "image",
    "source": {"type": "base64", "media_type": "image/png", "data": PNG},
}


def with_block(block: dict[str, Any]) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "?"}, block]}
        ]
    }


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
        ("claude-opus-4.7", {**HELLO, "temperature": 0.5}, "`temperature` is dep"),
        ("claude-opus-4.7", {**HELLO, "temperature": 1.5}, "`temperature` is dep"),
        ("claude-opus-4.7", {**HELLO, "top_p": 0.9}, "`top_p` is deprecated"),
        ("claude-opus-4.7", {**HELLO, "top_k": 5}, "`top_k` is deprecated"),
        (
            "claude-3.5-sonnet",
            {**HELLO, "response_format": {"type": "text"}},
            "'text' is not supported",
        ),
        ("claude-3.5-sonnet", with_block(IMAGE_URL_BLOCK), "'image_url' is not"),
        (
            "claude-3.5-sonnet",
            {"messages": [{"role": "user", "content": None}]},
            "messages.0.content: Field required",
        ),
        (
            "gpt-4o",
            {"messages": [*HELLO["messages"], {"role": "bot", "content": "hi"}]},
            "messages[1].role: Invalid value: 'bot'",
        ),
        ("o3", {**HELLO, "temperature": 0.5}, "Only the default (1) value"),
        ("gpt-5-mini", {**HELLO, "temperature": 0}, "Only the default (1) value"),
        ("o4-mini", {**HELLO, "top_p": 0.9}, "'top_p' is not supported"),
        ("gpt-5.1", {**HELLO, "max_tokens": 9}, "Use 'max_completion_tokens'"),
        ("o3", {**HELLO, "stop": ["x"]}, "'stop' is not supported"),
        ("gpt-4o", with_block(ANTHROPIC_IMAGE_BLOCK), "'image' is not"),
    ],
)
def test_provider_rules_are_400s(
    client: httpx2.Client, slug: str, body: dict[str, Any], fragment: str
) -> None:
    response = client.post(f"/v1/{slug}", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_sampling_is_refused_from_claude_opus_4_7_on() -> None:
    later = ["claude-opus-4.7", "claude-opus-4-8", "claude-opus-5"]
    earlier = ["claude-opus-4.1", "claude-opus-4-20250514", "claude-4.5-sonnet"]
    catalogue = dict.fromkeys(later + earlier, "active")
    sampled = {**HELLO, "temperature": 0.5, "top_p": 0.9, "top_k": 5}
    with SegmindEmulator(catalogue=catalogue) as custom, keyed_client(custom) as http:
        statuses = [
            http.post(f"/v1/{slug}", json=sampled).status_code for slug in catalogue
        ]
        assert statuses == [400] * len(later) + [200] * len(earlier)
        assert http.post("/v1/claude-opus-5", json=HELLO).status_code == 200


def test_reasoning_models_take_the_default_temperature_only(
    client: httpx2.Client,
) -> None:
    for slug in ("o3", "gpt-5", "o3-mini"):
        response = client.post(f"/v1/{slug}", json={**HELLO, "temperature": 1})
        assert text_of(response) == DEFAULT_REPLY
    unset = {**HELLO, "temperature": None, "top_p": None}
    assert text_of(client.post("/v1/o4-mini", json=unset)) == DEFAULT_REPLY
    sampled = {**HELLO, "temperature": 0.5}
    assert text_of(client.post("/v1/gpt-4o", json=sampled)) == DEFAULT_REPLY


def test_openai_roles_beyond_chat_are_accepted(client: httpx2.Client) -> None:
    developer = {"role": "developer", "content": "Be brief"}
    response = client.post(
        "/v1/gpt-4o", json={"messages": [developer, *HELLO["messages"]]}
    )
    assert text_of(response) == DEFAULT_REPLY


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
    streamed = client.post(f"/v1/{slug}", json={**HELLO, "stream": True})
    assert streamed.json() == {"error": "Streaming is not supported"}  # rules first
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
                "id": "msg_emu_<n>",
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
                "id": "chatcmpl-emu-<n>",
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
                "responseId": "gemini-emu-<n>",
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
    id_key = "responseId" if "responseId" in body else "id"
    body[id_key] = re.sub(r"\d+$", "<n>", body[id_key])
    assert body == expected
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-segmind-emulator"] == "1"
    assert float(response.headers["x-cost"]) == pytest.approx(COST)
    assert float(response.headers["x-generation-time"]) >= 0
    remaining = float(response.headers["x-remaining-credits"])
    assert remaining == emulator.remaining_credits == pytest.approx(10_000 - COST)
    again = client.post(f"/v1/{slug}", json=HELLO)
    assert again.headers["x-request-id"] != response.headers["x-request-id"]


def test_answer_ids_differ_across_emulators_as_segminds_do() -> None:
    # A graph's checkpointer may outlive a test's emulator: LangGraph takes an
    # answer whose id it knows for a replacement of the earlier one.
    ids = []
    for _ in range(2):
        with SegmindEmulator() as each, keyed_client(each) as client:
            ids.append(client.post("/v1/gpt-4o", json=HELLO).json()["id"])
    assert ids[0] != ids[1]


def test_an_empty_prompt_still_counts_one_token(client: httpx2.Client) -> None:
    empty = {"messages": [{"role": "user", "content": ""}]}
    usage = client.post("/v1/gpt-4o", json=empty).json()["usage"]
    assert usage["prompt_tokens"] == 1


def test_a_queued_jobs_urls_use_the_address_the_client_called(
    emulator: SegmindEmulator,
) -> None:
    with new_client(
        base_url=f"http://localhost:{emulator.port}",
        headers={"x-api-key": emulator.api_key},
    ) as http:
        job = http.post("/v2/gpt-4o", json=HELLO).json()

    root = f"http://localhost:{emulator.port}/v2/requests/{job['request_id']}"
    assert (job["status_url"], job["response_url"]) == (f"{root}/status", root)


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


def test_the_responder_answers_before_the_tool_protocol_model() -> None:
    tools = {**HELLO, "instruction": '<tools>\n{"name": "lookup"}\n</tools>'}
    with (
        SegmindEmulator(responder=lambda slug, body: "responder's") as emu,
        keyed_client(emu) as http,
    ):
        assert text_of(http.post("/v1/gpt-4o", json=tools)) == "responder's"


def test_a_failing_responder_gives_a_500() -> None:
    def responder(slug: str, body: dict[str, Any]) -> str | None:
        raise RuntimeError("boom")

    with SegmindEmulator(responder=responder) as emu, keyed_client(emu) as http:
        response = http.post("/v1/gpt-4o", json=HELLO)
    assert response.status_code == 500
    assert "boom" in response.json()["error"]
    assert emu.remaining_credits == 10_000  # a failed answer is not billed


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
    emulator.script_replies("one two STOP four five", "one two three")
    limited = {**HELLO, "max_tokens": 3, "stop": ["STOP"]}
    first = client.post(f"/v1/{slug}", json=limited)
    assert (text_of(first), finish_of(first.json())) == ("one two STOP", cut)
    second = client.post(f"/v1/{slug}", json=limited)  # just fits: not cut
    assert text_of(second) == "one two three"
    assert finish_of(second.json()) != cut
