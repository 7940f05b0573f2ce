"""Exact request bodies for images, PDFs and audio, on both dialects.

Every content shape goes through the public chat classes (`invoke`, so
langchain-core's own input normalisation runs first) to the tier's recorder,
which keeps each JSON body. Malformed or unsupported blocks must be typed
errors raised before any request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.messages.content import (
    create_audio_block,
    create_file_block,
    create_image_block,
)

from langchain_segmind import (
    SegmindError,
    SegmindInputError,
    SegmindUnsupportedContentError,
)
from langchain_segmind.images import image_block

from ._payloads import (
    CLAUDE,
    FIXTURES,
    GIF,
    GPT,
    IMG_URL,
    JPEG,
    JPEG_URI,
    MP3,
    PDF,
    PDF_URI,
    PNG,
    PNG_URI,
    SLUGS,
    WAV,
    Wire,
    claude_image,
    claude_url,
    gpt_image,
    user_body,
)

# An OpenAI-dialect slug whose profile takes audio (gpt-4o's does not).
AUDIO_SLUG = "gemini-2.5-pro"
PDF_URL = "https://example.com/report.pdf"
# A Claude document's title and context, which Anthropic takes beside its source.
TITLED = {"title": "Q3 report", "context": "The board's copy."}


# --- one table of every content shape ----------------------------------------


@dataclass(frozen=True)
class Unsupported:
    """The expected SegmindUnsupportedContentError."""

    block_type: str


def claude_pdf(data: str = PDF) -> dict[str, Any]:
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": data},
    }


def gpt_pdf(filename: str = "document.pdf") -> dict[str, Any]:
    return {"type": "file", "file": {"file_data": PDF_URI, "filename": filename}}


def gpt_audio(data: str, audio_format: str) -> dict[str, Any]:
    return {
        "type": "input_audio",
        "input_audio": {"data": data, "format": audio_format},
    }


Expected = dict[str, Any] | Unsupported
# id -> (block, Claude part or error, GPT part or error)
SHAPES: dict[str, tuple[Any, Expected, Expected]] = {
    # OpenAI image_url parts
    "openai-image_url-https": (
        {"type": "image_url", "image_url": {"url": IMG_URL}},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    "openai-image_url-http": (
        {"type": "image_url", "image_url": {"url": "http://example.com/a.gif"}},
        claude_url("image", "http://example.com/a.gif"),
        gpt_image("http://example.com/a.gif"),
    ),
    "openai-image_url-bare-string": (
        {"type": "image_url", "image_url": IMG_URL},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    "openai-image_url-png-data-uri": (
        {"type": "image_url", "image_url": {"url": PNG_URI}},
        claude_image(PNG, "image/png"),
        gpt_image(PNG_URI),
    ),
    "openai-image_url-jpeg-data-uri": (
        {"type": "image_url", "image_url": {"url": JPEG_URI}},
        claude_image(JPEG, "image/jpeg"),
        gpt_image(JPEG_URI),
    ),
    "openai-image_url-data-uri-without-media-type": (
        {"type": "image_url", "image_url": {"url": f"data:;base64,{GIF}"}},
        claude_image(GIF, "image/gif"),
        gpt_image(f"data:image/gif;base64,{GIF}"),
    ),
    # LangChain v1 image blocks
    "v1-image-base64": (
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        claude_image(PNG, "image/png"),
        gpt_image(PNG_URI),
    ),
    "v1-image-base64-created-with-id": (
        create_image_block(base64=JPEG, mime_type="image/jpeg"),
        claude_image(JPEG, "image/jpeg"),
        gpt_image(JPEG_URI),
    ),
    "v1-image-base64-jpg-label": (  # bytes no signature names: the label, spelt right
        {"type": "image", "base64": "b3BhcXVl", "mime_type": "image/jpg"},
        claude_image("b3BhcXVl", "image/jpeg"),
        gpt_image("data:image/jpeg;base64,b3BhcXVl"),
    ),
    "v1-image-url": (
        {"type": "image", "url": IMG_URL},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    "v1-image-url-with-mime": (
        {"type": "image", "url": IMG_URL, "mime_type": "image/png"},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    "v1-image-url-is-a-data-uri": (
        {"type": "image", "url": PNG_URI},
        claude_image(PNG, "image/png"),
        gpt_image(PNG_URI),
    ),
    "image_block-helper": (
        image_block(FIXTURES / "tiny.gif"),
        claude_image(GIF, "image/gif"),
        gpt_image(f"data:image/gif;base64,{GIF}"),
    ),
    # LangChain v0 blocks
    "v0-image-base64": (
        {
            "type": "image",
            "source_type": "base64",
            "data": PNG,
            "mime_type": "image/png",
        },
        claude_image(PNG, "image/png"),
        gpt_image(PNG_URI),
    ),
    "v0-image-url": (
        {"type": "image", "source_type": "url", "url": IMG_URL},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    # Anthropic-native image blocks
    "anthropic-image-base64": (
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
        },
        claude_image(PNG, "image/png"),
        gpt_image(PNG_URI),
    ),
    "anthropic-image-base64-mime-sniffed": (
        {"type": "image", "source": {"type": "base64", "data": GIF}},
        claude_image(GIF, "image/gif"),
        gpt_image(f"data:image/gif;base64,{GIF}"),
    ),
    "anthropic-image-url": (
        {"type": "image", "source": {"type": "url", "url": IMG_URL}},
        claude_url("image", IMG_URL),
        gpt_image(IMG_URL),
    ),
    # PDFs
    "v1-file-pdf-base64": (
        {"type": "file", "base64": PDF, "mime_type": "application/pdf"},
        claude_pdf(),
        gpt_pdf(),
    ),
    "v1-file-pdf-base64-with-filename": (
        create_file_block(base64=PDF, mime_type="application/pdf", filename="q3.pdf"),
        claude_pdf(),
        gpt_pdf("q3.pdf"),
    ),
    "v1-file-pdf-mime-sniffed": (
        {"type": "file", "base64": PDF},
        claude_pdf(),
        gpt_pdf(),
    ),
    "v1-image-block-holding-a-pdf": (
        {"type": "image", "base64": PDF, "mime_type": "application/pdf"},
        claude_pdf(),
        gpt_pdf(),
    ),
    "v0-file-pdf-base64": (
        {
            "type": "file",
            "source_type": "base64",
            "data": PDF,
            "mime_type": "application/pdf",
        },
        claude_pdf(),
        gpt_pdf(),
    ),
    "openai-file-data-uri": (
        {"type": "file", "file": {"file_data": PDF_URI, "filename": "q3.pdf"}},
        claude_pdf(),
        gpt_pdf("q3.pdf"),
    ),
    "openai-file-raw-base64": (
        {"type": "file", "file": {"file_data": PDF, "filename": "q3.pdf"}},
        claude_pdf(),
        gpt_pdf("q3.pdf"),
    ),
    "anthropic-document-base64": (
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
        },
        claude_pdf(),
        gpt_pdf(),
    ),
    "anthropic-document-text-source": (
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "Memo."},
        },
        {"type": "text", "text": "Memo."},
        {"type": "text", "text": "Memo."},
    ),
    "v1-file-pdf-url": (
        {"type": "file", "url": PDF_URL, "mime_type": "application/pdf"},
        claude_url("document", PDF_URL),
        Unsupported("pdf"),
    ),
    "v0-file-pdf-url": (
        {"type": "file", "source_type": "url", "url": PDF_URL},
        claude_url("document", PDF_URL),
        Unsupported("pdf"),
    ),
    "anthropic-document-url": (
        {"type": "document", "source": {"type": "url", "url": PDF_URL}},
        claude_url("document", PDF_URL),
        Unsupported("pdf"),
    ),
    "anthropic-document-titled": (
        {"type": "document", "source": {"type": "url", "url": PDF_URL}, **TITLED},
        claude_url("document", PDF_URL) | TITLED,
        Unsupported("pdf"),
    ),
    "v1-file-titled-in-extras": (
        {"type": "file", "url": PDF_URL, "extras": TITLED},
        claude_url("document", PDF_URL) | TITLED,
        Unsupported("pdf"),
    ),
    "v1-file-not-a-pdf": (
        {"type": "file", "base64": "aGk=", "mime_type": "text/csv"},
        Unsupported("file (text/csv)"),
        Unsupported("file (text/csv)"),
    ),
    # Audio
    "v1-audio-wav": (
        {"type": "audio", "base64": WAV, "mime_type": "audio/wav"},
        Unsupported("audio"),
        gpt_audio(WAV, "wav"),
    ),
    "v1-audio-x-wav": (
        {"type": "audio", "base64": WAV, "mime_type": "audio/x-wav"},
        Unsupported("audio"),
        gpt_audio(WAV, "wav"),
    ),
    "v1-audio-mp3-created": (
        create_audio_block(base64=MP3, mime_type="audio/mpeg"),
        Unsupported("audio"),
        gpt_audio(MP3, "mp3"),
    ),
    "v0-audio-wav": (
        {
            "type": "audio",
            "source_type": "base64",
            "data": WAV,
            "mime_type": "audio/wav",
        },
        Unsupported("audio"),
        gpt_audio(WAV, "wav"),
    ),
    "openai-input_audio-wav": (
        {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        Unsupported("audio"),
        gpt_audio(WAV, "wav"),
    ),
    "openai-input_audio-mp3": (
        {"type": "input_audio", "input_audio": {"data": MP3, "format": "mp3"}},
        Unsupported("audio"),
        gpt_audio(MP3, "mp3"),
    ),
    "v1-audio-ogg": (
        {"type": "audio", "base64": "T2dnUw==", "mime_type": "audio/ogg"},
        Unsupported("audio"),
        Unsupported("audio"),
    ),
    "v1-audio-url": (
        {"type": "audio", "url": "https://example.com/a.wav", "mime_type": "audio/wav"},
        Unsupported("audio"),
        Unsupported("audio"),
    ),
    # Unsupported everywhere
    "v1-video-base64": (
        {"type": "video", "base64": "AAAA", "mime_type": "video/mp4"},
        Unsupported("video"),
        Unsupported("video"),
    ),
    "v1-video-url": (
        {"type": "video", "url": "https://example.com/a.mp4"},
        Unsupported("video"),
        Unsupported("video"),
    ),
    "v1-image-file_id": (
        {"type": "image", "file_id": "file-abc"},
        Unsupported("image file_id"),
        Unsupported("image file_id"),
    ),
    "v0-image-id": (
        {"type": "image", "source_type": "id", "id": "file-abc"},
        Unsupported("image file_id"),
        Unsupported("image file_id"),
    ),
    "v1-file-file_id": (
        {"type": "file", "file_id": "file-abc"},
        Unsupported("file file_id"),
        Unsupported("file file_id"),
    ),
    "openai-file-file_id": (
        {"type": "file", "file": {"file_id": "file-abc"}},
        Unsupported("file file_id"),
        Unsupported("file file_id"),
    ),
    "v1-audio-file_id": (
        {"type": "audio", "file_id": "file-abc"},
        Unsupported("audio file_id"),
        Unsupported("audio file_id"),
    ),
    "unknown-block-type": (
        {"type": "hologram", "data": "x"},
        Unsupported("hologram"),
        Unsupported("hologram"),
    ),
}

SHAPE_CASES = [
    pytest.param(slug, block, expected, id=f"{shape}-{slug}")
    for shape, (block, claude_expected, gpt_expected) in SHAPES.items()
    for slug, expected in (
        (CLAUDE, claude_expected),
        (AUDIO_SLUG if "audio" in shape else GPT, gpt_expected),
    )
]


@pytest.mark.parametrize(("slug", "block", "expected"), SHAPE_CASES)
def test_content_shape_payload(
    wire: Wire, slug: str, block: Any, expected: Expected
) -> None:
    question = {"type": "text", "text": "What is this?"}
    messages: list[BaseMessage] = [HumanMessage([question, block])]
    if isinstance(expected, Unsupported):
        error = wire.error(slug, messages)
        assert isinstance(error, SegmindUnsupportedContentError)
        assert (error.block_type, error.model) == (expected.block_type, slug)
        assert expected.block_type in str(error)
        assert slug in str(error)
        return
    if expected["type"] == "text" and slug != CLAUDE:
        # Text-only content is sent as one string in the OpenAI dialect.
        content: Any = "What is this?" + expected["text"]
    else:
        content = [question, expected]
    assert wire.body(slug, messages) == user_body(slug, content)


@pytest.mark.parametrize(
    ("block", "expected_claude", "expected_gpt"),
    [
        pytest.param(
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            claude_image(PNG, "image/png"),
            gpt_image(PNG_URI),
            id="v1-base64",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": IMG_URL}},
            claude_url("image", IMG_URL),
            gpt_image(IMG_URL),
            id="openai-url",
        ),
    ],
)
def test_media_only_message_is_a_list_of_one_part(
    wire: Wire, block: dict[str, Any], expected_claude: Any, expected_gpt: Any
) -> None:
    messages: list[BaseMessage] = [HumanMessage([block])]
    assert wire.body(CLAUDE, messages) == user_body(CLAUDE, [expected_claude])
    assert wire.body(GPT, messages) == user_body(GPT, [expected_gpt])


def test_text_and_images_keep_their_order(wire: Wire) -> None:
    content: list[Any] = [
        "Compare",
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        {"type": "text", "text": "with"},
        {"type": "image_url", "image_url": {"url": IMG_URL}},
        "please.",
    ]
    messages: list[BaseMessage] = [HumanMessage(content)]
    assert wire.body(CLAUDE, messages) == user_body(
        CLAUDE,
        [
            {"type": "text", "text": "Compare"},
            claude_image(PNG, "image/png"),
            {"type": "text", "text": "with"},
            claude_url("image", IMG_URL),
            {"type": "text", "text": "please."},
        ],
    )
    assert wire.body(GPT, messages) == user_body(
        GPT,
        [
            {"type": "text", "text": "Compare"},
            gpt_image(PNG_URI),
            {"type": "text", "text": "with"},
            gpt_image(IMG_URL),
            {"type": "text", "text": "please."},
        ],
    )


# --- malformed input: typed errors before any request --------------------------


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    ("block", "match"),
    [
        pytest.param({"text": "no type"}, "'type'", id="missing-type"),
        pytest.param({"type": 7}, "'type'", id="non-string-type"),
        pytest.param({"type": "text"}, "'text'", id="text-missing"),
        pytest.param({"type": "text", "text": 5}, "'text'", id="text-not-a-string"),
        pytest.param({"type": "image_url"}, "URL", id="image_url-missing"),
        pytest.param(
            {"type": "image_url", "image_url": {"url": None}},
            "URL",
            id="image_url-none",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": "ftp://x/a.png"}},
            "http",
            id="image_url-ftp",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": "file:///srv/a.png"}},
            "http",
            id="image_url-local-file",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": "data:image/png,abc"}},
            "base64 data URI",
            id="data-uri-not-base64",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,"}},
            "empty inline image",
            id="data-uri-empty",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": "data:;base64,aGVsbG8="}},
            "mime_type",
            id="data-uri-undetectable-type",
        ),
        pytest.param({"type": "image"}, "base64 data or a url", id="image-no-data"),
        pytest.param(
            {"type": "image", "base64": "", "mime_type": "image/png"},
            "empty inline image",
            id="image-empty-base64",
        ),
        pytest.param(
            {"type": "image", "base64": 12, "mime_type": "image/png"},
            "string data",
            id="image-base64-not-a-string",
        ),
        pytest.param({"type": "image", "url": "cat.png"}, "http", id="image-url-path"),
        pytest.param(
            {"type": "image", "source": {"type": "base64", "media_type": "image/png"}},
            "string data",
            id="anthropic-source-no-data",
        ),
        pytest.param({"type": "document"}, "source", id="document-no-source"),
        pytest.param(
            {"type": "input_audio", "input_audio": "AAAA"},
            "input_audio",
            id="input_audio-not-a-dict",
        ),
    ],
)
def test_malformed_block_is_an_input_error_before_any_request(
    wire: Wire, slug: str, block: dict[str, Any], match: str
) -> None:
    error = wire.error(slug, [HumanMessage(["Look:", block])])
    assert isinstance(error, SegmindInputError)
    assert match in str(error)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("kind", ["image", "document"])
def test_anthropic_source_of_unknown_type_is_unsupported(
    wire: Wire, slug: str, kind: str
) -> None:
    block = {"type": kind, "source": {"type": "content", "content": []}}
    error = wire.error(slug, [HumanMessage([block])])
    assert isinstance(error, SegmindUnsupportedContentError)
    assert (error.block_type, error.model) == (f"{kind} source 'content'", slug)


# --- async, and the same rules on any slug of a family -------------------------------


@pytest.mark.parametrize(
    ("model", "expected_part"),
    [
        ("claude-4.5-sonnet", claude_image(PNG, "image/png")),
        ("Claude-Opus-4.7", claude_image(PNG, "image/png")),
        ("gemini-2.5-pro", gpt_image(PNG_URI)),
        ("a-slug-without-profile", gpt_image(PNG_URI)),
    ],
)
def test_dialect_follows_the_slug_family(
    wire: Wire, model: str, expected_part: Any
) -> None:
    block = {"type": "image", "base64": PNG, "mime_type": "image/png"}
    assert wire.body(model, [HumanMessage([block])]) == user_body(
        model, [expected_part]
    )


# --- known bugs at the edges of media -----------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("mime_type", ["", "png"])
def test_malformed_mime_type_is_sniffed_or_refused(
    wire: Wire, slug: str, mime_type: str
) -> None:
    model = wire.model(slug)
    block = {"type": "image", "base64": PNG, "mime_type": mime_type}
    try:
        model.invoke([HumanMessage([block])])
    except SegmindInputError:
        assert wire.recorder.bodies == []
        return
    part = wire.recorder.bodies[0]["messages"][0]["content"][0]
    expected = claude_image(PNG, "image/png") if slug == CLAUDE else gpt_image(PNG_URI)
    assert part == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_the_jpg_misspelling_is_sent_as_jpeg(wire: Wire, slug: str) -> None:
    block = {"type": "image", "base64": JPEG, "mime_type": "image/JPG"}

    part = wire.body(slug, [HumanMessage([block])])["messages"][0]["content"][0]

    expected = (
        claude_image(JPEG, "image/jpeg")
        if slug == CLAUDE
        else gpt_image(f"data:image/jpeg;base64,{JPEG}")
    )
    assert part == expected


def test_the_bytes_decide_an_images_media_type_not_an_audio_clips(wire: Wire) -> None:
    block = {"type": "image", "base64": PNG, "mime_type": "image/jpeg"}
    clip = {"type": "audio", "base64": PNG, "mime_type": "audio/wav"}

    part = wire.body(CLAUDE, [HumanMessage([block])])["messages"][0]["content"][0]
    sent = wire.body(AUDIO_SLUG, [HumanMessage([clip])])["messages"][0]["content"][0]

    assert part == claude_image(PNG, "image/png")
    assert sent == gpt_audio(PNG, "wav")


@pytest.mark.parametrize(
    "base64_field", ["data:image/png;base64,", "DATA:image/jpeg;base64,"]
)
def test_a_data_uri_given_as_base64_is_read_as_one(
    wire: Wire, base64_field: str
) -> None:
    block = {"type": "image", "base64": base64_field + PNG, "mime_type": "image/png"}

    part = wire.body(GPT, [HumanMessage([block])])["messages"][0]["content"][0]

    assert part == gpt_image(f"data:image/png;base64,{PNG}")


@pytest.mark.parametrize("media_type", ["image/bmp", "image/svg+xml", "image/heic"])
def test_an_image_type_claude_refuses_is_refused_before_sending(
    wire: Wire, media_type: str
) -> None:
    # Bytes of none of the formats Claude takes: the label decides.
    block = {"type": "image", "base64": "Qk0AAAAAAAAAAAAA", "mime_type": media_type}

    error = wire.error(CLAUDE, [HumanMessage([block])])

    assert isinstance(error, SegmindUnsupportedContentError)
    assert "Claude takes JPEG, PNG, GIF and WebP" in str(error)
    assert media_type in str(wire.body(GPT, [HumanMessage([block])]))


def test_gpt_keeps_image_url_detail(wire: Wire) -> None:
    block = {"type": "image_url", "image_url": {"url": IMG_URL, "detail": "low"}}
    assert wire.body(GPT, [HumanMessage([block])]) == user_body(
        GPT, [{"type": "image_url", "image_url": {"url": IMG_URL, "detail": "low"}}]
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_non_standard_block_from_the_user_is_not_silently_dropped(
    wire: Wire, slug: str
) -> None:
    native = {"type": "image", "source": {"type": "url", "url": IMG_URL}}
    model = wire.model(slug)
    try:
        model.invoke(
            [HumanMessage(["Look", {"type": "non_standard", "value": native}])]
        )
    except SegmindError:
        assert wire.recorder.bodies == []
        return
    assert IMG_URL in json.dumps(wire.recorder.bodies[0])


@pytest.mark.parametrize("slug", SLUGS)
def test_url_scheme_is_case_insensitive(wire: Wire, slug: str) -> None:
    url = "HTTPS://EXAMPLE.COM/CAT.PNG"
    body = wire.body(slug, [HumanMessage([{"type": "image_url", "image_url": url}])])
    assert url in json.dumps(body)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    "url", [f"DATA:image/png;base64,{PNG}", f"data:image/png;BASE64,{PNG}"]
)
def test_data_uri_spelling_is_case_insensitive(wire: Wire, slug: str, url: str) -> None:
    body = wire.body(slug, [HumanMessage([{"type": "image_url", "image_url": url}])])

    assert PNG in json.dumps(body)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_pdf_mime_type_is_read_in_any_case(wire: Wire, slug: str) -> None:
    block = {"type": "file", "base64": PDF, "mime_type": "application/PDF"}

    body = wire.body(slug, [HumanMessage([block])])

    assert PDF in json.dumps(body)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    "block",
    [
        {"type": "file", "base64": PNG},
        {"type": "image", "base64": "aGVsbG8gd29ybGQ=", "mime_type": "text/plain"},
        {"type": "image", "base64": "   ", "mime_type": "image/png"},
        {"type": "audio", "base64": PDF, "mime_type": "application/pdf"},
    ],
    ids=["png-as-file", "image-typed-text", "blank-data", "pdf-as-audio"],
)
def test_media_whose_data_does_not_fit_the_block_is_refused(
    wire: Wire, slug: str, block: dict[str, Any]
) -> None:
    with pytest.raises(SegmindInputError):
        wire.model(slug).invoke([HumanMessage([block])])

    assert wire.recorder.bodies == []
