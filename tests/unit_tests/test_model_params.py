"""Constructor arguments: aliases, unknown ones (warned about, then sent, as in
ChatOpenAI), and values set past the checks."""

from __future__ import annotations

import inspect
import math
import warnings

import httpx2
import pytest
from langchain_core.load import dumpd, load
from pydantic import Field, ValidationError

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
)
from langchain_segmind.arguments import chat_segmind_arguments

SECRET = "sk-SECRET-123"


def test_unknown_argument_warns_and_reaches_the_request_body(make_model, recorder):
    with pytest.warns(UserWarning, match="top_p is not default parameter") as seen:
        model = make_model(ChatSegmindGPT4o, top_p=0.9)

    assert "transferred to model_kwargs" in str(seen[0].message)
    assert model.model_kwargs == {"top_p": 0.9}
    model.invoke("Hi")
    assert recorder.last.body["top_p"] == 0.9


def test_chat_openais_name_for_timeout_is_taken(make_model, recorder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = make_model(ChatSegmindClaude, request_timeout=7)

    model.invoke("Hi")

    assert "request_timeout" not in recorder.last.body
    assert recorder.last.timeout["read"] <= 7


def test_a_call_has_120_seconds_by_default(make_model, recorder):
    model = make_model(ChatSegmindClaude)  # as documented: `timeout`, default 120

    model.invoke("Hi")

    assert model.timeout == 120
    assert recorder.last.timeout["read"] == pytest.approx(120)


def test_chat_anthropics_name_for_max_tokens_is_taken(make_model, recorder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = make_model(ChatSegmindClaude, max_tokens_to_sample=64)

    model.invoke("Hi")

    assert model.max_tokens == 64
    assert recorder.last.body["max_tokens"] == 64
    assert "max_tokens_to_sample" not in recorder.last.body


def test_a_typo_is_not_silently_dropped(make_model, recorder):
    with pytest.warns(UserWarning, match="temprature"):
        model = make_model(ChatSegmindClaude, temprature=0.2)

    assert model.temperature is None
    assert model.model_kwargs == {"temprature": 0.2}
    model.invoke("Hi")
    assert recorder.last.body["temprature"] == 0.2


@pytest.mark.parametrize("cls", [ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o])
def test_type_checkers_see_every_field_by_its_name_and_take_any_other(cls):
    # The constructor's signature for type checkers and IDEs (`typed_as`).
    typed = inspect.signature(chat_segmind_arguments).parameters

    assert set(typed) == {"self", *cls.model_fields, "kwargs"}
    assert typed["kwargs"].kind is inspect.Parameter.VAR_KEYWORD


def test_unknown_arguments_join_the_given_model_kwargs():
    mine = {"top_k": 40}

    with pytest.warns(UserWarning, match="top_p"):
        model = ChatSegmindClaude(top_p=0.9, model_kwargs=mine)

    assert model.model_kwargs == {"top_k": 40, "top_p": 0.9}
    assert mine == {"top_k": 40}  # the caller's dict is left alone


def test_model_kwargs_that_are_no_dict_are_an_input_error():
    with pytest.raises(SegmindInputError, match="model_kwargs"):
        ChatSegmindClaude(model_kwargs=None)


def test_known_fields_and_aliases_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ChatSegmind(
            model_name="gpt-4o",
            stop_sequences=["END"],
            api_key=SECRET,
            temperature=0.5,
            max_tokens=10,
            tags=["t"],
            model_kwargs={"top_p": 0.9},
        )

    assert (model.model, model.stop, model.model_kwargs) == (
        "gpt-4o",
        ["END"],
        {"top_p": 0.9},
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 0.1, "model_kwargs": {"temperature": 0.2}},
        {"top_p": 0.9, "model_kwargs": {"top_p": 0.8}},
    ],
    ids=["field", "extra"],
)
def test_an_argument_given_twice_raises(kwargs):
    name = next(iter(kwargs))

    with pytest.raises(
        SegmindInputError, match=f"Found {name} supplied twice"
    ) as raised:
        ChatSegmindGPT4o(api_key=SECRET, **kwargs)

    assert SECRET not in str(raised.value)


def test_a_field_inside_model_kwargs_is_moved_to_the_field_and_validated():
    with pytest.warns(UserWarning, match="should be specified explicitly"):
        model = ChatSegmindClaude(model_kwargs={"temperature": 0.5})
    assert (model.temperature, model.model_kwargs) == (0.5, {})

    with (
        pytest.warns(UserWarning, match="temperature"),
        pytest.raises(SegmindInputError, match="between 0 and 1"),
    ):
        ChatSegmindClaude(model_kwargs={"temperature": 1.5})


def test_an_api_key_inside_model_kwargs_stays_secret():
    with pytest.warns(UserWarning, match="api_key") as seen:
        model = ChatSegmindGPT4o(model_kwargs={"api_key": SECRET})

    assert all(SECRET not in str(warning.message) for warning in seen)
    assert model.model_kwargs == {}
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == SECRET


def test_model_kwargs_that_are_not_a_dict_are_a_validation_error():
    with pytest.raises(SegmindInputError, match="model_kwargs"):
        ChatSegmindGPT4o(model_kwargs=["top_p"])


def test_a_model_validated_from_no_mapping_gets_pydantics_error():
    with pytest.raises(ValidationError, match="valid dictionary or instance") as raised:
        ChatSegmindGPT4o.model_validate("gpt-4o")

    assert raised.value.errors()[0]["input"] == "gpt-4o"


def test_moved_arguments_survive_serialization_without_new_warnings():
    with pytest.warns(UserWarning, match="top_p"):
        model = ChatSegmindGPT4o(top_p=0.9)

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = load(
            dumpd(model),
            valid_namespaces=["langchain_segmind"],
            allowed_objects=[ChatSegmindGPT4o],
        )

    assert loaded.model_kwargs == {"top_p": 0.9}


def test_a_profile_given_survives_serialization():
    profile = {"max_input_tokens": 32_000, "image_inputs": False}
    model = ChatSegmind(model="my-fine-tune", profile=profile)

    loaded = load(
        dumpd(model),
        valid_namespaces=["langchain_segmind"],
        allowed_objects=[ChatSegmind],
    )

    assert loaded.profile == profile
    assert "profile" not in dumpd(ChatSegmindClaude())["kwargs"]  # the catalogue's


def test_a_model_inside_model_kwargs_is_moved_to_the_field_with_a_warning():
    with pytest.warns(UserWarning, match="specified explicitly"):
        model = ChatSegmind(model_kwargs={"model": "gpt-4o"})

    assert (model.model, model.model_kwargs) == ("gpt-4o", {})


def test_a_minimum_balance_that_is_no_number_is_refused():
    with pytest.raises(SegmindInputError, match="min_remaining_credits"):
        ChatSegmindClaude(min_remaining_credits=math.nan)


@pytest.mark.parametrize("minimum", [{}, {"min_remaining_credits": None}])
def test_raising_on_low_credits_without_a_minimum_is_refused(minimum):
    with pytest.raises(SegmindInputError) as raised:
        ChatSegmindClaude(raise_on_low_credits=True, **minimum)

    assert "raise_on_low_credits" in str(raised.value)
    assert "min_remaining_credits" in str(raised.value)


def test_raising_on_low_credits_set_past_the_checks_is_refused_before_sending(
    make_model, recorder, call
):
    model = make_model().model_copy(update={"raise_on_low_credits": True})

    with pytest.raises(SegmindInputError, match="needs min_remaining_credits"):
        call(model, "Hi")

    assert recorder.requests == []


def test_a_model_is_required_and_the_error_names_model():
    with pytest.raises(SegmindInputError, match=r"^model is required"):
        ChatSegmind()


def test_a_subclass_with_a_default_slug_of_its_own_still_checks_the_slug():
    class Mine(ChatSegmind):
        model: str = Field(default="gpt-4o", alias="model_name")

    assert Mine().model == "gpt-4o"
    with pytest.raises(SegmindInputError, match="not a Segmind model slug"):
        Mine(model="../v2/gpt-4o")
    with pytest.raises(SegmindInputError, match=r"^model is required"):
        Mine(model=None)


def test_model_name_reads_the_slug_as_in_chat_openai():
    model = ChatSegmind(model_name="gpt-4o")

    assert model.model_name == "gpt-4o"
    assert ChatSegmindClaude().model_name == "claude-3.5-sonnet"
    assert model.model_copy(update={"model": "gpt-5"}).model_name == "gpt-5"
    assert model.with_fallbacks([ChatSegmindClaude()]).model_name == "gpt-4o"
    assert "model_name" not in dumpd(model)["kwargs"]
    with pytest.raises(AttributeError):
        model.model_name = "gpt-5"  # read-only: `model` is the field


def test_the_repr_shows_the_slug_and_not_the_profile():
    text = repr(ChatSegmindClaude(temperature=0.5))
    assert "model='claude-3.5-sonnet'" in text
    assert "temperature=0.5" in text  # only the key is masked
    assert "profile" not in text
    assert "max_input_tokens" not in text


@pytest.mark.parametrize(
    ("argument", "value"),
    [("base_url", "   "), ("api_key", "   "), ("api_key", " sk-key ")],
)
def test_white_space_names_the_argument_that_is_wrong(argument, value):
    with pytest.raises(SegmindInputError, match=argument):
        ChatSegmindGPT4o(**{argument: value})


@pytest.mark.parametrize(
    ("argument", "client"),
    [("http_client", httpx2.AsyncClient()), ("http_async_client", httpx2.Client())],
)
def test_a_client_of_the_wrong_kind_names_the_argument(argument, client):
    with pytest.raises(SegmindInputError, match=argument):
        ChatSegmindGPT4o(**{argument: client})


@pytest.mark.parametrize(
    "replaced",
    [
        lambda model: model.model_copy(update={"api_key": "sk-copied-key-1"}),
        lambda model: setattr(model, "api_key", "sk-copied-key-1") or model,
    ],
    ids=["model_copy", "assignment"],
)
def test_a_plain_string_key_set_past_the_checks_is_sent_and_not_shown(
    make_model, recorder, call, replaced
):
    model = replaced(make_model())

    call(model, "Hi")

    assert recorder.last.headers["x-api-key"] == "sk-copied-key-1"
    shown = f"{model!r} {model} {model.model_dump()} {model.model_dump_json()}"
    assert "sk-copied-key-1" not in shown
    assert str(model.model_dump()["api_key"]) == "**********"


@pytest.mark.parametrize("environment", [None, "http://127.0.0.1:9999/v1"])
def test_base_url_none_is_the_default_as_in_chat_openai(
    make_model, recorder, monkeypatch, environment
):
    if environment:
        monkeypatch.setenv("SEGMIND_BASE_URL", environment)

    make_model(ChatSegmindGPT4o, base_url=None).invoke("Hi")

    default = environment or "https://api.segmind.com/v1"
    assert recorder.last.url == f"{default}/gpt-4o"


@pytest.mark.parametrize(
    ("argument", "value", "message"),
    [
        ("timeout", (5, 60), "timeout must be a number of seconds"),
        ("timeout", httpx2.Timeout(60.0, connect=5.0), "timeout must be a number"),
        ("timeout", [60], "timeout must be a number of seconds"),
        ("max_retries", None, "max_retries must be a whole number >= 0, got None"),
        ("max_retries", 2.5, "max_retries must be a whole number >= 0, got 2.5"),
    ],
    ids=["tuple", "httpx-timeout", "list", "retries-none", "retries-float"],
)
def test_chat_openais_other_forms_get_the_packages_message(argument, value, message):
    with pytest.raises(SegmindInputError, match=message) as raised:
        ChatSegmindGPT4o(**{argument: value})

    assert "pydantic" not in str(raised.value)
    assert isinstance(raised.value.__cause__, ValidationError)  # what pydantic said


def test_per_phase_timeouts_are_pointed_at_your_own_client():
    with pytest.raises(SegmindInputError, match="your own http_client"):
        ChatSegmindGPT4o(timeout=httpx2.Timeout(60.0, connect=5.0))


def test_a_timeout_int_that_cannot_be_read_as_a_float_is_refused():
    class Seconds(int):  # an int, as the package's own check asks
        def __float__(self) -> float:
            raise TypeError("no float")

    with pytest.raises(SegmindInputError, match=r"timeout\n.*valid number"):
        ChatSegmindGPT4o(timeout=Seconds(5))
