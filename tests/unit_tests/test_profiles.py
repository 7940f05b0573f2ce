"""`llm.profile`: context window, output limit, modalities and features per slug."""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version
from typing import Any, get_type_hints

import pytest
from langchain_core.language_models import ModelProfile
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from langchain_segmind.catalogue.profiles import _PROFILES

# (slug, context window, output limit), as the providers publish them.
KNOWN_LIMITS = [
    ("claude-3.5-sonnet", 200_000, 8_192),
    ("claude-4-sonnet", 200_000, 64_000),
    ("claude-4.5-sonnet", 200_000, 64_000),
    ("claude-opus-4.7", 1_000_000, 128_000),
    ("gpt-4", 8_192, 8_192),
    ("gpt-4-turbo", 128_000, 4_096),
    ("gpt-4o", 128_000, 16_384),
    ("gpt-5", 272_000, 128_000),
    ("gpt-5-mini", 272_000, 128_000),
    ("o3", 200_000, 100_000),
    ("o3-mini", 200_000, 100_000),
    ("o4-mini", 200_000, 100_000),
    ("gemini-2.5-pro", 1_048_576, 65_536),
    ("gemini-2.5-flash", 1_048_576, 65_536),
]
SLUGS = [slug for slug, _, _ in KNOWN_LIMITS]


@pytest.mark.parametrize(("slug", "context", "output"), KNOWN_LIMITS)
def test_profile_gives_the_upstream_models_limits(slug, context, output):
    profile = ChatSegmind(model=slug).profile

    assert profile is not None
    assert profile["max_input_tokens"] == context
    assert profile["max_output_tokens"] == output


def test_every_slug_of_the_table_is_checked_here():
    assert sorted(_PROFILES) == sorted(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_tools_and_structured_output_are_supported_for_every_slug(slug):
    profile = ChatSegmind(model=slug).profile

    assert profile is not None
    assert profile["tool_calling"] is True
    assert profile["tool_choice"] is True
    assert profile["structured_output"] is True
    assert profile["text_inputs"] is True
    assert profile["video_inputs"] is False


def test_the_two_classes_have_profiles_of_their_default_slugs():
    claude = ChatSegmindClaude().profile
    gpt = ChatSegmindGPT4o().profile

    assert claude is not None
    assert gpt is not None
    assert (claude["name"], claude["max_input_tokens"]) == (
        "Claude 3.5 Sonnet",
        200_000,
    )
    assert (gpt["name"], gpt["max_output_tokens"]) == ("GPT-4o", 16_384)
    assert claude["image_inputs"] is True
    assert claude["pdf_inputs"] is True
    assert gpt["image_inputs"] is True


def test_profile_follows_the_instances_model():
    assert ChatSegmindClaude(model="claude-4.5-sonnet").profile == (
        ChatSegmind(model="claude-4.5-sonnet").profile
    )
    sonnet = ChatSegmindClaude(model="claude-4.5-sonnet").profile
    assert sonnet is not None
    assert sonnet["max_output_tokens"] == 64_000
    gpt5 = ChatSegmindGPT4o(model="gpt-5").profile
    assert gpt5 is not None
    assert gpt5["name"] == "GPT-5"


def test_claude_opus_4_7_takes_no_temperature_while_older_claudes_do():
    opus = ChatSegmind(model="claude-opus-4.7").profile
    sonnet = ChatSegmind(model="claude-4.5-sonnet").profile

    assert opus is not None
    assert sonnet is not None
    assert opus["temperature"] is False
    assert sonnet["temperature"] is True


@pytest.mark.parametrize("slug", ["gpt-5", "gpt-5-mini", "o3", "o3-mini", "o4-mini"])
def test_openai_reasoning_models_take_no_temperature(slug):
    profile = ChatSegmind(model=slug).profile

    assert profile is not None
    assert profile["temperature"] is False


def test_modalities_follow_what_the_model_and_its_dialect_can_take():
    def profile(slug: str) -> ModelProfile:
        result = ChatSegmind(model=slug).profile
        assert result is not None
        return result

    # Claude slugs: images and PDFs, never audio (the Anthropic dialect has none).
    assert profile("claude-4.5-sonnet")["audio_inputs"] is False
    # GPT-4 and o3-mini read no images.
    assert profile("gpt-4")["image_inputs"] is False
    assert profile("o3-mini")["image_inputs"] is False
    assert profile("gpt-4o")["audio_inputs"] is False
    assert profile("gemini-2.5-pro")["audio_inputs"] is True


@pytest.mark.parametrize("slug", ["llama4-maverick-instruct-basic", "my-fine-tune"])
def test_unknown_slugs_have_no_profile(slug):
    assert ChatSegmind(model=slug).profile is None


def test_a_profile_passed_by_the_user_wins():
    mine: ModelProfile = {"max_input_tokens": 4_000}

    llm = ChatSegmindGPT4o(profile=mine)

    assert llm.profile == {"max_input_tokens": 4_000}
    assert ChatSegmind(model="my-fine-tune", profile=mine).profile == mine


def test_changing_one_models_profile_leaves_the_others_alone():
    first = ChatSegmindGPT4o()
    assert first.profile is not None
    first.profile["max_input_tokens"] = 1

    second = ChatSegmindGPT4o().profile
    assert second is not None
    assert second["max_input_tokens"] == 128_000


@pytest.mark.parametrize("slug", SLUGS)
def test_profiles_use_only_langchain_core_keys(slug):
    declared = set(get_type_hints(ModelProfile))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # core warns on unknown profile keys
        profile = ChatSegmind(model=slug).profile

    assert profile is not None
    assert set(profile) <= declared


# -- what LangChain does with the profile --------------------------------------------


class CityFacts(BaseModel):
    """Facts about a city."""

    city: str
    population: int


@tool
def city_population(city: str) -> int:
    """The population of a city."""
    return 2_100_000


def _reads_profiles() -> bool:
    major, minor = (int(part) for part in version("langchain").split(".")[:2])
    return (major, minor) >= (1, 1)


@pytest.mark.skipif(
    not _reads_profiles(), reason="langchain < 1.1 does not read model profiles"
)
def test_claude_agent_gets_structured_output_from_the_model_itself(
    make_model, recorder
):
    """With `structured_output` in the profile, create_agent uses the model's own
    structured output (ProviderStrategy) rather than an extra "CityFacts" tool."""
    from langchain.agents import create_agent

    call = json.dumps({"name": "city_population", "arguments": {"city": "Paris"}})
    recorder.reply(recorder.anthropic_payload(f"<tool_call>\n{call}\n</tool_call>"))
    recorder.reply(
        recorder.anthropic_payload('{"city": "Paris", "population": 2100000}')
    )
    agent = create_agent(
        make_model(ChatSegmindClaude), [city_population], response_format=CityFacts
    )

    result: dict[str, Any] = agent.invoke(
        {"messages": [("human", "How many people live in Paris?")]},
        {"recursion_limit": 6},
    )

    assert result["structured_response"] == CityFacts(city="Paris", population=2100000)
    instruction = recorder.bodies[-1]["instruction"]
    assert "<answer_schema>" in instruction
    assert '"name": "CityFacts"' not in instruction
