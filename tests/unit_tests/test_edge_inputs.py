"""Inputs at the edges: each fails with a typed error, or works, never leaks."""

from __future__ import annotations

import json
import re
import traceback

import httpx2
import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, ValidationError
from pydantic_core import core_schema

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
)
from tests import TOO_DEEP_FOR_JSON

SECRET = "sk-SECRET-123"


class Joke(BaseModel):
    setup: str


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return city


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: ChatSegmindClaude(api_key=SECRET, temperature=1.5), id="temp"
        ),
        pytest.param(lambda: ChatSegmind(api_key=SECRET), id="no-model"),
        pytest.param(
            lambda: ChatSegmindClaude(api_key=SECRET, base_url="api.segmind.com"),
            id="base-url",
        ),
    ],
)
def test_validation_errors_never_print_the_key(build) -> None:
    # Checks of the package raise its SegmindInputError, others pydantic's.
    with pytest.raises((ValidationError, SegmindInputError)) as raised:
        build()
    assert SECRET not in str(raised.value)
    assert SECRET not in "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )


def test_base_url_needs_a_scheme() -> None:
    with pytest.raises(SegmindInputError, match="http:// or https://"):
        ChatSegmindClaude(base_url="api.segmind.com/v1")


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        pytest.param("https://[::1/v1", "is not a valid URL", id="unparseable"),
        pytest.param("https://api.segmind.com:ssl/v1", "is not a valid URL", id="port"),
        pytest.param("https://api.segmind.com/\x01v1", "is not a valid URL", id="ctrl"),
        pytest.param("ftp://api.segmind.com/v1", "http:// or https://", id="ftp"),
        pytest.param("https:///v1", "it has no host", id="no-host"),
        pytest.param("http://127.0.0.1:0/v1", "port 0 cannot be", id="port-0"),
        pytest.param("http://127.0.0.1:65536/v1", "port 65536 cannot", id="port-2**16"),
        pytest.param("http://127.0.0.1:99999/v1", "port 99999 cannot", id="port-99999"),
        pytest.param("http://127.0.0.1:-1/v1", "port -1 cannot be", id="port-minus-1"),
        pytest.param(
            "https://api.segmind.com/v1?team=ml", "query or fragment", id="query"
        ),
        pytest.param(
            "https://api.segmind.com/v1#docs", "query or fragment", id="fragment"
        ),
        pytest.param("https://api.segmind.com/v1?", "query or fragment", id="bare-?"),
        pytest.param("https://api.segmind.com/v1#", "query or fragment", id="bare-#"),
        pytest.param("https://api.segmind.com/v 1", "spaces or control", id="space"),
        pytest.param("https://api.segmind.com/v1 ", "spaces or control", id="trailing"),
        pytest.param("https://api.segmind.com/v2", 'api_version="v2"', id="v2"),
        pytest.param(
            f"https://{'a' * 64}.example.com/v1", "cannot be looked up", id="label"
        ),
        pytest.param("https://api.segmind.com/v2/", 'api_version="v2"', id="v2/"),
    ],
)
def test_an_unusable_base_url_is_refused_when_the_model_is_built(
    make_model, recorder, base_url: str, problem: str
) -> None:
    with pytest.raises(SegmindInputError) as raised:
        make_model(ChatSegmind, model="gpt-4o", base_url=base_url)

    assert f"base_url {base_url!r}" in str(raised.value)
    assert problem in str(raised.value)
    assert recorder.requests == []


@pytest.mark.parametrize("port", [1, 65535])
def test_the_first_and_last_ports_are_usable(make_model, recorder, port: int) -> None:
    make_model(
        ChatSegmind, model="gpt-4o", base_url=f"http://127.0.0.1:{port}/v1"
    ).invoke("hi")

    assert recorder.last.url == f"http://127.0.0.1:{port}/v1/gpt-4o"


@pytest.mark.parametrize(
    "bind",
    [
        lambda m: m,
        lambda m: m.bind_tools([get_weather]),
        lambda m: m.bind(json_mode=True),
    ],
    ids=["plain", "tools", "json-mode"],
)
def test_an_empty_message_list_is_refused_before_sending(
    make_model, recorder, bind
) -> None:
    # Bound tools or JSON mode add an instruction: still nothing to send.
    with pytest.raises(SegmindInputError, match="the message list is empty"):
        bind(make_model(ChatSegmindGPT4o)).invoke([])
    assert recorder.count == 0


@pytest.mark.parametrize("slug", [".", ".."])
def test_a_slug_of_dots_alone_is_refused_before_sending(
    make_model, recorder, call, slug: str
) -> None:
    # Sent, "." or ".." would name the base URL or its parent, not a model.
    with pytest.raises(SegmindInputError, match="is not a Segmind model slug"):
        make_model(ChatSegmind, model=slug)
    with pytest.raises(SegmindInputError, match="is not a Segmind model slug"):
        call(make_model(ChatSegmind, model="gpt-4o").bind(model=slug), "hi")

    assert recorder.requests == []


def test_tracebacks_with_locals_do_not_hold_the_key(make_model, recorder) -> None:
    model = make_model(api_key=SECRET)
    recorder.fail(400, "bad request")
    with pytest.raises(SegmindError) as raised:
        model.invoke("hi")
    text = "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )
    assert "model = " in text  # the locals are there...
    assert SECRET not in text  # ...but not the key


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"api_key": "clé-SECRET"}, id="key"),
        pytest.param({"default_headers": {"x-tag": "café"}}, id="header"),
    ],
)
def test_non_ascii_headers_are_an_input_error(make_model, recorder, fields) -> None:
    with pytest.raises(SegmindInputError) as raised:
        make_model(**fields).invoke("hi")
    assert "SECRET" not in repr(raised.value)
    assert recorder.count == 0


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_a_schema_class_as_response_format(make_model, recorder, cls) -> None:
    make_model(cls).invoke("hi", response_format=Joke)
    response_format = recorder.last.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Joke"
    assert response_format["json_schema"]["schema"]["required"] == ["setup"]


def test_an_unusable_response_format_is_an_input_error(make_model, recorder) -> None:
    with pytest.raises(SegmindInputError, match="response_format"):
        make_model().invoke("hi", response_format=42)
    assert recorder.count == 0


@pytest.mark.parametrize("typed", [{}, {"type": "custom"}], ids=["untyped", "custom"])
def test_anthropic_format_tools_keep_their_schema(make_model, recorder, typed) -> None:
    tool = {
        **typed,  # Anthropic's type of a tool the caller runs
        "name": "get_weather",
        "description": "Weather.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    make_model().bind(tools=[tool]).invoke("hi")
    assert '"required": ["city"]' in recorder.last.body["instruction"]


@pytest.mark.parametrize(
    "schema",
    [
        {"title": "ping", "description": "Check the service."},
        {
            "title": "ping",
            "properties": {"id": {"type": "string"}, "email": {"type": "string"}},
            "anyOf": [{"required": ["id"]}, {"required": ["email"]}],
        },
    ],
    ids=["no-properties", "properties-and-alternatives"],
)
def test_a_bare_schema_without_a_type_is_a_tool_taking_an_object(
    make_model, recorder, schema
):
    make_model(ChatSegmindGPT4o).bind_tools([schema]).invoke("hi")

    assert '"name": "ping"' in recorder.last.body["messages"][0]["content"]


def test_a_tool_description_without_a_name_is_refused(make_model, recorder):
    nameless = {"type": "function", "function": {"parameters": {"type": "object"}}}

    with pytest.raises(SegmindInputError, match="tool name None is not allowed"):
        make_model().bind_tools([nameless])
    assert recorder.requests == []


def test_a_call_in_an_answer_cut_at_max_tokens_keeps_its_finish_reason(
    make_model, recorder
) -> None:
    call = '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}'
    recorder.reply(recorder.openai_payload(call, finish_reason="length"))

    message = make_model(ChatSegmindGPT4o).bind_tools([get_weather]).invoke("hi")

    assert [c["args"] for c in message.tool_calls] == [{"city": "Oslo"}]
    assert message.response_metadata["finish_reason"] == "length"


def test_an_answer_of_exactly_the_size_cap_is_read(make_model, recorder) -> None:
    answer = json.dumps(recorder.openai_payload("big")).encode()
    recorder.queue(httpx2.Response(200, content=answer.ljust(8 * 2**20)))  # 8 MiB

    assert make_model(ChatSegmindGPT4o).invoke("hi").content == "big"


def test_a_data_uri_without_its_comma_is_refused(make_model, recorder):
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64"}}

    with pytest.raises(SegmindInputError, match="expected a base64 data URI"):
        make_model().invoke([HumanMessage([image])])
    assert recorder.requests == []


class _NotDescribableError(Exception):
    pass


class _Secret:
    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        return core_schema.any_schema()

    @classmethod
    def __get_pydantic_json_schema__(cls, schema, handler):
        raise _NotDescribableError("describe me later")


class Vault(BaseModel):
    """Open the vault."""

    secret: _Secret


@pytest.mark.parametrize(
    "describe",
    [
        lambda model: model.bind_tools([Vault]),
        lambda model: model.with_structured_output(Vault, method="json_mode"),
        lambda model: model.invoke("Hi", response_format=Vault),
    ],
    ids=["a-tool", "a-json-mode-schema", "a-response-format"],
)
def test_a_users_own_error_while_a_schema_is_described_reaches_them(
    make_model, describe
):
    with pytest.raises(_NotDescribableError, match="describe me later"):
        describe(make_model())


@pytest.mark.parametrize(("status", "attempts"), [(501, 1), (505, 1), (503, 3)])
def test_only_passing_server_errors_are_retried(
    make_model, recorder, status, attempts
) -> None:
    for _ in range(3):
        recorder.fail(status)
    with pytest.raises(SegmindServerError) as raised:
        make_model(max_retries=2).invoke("hi")
    assert raised.value.status_code == status
    assert recorder.count == attempts


def test_non_numeric_credit_headers_read_as_none(make_model, recorder) -> None:
    recorder.reply(
        {
            "type": "message",
            "content": [{"type": "text", "text": "hi"}],
            "stop_reason": "end_turn",
        },
        headers={"x-remaining-credits": "n/a", "x-cost": "free"},
    )
    metadata = make_model().invoke("hi").response_metadata
    assert metadata["remaining_credits"] is None
    assert metadata["cost"] is None


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_credit_headers_that_are_no_finite_number_read_as_none(
    make_model, recorder, value
) -> None:
    headers = {"x-remaining-credits": value, "x-cost": value}
    recorder.reply(recorder.anthropic_payload("hi"), headers=headers)
    guarded = make_model(min_remaining_credits=1, raise_on_low_credits=True)

    metadata = guarded.invoke("hi").response_metadata
    again = guarded.invoke("hi again")  # the guard saw no balance

    assert metadata["remaining_credits"] is None
    assert metadata["cost"] is None
    assert again.content == "echo: hi again"


def test_the_balance_of_a_resumed_jobs_answer_which_may_be_old_is_not_kept(
    make_model, recorder
) -> None:
    recorder.reply({"status": "COMPLETED"})
    done = recorder.openai_payload("done")
    metrics = {"remaining_credits": 0.5}  # a v2 result's credit headers
    recorder.reply({"status": "COMPLETED", "output": done, "metrics": metrics})
    queued = make_model(ChatSegmind, model="gpt-4o", api_version="v2")
    guarded = make_model(min_remaining_credits=1, raise_on_low_credits=True)

    resumed = queued.resume("job-1")
    again = guarded.invoke("hi again")  # the guard knows no balance

    assert resumed.response_metadata["remaining_credits"] == 0.5
    assert again.content == "echo: hi again"


def test_a_queued_job_without_poll_urls_is_polled_where_segmind_keeps_jobs(
    make_model, recorder
) -> None:
    recorder.reply({"request_id": "r1", "status": "QUEUED"})
    recorder.reply({"status": "COMPLETED"})
    result = recorder.openai_payload("queued answer")
    recorder.reply({"status": "COMPLETED", "output": json.dumps(result)})

    message = make_model(ChatSegmindGPT4o, api_version="v2").invoke("hi")

    assert message.content == "queued answer"
    assert [(sent.method, sent.url) for sent in recorder.requests] == [
        ("POST", "https://api.segmind.com/v2/gpt-4o"),
        ("GET", "https://api.segmind.com/v2/requests/r1/status"),
        ("GET", "https://api.segmind.com/v2/requests/r1"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        " https://api.segmind.com/v2/requests/j",
        "https://[api.segmind.com/x",
        "https://api.segmind.com\uff0fevil.com/",
    ],
    ids=["leading-space", "bad-bracket", "fullwidth-slash"],
)
def test_a_poll_url_that_may_not_lead_to_segmind_is_never_sent_the_key(
    recorder, fake_clock, url
) -> None:
    queued = {"request_id": "j", "status": "QUEUED"}
    recorder.reply({**queued, "status_url": url, "response_url": url})
    # A relative URL would go to the client's own base URL.
    client = httpx2.Client(
        transport=httpx2.MockTransport(recorder), base_url="https://other.example/"
    )
    model = ChatSegmindGPT4o(api_key=SECRET, api_version="v2", http_client=client)

    with pytest.raises(SegmindResponseError, match="the queue points to") as caught:
        model.invoke("hi")

    assert [sent.url for sent in recorder.requests] == [
        "https://api.segmind.com/v2/gpt-4o"
    ]
    assert caught.value.job is not None
    assert caught.value.job.request_id == "j"
    assert caught.value.is_retryable is False


def test_a_response_format_type_that_is_no_text_is_refused(make_model, recorder):
    with pytest.raises(SegmindInputError, match="response_format type"):
        make_model(ChatSegmindGPT4o).invoke("hi", response_format={"type": {"a": 1}})
    assert recorder.requests == []


def _too_deep_to_write() -> dict[str, object]:
    schema: dict[str, object] = {"type": "object"}
    for _ in range(TOO_DEEP_FOR_JSON):
        schema = {"type": "object", "properties": {"x": schema}}
    return schema


def test_a_tool_schema_too_deep_to_write_is_refused(make_model, recorder):
    tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    tool["function"]["parameters"] = _too_deep_to_write()
    model = make_model(ChatSegmindGPT4o)

    with pytest.raises(SegmindInputError, match="cannot be written as JSON"):
        model.bind_tools([tool]).invoke("hi")
    with pytest.raises(SegmindInputError, match="cannot be written as JSON"):
        model.get_num_tokens_from_messages([HumanMessage("hi")], tools=[tool])
    assert recorder.requests == []


def test_an_output_schema_too_deep_to_write_is_refused(make_model):
    schema = {**_too_deep_to_write(), "title": "T"}

    with pytest.raises(SegmindInputError, match="cannot describe the output schema"):
        make_model(ChatSegmindGPT4o).with_structured_output(schema, strict=True)


def test_the_users_own_failure_while_polling_carries_the_job_and_is_final(
    recorder, fake_clock
) -> None:
    class HiccupError(Exception):
        pass

    def hiccup(request: httpx2.Request) -> httpx2.Response:
        raise HiccupError("the user's transport failed")

    base = "https://api.segmind.com/v2/requests/j1"
    queued = {"request_id": "j1", "status": "QUEUED"}
    recorder.reply({**queued, "status_url": f"{base}/status", "response_url": base})
    recorder.queue(hiccup)
    client = httpx2.Client(transport=httpx2.MockTransport(recorder))
    model = ChatSegmindGPT4o(api_key=SECRET, api_version="v2", http_client=client)

    with pytest.raises(SegmindConnectionError) as caught:
        model.invoke("hi")

    # Raised as is, LangChain's retry middleware would submit (and pay) again.
    assert isinstance(caught.value.__cause__, HiccupError)
    assert caught.value.is_retryable is False
    assert caught.value.job is not None
    assert caught.value.job.request_id == "j1"
    assert "resume(error.job)" in str(caught.value)


def test_a_users_client_timing_out_a_poll_says_to_resume(recorder, fake_clock) -> None:
    base = "https://api.segmind.com/v2/requests/j1"
    queued = {"request_id": "j1", "status": "QUEUED"}
    recorder.reply({**queued, "status_url": f"{base}/status", "response_url": base})
    recorder.queue(httpx2.ReadTimeout("the client's own read timeout"))
    client = httpx2.Client(transport=httpx2.MockTransport(recorder))
    model = ChatSegmindGPT4o(api_key=SECRET, api_version="v2", http_client=client)

    with pytest.raises(
        SegmindTimeoutError, match="raise the client's timeouts"
    ) as caught:
        model.invoke("hi")

    assert "llm.resume(error.job)" in str(caught.value)
    assert caught.value.job is not None


# Ctrl-C, or a SIGTERM handler's `sys.exit()`, while the job runs.
@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_while_polling_carries_the_accepted_job(
    recorder, fake_clock, interruption
) -> None:
    base = "https://api.segmind.com/v2/requests/j1"
    queued = {"request_id": "j1", "status": "QUEUED"}
    recorder.reply({**queued, "status_url": f"{base}/status", "response_url": base})
    recorder.queue(interruption())
    client = httpx2.Client(transport=httpx2.MockTransport(recorder))
    model = ChatSegmindGPT4o(api_key=SECRET, api_version="v2", http_client=client)

    with pytest.raises(interruption) as caught:
        model.invoke("hi")

    assert caught.value.job.request_id == "j1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("poll", "shown"),
    [
        ({"status": "PAUSED"}, "'PAUSED'"),
        ({"status": ["COMPLETED"]}, "['COMPLETED']"),
        ({"status": {}}, "{}"),
        (["QUEUED"], "None"),  # no JSON object: no status
    ],
)
def test_a_queued_job_with_an_unknown_status_fails(
    make_model, recorder, poll, shown
) -> None:
    base = "https://api.segmind.com/v2/requests/r1"
    recorder.reply(
        {
            "request_id": "r1",
            "status": "QUEUED",
            "status_url": f"{base}/status",
            "response_url": base,
        }
    )
    recorder.reply(poll)
    with pytest.raises(
        SegmindResponseError, match=re.escape(f"unknown status {shown}")
    ):
        make_model(api_version="v2").invoke([HumanMessage("hi")])
    assert recorder.count == 2
