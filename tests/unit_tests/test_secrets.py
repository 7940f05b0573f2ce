"""The API key never leaks: not in reprs, dumps, errors, logs or tracebacks."""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import traceback

import httpx2
import pytest
from langchain_core.load import dumpd, dumps, load
from pydantic import SecretStr

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindAuthenticationError,
    SegmindConnectionError,
    SegmindError,
    SegmindInputError,
)

from ._payloads import KEY, SEGMIND_401_MESSAGES, error_texts
from .conftest import BrokenBody

SECRET_REF = {"lc": 1, "type": "secret", "id": ["SEGMIND_API_KEY"]}


# -- the model object ---------------------------------------------------------------


@pytest.mark.parametrize("cls", [ChatSegmindClaude, ChatSegmindGPT4o])
@pytest.mark.parametrize(
    "render",
    [
        pytest.param(repr, id="repr"),
        pytest.param(str, id="str"),
        pytest.param(lambda m: str(m.model_dump()), id="model_dump"),
        pytest.param(lambda m: m.model_dump_json(), id="model_dump_json"),
        pytest.param(lambda m: str(dumpd(m)), id="dumpd"),
        pytest.param(dumps, id="dumps"),
        pytest.param(lambda m: str(m._identifying_params), id="identifying_params"),
        pytest.param(lambda m: str(m._get_ls_params()), id="ls_params"),
    ],
)
def test_key_is_not_in_any_rendering_of_the_model(make_model, cls, render):
    model = make_model(cls, api_key=KEY)

    assert model.api_key is not None
    assert model.api_key.get_secret_value() == KEY
    assert KEY not in render(model)


def test_key_from_the_environment_is_not_rendered_either(monkeypatch):
    monkeypatch.setenv("SEGMIND_API_KEY", KEY)
    model = ChatSegmindClaude()

    for text in (repr(model), model.model_dump_json(), dumps(model)):
        assert KEY not in text


def test_serialized_model_names_the_env_variable_instead(make_model):
    model = make_model(api_key=KEY)

    assert dumpd(model)["kwargs"]["api_key"] == SECRET_REF


def test_a_model_loaded_without_secrets_takes_the_environments_key(monkeypatch):
    monkeypatch.setenv("SEGMIND_API_KEY", KEY)
    serialized = dumpd(ChatSegmindClaude())

    loaded = load(
        serialized,
        valid_namespaces=["langchain_segmind"],
        allowed_objects=[ChatSegmindClaude],
    )

    assert loaded.api_key is not None
    assert loaded.api_key.get_secret_value() == KEY


def test_an_empty_key_given_is_missing_not_the_environments(monkeypatch, recorder):
    monkeypatch.setenv("SEGMIND_API_KEY", KEY)

    with pytest.raises(SegmindAuthenticationError, match="no Segmind API key"):
        ChatSegmindClaude(api_key="").invoke("Hi")
    assert recorder.count == 0


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize("text", SEGMIND_401_MESSAGES)
def test_key_is_not_in_401_errors(keyed, recorder, call, text):
    recorder.fail(401, text, headers={"x-request-id": "req-401"})

    with pytest.raises(SegmindAuthenticationError) as caught:
        call(keyed, "Hi")
    error = caught.value
    assert error.message == text
    for rendered in error_texts(error):
        assert KEY not in rendered


def test_key_echoed_by_a_server_is_redacted_from_the_error_and_log(
    keyed, recorder, call, caplog
):
    recorder.fail(503, f"upstream refused the key {KEY}")
    recorder.fail(503, f"upstream refused the key {KEY}")

    caplog.set_level(logging.INFO, logger="langchain_segmind")
    with pytest.raises(SegmindError) as caught:
        call(keyed, "Hi")

    assert caught.value.message == "upstream refused the key [redacted]"
    for rendered in [*error_texts(caught.value), caplog.text]:
        assert KEY not in rendered


V2_JOB = {"request_id": "job-1", "status": "QUEUED"}


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param([(200, {"echo": KEY})], id="unreadable-200"),
        pytest.param([(400, {"error": "x" * 1990 + KEY})], id="message-cut-mid-key"),
        pytest.param(
            [(503, {"error": f"bad key {KEY}", "padding": "x" * 2**23})],
            id="error-over-8-mib",
        ),
        pytest.param(
            [
                (200, V2_JOB),
                (200, {"status": "FAILED"}),
                (200, {"status": "FAILED", "error": f"bad key {KEY}"}),
            ],
            id="v2-failed-job",
        ),
    ],
)
def test_key_echoed_in_any_answer_reaches_no_error(make_model, recorder, call, answers):
    api_version = "v2" if len(answers) > 1 else "v1"
    model = make_model(api_key=KEY, max_retries=0, api_version=api_version)
    for status, payload in answers:
        recorder.reply(payload, status=status)

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    for rendered in error_texts(caught.value):
        assert KEY[:6] not in rendered
    assert "[redacted]" in str(caught.value) + str(caught.value.body)


def _json_escaped(key: str) -> str:
    # JSON writes `"` and `\\` escaped; some servers write `/` as `\/` too.
    return json.dumps(key)[1:-1].replace("/", "\\/")


def _unicode_escaped(key: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in key)


@pytest.mark.parametrize("key", ['sk-"quoted"-key-0123', "sk-back\\slash-key-01"])
def test_a_key_with_a_quote_or_a_backslash_is_refused_without_showing_it(key):
    # JSON escapes them, twice in a tool call's arguments: an echo could not
    # be told from other text, and would not be redacted.
    with pytest.raises(SegmindInputError, match="no Segmind key has") as raised:
        ChatSegmind(model="gpt-4o", api_key=key)

    for rendered in error_texts(raised.value):
        assert key not in rendered


def test_a_key_with_a_quote_set_past_the_checks_is_refused_before_sending(
    make_model, recorder, call
):
    model = make_model()
    model.api_key = SecretStr('sk-"quoted"-key-0')  # assignment is not validated

    with pytest.raises(SegmindInputError, match="no Segmind key has"):
        call(model, "Hi")

    assert recorder.requests == []


@pytest.mark.parametrize("status", [200, 502])
def test_a_key_after_a_backslash_in_a_body_that_is_no_json_is_redacted(
    make_model, recorder, call, status
):
    recorder.reply(text=f"<pre>C:\\{KEY}</pre>", status=status)

    with pytest.raises(SegmindError) as caught:
        call(make_model(api_key=KEY, max_retries=0), "Hi")

    for rendered in error_texts(caught.value):  # frame locals included
        assert KEY[:6] not in rendered
    assert KEY[:6] not in str(getattr(caught.value.__cause__, "doc", ""))


ESCAPED_ECHOES = [
    pytest.param("sk-slash/key-0123456", _json_escaped, id="slash"),
    pytest.param(KEY, _unicode_escaped, id="unicode"),
]


@pytest.mark.parametrize(("key", "escape"), ESCAPED_ECHOES)
@pytest.mark.parametrize("where", ["reply", "v2-job"])
def test_a_key_echoed_escaped_in_an_answer_is_redacted(
    make_model, recorder, call, key, escape, where
):
    model = make_model(api_key=key, api_version="v2" if where == "v2-job" else "v1")
    answer = json.dumps(recorder.openai_payload("x")).replace('"x"', f'"{escape(key)}"')
    if where == "v2-job":  # the output is JSON written inside JSON
        recorder.reply(V2_JOB)
        recorder.reply({"status": "COMPLETED", "output": answer})
        recorder.reply({"status": "COMPLETED", "output": answer})
    else:
        recorder.reply(text=answer, content_type="application/json")

    assert call(model, "Hi").content == "[redacted]"


@pytest.mark.parametrize(("key", "escape"), ESCAPED_ECHOES)
@pytest.mark.parametrize("where", ["unreadable-answer", "v2-failed-job", "401"])
def test_a_key_echoed_escaped_in_an_error_is_redacted(
    make_model, recorder, call, key, escape, where
):
    v2 = where == "v2-failed-job"
    model = make_model(api_key=key, max_retries=0, api_version="v2" if v2 else "v1")
    error = f'{{"error": "bad key {escape(key)}"}}'
    if v2:
        recorder.reply(V2_JOB)
        recorder.reply({"status": "FAILED"})
        error = f'{{"status": "FAILED", "error": "bad key {escape(key)}"}}'
    status = 401 if where == "401" else 200
    recorder.reply(text=error, content_type="application/json", status=status)

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    assert "bad key [redacted]" in str(caught.value)
    for rendered in error_texts(caught.value):
        assert key[:6] not in rendered
        assert escape(key)[:12] not in rendered


@pytest.mark.parametrize("cut", [None, 60, 63], ids=["after", "inside", "mid-escape"])
def test_a_key_echoed_escaped_in_an_error_answer_cut_short_is_redacted(
    make_model, recorder, call, cut
):
    model = make_model(api_key=KEY, max_retries=0)
    echoed = _unicode_escaped(KEY)[:cut]
    start = f'{{"error": "bad key {echoed}'.encode()
    body = BrokenBody(httpx2.ReadError("reset"), start)
    recorder.queue(httpx2.Response(401, stream=body))

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    assert caught.value.message.endswith("bad key [redacted]")  # no escape's stub
    for rendered in error_texts(caught.value):
        assert _unicode_escaped(KEY)[:12] not in rendered


@pytest.mark.parametrize(
    "where", ["a header's name", "a v2 output that is no JSON", "a failed job's output"]
)
def test_a_key_echoed_where_no_answer_is_read_is_redacted(
    make_model, recorder, call, where
):
    if where == "a header's name":
        model = make_model(api_key=KEY, max_retries=0)
        recorder.fail(500, "boom", headers={KEY: "1"})
    else:
        model = make_model(api_key=KEY, max_retries=0, api_version="v2")
        recorder.reply(V2_JOB)
        recorder.reply({"status": "COMPLETED"})
        status = "FAILED" if where == "a failed job's output" else "COMPLETED"
        recorder.reply({"status": status, "output": f"[{_unicode_escaped(KEY)}"})

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    escaped = _unicode_escaped(KEY)[:12]
    for rendered in error_texts(caught.value):  # frame locals included
        assert KEY.lower()[:6] not in rendered.lower()
        assert escaped not in rendered
        assert repr(escaped)[1:-1] not in rendered  # as a local's repr shows it


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("n" + KEY, "line\\n" + KEY),  # a line break, then other text
        ("deadbeef01234567", "\\u00deadbeef01234567"),  # "Þadbeef01234567"
        ("b0123456789xyz", "\\u004b0123456789xyz"),  # "K0123456789xyz"
    ],
)
def test_text_that_only_looks_like_the_key_in_escapes_is_kept(
    make_model, recorder, call, key, written
):
    body = json.dumps(recorder.openai_payload("x")).replace('"x"', f'"{written}"')
    recorder.reply(text=body, content_type="application/json")

    message = call(make_model(api_key=key), "Hi")

    assert message.content == json.loads(f'"{written}"')


def test_key_cut_in_the_quote_of_an_answer_over_8_mib_is_redacted(
    make_model, recorder, call
):
    model = make_model(api_key=KEY, max_retries=0)
    # Read in part, it is quoted as text cut at 300 characters: 7 into the key.
    recorder.reply({"error": "x" * 283 + KEY, "padding": "x" * 2**23}, status=503)

    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")

    assert caught.value.message == '{"error":"' + "x" * 283 + "[redacted]"
    for rendered in error_texts(caught.value):
        assert KEY[:6] not in rendered


def test_a_message_ending_in_a_word_the_key_begins_with_is_kept(
    make_model, recorder, call
):
    recorder.fail(404, f"no such model: {KEY[:5]}")

    with pytest.raises(SegmindError) as caught:
        call(make_model(api_key=KEY, max_retries=0), "Hi")

    assert caught.value.message == f"no such model: {KEY[:5]}"


def raising_client(recorder) -> httpx2.Client:
    """A user's client on the recorder whose response hook reads the answer and
    calls `raise_for_status()`."""

    def raise_for_status(response: httpx2.Response) -> None:
        response.read()
        response.raise_for_status()

    return httpx2.Client(
        transport=httpx2.MockTransport(recorder),
        event_hooks={"response": [raise_for_status]},
    )


@pytest.mark.parametrize(
    ("echoed", "message"),
    [
        (f"invalid api key {KEY}", "invalid api key [redacted]"),
        # Segmind's message is cut at 2,000 characters: here, 8 into the key.
        ("x" * 1992 + KEY, "x" * 1992 + "[redacted]"),
        ("x" * 1994 + KEY, "x" * 1994 + "[redacted]"),  # 6 into it: the fewest
    ],
    ids=["whole", "cut-mid-key", "cut-6-into-key"],
)
def test_key_echoed_in_an_error_a_users_hook_raises_is_redacted(
    recorder, echoed, message
):
    recorder.fail(401, echoed)

    with pytest.raises(SegmindError) as caught:
        ChatSegmindGPT4o(api_key=KEY, http_client=raising_client(recorder)).invoke("Hi")

    assert caught.value.message == message
    for rendered in error_texts(caught.value):
        assert KEY[:6] not in rendered


@pytest.mark.parametrize("status", [200, 503], ids=["reply", "error"])
def test_key_echoed_in_the_request_id_header_is_redacted(
    make_model, recorder, call, status
):
    echoed = {"x-request-id": f"req-{KEY}"}
    if status == 200:
        recorder.reply(recorder.openai_payload("Hi"), headers=echoed)
        reply = call(make_model(api_key=KEY), "Hi")
        assert reply.response_metadata["request_id"] == "req-[redacted]"
        return
    recorder.reply({"error": "no"}, status=status, headers=echoed)

    with pytest.raises(SegmindError) as caught:
        call(make_model(api_key=KEY, max_retries=0), "Hi")

    assert caught.value.request_id == "req-[redacted]"
    for rendered in error_texts(caught.value):
        assert KEY not in rendered


def test_key_echoed_in_the_request_id_of_an_error_a_users_hook_raises_is_redacted(
    recorder,
):
    recorder.reply({"error": "no"}, status=503, headers={"x-request-id": f"r-{KEY}"})
    model = ChatSegmindGPT4o(api_key=KEY, http_client=raising_client(recorder))

    with pytest.raises(SegmindError) as caught:
        model.invoke("Hi", max_retries=0)

    assert caught.value.request_id == "r-[redacted]"
    for rendered in error_texts(caught.value):
        assert KEY not in rendered


def test_key_echoed_in_a_reply_is_redacted_from_the_message(keyed, recorder, call):
    recorder.reply(recorder.anthropic_payload(f"Your key is {KEY}."))

    reply = call(keyed, "What is my key?")

    assert reply.content == "Your key is [redacted]."


def test_a_key_of_twelve_characters_echoed_in_a_reply_is_redacted(
    make_model, recorder, call
):
    short_key = "abcdefghijkl"
    recorder.reply(recorder.anthropic_payload(f"Your key is {short_key}."))

    reply = call(make_model(api_key=short_key), "What is my key?")

    assert reply.content == "Your key is [redacted]."


UTF16_OR_32 = ["utf-16", "utf-16-be", "utf-32-le"]  # JSON json.loads reads


@pytest.mark.parametrize("encoding", UTF16_OR_32)
def test_a_key_echoed_in_a_utf16_or_utf32_reply_is_redacted(
    keyed, recorder, call, encoding
):
    payload = recorder.anthropic_payload(f"Your key is {KEY}.")
    recorder.queue(httpx2.Response(200, content=json.dumps(payload).encode(encoding)))

    assert call(keyed, "What is my key?").content == "Your key is [redacted]."


@pytest.mark.parametrize("encoding", UTF16_OR_32)
def test_a_key_echoed_in_a_utf16_or_utf32_error_is_redacted(
    keyed, recorder, call, encoding
):
    body = json.dumps({"error": f"bad key {KEY}"}).encode(encoding)
    recorder.queue(httpx2.Response(400, content=body))

    with pytest.raises(SegmindError, match=r"bad key \[redacted\]") as caught:
        call(keyed, "What is my key?")

    for rendered in error_texts(caught.value):
        # With NULs between its characters, as UTF-16 writes it, it still shows.
        assert KEY not in rendered.replace("\x00", "").replace("\\x00", "")


@pytest.mark.parametrize("reset", [False, True], ids=["refused", "reset-meanwhile"])
def test_key_echoed_in_an_answer_the_http_stack_refuses_is_redacted_from_the_cause(
    keyed, recorder, call, reset
):
    def refuse(request: httpx2.Request) -> httpx2.Response:
        # As httpx2 quotes a status line it cannot parse.
        line = f"illegal status line: bytearray(b'HTTP/1.1 5x3 {KEY}')"
        try:
            raise httpx2.RemoteProtocolError(line, request=request)
        except httpx2.RemoteProtocolError:
            if reset:  # the connection broke meanwhile: the refusal is its context
                raise httpx2.ReadError("connection reset")  # noqa: B904
            raise

    recorder.queue(refuse)

    with pytest.raises(SegmindError) as caught:
        call(keyed, "Hi")

    error = caught.value.__cause__
    if reset:
        error = error.__context__
    assert isinstance(error, httpx2.RemoteProtocolError)
    assert error.args == ("illegal status line: bytearray(b'HTTP/1.1 5x3 [redacted]')",)
    for rendered in error_texts(caught.value):
        assert KEY not in rendered


def test_an_exception_the_caller_is_handling_is_left_as_it_is(keyed, recorder):
    @dataclasses.dataclass(frozen=True)
    class ConfigError(Exception):
        detail: str

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.RemoteProtocolError(f"illegal status line: {KEY}", request=request)

    recorder.queue(refuse)
    own = ConfigError(f"the config held {KEY}")

    def fall_back_while_handling_it() -> None:
        try:
            raise own
        except ConfigError:
            keyed.invoke("Hi")

    with pytest.raises(SegmindError) as caught:
        fall_back_while_handling_it()

    assert KEY not in str(caught.value.__cause__)
    assert own.args == (f"the config held {KEY}",)  # the caller's own, untouched


def test_key_is_not_in_a_connection_error_traceback(keyed, recorder, call):
    def refuse(request: httpx2.Request) -> httpx2.Response:
        assert request.headers["x-api-key"] == KEY  # the key was really in play
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    recorder.queue(refuse, refuse)

    with pytest.raises(SegmindConnectionError) as caught:
        call(keyed, "Hi")
    for rendered in error_texts(caught.value):
        assert KEY not in rendered
    assert "Connection refused" in str(caught.value)
    cause = caught.value.__cause__
    assert isinstance(cause, httpx2.ConnectError)
    assert cause.request.headers["x-api-key"] == "[redacted]"
    assert KEY.encode() not in pickle.dumps(cause)
    assert _requests_holding_the_key(cause) == []  # the handler's frame too


def _requests_holding_the_key(error: BaseException) -> list[httpx2.Request]:
    return [
        value
        for frame, _ in traceback.walk_tb(error.__traceback__)
        for value in frame.f_locals.values()
        if isinstance(value, httpx2.Request) and value.headers.get("x-api-key") == KEY
    ]


def test_key_is_in_no_frame_of_a_call_interrupted_by_ctrl_c(keyed, recorder, call):
    def interrupt(request: httpx2.Request) -> httpx2.Response:
        raise KeyboardInterrupt

    recorder.queue(interrupt)

    with pytest.raises(KeyboardInterrupt) as caught:
        call(keyed, "Hi")

    assert _requests_holding_the_key(caught.value) == []


@pytest.mark.parametrize(
    "cut", [httpx2.ReadError("connection reset"), KeyboardInterrupt(), RuntimeError()]
)
def test_a_key_echoed_in_an_answer_cut_short_is_in_no_frame(keyed, recorder, call, cut):
    echo = b'{"echo": "' + KEY.encode() + b'"'
    recorder.queue(httpx2.Response(200, stream=BrokenBody(cut, echo)))

    with pytest.raises((SegmindError, KeyboardInterrupt, RuntimeError)) as caught:
        call(keyed, "Hi")

    held = [
        (frame.f_code.co_name, name)
        for frame, _ in traceback.walk_tb(caught.value.__traceback__)
        if frame.f_globals["__name__"].startswith("langchain_segmind")
        for name, value in frame.f_locals.items()
        if KEY in repr(value) or KEY in repr(getattr(value, "body", None))
    ]
    assert held == []


def test_a_failed_call_leaves_the_exception_being_handled_as_it_was(keyed, recorder):
    def parse(record: str) -> None:
        position = 42
        raise ValueError(f"bad record at {position}")

    recorder.fail(400, "bad request")
    try:
        parse("the user's record")
    except ValueError as own:
        with pytest.raises(SegmindError):
            keyed.invoke(f"fix this: {own}")
        frames = [frame for frame, _ in traceback.walk_tb(own.__traceback__)]

    assert frames[-1].f_locals == {"record": "the user's record", "position": 42}


class RefusingClient(httpx2.Client):
    def build_request(self, *args: object, **kwargs: object) -> httpx2.Request:
        raise RuntimeError("the user's own failure")


class RefusingAsyncClient(httpx2.AsyncClient):
    def build_request(self, *args: object, **kwargs: object) -> httpx2.Request:
        raise RuntimeError("the user's own failure")


def test_the_users_own_exception_holds_no_key_in_the_packages_frames(call):
    model = ChatSegmindGPT4o(
        api_key=KEY,
        http_client=RefusingClient(),
        http_async_client=RefusingAsyncClient(),
    )

    with pytest.raises(RuntimeError, match="the user's own failure") as caught:
        call(model, "Hi")

    # The user's `build_request` was handed the key; no frame of ours keeps it.
    frames = [frame for frame, _ in traceback.walk_tb(caught.value.__traceback__)]
    ours = [f for f in frames if f.f_globals["__name__"].startswith("langchain_seg")]
    assert ours
    assert all(KEY not in repr(frame.f_locals) for frame in ours)
    assert "kwargs" in frames[-1].f_locals  # the user's frame keeps its locals


def test_key_is_not_in_a_status_error_raised_by_a_users_hook(recorder):
    recorder.fail(401, "Unauthorized")
    model = ChatSegmindGPT4o(
        api_key=KEY, http_client=raising_client(recorder), max_retries=0
    )

    with pytest.raises(SegmindAuthenticationError) as caught:
        model.invoke("Hi")

    cause = caught.value.__cause__
    assert isinstance(cause, httpx2.HTTPStatusError)
    assert cause.request.headers["x-api-key"] == "[redacted]"
    assert cause.response.request.headers["x-api-key"] == "[redacted]"
    assert KEY.encode() not in pickle.dumps(cause)


def test_key_is_not_in_a_missing_key_error(make_model, recorder):
    with pytest.raises(SegmindAuthenticationError) as caught:
        make_model(api_key=None).invoke("Hi")
    assert "SEGMIND_API_KEY" in str(caught.value)
    assert recorder.count == 0


@pytest.mark.parametrize(
    "key",
    ["sk-a b-0123456789", "sk-t\u00e9st-key-0123456789", "sk-zero-width\u200b"],
    ids=["space-inside", "non-ascii", "zero-width-space"],
)
def test_a_key_http_headers_cannot_carry_is_refused_at_construction(key):
    with pytest.raises(
        SegmindInputError, match="check the api_key argument or SEGMIND_API_KEY"
    ) as caught:
        ChatSegmind(model="gpt-4o", api_key=key)

    for rendered in error_texts(caught.value):
        assert key not in rendered


@pytest.mark.parametrize("cls", [ChatSegmindGPT4o, ChatSegmind])
def test_a_key_with_white_space_from_the_environment_is_refused_at_construction(
    monkeypatch, cls
):
    monkeypatch.setenv("SEGMIND_API_KEY", f" {KEY}\n")

    with pytest.raises(SegmindInputError, match="SEGMIND_API_KEY") as caught:
        cls(model="gpt-4o")

    for rendered in error_texts(caught.value):
        assert KEY not in rendered


# -- logs ---------------------------------------------------------------------------


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.__dict__!r}"
        for record in caplog.records
    )


@pytest.mark.parametrize(
    ("script", "fails"),
    [
        pytest.param([], False, id="success"),
        pytest.param([503], False, id="retried"),
        pytest.param([401], True, id="failed"),
        pytest.param([503, 500], True, id="retries-exhausted"),
    ],
)
def test_key_is_not_logged(keyed, recorder, call, caplog, script, fails):
    caplog.set_level(logging.DEBUG)  # every logger, ours included
    for status in script:
        recorder.fail(status, headers={"x-request-id": f"req-{status}"})

    if fails:
        with pytest.raises(SegmindError):
            call(keyed, "Hi")
    else:
        call(keyed, "Hi")

    ours = [r for r in caplog.records if r.name.startswith("langchain_segmind")]
    assert ours, "the call should have been logged"
    assert KEY not in _all_log_text(caplog)
    assert recorder.requests[0].headers["x-api-key"] == KEY  # the key was in play
