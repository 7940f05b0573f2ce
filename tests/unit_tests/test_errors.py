"""Every Segmind failure becomes a typed, picklable error with its context."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx2
import pytest
from langchain_core import exceptions as core

from langchain_segmind import (
    ChatSegmind,
    SegmindAuthenticationError,
    SegmindBadRequestError,
    SegmindConnectionError,
    SegmindContextOverflowError,
    SegmindError,
    SegmindInputError,
    SegmindInsufficientCreditsError,
    SegmindModelRetiredError,
    SegmindNotFoundError,
    SegmindPermissionError,
    SegmindRateLimitError,
    SegmindResponseError,
    SegmindServerError,
    SegmindTimeoutError,
    SegmindUnsupportedContentError,
)

HTML_405 = (
    "<html>\n<head><title>405 Not Allowed</title></head>\n<body>\n"
    "<center><h1>405 Not Allowed</h1></center>\n<hr><center>nginx</center>\n"
    "</body>\n</html>\n"
)
RESET_AT = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One error answer from Segmind and what the user must get for it."""

    status: int
    body: str
    error: type[SegmindError]
    core_error: type[Exception]
    message: str
    retryable: bool = False
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_error(text: str) -> str:
    return json.dumps({"error": text})


CASES = {
    "400": Case(
        400,
        json_error("Invalid request: unsupported parameter 'foo'"),
        SegmindBadRequestError,
        core.ModelInvalidRequestError,
        "Invalid request: unsupported parameter 'foo'",
    ),
    "401-missing": Case(
        401,
        json_error("Missing Authorization or x-api-key in header"),
        SegmindAuthenticationError,
        core.ModelAuthenticationError,
        "Missing Authorization or x-api-key in header",
    ),
    "401-invalid": Case(
        401,
        json_error(
            "Unauthorized. API key is invalid or may have expired. Please check "
            "your API key."
        ),
        SegmindAuthenticationError,
        core.ModelAuthenticationError,
        "Unauthorized. API key is invalid or may have expired. Please check "
        "your API key.",
    ),
    "403": Case(
        403,
        json_error("You are not allowed to access this model"),
        SegmindPermissionError,
        core.ModelPermissionDeniedError,
        "You are not allowed to access this model",
    ),
    "404": Case(
        404,
        json_error("Model not found"),
        SegmindNotFoundError,
        core.ModelNotFoundError,
        "Model not found",
    ),
    "405-html": Case(
        405,
        HTML_405,
        SegmindBadRequestError,
        core.ModelInvalidRequestError,
        "<html> <head><title>405 Not Allowed</title></head>",
        content_type="text/html",
    ),
    "406-credits": Case(
        406,
        json_error(
            "Insufficient credits. Your balance is 0.12 credits and this "
            "request costs 0.50 credits."
        ),
        SegmindInsufficientCreditsError,
        core.ModelPermissionDeniedError,
        "Insufficient credits. Your balance is 0.12 credits and this "
        "request costs 0.50 credits.",
    ),
    "406-content-type": Case(
        406,
        "Invalid content type",
        SegmindBadRequestError,
        core.ModelInvalidRequestError,
        "Invalid content type",
        content_type="text/plain",
    ),
    "410": Case(
        410,
        json_error("This model has been retired"),
        SegmindModelRetiredError,
        core.ModelNotFoundError,
        "This model has been retired",
    ),
    "422": Case(
        422,
        json_error("messages: at least one message is required"),
        SegmindBadRequestError,
        core.ModelInvalidRequestError,
        "messages: at least one message is required",
    ),
    **{
        f"{status}-overflow": Case(
            status,
            json_error("prompt is too long: 210000 tokens > 200000 maximum"),
            SegmindContextOverflowError,
            core.ContextOverflowError,
            "prompt is too long: 210000 tokens > 200000 maximum",
        )
        for status in (400, 413, 422)
    },
    # Each provider's wording alone: OpenAI's message, OpenAI's code, Gemini's.
    **{
        f"400-overflow-{name}": Case(
            400,
            json.dumps({"error": error}),
            SegmindContextOverflowError,
            core.ContextOverflowError,
            error["message"] if isinstance(error, dict) else error,
        )
        for name, error in {
            "openai-message": {
                "message": "This model's maximum context length is 128000 tokens."
            },
            "openai-code": {
                "message": "Your input exceeds the context window of this model.",
                "code": "context_length_exceeded",
            },
            "gemini": "The input token count (1048577) exceeds the maximum number "
            "of tokens allowed (1048576).",
        }.items()
    },
    "429": Case(
        429,
        json_error("Rate limit exceeded"),
        SegmindRateLimitError,
        core.ModelRateLimitError,
        "Rate limit exceeded",
        retryable=True,
        headers={
            "x-rate-limit-reset-at-utc": "2026-01-01T12:00:30Z",
            "x-rate-limit-remaining": "0",
        },
    ),
    **{
        str(status): Case(
            status,
            json_error("Upstream provider error"),
            SegmindServerError,
            core.ModelAPIError,
            "Upstream provider error",
            retryable=True,
        )
        for status in (500, 502, 503, 504)
    },
    "503-insufficient-capacity": Case(  # no 406: not about credits
        503,
        json_error("Insufficient capacity, try again later"),
        SegmindServerError,
        core.ModelAPIError,
        "Insufficient capacity, try again later",
        retryable=True,
    ),
    "500-error-flag": Case(  # the flag is no message: the one beside it is
        500,
        json.dumps({"error": True, "message": "Model overloaded"}),
        SegmindServerError,
        core.ModelAPIError,
        "Model overloaded",
        retryable=True,
    ),
    "503-json-as-text": Case(  # Segmind's JSON read whatever its content type
        503,
        json_error("Upstream provider error"),
        SegmindServerError,
        core.ModelAPIError,
        "Upstream provider error",
        retryable=True,
        content_type="text/plain",
    ),
    "500-empty": Case(
        500, "", SegmindServerError, core.ModelAPIError, "", retryable=True
    ),
    "400-long-text": Case(  # kept on the error cut to its first 2,000 characters
        400,
        "Bad request. " + "details " * 600,
        SegmindBadRequestError,
        core.ModelInvalidRequestError,
        "Bad request. details",
        content_type="text/plain",
    ),
    "400-empty": Case(
        400, "", SegmindBadRequestError, core.ModelInvalidRequestError, ""
    ),
    "502-html": Case(
        502,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        SegmindServerError,
        core.ModelAPIError,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        retryable=True,
        content_type="text/html",
    ),
}


def answer(case: Case, request_id: str = "req-err-1") -> httpx2.Response:
    headers = {
        "content-type": case.content_type,
        "x-request-id": request_id,
        **case.headers,
    }
    return httpx2.Response(case.status, content=case.body.encode(), headers=headers)


@pytest.fixture
def claude_once(make_model) -> ChatSegmind:
    """A Claude model that never retries: one answer, one error."""
    return make_model(max_retries=0)


def raise_for(model: ChatSegmind, recorder, case: Case, call) -> SegmindError:
    recorder.queue(answer(case))
    with pytest.raises(SegmindError) as caught:
        call(model, "Hi")
    assert recorder.count == 1
    return caught.value


@pytest.mark.parametrize("name", list(CASES))
def test_status_maps_to_typed_error(claude_once, recorder, call, name):
    case = CASES[name]

    error = raise_for(claude_once, recorder, case, call)

    assert type(error) is case.error
    assert isinstance(error, case.core_error)
    assert isinstance(error, core.ModelError)
    assert error.is_retryable is case.retryable
    assert error.status_code == case.status
    assert error.request_id == "req-err-1"
    assert error.body == case.body[:2000]
    if case.body:
        assert error.message.startswith(case.message)
    else:
        assert error.message  # says the body was empty, never blank
    assert str(case.status) in str(error)
    assert "req-err-1" in str(error)


@pytest.mark.parametrize("status", [501, 505])
def test_a_server_error_that_would_answer_the_same_again_is_not_retryable(
    make_model, recorder, call, status
):
    recorder.fail(status, "Not implemented")

    with pytest.raises(SegmindServerError) as caught:
        call(make_model(max_retries=2), "Hi")
    assert caught.value.status_code == status
    assert caught.value.is_retryable is False  # what ModelRetryMiddleware reads
    assert recorder.count == 1


def test_html_body_message_is_the_start_of_the_page(claude_once, recorder):
    error = raise_for(claude_once, recorder, CASES["405-html"], _invoke)

    assert "\n" not in error.message
    assert len(error.message) <= 300
    assert "405 Not Allowed" in error.message


def test_long_html_body_is_cut_in_the_message(claude_once, recorder):
    page = "<html><body>" + "x" * 5000 + "</body></html>"
    case = Case(405, page, SegmindBadRequestError, Exception, "<html>")

    error = raise_for(claude_once, recorder, case, _invoke)

    assert error.message.startswith("<html><body>xxx")
    assert len(error.message) <= 300
    assert len(str(error)) < 400


def test_an_error_message_with_a_byte_that_is_not_utf8_is_still_read(
    claude_once, recorder
):
    body = '{"error": "Le modèle est surchargé"}'.encode("latin-1")
    recorder.queue(
        httpx2.Response(400, content=body, headers={"content-type": "application/json"})
    )

    with pytest.raises(SegmindBadRequestError) as caught:
        claude_once.invoke("Hi")

    assert caught.value.message == "Le mod\ufffdle est surcharg\ufffd"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"], ids=["bom", "utf-16"])
def test_an_error_message_in_json_of_another_unicode_encoding_is_read(
    claude_once, recorder, encoding
):
    body = json.dumps({"error": "Model overloaded"}).encode(encoding)
    headers = {"content-type": "application/json"}
    recorder.queue(httpx2.Response(400, content=body, headers=headers))

    with pytest.raises(SegmindBadRequestError) as caught:
        claude_once.invoke("Hi")

    assert caught.value.message == "Model overloaded"


def test_a_huge_json_error_message_is_cut(claude_once, recorder):
    recorder.fail(400, "too long " * 100_000)

    with pytest.raises(SegmindBadRequestError) as caught:
        claude_once.invoke("Hi")

    assert caught.value.message.startswith("too long too long")
    assert len(caught.value.message) == 2000


def test_a_long_success_of_no_known_shape_is_kept_cut_on_the_error(
    claude_once, recorder
):
    payload = {"note": "unknown " * 500}
    recorder.reply(payload)

    with pytest.raises(
        SegmindResponseError, match=r"shape \(keys: \['note'\]\)"
    ) as caught:
        claude_once.invoke("Hi")

    assert caught.value.body == json.dumps(payload)[:2000]


def test_rate_limit_error_carries_the_reset_time(claude_once, recorder):
    error = raise_for(claude_once, recorder, CASES["429"], _invoke)

    assert isinstance(error, SegmindRateLimitError)
    assert error.reset_at == RESET_AT


@pytest.mark.parametrize(
    "header",
    [
        "2026-01-01T12:00:30Z",
        "2026-01-01T12:00:30+00:00",
        "2026-01-01T12:00:30",
        "2026-01-01T17:30:30+05:30",
        str(int(RESET_AT.timestamp())),
        str(int(RESET_AT.timestamp()) * 1000),
        "Thu, 01 Jan 2026 12:00:30 GMT",
    ],
)
def test_rate_limit_reset_time_formats(claude_once, recorder, header):
    case = Case(
        429,
        json_error("Rate limit exceeded"),
        SegmindRateLimitError,
        core.ModelRateLimitError,
        "",
        headers={"x-rate-limit-reset-at-utc": header},
    )

    error = raise_for(claude_once, recorder, case, _invoke)

    assert error.reset_at == RESET_AT
    assert error.reset_at.tzinfo is not None  # comparable with aware datetimes


@pytest.mark.parametrize("header", [None, "", "soon"])
def test_rate_limit_without_a_usable_reset_time(claude_once, recorder, header):
    headers = {} if header is None else {"x-rate-limit-reset-at-utc": header}
    case = Case(429, "{}", SegmindRateLimitError, Exception, "", headers=headers)

    error = raise_for(claude_once, recorder, case, _invoke)

    assert error.reset_at is None


@pytest.mark.parametrize(
    "header",
    [
        *("1e20", "inf", "-1e20"),
        "1 Jan 99999999999999999999 10:00:00",
        "Mon, 1 Jan 2026 10:00:00 +99999999999999999999",
    ],
)
def test_rate_limit_with_an_out_of_range_reset_time(claude_once, recorder, header):
    case = Case(
        429,
        json_error("Rate limit exceeded"),
        SegmindRateLimitError,
        core.ModelRateLimitError,
        "",
        headers={"x-rate-limit-reset-at-utc": header},
    )

    error = raise_for(claude_once, recorder, case, _invoke)

    assert isinstance(error, SegmindRateLimitError)
    assert error.reset_at is None


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("claude-3.5-sonnet", "claude-4.5-sonnet"),
        ("claude-4-sonnet", "claude-4.5-sonnet"),
        ("gpt-4", "gpt-4o"),
        ("gpt-4-turbo", "gpt-4o"),
        ("gemini-1.5-pro", "gemini-2.5-pro"),
    ],
)
def test_retired_model_message_suggests_a_current_slug(
    claude_once, recorder, slug, suggestion
):
    recorder.queue(answer(CASES["410"]))

    with pytest.raises(SegmindModelRetiredError) as caught:
        claude_once.invoke("Hi", model=slug)
    error = caught.value
    assert error.message == "This model has been retired"  # Segmind's own text
    assert error.hint == f"Model {slug!r} is retired. Try model={suggestion!r}."
    assert error.hint in str(error)
    assert isinstance(error, SegmindNotFoundError)


@pytest.mark.parametrize(
    "slug",
    # Never itself as its own successor; nothing for an unknown family.
    ["claude-4.5-sonnet", "gpt-5", "gemini-2.5-pro", "mixtral-8x22b-instruct"],
)
def test_a_retired_model_without_a_successor_gets_no_suggestion(
    claude_once, recorder, slug
):
    recorder.queue(answer(CASES["410"]))

    with pytest.raises(SegmindModelRetiredError) as caught:
        claude_once.invoke("Hi", model=slug)
    assert caught.value.hint == f"Model {slug!r} is retired."


@pytest.mark.parametrize(
    "message",
    [
        "Team spend limit reached",
        "Request payload is not valid JSON",
    ],
)
def test_other_406_answers_are_bad_requests(claude_once, recorder, message):
    # A team's spend limit is no balance a top-up would raise.
    case = Case(406, json_error(message), SegmindBadRequestError, Exception, "")

    error = raise_for(claude_once, recorder, case, _invoke)

    assert type(error) is SegmindBadRequestError
    assert error.message == message


def test_error_message_fallback_keys(claude_once, recorder):
    body = '{"detail": {"message": "nested reason"}}'
    case = Case(422, body, SegmindBadRequestError, Exception, "")

    error = raise_for(claude_once, recorder, case, _invoke)

    assert error.message == "nested reason"


# -- transport failures -------------------------------------------------------------


def test_connection_failure_is_a_connection_error(claude_once, recorder, call):
    recorder.queue(httpx2.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(SegmindConnectionError) as caught:
        call(claude_once, "Hi")
    error = caught.value
    assert isinstance(error, core.ModelConnectionError)
    assert error.is_retryable is True
    assert error.status_code is None
    assert error.request_id is None
    assert "Connection refused" in str(error)


def test_timeout_is_a_timeout_error(claude_once, recorder, call):
    recorder.queue(httpx2.ReadTimeout("timed out"))

    with pytest.raises(SegmindTimeoutError) as caught:
        call(claude_once, "Hi")
    error = caught.value
    assert isinstance(error, core.ModelTimeoutError)
    # The package's documented choice: a timed-out POST may have been billed and
    # the timeout also bounds the whole call, so it is not retried.
    assert error.is_retryable is False
    assert error.status_code is None


@pytest.mark.parametrize("exc", [httpx2.ConnectTimeout, httpx2.PoolTimeout])
def test_a_clients_connect_timeout_is_a_retried_connection_error(
    make_model, recorder, fake_clock, call, exc
):
    # The user client's own connect (or pool) limit ran out before the
    # call's timeout: nothing was sent, so the call is retried.
    recorder.queue(exc("timed out"))

    answer = call(make_model(max_retries=1), "Hi")

    assert answer.content
    assert recorder.count == 2
    assert len(fake_clock.waits) == 1


def test_a_connect_timeout_once_the_calls_timeout_has_run_out_is_that_timeout(
    make_model, recorder, fake_clock, call
):
    def connect_until_the_deadline(request: httpx2.Request) -> httpx2.Response:
        fake_clock.waited += 31  # the call's 30 s pass while connecting
        raise httpx2.ConnectTimeout("timed out", request=request)

    recorder.queue(connect_until_the_deadline)

    with pytest.raises(SegmindTimeoutError, match=r"timeout=30s") as caught:
        call(make_model(timeout=30, max_retries=2), "Hi")
    assert "could not reach Segmind" not in str(caught.value)
    assert recorder.count == 1


def test_other_transport_failures_are_connection_errors(claude_once, recorder):
    # httpcore's words for a connection closed before any answer.
    recorder.queue(
        httpx2.RemoteProtocolError("Server disconnected without sending a response.")
    )

    with pytest.raises(SegmindConnectionError, match="Server disconnected"):
        claude_once.invoke("Hi")


def test_a_failure_without_text_is_named_by_its_type_alone(claude_once, recorder):
    recorder.queue(httpx2.ReadError(""))  # as asyncio's reset of a connection

    with pytest.raises(SegmindConnectionError) as caught:
        claude_once.invoke("Hi")
    assert "(ReadError)" in str(caught.value)


def test_a_garbled_answer_through_httpx_is_not_retried(make_model, recorder):
    model = make_model(max_retries=2)
    recorder.queue(httpx2.RemoteProtocolError("illegal header line: b'no colon'"))

    with pytest.raises(SegmindResponseError, match="not valid HTTP") as caught:
        model.invoke("Hi")
    assert caught.value.is_retryable is False
    assert recorder.count == 1  # the server took the request: it may be billed


def test_a_request_httpx_refuses_is_an_input_error_that_quotes_nothing(
    claude_once, recorder
):
    recorder.queue(httpx2.LocalProtocolError("Illegal header value b'sk-secret\\n'"))

    with pytest.raises(SegmindInputError) as caught:
        claude_once.invoke("Hi")
    assert "sk-secret" not in str(caught.value)
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_a_key_too_short_to_be_a_real_one_is_not_cut_out_of_errors(
    claude_once, recorder
):
    # A real key is long: a test's short one would cut words out of every text.
    recorder.fail(400, "no test-key accepted here")  # the model's key: "test-key"

    with pytest.raises(SegmindBadRequestError) as caught:
        claude_once.invoke("Hi")
    assert caught.value.message == "no test-key accepted here"


# -- pickling -----------------------------------------------------------------------


def _invoke(model: ChatSegmind, *args, **kwargs):
    return model.invoke(*args, **kwargs)


def _assert_same_error(copied: SegmindError, error: SegmindError) -> None:
    assert type(copied) is type(error)
    assert copied.message == error.message
    assert copied.status_code == error.status_code
    assert copied.request_id == error.request_id
    assert copied.body == error.body
    assert copied.is_retryable == error.is_retryable
    assert str(copied) == str(error)
    assert copied.args == error.args
    assert getattr(copied, "response", None) == getattr(error, "response", None)


@pytest.mark.parametrize("name", list(CASES))
def test_http_errors_pickle_with_their_attributes(claude_once, recorder, name):
    error = raise_for(claude_once, recorder, CASES[name], _invoke)

    copied = pickle.loads(pickle.dumps(error))

    _assert_same_error(copied, error)
    assert vars(copied) == vars(error)
    if isinstance(error, SegmindRateLimitError):
        assert copied.reset_at == error.reset_at == RESET_AT


@pytest.mark.parametrize(
    "error",
    [
        SegmindConnectionError("could not reach Segmind"),
        SegmindTimeoutError("no answer"),
        SegmindRateLimitError("slow down", reset_at=RESET_AT, request_id="r1"),
        SegmindUnsupportedContentError("audio", "claude-4.5-sonnet", "no audio"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_constructed_errors_pickle_and_copy(error):
    for copied in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        _assert_same_error(copied, error)
        assert vars(copied) == vars(error)


@pytest.mark.parametrize(
    ("error", "status"),
    [(SegmindRateLimitError("slow down"), 429), (SegmindServerError("down"), None)],
)
def test_an_error_built_by_hand_is_retryable_as_its_kind(error, status):
    # As tests of retry middleware build them, with no answer behind them.
    assert error.status_code == status
    assert error.is_retryable is True


def test_unsupported_content_error_keeps_its_fields():
    error = SegmindUnsupportedContentError("audio", "claude-4.5-sonnet")

    copied = pickle.loads(pickle.dumps(error))

    assert copied.block_type == "audio"
    assert copied.model == "claude-4.5-sonnet"
    assert "audio" in str(copied)
    assert repr(copied) == f"SegmindUnsupportedContentError({copied.message!r})"


def test_all_errors_share_the_base_class():
    for cls in (
        SegmindAuthenticationError,
        SegmindBadRequestError,
        SegmindConnectionError,
        SegmindInsufficientCreditsError,
        SegmindModelRetiredError,
        SegmindNotFoundError,
        SegmindPermissionError,
        SegmindRateLimitError,
        SegmindServerError,
        SegmindTimeoutError,
    ):
        assert issubclass(cls, SegmindError)
        assert issubclass(cls, core.ModelError)
