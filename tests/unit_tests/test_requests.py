"""What goes over the wire: URL, headers and the exact JSON body, per dialect."""

from __future__ import annotations

import warnings
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindInputError,
    __version__,
)
from langchain_segmind.conversion.anthropic import CONVERSATION_OPENER


def text_block(text: str) -> dict[str, str]:
    return {"type": "text", "text": text}


# -- Claude dialect -----------------------------------------------------------------


class TestClaudeBody:
    def test_system_message_becomes_top_level_instruction(self, claude, recorder):
        claude.invoke([SystemMessage("Be brief."), HumanMessage("Hi")])

        assert recorder.last.body == {
            "instruction": "Be brief.",
            "messages": [{"role": "user", "content": "Hi"}],
        }

    def test_several_system_messages_are_joined_with_a_blank_line(
        self, claude, recorder
    ):
        claude.invoke(
            [
                SystemMessage("You are a pirate."),
                HumanMessage("Hi"),
                SystemMessage("Answer in one line."),
            ]
        )

        body = recorder.last.body
        assert body["instruction"] == "You are a pirate.\n\nAnswer in one line."
        assert body["messages"] == [{"role": "user", "content": "Hi"}]
        assert all(m["role"] != "system" for m in body["messages"])

    def test_no_instruction_without_system_text(self, claude, recorder):
        claude.invoke([SystemMessage(""), HumanMessage("Hi")])

        assert "instruction" not in recorder.last.body

    def test_consecutive_human_messages_merge_into_one_user_turn(
        self, claude, recorder
    ):
        claude.invoke([HumanMessage("first"), HumanMessage("second")])

        assert recorder.last.body["messages"] == [
            {"role": "user", "content": [text_block("first"), text_block("second")]}
        ]

    def test_consecutive_ai_messages_merge_into_one_assistant_turn(
        self, claude, recorder
    ):
        claude.invoke([HumanMessage("q"), AIMessage("a1"), AIMessage("a2")])

        assert recorder.last.body["messages"] == [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": [text_block("a1"), text_block("a2")]},
        ]

    def test_history_opening_with_the_assistant_gets_a_user_opener(
        self, claude, recorder
    ):
        claude.invoke([AIMessage("How can I help?"), HumanMessage("A joke, please")])

        assert recorder.last.body["messages"] == [
            {"role": "user", "content": CONVERSATION_OPENER},
            {"role": "assistant", "content": "How can I help?"},
            {"role": "user", "content": "A joke, please"},
        ]
        assert CONVERSATION_OPENER.strip()

    def test_opener_also_after_system_text(self, claude, recorder):
        claude.invoke([SystemMessage("sys"), AIMessage("Hello"), HumanMessage("Hi")])

        roles = [m["role"] for m in recorder.last.body["messages"]]
        assert roles == ["user", "assistant", "user"]
        assert recorder.last.body["instruction"] == "sys"

    @pytest.mark.parametrize("empty", ["", []])
    def test_empty_messages_are_dropped_and_neighbours_merged(
        self, claude, recorder, empty
    ):
        claude.invoke([HumanMessage("a"), AIMessage(empty), HumanMessage("b")])

        assert recorder.last.body["messages"] == [
            {"role": "user", "content": [text_block("a"), text_block("b")]}
        ]

    def test_empty_text_blocks_are_dropped(self, claude, recorder):
        claude.invoke([HumanMessage([text_block(""), text_block("hi")])])

        assert recorder.last.body["messages"] == [{"role": "user", "content": "hi"}]

    def test_alternating_conversation_keeps_order(self, claude, recorder):
        claude.invoke(
            [
                SystemMessage("sys"),
                HumanMessage("u1"),
                AIMessage("a1"),
                HumanMessage("u2"),
            ]
        )

        assert recorder.last.body == {
            "instruction": "sys",
            "messages": [
                {"role": "user", "content": "u1"},
                {"role": "assistant", "content": "a1"},
                {"role": "user", "content": "u2"},
            ],
        }

    def test_several_text_blocks_stay_separate_blocks_in_order(self, claude, recorder):
        claude.invoke([HumanMessage([text_block("one"), "two", text_block("three")])])

        assert recorder.last.body["messages"] == [
            {
                "role": "user",
                "content": [text_block("one"), text_block("two"), text_block("three")],
            }
        ]


# -- GPT dialect --------------------------------------------------------------------


class TestGptBody:
    def test_system_message_stays_a_system_role_message(self, gpt, recorder):
        gpt.invoke([SystemMessage("Be brief."), HumanMessage("Hi")])

        assert recorder.last.body == {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
            ]
        }

    def test_conversation_roles_in_order_without_merging(self, gpt, recorder):
        gpt.invoke(
            [
                SystemMessage("s1"),
                SystemMessage("s2"),
                HumanMessage("u1"),
                HumanMessage("u2"),
                AIMessage("a1"),
                HumanMessage("u3"),
            ]
        )

        assert recorder.last.body["messages"] == [
            {"role": "system", "content": "s1"},
            {"role": "system", "content": "s2"},
            {"role": "user", "content": "u1"},
            {"role": "user", "content": "u2"},
            {"role": "assistant", "content": "a1"},
            {"role": "user", "content": "u3"},
        ]
        assert "instruction" not in recorder.last.body

    def test_history_may_open_with_the_assistant(self, gpt, recorder):
        gpt.invoke([AIMessage("How can I help?"), HumanMessage("A joke")])

        assert recorder.last.body["messages"] == [
            {"role": "assistant", "content": "How can I help?"},
            {"role": "user", "content": "A joke"},
        ]


# -- content forms, both dialects -----------------------------------------------------


@pytest.mark.parametrize(
    "content",
    ["Hi there", [text_block("Hi there")], ["Hi there"]],
    ids=["string", "text-block", "string-in-list"],
)
@pytest.mark.parametrize("fixture", ["claude", "gpt"])
def test_single_text_content_is_sent_as_a_string(request, recorder, fixture, content):
    model = request.getfixturevalue(fixture)

    model.invoke([HumanMessage(content)])

    assert recorder.last.body["messages"][-1] == {
        "role": "user",
        "content": "Hi there",
    }


@pytest.mark.parametrize("fixture", ["claude", "gpt"])
def test_plain_string_input_is_one_user_message(request, recorder, fixture):
    request.getfixturevalue(fixture).invoke("Hello")

    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hello"}]}


# -- generation options -------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["claude", "gpt"])
def test_options_are_absent_unless_set(request, recorder, fixture):
    request.getfixturevalue(fixture).invoke("Hi")

    assert set(recorder.last.body) == {"messages"}


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_options_set_on_the_model_are_sent(make_model, recorder, cls):
    model = make_model(cls, temperature=0.3, max_tokens=50, stop=["END"])

    model.invoke("Hi")

    body = recorder.last.body
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 50
    assert body["stop"] == ["END"]


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_per_call_options_override_the_model_fields(make_model, recorder, cls):
    model = make_model(cls, temperature=0.3, max_tokens=50, stop=["END"])

    model.invoke("Hi", temperature=0.7, max_tokens=5, stop=["STOP", "HALT"])

    body = recorder.last.body
    assert body["temperature"] == 0.7
    assert body["max_tokens"] == 5
    assert body["stop"] == ["STOP", "HALT"]
    assert set(body) == {"messages", "temperature", "max_tokens", "stop"}


def test_per_call_options_do_not_stick(make_model, recorder):
    model = make_model(temperature=0.3)

    model.invoke("Hi", temperature=0.9, max_tokens=5)
    model.invoke("Hi")

    assert recorder.bodies[1] == {
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.3,
    }


def test_zero_temperature_is_sent(make_model, recorder):
    make_model(temperature=0.0).invoke("Hi")

    assert recorder.last.body["temperature"] == 0.0


def test_options_bound_with_bind_are_sent(claude, recorder):
    claude.bind(temperature=0.2, max_tokens=7).invoke("Hi")

    assert recorder.last.body["temperature"] == 0.2
    assert recorder.last.body["max_tokens"] == 7


def test_per_call_model_changes_the_url_slug(claude, recorder):
    claude.invoke("Hi", model="claude-4.5-sonnet")

    assert recorder.last.url == "https://api.segmind.com/v1/claude-4.5-sonnet"
    assert "model" not in recorder.last.body


def test_per_call_model_switches_the_dialect(gpt, recorder):
    gpt.invoke([SystemMessage("sys"), HumanMessage("Hi")], model="claude-4.5-sonnet")

    assert recorder.last.slug == "claude-4.5-sonnet"
    assert recorder.last.body == {
        "instruction": "sys",
        "messages": [{"role": "user", "content": "Hi"}],
    }


def test_model_kwargs_and_extra_call_kwargs_land_in_the_body(make_model, recorder):
    model = make_model(ChatSegmindGPT4o, model_kwargs={"top_p": 0.9, "seed": 7})

    model.invoke("Hi", top_k=40)
    model.invoke("Hi", top_p=0.5)

    first, second = recorder.bodies
    assert first["top_p"] == 0.9
    assert first["seed"] == 7
    assert first["top_k"] == 40
    assert second["top_p"] == 0.5  # the per-call value wins
    assert second["seed"] == 7


def test_extra_call_kwargs_are_sent_for_claude_too(claude, recorder):
    claude.invoke("Hi", top_p=0.8)

    assert recorder.last.body["top_p"] == 0.8


def test_extra_headers_are_not_sent_in_the_body(claude, recorder):
    claude.invoke("Hi", extra_headers={"x-trace": "1"})

    assert set(recorder.last.body) == {"messages"}


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda m: m.invoke("Hi"), id="invoke"),
        pytest.param(lambda m: list(m.stream("Hi")), id="stream"),
        pytest.param(lambda m: m.batch(["Hi", "Ho"]), id="batch"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_stream_is_never_sent(make_model, recorder, cls, streaming, run):
    run(make_model(cls, streaming=streaming))

    assert recorder.count >= 1
    assert all("stream" not in body for body in recorder.bodies)


async def test_stream_is_never_sent_async(claude, recorder):
    await claude.ainvoke("Hi")
    [chunk async for chunk in claude.astream("Hi")]

    assert recorder.count == 2
    assert all("stream" not in body for body in recorder.bodies)


@pytest.mark.parametrize("stream", [False, True])
def test_cores_stream_call_option_is_read_not_sent(claude, recorder, stream):
    claude.invoke("Hi", stream=stream)
    claude.bind(stream=stream).invoke("Hi")

    assert recorder.count == 2
    assert all("stream" not in body for body in recorder.bodies)


@pytest.mark.parametrize(
    "field", ["stream", "stream_options", "tool_choice", "parallel_tool_calls"]
)
def test_stream_in_model_kwargs_is_refused_at_construction(make_model, recorder, field):
    for body_fields in ({"model_kwargs": {field: True}}, {"extra_body": {field: 1}}):
        with pytest.raises(SegmindInputError, match=field) as refused:
            make_model(**body_fields)
        assert "`streaming=True` give the whole answer" in str(refused.value)

    with pytest.raises(SegmindInputError, match=field):
        make_model().invoke("Hi", extra_body={field: True})
    assert recorder.count == 0


def test_stream_usage_is_taken_as_chat_openai_takes_it_and_not_sent(
    make_model, recorder
):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = make_model(stream_usage=True)

    [chunk] = model.stream("Hi", stream_usage=False)

    assert chunk.usage_metadata is not None  # usage always comes with the answer
    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hi"}]}


def test_several_answers_per_call_are_refused_before_sending(make_model, recorder):
    model = make_model()

    with pytest.raises(SegmindInputError, match="n=2 asks for several answers"):
        model.invoke("Hi", n=2)
    model.invoke("Hi", n=1)
    assert recorder.count == 1
    assert recorder.last.body["n"] == 1


@pytest.mark.parametrize(
    "given", [{"n": 2}, {"model_kwargs": {"n": 2}}], ids=["n", "model_kwargs"]
)
def test_several_answers_on_the_model_are_refused_at_construction(given):
    with (
        warnings.catch_warnings(action="ignore"),  # core's: `n` goes to model_kwargs
        pytest.raises(
            SegmindInputError, match="n=2 asks for several answers"
        ) as refused,
    ):
        ChatSegmindGPT4o(**given)

    assert "call `batch` with the prompt repeated instead" in str(refused.value)


@pytest.mark.parametrize("name", ["openai_api_base", "anthropic_api_url", "api_base"])
def test_another_providers_url_argument_is_refused_naming_base_url(
    make_model, recorder, name
):
    url = "https://gateway.internal/v1"
    with (
        warnings.catch_warnings(action="ignore"),  # core's: it goes to model_kwargs
        pytest.raises(SegmindInputError, match="base_url=") as at_construction,
    ):
        ChatSegmindGPT4o(**{name: url})
    with pytest.raises(SegmindInputError, match="base_url="):
        make_model().invoke("Hi", **{name: url})

    assert recorder.count == 0
    assert f"{name!r} is another provider's URL" in str(at_construction.value)


# -- headers ------------------------------------------------------------------------


def test_a_users_client_builds_the_request_from_the_url_string(recorder):
    class Rerouting(httpx2.Client):  # rewrites URLs as strings, as users do
        def build_request(self, method: str, url: Any, **kwargs: Any) -> Any:
            url = url.replace("api.segmind.com", "gateway.internal")
            return super().build_request(method, url, **kwargs)

    with Rerouting(transport=httpx2.MockTransport(recorder)) as client:
        ChatSegmindClaude(api_key="test-key", http_client=client).invoke("Hi")

    assert recorder.last.url == "https://gateway.internal/v1/claude-3.5-sonnet"


def test_required_headers(claude, recorder):
    claude.invoke("Hi")

    headers = recorder.last.headers
    assert recorder.last.method == "POST"
    assert headers["x-api-key"] == "test-key"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == f"langchain-segmind/{__version__}"
    assert "authorization" not in headers


def test_default_headers_are_sent_on_every_call(make_model, recorder):
    model = make_model(default_headers={"X-Team": "ml"})

    model.invoke("Hi")
    model.invoke("Hi")

    assert [sent.headers["x-team"] for sent in recorder.requests] == ["ml", "ml"]


def test_per_call_extra_headers_apply_to_that_call_only(make_model, recorder):
    model = make_model(default_headers={"X-Team": "ml"})

    model.invoke("Hi", extra_headers={"X-Trace": "abc", "X-Team": "infra"})
    model.invoke("Hi")

    first, second = (sent.headers for sent in recorder.requests)
    assert first["x-trace"] == "abc"
    assert first["x-team"] == "infra"
    assert "x-trace" not in second
    assert second["x-team"] == "ml"


@pytest.mark.parametrize("name", ["x-api-key", "X-API-Key", "X-Api-Key"])
def test_extra_headers_cannot_replace_the_api_key(make_model, recorder, name):
    with pytest.raises(SegmindInputError, match="reserved"):
        make_model(default_headers={name: "from-defaults"})
    with pytest.raises(SegmindInputError, match="reserved") as raised:
        make_model().invoke("Hi", extra_headers={name: "from-call"})

    assert "from-call" not in str(raised.value)
    assert recorder.count == 0


@pytest.mark.parametrize(
    "name",
    [
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        "Content-Type",
        "Accept-Encoding",
    ],
)
def test_framing_headers_are_refused_before_sending(claude, recorder, name):
    with pytest.raises(SegmindInputError, match=name):
        claude.invoke("Hi", extra_headers={name: "10"})

    assert recorder.count == 0


@pytest.mark.parametrize(
    "value", ["a\r\nx-api-key: stolen", "a\nb", "a\x00b", "caf\u00e9"]
)
def test_header_values_http_cannot_carry_are_refused(make_model, recorder, value):
    with pytest.raises(SegmindInputError) as at_construction:
        make_model(default_headers={"x-tag": value})
    with pytest.raises(SegmindInputError) as per_call:
        make_model().invoke("Hi", extra_headers={"x-tag": value})

    for raised in (at_construction, per_call):
        assert value not in str(raised.value)
        assert "x-tag" in str(raised.value)
    assert recorder.count == 0


@pytest.mark.parametrize("name", ["bad name", "", "x-tag:", "x-tag\r\n", "caf\u00e9"])
def test_header_names_that_are_not_http_tokens_are_refused(make_model, recorder, name):
    with pytest.raises(SegmindInputError) as at_construction:
        make_model(default_headers={name: "x"})
    with pytest.raises(SegmindInputError) as per_call:
        make_model().invoke("Hi", extra_headers={name: "x"})

    for raised in (at_construction, per_call):
        assert f"{name!r} is not a valid HTTP header name" in str(raised.value)
    assert recorder.count == 0


def test_caller_headers_are_sent_with_lower_case_names(claude, recorder):
    claude.invoke("Hi", extra_headers={"X-Trace": "abc", "User-Agent": "mine/1"})

    assert recorder.last.headers["x-trace"] == "abc"
    assert recorder.last.headers["user-agent"] == "mine/1"
    assert recorder.last.headers.get_list("content-type") == ["application/json"]
    assert recorder.last.headers["accept-encoding"] == "gzip, deflate"


# -- URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "url"),
    [
        (ChatSegmindClaude, "https://api.segmind.com/v1/claude-3.5-sonnet"),
        (ChatSegmindGPT4o, "https://api.segmind.com/v1/gpt-4o"),
    ],
)
def test_default_url_is_segmind_v1_plus_slug(make_model, recorder, cls, url):
    make_model(cls).invoke("Hi")

    assert recorder.last.url == url


@pytest.mark.parametrize(
    "base_url", ["https://gateway.example/v1", "https://gateway.example/v1/"]
)
def test_url_is_base_url_slash_slug(make_model, recorder, base_url):
    make_model(ChatSegmind, model="gpt-5", base_url=base_url).invoke("Hi")

    assert recorder.last.url == "https://gateway.example/v1/gpt-5"


def test_base_url_from_the_environment(make_model, recorder, monkeypatch):
    monkeypatch.setenv("SEGMIND_BASE_URL", "http://127.0.0.1:9999/v1")

    make_model().invoke("Hi")

    assert recorder.last.url == "http://127.0.0.1:9999/v1/claude-3.5-sonnet"


# -- temperature ranges -------------------------------------------------------------

CLAUDE = (ChatSegmindClaude, {})
GPT = (ChatSegmindGPT4o, {})
CLAUDE_SLUG = (ChatSegmind, {"model": "claude-4.5-sonnet"})
# Not gpt-5: OpenAI's reasoning models take no temperature (test_sampling_rules).
GPT_SLUG = (ChatSegmind, {"model": "gpt-4-turbo"})

VALID_TEMPERATURES = [
    (*CLAUDE, 0.0),
    (*CLAUDE, 1.0),
    (*GPT, 0.0),
    (*GPT, 1.5),
    (*GPT, 2.0),
    (*CLAUDE_SLUG, 0.5),
    (*CLAUDE_SLUG, 1.0),
    (*GPT_SLUG, 2.0),
]
INVALID_TEMPERATURES = [
    (*CLAUDE, -0.1),
    (*CLAUDE, 1.01),
    (*CLAUDE, 1.5),
    (*GPT, -0.5),
    (*GPT, 2.1),
    (*CLAUDE_SLUG, 1.5),
    (*GPT_SLUG, 2.5),
]


def _temperature_id(value: Any) -> str:
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, dict):
        return value.get("model", "default")
    return str(value)


@pytest.mark.parametrize(
    ("cls", "kwargs", "temperature"), VALID_TEMPERATURES, ids=_temperature_id
)
def test_temperature_in_range_is_accepted_and_sent(
    make_model, recorder, cls, kwargs, temperature
):
    make_model(cls, temperature=temperature, **kwargs).invoke("Hi")
    make_model(cls, **kwargs).invoke("Hi", temperature=temperature)

    assert [body["temperature"] for body in recorder.bodies] == [temperature] * 2


@pytest.mark.parametrize(
    ("cls", "kwargs", "temperature"), INVALID_TEMPERATURES, ids=_temperature_id
)
def test_temperature_out_of_range_fails_at_construction(cls, kwargs, temperature):
    with pytest.raises(SegmindInputError, match="temperature"):
        cls(api_key="test-key", temperature=temperature, **kwargs)


@pytest.mark.parametrize(
    ("cls", "kwargs", "temperature"), INVALID_TEMPERATURES, ids=_temperature_id
)
def test_temperature_out_of_range_fails_per_call_without_sending(
    make_model, recorder, call, cls, kwargs, temperature
):
    model = make_model(cls, **kwargs)

    with pytest.raises(SegmindInputError, match="temperature"):
        call(model, "Hi", temperature=temperature)
    assert recorder.count == 0


def test_per_call_model_applies_its_own_temperature_range(make_model, recorder):
    model = make_model(ChatSegmindGPT4o, temperature=1.5)

    with pytest.raises(SegmindInputError, match="temperature"):
        model.invoke("Hi", model="claude-4.5-sonnet")
    assert recorder.count == 0


# -- refused before sending ---------------------------------------------------------


def test_model_without_key_can_be_built():
    assert ChatSegmindClaude().api_key is None


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_missing_key_raises_authentication_error_without_sending(
    make_model, recorder, call, cls
):
    model = make_model(cls, api_key=None)

    with pytest.raises(SegmindAuthenticationError, match="SEGMIND_API_KEY"):
        call(model, "Hi")
    assert recorder.count == 0


def test_missing_key_also_fails_a_stream_without_sending(make_model, recorder):
    model = make_model(api_key=None)

    with pytest.raises(SegmindAuthenticationError):
        list(model.stream("Hi"))
    assert recorder.count == 0


def test_key_from_the_environment_is_sent(recorder, monkeypatch):
    monkeypatch.setenv("SEGMIND_API_KEY", "env-key")

    with httpx2.Client(transport=httpx2.MockTransport(recorder)) as client:
        ChatSegmindClaude(http_client=client).invoke("Hi")

    assert recorder.last.headers["x-api-key"] == "env-key"


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
def test_empty_message_list_raises_input_error_without_sending(
    make_model, recorder, call, cls
):
    with pytest.raises(SegmindInputError):
        call(make_model(cls), [])
    assert recorder.count == 0


def test_claude_conversation_of_only_empty_messages_is_refused(claude, recorder):
    with pytest.raises(SegmindInputError):
        claude.invoke([SystemMessage("sys"), HumanMessage("")])
    assert recorder.count == 0
