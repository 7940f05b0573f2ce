"""Model profiles of the Segmind slugs (`llm.profile`): one for every known slug.

Each slug's limits are its upstream model's, from the providers' model pages
(checked 2026-12). Media and `reasoning_output` are narrowed to what the
package carries; `tool_calling`, `tool_choice` and `structured_output` are
True because the package provides them; `temperature: False` marks models
whose provider refuses sampling parameters. Sources: docs/profiles.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile


def _profile(
    name: str,
    max_input: int,
    max_output: int,
    *,
    images: bool = False,
    pdfs: bool = False,
    audio: bool = False,
    reasoning: bool = False,
    temperature: bool = True,
) -> ModelProfile:
    return {
        "name": name,
        "max_input_tokens": max_input,
        "max_output_tokens": max_output,
        "text_inputs": True,
        "image_inputs": images,
        "image_url_inputs": images,
        "pdf_inputs": pdfs,
        "audio_inputs": audio,
        "video_inputs": False,
        "image_tool_message": images,
        "pdf_tool_message": pdfs,
        "text_outputs": True,
        "image_outputs": False,
        "audio_outputs": False,
        "video_outputs": False,
        "reasoning_output": reasoning,
        "tool_calling": True,
        "tool_choice": True,
        "structured_output": True,
        "temperature": temperature,
    }


# Every Claude model here reads images and PDFs and, from Claude 4, thinks.
_claude = partial(_profile, images=True, pdfs=True, reasoning=True)
# OpenAI sends PDFs to vision models as text plus page images.
_openai = partial(_profile, images=True, pdfs=True)
_gemini = partial(_profile, images=True, pdfs=True, audio=True, reasoning=True)


# The slugs the package knows (Segmind's 2026-08 directory, and claude-3.5-sonnet,
# gone from it): the emulator serves them; a 404 for a typo suggests the closest.
PROFILES: dict[str, ModelProfile] = {
    "claude-3.5-sonnet": _claude("Claude 3.5 Sonnet", 200_000, 8_192, reasoning=False),
    "claude-4-sonnet": _claude("Claude Sonnet 4", 200_000, 64_000),
    "claude-4.5-sonnet": _claude("Claude Sonnet 4.5", 200_000, 64_000),
    "claude-opus-4.7": _claude(
        "Claude Opus 4.7", 1_000_000, 128_000, temperature=False
    ),
    "gpt-4": _openai("GPT-4", 8_192, 8_192, images=False, pdfs=False),
    "gpt-4-turbo": _openai("GPT-4 Turbo", 128_000, 4_096),
    "gpt-4o": _openai("GPT-4o", 128_000, 16_384),
    "gpt-5": _openai("GPT-5", 272_000, 128_000, temperature=False),
    "gpt-5-mini": _openai("GPT-5 mini", 272_000, 128_000, temperature=False),
    "gpt-5.1": _openai("GPT-5.1", 272_000, 128_000),
    "gpt-5.2": _openai("GPT-5.2", 272_000, 128_000),
    "gpt-5.3": _openai("GPT-5.3", 272_000, 128_000),
    "gpt-5.4": _openai("GPT-5.4", 922_000, 128_000),
    "gpt-5.5": _openai("GPT-5.5", 922_000, 128_000),
    "o3": _openai("o3", 200_000, 100_000, temperature=False),
    "o3-mini": _openai(
        "o3-mini", 200_000, 100_000, images=False, pdfs=False, temperature=False
    ),
    "o4-mini": _openai("o4-mini", 200_000, 100_000, temperature=False),
    "gemini-2.5-flash": _gemini("Gemini 2.5 Flash", 1_048_576, 65_536),
    "gemini-2.5-pro": _gemini("Gemini 2.5 Pro", 1_048_576, 65_536),
    "gemini-3-pro": _gemini("Gemini 3 Pro", 1_048_576, 65_536),
    "deepseek-chat": _profile("DeepSeek-V3.2", 128_000, 8_192),
    "deepseek-reasoner": _profile(
        "DeepSeek-V3.2 (thinking)", 128_000, 64_000, reasoning=True
    ),
    "llama-v3p1-70b-instruct": _profile("Llama 3.1 70B Instruct", 131_072, 16_384),
    "llama4-maverick-instruct-basic": _profile(
        "Llama 4 Maverick Instruct", 1_048_576, 16_384, images=True
    ),
    "mixtral-8x22b-instruct": _profile("Mixtral 8x22B Instruct", 65_536, 16_384),
    "qwen3-max": _profile("Qwen3-Max", 258_048, 65_536),
    "qwen-plus": _profile("Qwen-Plus", 997_952, 32_768),
    "kimi-k2-instruct-0905": _profile("Kimi K2 Instruct 0905", 262_144, 16_384),
    "glm-5.2": _profile("GLM-5.2", 1_048_576, 131_072, reasoning=True),
    "minimax-m3": _profile("MiniMax-M3", 1_000_000, 131_072, images=True),
}
# A current slug for a retired one: by slug, else by family (the first word).
_SUCCESSORS = {
    "claude-3.5-sonnet": "claude-4.5-sonnet",
    "claude-4-sonnet": "claude-4.5-sonnet",
    "gpt-4": "gpt-4o",
    "gpt-4-turbo": "gpt-4o",
    "claude": "claude-4.5-sonnet",
    "gpt": "gpt-5",
    "gemini": "gemini-2.5-pro",
}
_CLAUDE_OPUS = re.compile(r"claude-opus-(\d+)(?:[.-](\d{1,2}))?(?!\d)")  # not a date
# OpenAI's reasoning models (o1, o3-mini, o4-mini, gpt-5, gpt-5.1...) refuse
# `max_tokens` for `max_completion_tokens`; o3, o4-mini and GPT-5 refuse `stop`.
_OPENAI_REASONING = re.compile(r"(o\d+|gpt-5)(?!\d)")
_OPENAI_NO_STOP = re.compile(r"(o3(?!-mini)|o4|gpt-5)(?!\d)")


class CatalogueProfile(dict[str, Any]):
    """A catalogue profile as a model holds it, marked with the slug it is for.

    A model rebuilt for another slug (`configurable_fields`) is given the old
    model's profile: the mark tells it apart from a profile a user passes.
    """

    def __init__(self, slug: str, profile: ModelProfile) -> None:
        super().__init__(profile)
        self.slug = slug


def profile_for(model: str) -> ModelProfile | None:
    """A copy of the slug's profile (any case), or `None` outside the catalogue."""
    slug = model.lower()
    if slug not in PROFILES:
        return None
    return cast("ModelProfile", CatalogueProfile(slug, PROFILES[slug]))


def profile_of_call(
    model: str, own_model: str, own_profile: ModelProfile | None
) -> ModelProfile | None:
    """The profile a call to `model` follows: the model's, if it is for that slug.

    A model whose slug was changed in place (`model_copy`, assignment) keeps
    the old slug's catalogue profile: the call follows its own slug's.
    """
    slug = model.lower()
    stale = getattr(own_profile, "slug", slug) != slug  # a `CatalogueProfile`'s
    if slug != own_model.lower() or stale:
        return profile_for(model)
    return own_profile


def profile_of_copy(
    model: str,
    profile: ModelProfile | None,
    copied_from: str,
    update: Mapping[str, Any],
) -> ModelProfile | None:
    """The profile of a copy for `model` (`model_copy`): its slug's, unless passed.

    Another slug's catalogue profile is replaced, and so is the `None` of a
    copy from a slug outside the catalogue, which had none to give; a profile
    you passed is kept, as is a `None` given in `update` or set by hand.
    """
    stale = getattr(profile, "slug", None) not in (None, model.lower())
    unknown = profile is None and "profile" not in update
    if stale or (unknown and profile_for(copied_from) is None):
        return profile_for(model)
    return profile


def successor_of(model: str) -> str | None:
    """The current slug to suggest in place of a retired one, if any."""
    suggestion = _SUCCESSORS.get(model) or _SUCCESSORS.get(model.split("-")[0])
    return None if suggestion == model else suggestion


def takes_sampling(model: str, profile: Mapping[str, Any] | None) -> bool:
    """Whether the model takes `temperature`, `top_p` and `top_k`.

    Its profile's `temperature` says; without one, Claude Opus 4.7 and later
    take none, as Anthropic answers 400 to them.
    """
    allowed = (profile or {}).get("temperature")
    if allowed is not None:
        return allowed is not False
    opus = _CLAUDE_OPUS.match(model.lower())
    return opus is None or (int(opus[1]), int(opus[2] or 0)) < (4, 7)


def openai_reasoning(model: str) -> bool:
    """Whether the slug is one of OpenAI's reasoning models (o-series, GPT-5)."""
    return _OPENAI_REASONING.match(model.lower()) is not None


def takes_stop(model: str) -> bool:
    """Whether the provider takes `stop`: o3, o4-mini and GPT-5 answer 400 to it."""
    return _OPENAI_NO_STOP.match(model.lower()) is None


def without_catalogue_profile(values: Any, default_model: Any) -> Any:
    """A model's arguments without a catalogue profile, unless edited for its slug.

    A model rebuilt by `configurable_fields` is given the old one's catalogue
    profile, which pydantic would keep as a plain dict, as if the user gave
    it: without it, core resolves the slug's own (marked as the catalogue's).
    """
    profile = values.get("profile")
    model = values.get("model", values.get("model_name"))
    slug = str(default_model if model is None else model).lower()
    if isinstance(profile, CatalogueProfile) and (
        profile.slug != slug or profile == PROFILES.get(slug)
    ):
        return {**values, "profile": None}
    return values
