"""Model profiles of the Segmind slugs (`llm.profile`): one for every catalogue slug.

Segmind passes each call through to the upstream provider, so a slug's limits
are the upstream model's own. Sources, per family (checked 2026-12):

- **Anthropic** (Claude): "Models overview" on docs.anthropic.com; Claude Opus
  4.7 as recorded by models.dev in langchain-anthropic's profile data.
- **OpenAI** (GPT, o-series): the model pages on platform.openai.com/docs/models,
  cross-checked with langchain-openai's profile data. For GPT-5 models
  `max_input_tokens` is the input share of the window (window less the 128K
  output: 272K of 400K; 922K of 1.05M for GPT-5.4 and GPT-5.5). GPT-5.3 has
  no page of its own for chat; it is given GPT-5.2's figures.
- **Google** (Gemini): the model pages on ai.google.dev/gemini-api/docs/models
  (input 1,048,576, output 65,536; text, image, audio, video and PDF input).
- **DeepSeek**: "Models & Pricing" on api-docs.deepseek.com (V3.2: 128K
  context; 8K output for `deepseek-chat`, 64K for `deepseek-reasoner`).
- **Open-weight and other hosted models**: the model cards of Meta (Llama 3.1:
  128K; Llama 4 Maverick: 1M, images), Mistral (Mixtral 8x22B: 64K), Alibaba
  Model Studio (Qwen3-Max: 252K input, 64K output; Qwen-Plus: 997K input, 32K
  output), Moonshot (Kimi K2 0905: 256K), Z.ai (GLM-5.2: 1M) and MiniMax
  (M3: 1M, images). Where a card publishes no output limit, the profile
  takes a conservative budget rather than the model's ceiling: 16,384 for
  Llama, Mixtral and Kimi; 131,072 for GLM-5.2 and MiniMax-M3, their
  predecessors' published limit.

What the profile claims is narrowed to what this package carries:

- never video, and audio only where the chat endpoint takes it (Gemini);
  GPT-4o and GPT-5 take no audio in chat completions (OpenAI's audio
  models are separate ones);
- `reasoning_output` where the answer carries reasoning text the package
  surfaces: Claude 4.x thinking blocks, DeepSeek's and GLM's
  `reasoning_content`, Gemini 2.5/3 thought summaries. OpenAI's reasoning
  models return no reasoning text through chat completions, and the other
  open models think only when asked or not at all;
- `tool_calling`, `tool_choice` and `structured_output` are True for every
  slug because **this package** provides them (the text tool protocol and
  `response_format`), whatever the gateway forwards;
- `temperature: False` marks models whose provider refuses sampling
  parameters: Claude Opus 4.7 (Anthropic answers 400 to `temperature`, `top_p`
  and `top_k`), GPT-5, GPT-5 mini, o3, o3-mini and o4-mini (OpenAI accepts only
  the default temperature). GPT-5.1 and later accept them at their default
  reasoning effort, `none`. For the refusing slugs the package refuses those
  parameters before sending (`refuses_sampling`).
"""

from __future__ import annotations

import functools

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
    return ModelProfile(
        name=name,
        max_input_tokens=max_input,
        max_output_tokens=max_output,
        text_inputs=True,
        image_inputs=images,
        image_url_inputs=images,
        pdf_inputs=pdfs,
        audio_inputs=audio,
        video_inputs=False,
        image_tool_message=images,
        pdf_tool_message=pdfs,
        text_outputs=True,
        image_outputs=False,
        audio_outputs=False,
        video_outputs=False,
        reasoning_output=reasoning,
        tool_calling=True,
        tool_choice=True,
        structured_output=True,
        temperature=temperature,
    )


# Every Claude model here reads images and PDFs and, from Claude 4, thinks.
_claude = functools.partial(_profile, images=True, pdfs=True, reasoning=True)
# OpenAI sends PDFs to vision models as text plus page images.
_openai = functools.partial(_profile, images=True, pdfs=True)
_gemini = functools.partial(
    _profile, images=True, pdfs=True, audio=True, reasoning=True
)


_PROFILES: dict[str, ModelProfile] = {
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


def profile_for(model: str) -> ModelProfile | None:
    """The profile of a Segmind slug, or `None` for a slug not in the catalogue.

    Args:
        model: The Segmind slug, e.g. `"gpt-4o"` (case does not matter).

    Returns:
        A fresh copy, so changing one model's profile leaves the others alone.
    """
    profile = _PROFILES.get(model.lower())
    return None if profile is None else profile.copy()


def refuses_sampling(model: str) -> bool:
    """Whether the slug's provider refuses `temperature`, `top_p` and `top_k`."""
    profile = _PROFILES.get(model.lower())
    return profile is not None and profile.get("temperature") is False
