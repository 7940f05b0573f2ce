"""Model profiles of the Segmind slugs this package knows (`llm.profile`).

Segmind passes each call through to the upstream provider, so a slug's limits
are the upstream model's own. Where each figure comes from:

- Context window (`max_input_tokens`), output limit (`max_output_tokens`), the
  input modalities and `temperature` are the **upstream model's**, as its
  provider publishes them on its model cards: Anthropic's "Models overview"
  (docs.anthropic.com), OpenAI's model pages (platform.openai.com/docs/models)
  and Google's Gemini model pages (ai.google.dev/gemini-api/docs/models).
  Claude Opus 4.7 is newer than the sources the project could read directly;
  its figures are Anthropic's as recorded by models.dev in langchain-anthropic
  1.7.10's profile data. For GPT-5 models `max_input_tokens` is the input
  share of the 400K window (400K less the 128K output), as OpenAI and
  langchain-openai count it.
- The modalities are narrowed to what this package can carry for the slug's
  dialect: never video; no audio for Claude slugs; no reasoning blocks are
  surfaced, so `reasoning_output` is not claimed. For Gemini slugs Segmind
  translates the OpenAI-style request itself; whether it forwards every media
  part is unverified.
- `tool_calling`, `tool_choice` and `structured_output` are True for every
  slug because **this package** provides them (the text tool protocol and
  `response_format`), whatever the gateway forwards.
- `temperature: False` marks models whose provider refuses sampling
  parameters: Claude Opus 4.7 (Anthropic answers 400 to `temperature`, `top_p`
  and `top_k`), and OpenAI's reasoning models GPT-5, GPT-5 mini, o3, o3-mini
  and o4-mini (OpenAI accepts only the default temperature and no `top_p`).
  For these slugs the package refuses those parameters before sending.

Slugs of Segmind's directory left out, for want of figures known with
confidence: `gpt-5.1` to `gpt-5.5` (per-version sampling rules), `gemini-3-pro`,
`deepseek-chat` / `deepseek-reasoner` (aliases DeepSeek moves to new model
versions), and the open-weight models (llama, mixtral, qwen, kimi, glm,
minimax), whose limits depend on how Segmind's host serves them.
"""

from __future__ import annotations

from langchain_core.language_models import ModelProfile


def _profile(
    name: str,
    *,
    max_input_tokens: int,
    max_output_tokens: int,
    images: bool,
    pdfs: bool,
    audio: bool = False,
    temperature: bool = True,
) -> ModelProfile:
    return ModelProfile(
        name=name,
        max_input_tokens=max_input_tokens,
        max_output_tokens=max_output_tokens,
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
        tool_calling=True,
        tool_choice=True,
        structured_output=True,
        temperature=temperature,
    )


def _claude(
    name: str, *, context: int, output: int, temperature: bool = True
) -> ModelProfile:
    # Anthropic: every Claude model listed here reads images and PDFs.
    return _profile(
        name,
        max_input_tokens=context,
        max_output_tokens=output,
        images=True,
        pdfs=True,
        temperature=temperature,
    )


_PROFILES: dict[str, ModelProfile] = {
    # Anthropic, "Models overview".
    "claude-3.5-sonnet": _claude("Claude 3.5 Sonnet", context=200_000, output=8_192),
    "claude-4-sonnet": _claude("Claude Sonnet 4", context=200_000, output=64_000),
    "claude-4.5-sonnet": _claude("Claude Sonnet 4.5", context=200_000, output=64_000),
    "claude-opus-4.7": _claude(
        "Claude Opus 4.7", context=1_000_000, output=128_000, temperature=False
    ),
    # OpenAI, model pages. PDFs need a vision model (OpenAI sends page images).
    "gpt-4": _profile(
        "GPT-4",
        max_input_tokens=8_192,
        max_output_tokens=8_192,
        images=False,
        pdfs=False,
    ),
    "gpt-4-turbo": _profile(
        "GPT-4 Turbo",
        max_input_tokens=128_000,
        max_output_tokens=4_096,
        images=True,
        pdfs=True,
    ),
    "gpt-4o": _profile(
        "GPT-4o",
        max_input_tokens=128_000,
        max_output_tokens=16_384,
        images=True,
        pdfs=True,
    ),
    "gpt-5": _profile(
        "GPT-5",
        max_input_tokens=272_000,
        max_output_tokens=128_000,
        images=True,
        pdfs=True,
        temperature=False,
    ),
    "gpt-5-mini": _profile(
        "GPT-5 mini",
        max_input_tokens=272_000,
        max_output_tokens=128_000,
        images=True,
        pdfs=True,
        temperature=False,
    ),
    "o3": _profile(
        "o3",
        max_input_tokens=200_000,
        max_output_tokens=100_000,
        images=True,
        pdfs=True,
        temperature=False,
    ),
    "o3-mini": _profile(
        "o3-mini",
        max_input_tokens=200_000,
        max_output_tokens=100_000,
        images=False,
        pdfs=False,
        temperature=False,
    ),
    "o4-mini": _profile(
        "o4-mini",
        max_input_tokens=200_000,
        max_output_tokens=100_000,
        images=True,
        pdfs=True,
        temperature=False,
    ),
    # Google, Gemini model pages (input limit 1,048,576, output 65,536).
    "gemini-2.5-pro": _profile(
        "Gemini 2.5 Pro",
        max_input_tokens=1_048_576,
        max_output_tokens=65_536,
        images=True,
        pdfs=True,
        audio=True,
    ),
    "gemini-2.5-flash": _profile(
        "Gemini 2.5 Flash",
        max_input_tokens=1_048_576,
        max_output_tokens=65_536,
        images=True,
        pdfs=True,
        audio=True,
    ),
}


def profile_for(model: str) -> ModelProfile | None:
    """The profile of a Segmind slug, or `None` for a slug not in the table.

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
