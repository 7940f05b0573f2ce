"""`llm_output` and invocation params, as callback handlers see them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from tests import CallbackRecorder

CLAUDE_USAGE = {"input_tokens": 31, "output_tokens": 4, "total_tokens": 35}
GPT_USAGE = {"input_tokens": 289, "output_tokens": 7, "total_tokens": 296}


# The sampling settings LangChain traces as run metadata.
SAMPLING_TRACE = ("ls_temperature", "ls_max_tokens", "ls_stop")


def traced(handler: CallbackRecorder) -> dict[str, Any]:
    """The sampling settings in the trace metadata of the handler's last run."""
    return {k: v for k, v in handler.metadata[-1].items() if k in SAMPLING_TRACE}


def outputs(handler: CallbackRecorder) -> list[dict[str, Any] | None]:
    """The `llm_output` of each run the handler saw end."""
    return [end.llm_output for end in handler.ends]


PROMPTS = [[HumanMessage("a joke on cats")], [HumanMessage("a joke on dogs")]]


@pytest.mark.parametrize("api", ["generate", "agenerate"])
def test_generate_over_several_prompts_sums_token_usage(claude, recorder, api):
    if api == "generate":
        result = claude.generate(PROMPTS)
    else:
        result = asyncio.run(claude.agenerate(PROMPTS))

    assert recorder.count == 2
    assert result.llm_output == {
        "model_name": "claude-3.5-sonnet",
        "token_usage": {"input_tokens": 62, "output_tokens": 8, "total_tokens": 70},
    }


@pytest.mark.parametrize("api", ["generate", "agenerate"])
def test_generate_with_a_per_call_model_names_the_slug_called(claude, recorder, api):
    if api == "generate":
        result = claude.generate(PROMPTS, model="claude-4.5-sonnet")
    else:
        result = asyncio.run(claude.agenerate(PROMPTS, model="claude-4.5-sonnet"))

    assert [sent.slug for sent in recorder.requests] == ["claude-4.5-sonnet"] * 2
    assert result.llm_output is not None
    assert result.llm_output["model_name"] == "claude-4.5-sonnet"


def test_each_call_reports_its_own_llm_output_to_callbacks(gpt, recorder):
    handler = CallbackRecorder()

    gpt.batch(["a joke on cats", "a joke on dogs"], config={"callbacks": [handler]})

    assert outputs(handler) == [
        {"model_name": "gpt-4o", "token_usage": GPT_USAGE},
        {"model_name": "gpt-4o", "token_usage": GPT_USAGE},
    ]


def test_llm_output_names_the_model_called_per_call(claude, recorder, call):
    handler = CallbackRecorder()

    per_call = claude.bind(model="claude-4.5-sonnet")
    call(per_call, "Hi", config={"callbacks": [handler]})

    assert outputs(handler) == [
        {"model_name": "claude-4.5-sonnet", "token_usage": CLAUDE_USAGE}
    ]


def test_an_answer_without_usage_reports_no_token_usage(claude, recorder):
    payload = recorder.anthropic_payload()
    del payload["usage"]
    recorder.reply(payload)
    recorder.reply(payload)

    result = claude.generate([[HumanMessage("Hi")]])
    (streamed,) = claude.stream("Hi")

    assert result.llm_output == {"model_name": "claude-3.5-sonnet"}
    assert streamed.usage_metadata is None
    assert "token_usage" not in streamed.response_metadata


def test_invoke_and_stream_report_the_same_token_usage(claude, recorder):
    invoked = claude.invoke("Hi")
    (streamed,) = claude.stream("Hi")

    assert invoked.response_metadata["token_usage"] == CLAUDE_USAGE
    assert streamed.response_metadata["token_usage"] == CLAUDE_USAGE
    assert invoked.usage_metadata == CLAUDE_USAGE


def test_invocation_params_show_the_models_stop_sequences(make_model, recorder):
    handler = CallbackRecorder()
    model = make_model(
        ChatSegmindGPT4o,
        stop=["END"],
        model_kwargs={"top_p": 0.9},
        extra_body={"seed": 7},
    )

    model.invoke("Hi", config={"callbacks": [handler]})
    model.invoke("Hi", stop=["HALT"], config={"callbacks": [handler]})

    first, second = handler.invocation_params
    assert (first["stop"], second["stop"]) == (["END"], ["HALT"])
    assert first["model"] == "gpt-4o"
    assert (first["top_p"], first["seed"]) == (0.9, 7)
    assert [body["stop"] for body in recorder.bodies] == [["END"], ["HALT"]]


def test_a_single_stop_string_on_the_model_is_one_sequence(make_model, recorder):
    handler = CallbackRecorder()
    model = make_model(ChatSegmindGPT4o, stop="\n\n")

    message = model.invoke("Hi", config={"callbacks": [handler]})

    assert recorder.last.body["stop"] == ["\n\n"]
    assert message.content == "echo: Hi"  # not cut at each character
    assert handler.invocation_params[0]["stop"] == ["\n\n"]
    assert traced(handler)["ls_stop"] == ["\n\n"]


def test_trace_metadata_follows_per_call_settings_that_unset_fields(
    make_model, recorder
):
    handler = CallbackRecorder()
    model = make_model(ChatSegmindGPT4o, temperature=0.3, max_tokens=50, stop=["X"])

    model.invoke("Hi", config={"callbacks": [handler]})
    assert traced(handler) == {
        "ls_temperature": 0.3,
        "ls_max_tokens": 50,
        "ls_stop": ["X"],
    }
    model.invoke(
        "Hi",
        temperature=None,
        max_tokens=None,
        stop=[],
        config={"callbacks": [handler]},
    )

    assert traced(handler) == {}
    assert recorder.last.body == {"messages": [{"role": "user", "content": "Hi"}]}


def test_invocation_params_without_stop_sequences(make_model):
    handler = CallbackRecorder()
    model = make_model(ChatSegmindClaude)

    model.invoke("Hi", config={"callbacks": [handler]})

    assert handler.invocation_params[0]["stop"] is None


class TaggedSegmind(ChatSegmind):
    def dict(self, **kwargs: Any) -> dict[str, Any]:  # LangChain's deprecated hook
        return {**self.asdict(), "team": "search"}


def test_invocation_params_come_from_a_subclasss_own_dict(make_model):
    handler = CallbackRecorder()
    model = make_model(TaggedSegmind, model="gpt-4o")

    model.invoke("Hi", stop=["END"], config={"callbacks": [handler]})

    [params] = handler.invocation_params
    assert params["team"] == "search"
    assert (params["model"], params["stop"]) == ("gpt-4o", ["END"])
