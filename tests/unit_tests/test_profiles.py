"""`llm.profile`: context window, output limit, modalities and features per slug."""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from typing import Any, get_type_hints

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import ModelProfile
from langchain_core.messages import HumanMessage
from langchain_core.runnables import ConfigurableField
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindInputError,
    SegmindUnsupportedContentError,
)
from langchain_segmind.catalogue.profiles import PROFILES
from tests.unit_tests.conftest import LANGCHAIN_AGENTS_1_5


def profile(slug: str) -> ModelProfile:
    result = ChatSegmind(model=slug).profile
    assert result is not None, slug
    return result


@pytest.mark.parametrize("slug", PROFILES)
def test_every_catalogue_slug_has_a_profile_of_core_keys(slug: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # core warns on unknown profile keys
        limits = profile(slug)

    assert set(limits) <= set(get_type_hints(ModelProfile))
    assert limits["max_input_tokens"] > 0
    assert limits["max_output_tokens"] > 0
    # The package's text tool protocol and response_format serve every slug.
    assert limits["tool_calling"] is limits["structured_output"] is True
    assert limits["video_inputs"] is False


@LANGCHAIN_AGENTS_1_5
@pytest.mark.parametrize("slug", PROFILES)
def test_a_fraction_trigger_summarizes_for_every_slug(slug: str) -> None:
    # Raises ValueError when the profile has no max_input_tokens.
    SummarizationMiddleware(model=ChatSegmind(model=slug), trigger=("fraction", 0.8))


@pytest.mark.parametrize(
    ("slug", "max_input", "max_output"),
    [
        ("claude-3.5-sonnet", 200_000, 8_192),
        ("claude-opus-4.7", 1_000_000, 128_000),
        ("gpt-4", 8_192, 8_192),
        ("gpt-4o", 128_000, 16_384),
        ("gpt-5", 272_000, 128_000),
        ("gpt-5.5", 922_000, 128_000),
        ("o3-mini", 200_000, 100_000),
        ("gemini-3-pro", 1_048_576, 65_536),
        ("deepseek-reasoner", 128_000, 64_000),
        ("qwen3-max", 258_048, 65_536),
        ("kimi-k2-instruct-0905", 262_144, 16_384),
    ],
)
def test_limits_are_the_upstream_models(
    slug: str, max_input: int, max_output: int
) -> None:
    limits = profile(slug)

    assert (limits["max_input_tokens"], limits["max_output_tokens"]) == (
        max_input,
        max_output,
    )


def test_modalities_follow_the_model_card_and_the_chat_endpoint() -> None:
    assert profile("gpt-4")["image_inputs"] is False
    assert profile("o3-mini")["image_inputs"] is False
    assert profile("gpt-4o")["image_inputs"] is True
    assert profile("gpt-4o")["audio_inputs"] is False
    assert profile("gpt-5")["audio_inputs"] is False
    assert profile("claude-4.5-sonnet")["pdf_inputs"] is True
    assert profile("claude-4.5-sonnet")["audio_inputs"] is False
    assert profile("gemini-2.5-pro")["audio_inputs"] is True
    assert profile("llama4-maverick-instruct-basic")["image_inputs"] is True
    assert profile("deepseek-chat")["image_inputs"] is False
    # A tool's result may hold what the model takes as input.
    assert profile("gpt-4o")["image_tool_message"] is True
    assert profile("gpt-4")["image_tool_message"] is False
    assert profile("claude-4.5-sonnet")["pdf_tool_message"] is True
    assert profile("gpt-4")["pdf_tool_message"] is False


@pytest.mark.parametrize(
    ("slug", "returns_reasoning"),
    [
        ("claude-3.5-sonnet", False),
        ("claude-4.5-sonnet", True),
        ("deepseek-chat", False),
        ("deepseek-reasoner", True),
        ("gemini-2.5-flash", True),
        ("gpt-5", False),
        ("o3", False),
    ],
)
def test_reasoning_output_where_the_answer_carries_reasoning(
    slug: str, returns_reasoning: bool
) -> None:
    assert profile(slug)["reasoning_output"] is returns_reasoning


@pytest.mark.parametrize(
    ("slug", "takes_temperature"),
    [
        ("claude-4.5-sonnet", True),
        ("claude-opus-4.7", False),
        ("gpt-4o", True),
        ("gpt-5", False),
        ("gpt-5-mini", False),
        ("gpt-5.1", True),
        ("o4-mini", False),
    ],
)
def test_temperature_is_false_where_the_provider_refuses_it(
    slug: str, takes_temperature: bool
) -> None:
    assert profile(slug)["temperature"] is takes_temperature


def test_the_classes_profile_follows_the_instances_model() -> None:
    claude = ChatSegmindClaude().profile
    gpt5 = ChatSegmindGPT4o(model="gpt-5").profile  # type: ignore[call-arg]

    assert claude is not None
    assert gpt5 is not None
    assert claude["name"] == "Claude 3.5 Sonnet"
    assert gpt5["name"] == "GPT-5"


@pytest.mark.parametrize("slug", ["GPT-4o", "Claude-4.5-Sonnet"])
def test_a_catalogue_slug_written_in_any_case_has_its_profile(slug: str) -> None:
    assert ChatSegmind(model=slug).profile == profile(slug.lower())


def test_a_slug_outside_the_catalogue_has_no_profile() -> None:
    assert ChatSegmind(model="my-fine-tune").profile is None


def test_a_profile_passed_by_the_user_wins() -> None:
    mine: ModelProfile = {"max_input_tokens": 4_000}

    assert ChatSegmindGPT4o(profile=mine).profile == mine
    assert ChatSegmind(model="my-fine-tune", profile=mine).profile == mine


def test_a_copy_for_another_slug_has_that_slugs_profile() -> None:
    # What create_agent and SummarizationMiddleware read of a model the guide
    # tells to switch slugs with model_copy.
    gpt4o = ChatSegmindGPT4o()
    mine: ModelProfile = {"max_input_tokens": 4_000}

    gpt4 = gpt4o.model_copy(update={"model": "gpt-4"})
    deep = gpt4o.model_copy(update={"model": "GPT-4"}, deep=True)
    outside = gpt4o.model_copy(update={"model": "my-fine-tune"})
    kept = ChatSegmindGPT4o(profile=mine).model_copy(update={"model": "gpt-4"})

    assert gpt4.profile == deep.profile == profile("gpt-4")
    assert profile("gpt-4")["max_input_tokens"] == 8_192  # gpt-4o's: 128,000
    assert gpt4o.profile == profile("gpt-4o")
    assert outside.profile is None
    assert kept.profile == mine


@pytest.mark.parametrize("slug", ["claude-next-preview", "claude-3.5-sonnet"])
def test_another_slugs_catalogue_profile_copied_into_a_dict_is_kept(slug: str) -> None:
    borrowed = dict(ChatSegmind(model="claude-4.5-sonnet").profile or {})

    model = ChatSegmind(model=slug, profile=borrowed)

    assert model.profile == borrowed


IMAGE = {"type": "image", "url": "https://example.com/cat.png"}


def test_a_profile_passed_by_the_user_governs_what_is_sent(make_model, recorder):
    catalogue = make_model(ChatSegmind, model="gpt-4")
    mine = make_model(ChatSegmind, model="gpt-4", profile={"image_inputs": True})

    with pytest.raises(SegmindUnsupportedContentError):
        catalogue.invoke([HumanMessage([IMAGE])])
    mine.invoke([HumanMessage([IMAGE])])

    assert recorder.count == 1
    assert recorder.last.body["messages"][0]["content"][0]["type"] == "image_url"


def test_a_profile_passed_by_the_user_governs_a_slug_written_in_capitals(
    make_model, recorder
):
    mine = make_model(ChatSegmind, model="GPT-4o", profile={"image_inputs": False})

    with pytest.raises(SegmindUnsupportedContentError):
        mine.invoke([HumanMessage([IMAGE])])
    assert recorder.count == 0


def test_a_profile_passed_by_the_user_governs_its_slug_called_in_another_case(
    make_model, recorder, call
):
    mine = make_model(ChatSegmind, model="my-model", profile={"image_inputs": False})
    message = HumanMessage([{"type": "text", "text": "What is it?"}, IMAGE])

    with pytest.raises(SegmindUnsupportedContentError, match="My-Model"):
        call(mine.bind(model="My-Model"), [message])

    assert recorder.requests == []


def test_a_profile_passed_by_the_user_governs_sampling(make_model, recorder):
    with pytest.raises(SegmindInputError, match="temperature"):
        make_model(ChatSegmind, model="gpt-5", temperature=0.5)
    model = make_model(
        ChatSegmind, model="gpt-5", temperature=0.5, profile={"temperature": True}
    )

    model.invoke("Hi")

    assert recorder.last.body["temperature"] == 0.5


def test_a_catalogue_profile_edited_in_place_governs_what_is_sent(make_model, recorder):
    model = make_model(ChatSegmind, model="gpt-4o")
    model.profile["temperature"] = False
    copied = make_model(ChatSegmind, model="gpt-4o", profile=copy.copy(model.profile))
    default = make_model(ChatSegmindGPT4o, profile=copy.copy(model.profile))

    for each in (model, copied, default):
        with pytest.raises(SegmindInputError, match="temperature"):
            each.invoke("Hi", temperature=0.5)
    assert recorder.requests == []


def test_a_model_rebuilt_for_another_slug_follows_that_slugs_profile(
    make_model, recorder
):
    # `configurable_fields` rebuilds the model with every field it has, the
    # profile resolved for gpt-4 among them.
    switchable = make_model(ChatSegmind, model="gpt-4").configurable_fields(
        model=ConfigurableField(id="slug")
    )

    # gpt-4's profile would refuse the image.
    switchable.invoke([HumanMessage([IMAGE])], {"configurable": {"slug": "gpt-4o"}})

    assert recorder.last.slug == "gpt-4o"
    assert recorder.last.body["messages"][0]["content"][0]["type"] == "image_url"
    # A slug outside the catalogue has no profile to refuse it either.
    switchable.invoke([HumanMessage([IMAGE])], {"configurable": {"slug": "gpt-next"}})

    assert recorder.last.slug == "gpt-next"
    assert recorder.last.body["messages"][0]["content"][0]["type"] == "image_url"


def test_a_model_rebuilt_for_its_own_slug_is_traced_without_a_profile(make_model):
    # The trace's `serialized` is the rebuilt model's `dumpd`, which records a
    # profile only when the user gave one.
    seen: list[dict[str, Any]] = []

    class Serialized(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, *args: Any, **kw: Any) -> None:
            seen.append(serialized)

    tunable = make_model(ChatSegmindGPT4o).configurable_fields(
        temperature=ConfigurableField(id="temperature")
    )

    tunable.invoke(
        "Hi", {"configurable": {"temperature": 0.5}, "callbacks": [Serialized()]}
    )

    assert seen[0]["kwargs"]["temperature"] == 0.5
    assert "profile" not in seen[0]["kwargs"]


def test_a_model_whose_slug_is_changed_in_place_follows_the_new_slugs_profile(
    make_model, recorder
):
    gpt4 = make_model(ChatSegmind, model="gpt-4")
    gpt4o = make_model(ChatSegmind, model="gpt-4o", temperature=0.5)

    gpt4.model = "gpt-4o"
    gpt4.invoke([HumanMessage([IMAGE])])  # gpt-4's profile would refuse it
    with pytest.raises(SegmindInputError, match="gpt-5"):
        gpt4o.model_copy(update={"model": "gpt-5"}).invoke("Hi")

    assert recorder.count == 1
    assert recorder.last.body["messages"][0]["content"][0]["type"] == "image_url"


def test_a_profile_set_to_none_lifts_the_catalogue_checks(make_model, recorder):
    gpt4 = make_model(ChatSegmind, model="gpt-4")

    gpt4.profile = None
    gpt4.invoke([HumanMessage([IMAGE])])

    assert recorder.last.body["messages"][0]["content"][0]["type"] == "image_url"


def test_a_copy_from_a_slug_outside_the_catalogue_has_the_new_slugs_profile(
    make_model, recorder
):
    outside = make_model(ChatSegmind, model="my-fine-tune")
    unchecked = make_model(ChatSegmind, model="gpt-4o")
    unchecked.profile = None  # by hand: the checks are lifted, on copies too
    image = [HumanMessage([IMAGE])]

    gpt4 = outside.model_copy(update={"model": "gpt-4"})
    with pytest.raises(SegmindUnsupportedContentError):
        gpt4.invoke(image)  # gpt-4 reads no images
    unchecked.model_copy(update={"model": "gpt-4"}).invoke(image)

    assert gpt4.profile == profile("gpt-4")
    assert (
        outside.model_copy(update={"model": "gpt-4", "profile": None}).profile is None
    )
    assert recorder.count == 1


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_model_with_its_catalogue_profile_pickles(protocol: int) -> None:
    model = ChatSegmindGPT4o()

    copied = pickle.loads(pickle.dumps(model, protocol=protocol))

    assert copied.profile == model.profile


def test_changing_one_models_profile_leaves_the_others_alone() -> None:
    first = ChatSegmindGPT4o()
    assert first.profile is not None
    first.profile["max_input_tokens"] = 1

    assert profile("gpt-4o")["max_input_tokens"] == 128_000


# -- what LangChain does with the profile --------------------------------------------


class CityFacts(BaseModel):
    """Facts about a city."""

    city: str
    population: int


@tool
def city_population(city: str) -> int:
    """The population of a city."""
    return 2_100_000


@LANGCHAIN_AGENTS_1_5
def test_claude_agent_gets_structured_output_from_the_model_itself(
    make_model: Any, recorder: Any
) -> None:
    """With `structured_output` in the profile, create_agent uses the model's own
    structured output (ProviderStrategy) rather than an extra "CityFacts" tool."""
    call = json.dumps({"name": "city_population", "arguments": {"city": "Paris"}})
    recorder.reply(recorder.anthropic_payload(f"<tool_call>\n{call}\n</tool_call>"))
    recorder.reply(
        recorder.anthropic_payload('{"city": "Paris", "population": 2100000}')
    )
    agent = create_agent(
        make_model(ChatSegmindClaude), [city_population], response_format=CityFacts
    )

    request: Any = {"messages": [("human", "How many people live in Paris?")]}
    result: dict[str, Any] = agent.invoke(request, {"recursion_limit": 6})

    assert result["structured_response"] == CityFacts(city="Paris", population=2100000)
    instruction = recorder.bodies[-1]["instruction"]
    assert "<answer_schema>" in instruction
    assert '"name": "CityFacts"' not in instruction
