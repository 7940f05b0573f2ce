"""A key given where the model takes none is refused, and never shown.

Under another argument name, as a body field (`model_kwargs`, per call), in
`base_url`: refused before sending, with no copy of the key in the error.
"""

from __future__ import annotations

import pickle
import traceback
import warnings

import httpx2
import pytest
from langchain_core.load import dumps

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindConnectionError,
    SegmindInputError,
)
from tests import CallbackRecorder

from ._payloads import KEY, error_texts


def test_segmind_api_key_is_the_key():
    model = ChatSegmindGPT4o(segmind_api_key=KEY)

    assert model.api_key is not None
    assert model.api_key.get_secret_value() == KEY
    assert KEY not in repr(model)
    assert KEY not in dumps(model)


@pytest.mark.parametrize(
    "name",
    [
        *("apikey", "SEGMIND_API_KEY", "secret", "password", "token", "key"),
        *("access_token", "auth_token", "segmind_key", "credentials", "auth"),
        *("access_key", "private_key", "refresh_token", "id_token", "passphrase"),
        *("oauth_token", "OAuthToken", "userAccessToken", "googleApiToken"),
        *("passPhrase", "dbPassWord", "passWd"),
    ],
)
def test_an_unknown_argument_named_like_a_key_is_refused(name):
    with pytest.raises(SegmindInputError, match=name) as raised:
        ChatSegmindGPT4o(**{name: KEY})

    assert KEY not in str(raised.value)
    assert KEY not in "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )


@pytest.mark.parametrize(
    "name",
    [
        *("max_completion_tokens", "prompt_cache_key", "stop_token_ids", "top_k"),
        *("top_logprobs", "tokenizer", "skip_special_tokens", "max_thinking_tokens"),
        *("valid_tokens", "maxOutputTokens", "stopSequences", "cachedContent"),
    ],
)
def test_body_fields_named_near_a_credential_are_sent(keyed, recorder, name):
    keyed.invoke("Hi", **{name: 1})

    assert recorder.last.body[name] == 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"temperature": 3}, "temperature"),
        ({"top_p": 0.9, "model_kwargs": {"top_p": 0.9}}, "top_p supplied twice"),
    ],
    ids=["refused-value", "given-twice"],
)
def test_a_refused_argument_leaves_no_key_in_the_errors_chain(arguments, named):
    with pytest.raises(SegmindInputError, match=named) as raised:
        ChatSegmindGPT4o(api_key=KEY, **arguments)

    chained: BaseException | None = raised.value
    while chained is not None:
        assert KEY.encode() not in pickle.dumps(chained)
        chained = chained.__cause__ or chained.__context__


def test_a_warning_raised_as_an_error_shows_no_key():
    # As under `pytest -W error`: the unknown argument's warning is raised.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning) as raised:
            ChatSegmindGPT4o(api_key=KEY, top_p=0.9)

    for rendered in error_texts(raised.value):
        assert KEY not in rendered


# With a later argument refused too, the first refusal is raised, its cause kept.
@pytest.mark.parametrize("other", [{}, {"max_retries": True}], ids=["alone", "first"])
def test_a_refused_base_url_keeps_its_own_cause(other):
    with pytest.raises(SegmindInputError, match="not a valid URL") as raised:
        ChatSegmind(model="gpt-4o", api_key=KEY, base_url="http://[::1", **other)

    assert isinstance(raised.value.__cause__, httpx2.InvalidURL)


PASSWORD = "Pa55word"
PASSWORDS_IN_URLS = {
    "valid": "https://team:Pa55word@gw.example/v1",
    "invalid-port": "https://team:Pa55word@gw.example:abc/v1",
    "slash-in-password": "https://team:Pa/55word@gw.example/v1",
    "no-scheme": "team:Pa55word@gw.example/v1",
}


@pytest.mark.parametrize("other", [{}, {"max_retries": True}], ids=["alone", "first"])
@pytest.mark.parametrize("kind", PASSWORDS_IN_URLS)
def test_a_base_url_with_credentials_is_refused_without_showing_them(kind, other):
    with pytest.raises(SegmindInputError, match="credentials") as raised:
        ChatSegmind(model="gpt-4o", base_url=PASSWORDS_IN_URLS[kind], **other)

    for rendered in error_texts(raised.value):
        assert "Pa55word" not in rendered
    # Nor any frame up the stack from where it was raised, as a debugger shows.
    innermost = raised.value.__traceback__
    while innermost.tb_next is not None:
        innermost = innermost.tb_next
    frame = innermost.tb_frame
    while frame is not raised.value.__traceback__.tb_frame:
        assert "Pa55word" not in repr(frame.f_locals), frame.f_code.co_qualname
        frame = frame.f_back


def test_a_connection_error_names_no_credentials_of_a_base_url(keyed, recorder):
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    recorder.queue(refuse)
    # Set past the checks, as `model_copy` does.
    copied = keyed.model_copy(update={"base_url": "http://team:Pa55word@gw.test/v1"})

    with pytest.raises(SegmindConnectionError, match=r"at gw\.test ") as raised:
        copied.invoke("Hi", max_retries=0)

    assert "Pa55word" not in str(raised.value)


CREDENTIAL_HEADERS = ["Authorization", "X-Auth-Token", "x-secret", "Cookie"]
CREDENTIAL_HEADERS += ["X-Amz-Security-Token", "X-CSRF-Token", "Helicone-Auth"]
CREDENTIAL_HEADERS += ["Ocp-Apim-Subscription-Key", "X-Segmind-Key", "X-Key"]


@pytest.mark.parametrize("name", ["Idempotency-Key", "X-Team", "X-Trace-Id"])
def test_other_default_headers_are_sent(make_model, recorder, name):
    make_model(default_headers={name: "shown"}).invoke("Hi")

    assert recorder.last.headers[name.lower()] == "shown"


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
def test_a_credential_in_default_headers_is_refused_without_showing_it(name):
    headers = {name: PASSWORD}
    with pytest.raises(SegmindInputError, match="default_headers") as raised:
        ChatSegmind(model="gpt-4o", api_key=KEY, default_headers=headers)

    for rendered in error_texts(raised.value):
        assert PASSWORD not in rendered


def test_a_key_inside_model_kwargs_under_another_name_is_refused():
    with pytest.raises(SegmindInputError, match="credential") as raised:
        ChatSegmindGPT4o(model_kwargs={"api-key": KEY})

    assert KEY not in "".join(
        traceback.TracebackException.from_exception(
            raised.value, capture_locals=True
        ).format()
    )


@pytest.mark.parametrize("name", ["api_key", "password", "x_secret"])
def test_a_per_call_argument_named_like_a_key_is_refused(keyed, recorder, name):
    with pytest.raises(SegmindInputError, match="looks like a credential") as raised:
        keyed.invoke("Hi", **{name: "sk-other"})

    assert recorder.count == 0
    # How to choose the key per call, as docs/guide.md says.
    assert 'configurable_fields(api_key=ConfigurableField(id="api_key"))' in str(
        raised.value
    )


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
def test_a_credential_header_given_per_call_is_sent_but_not_traced(
    keyed, recorder, name
):
    handler = CallbackRecorder()

    keyed.invoke("Hi", extra_headers={name: PASSWORD}, config={"callbacks": [handler]})

    assert recorder.last.headers[name.lower()] == PASSWORD
    [params] = handler.invocation_params
    assert params["extra_headers"] == {name: "[redacted]"}
