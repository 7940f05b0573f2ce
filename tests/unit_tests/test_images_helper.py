"""`langchain_segmind.images`: local files and bytes as standard image blocks.

The fixtures under tests/fixtures/ are tiny real files written by
tests/fixtures/make_fixtures.py. End-to-end tests send the helper's blocks
through both dialects to the recorder and compare the parts sent.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_segmind import ChatSegmind, SegmindInputError
from langchain_segmind.images import image_block, sniff_media_type

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

IMAGE_FIXTURES = [
    ("tiny.png", "image/png"),
    ("tiny.jpg", "image/jpeg"),
    ("tiny.gif", "image/gif"),
    ("tiny.webp", "image/webp"),
]

SLUGS = ["claude-3.5-sonnet", "gpt-4o"]
JPEG_BYTES = (FIXTURES / "tiny.jpg").read_bytes()


def send(recorder: Any, make_model: Any, slug: str, message: HumanMessage) -> Any:
    """The body the slug's model sends for `message`."""
    make_model(ChatSegmind, model=slug).invoke([message])
    return recorder.last.body


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- image_block ---------------------------------------------------------


@pytest.mark.parametrize(("name", "mime_type"), IMAGE_FIXTURES)
@pytest.mark.parametrize("as_type", [str, Path], ids=["str-path", "pathlib"])
def test_image_block_from_file_detects_media_type(
    name: str, mime_type: str, as_type: type
) -> None:
    path = FIXTURES / name
    assert image_block(as_type(path)) == {
        "type": "image",
        "base64": b64(path.read_bytes()),
        "mime_type": mime_type,
    }


@pytest.mark.parametrize(("name", "mime_type"), IMAGE_FIXTURES)
def test_image_block_from_bytes_detects_media_type(name: str, mime_type: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert image_block(data) == {
        "type": "image",
        "base64": b64(data),
        "mime_type": mime_type,
    }


@pytest.mark.parametrize("wrap", [bytearray, memoryview], ids=lambda t: t.__name__)
def test_image_block_from_a_bytes_like_buffer(wrap: Any) -> None:
    data = (FIXTURES / "tiny.png").read_bytes()
    assert image_block(wrap(data)) == {
        "type": "image",
        "base64": b64(data),
        "mime_type": "image/png",
    }


@pytest.mark.parametrize(
    "url",
    ["https://example.com/cat.png", "HTTP://x/y.jpg", "data:image/png;base64,iVBO"],
)
def test_image_block_of_a_url_says_how_to_send_one(url: str) -> None:
    with pytest.raises(ValueError, match='"image", "url"'):
        image_block(url)


def test_image_block_of_a_file_url_asks_for_the_path() -> None:
    with pytest.raises(ValueError, match="path or bytes, not a URL"):
        image_block((FIXTURES / "tiny.png").as_uri())


def test_image_block_detects_gif87a() -> None:
    assert image_block(b"GIF87a\x01\x00\x01\x00")["mime_type"] == "image/gif"


def test_image_block_explicit_mime_type_wins_over_detection() -> None:
    data = (FIXTURES / "tiny.png").read_bytes()
    assert image_block(data, mime_type="image/jpeg") == {
        "type": "image",
        "base64": b64(data),
        "mime_type": "image/jpeg",
    }


def test_image_block_explicit_mime_type_for_unknown_bytes() -> None:
    assert image_block(b"\x00\x01raw", mime_type="image/png")["mime_type"] == (
        "image/png"
    )


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"not an image at all", id="bytes"),
        pytest.param(FIXTURES / "not-an-image", id="file-without-known-extension"),
    ],
)
def test_image_block_undetectable_media_type_is_a_value_error(source: Any) -> None:
    with pytest.raises(ValueError, match="mime_type"):
        image_block(source)


@pytest.mark.parametrize(
    "name",
    [
        *("photo.png", "drawing.svg", "scan.bmp", "photo.tiff"),  # an image's name
        *("notes.txt", "clip.mp4", "page.html", "blob.bin"),  # another kind's name
    ],
)
def test_image_block_does_not_trust_a_file_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / "not-an-image", path)
    with pytest.raises(ValueError, match="mime_type"):
        image_block(path)


def test_image_block_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        image_block(FIXTURES / "does-not-exist.png")


# --- sniffing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n", "image/png", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0", "image/jpeg", id="jpeg"),
        pytest.param(b"GIF87a", "image/gif", id="gif87a"),
        pytest.param(b"GIF89a", "image/gif", id="gif89a"),
        pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", id="webp"),
        pytest.param(b"%PDF-1.7", "application/pdf", id="pdf"),
        pytest.param(b"\xef\xbb\xbf\r\n%PDF-1.7", "application/pdf", id="pdf-late"),
        pytest.param(b"\0" * 1019 + b"%PDF-1.7", "application/pdf", id="pdf-at-1019"),
        pytest.param(b"\0" * 1020 + b"%PDF-1.7", None, id="pdf-crossing-byte-1024"),
        pytest.param(b"\0" * 8 + b"GIF89a", None, id="only-a-pdf-may-be-late"),
        pytest.param(b"RIFF\x00\x00\x00\x00WAVEfmt ", None, id="wav-is-not-webp"),
        pytest.param(b"RIFX\x00\x00\x00\x00WEBPVP8 ", None, id="webp-needs-riff"),
        pytest.param(b"\x89PNG", None, id="truncated-png"),
        pytest.param(b"", None, id="empty"),
        pytest.param(b"BM\x00\x00", None, id="bmp-unsupported"),
    ],
)
def test_sniff_media_type(data: bytes, expected: str | None) -> None:
    assert sniff_media_type(data) == expected


@pytest.mark.parametrize(("name", "mime_type"), IMAGE_FIXTURES)
def test_sniff_media_type_of_fixture_files(name: str, mime_type: str) -> None:
    assert sniff_media_type((FIXTURES / name).read_bytes()) == mime_type


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b64((FIXTURES / "tiny.png").read_bytes()), "image/png", id="png"),
        pytest.param(
            b64((FIXTURES / "tiny.webp").read_bytes()), "image/webp", id="webp"
        ),
        pytest.param(
            b64((FIXTURES / "tiny.pdf").read_bytes()), "application/pdf", id="pdf"
        ),
        pytest.param(b64(b"\xff\xd8\xff")[:4], "image/jpeg", id="short-no-padding"),
        pytest.param(
            base64.encodebytes(b"\0" * 1000 + b"%PDF-1.7" + b"\0" * 999).decode(),
            "application/pdf",
            id="pdf-late-in-wrapped-lines",
        ),
        pytest.param("\n  " + b64(b"GIF89a"), "image/gif", id="leading-white-space"),
        pytest.param(
            "".join(
                " " * 42 + line + "\n"
                for line in base64.encodebytes(JPEG_BYTES + bytes(2000))
                .decode()
                .split()
            ),
            "image/jpeg",
            id="indented-lines",
        ),
        pytest.param(
            "".join(" " * 4 + c for c in b64(JPEG_BYTES + bytes(2000))),
            "image/jpeg",
            id="spaced-characters",  # cut to a length that needs padding
        ),
        pytest.param(
            base64.urlsafe_b64encode(b"\xff\xd8\xff\xfe\xfb\xff").decode(),
            "image/jpeg",
            id="url-safe-alphabet",
        ),
        pytest.param("!!!!not base64", None, id="invalid"),
        pytest.param("éé", None, id="non-ascii"),
        pytest.param("", None, id="empty"),
        pytest.param(b64(b"hello world, plain text"), None, id="not-an-image"),
    ],
)
def test_sniff_media_type_of_base64_text(data: str, expected: str | None) -> None:
    assert sniff_media_type(data) == expected


# --- end to end ------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    "written",
    [
        pytest.param("\n  " + b64(JPEG_BYTES), id="leading-white-space"),
        pytest.param(base64.encodebytes(JPEG_BYTES).decode(), id="wrapped-lines"),
        pytest.param(
            base64.urlsafe_b64encode(JPEG_BYTES).decode().rstrip("="),
            id="url-safe-unpadded",
        ),
        pytest.param(b64(JPEG_BYTES) + "====", id="over-padded"),
        pytest.param(
            b64(JPEG_BYTES)[:8] + "\u2028\xa0\x85\xa0" + b64(JPEG_BYTES)[8:],
            id="unicode-white-space",
        ),
        pytest.param(
            b64(JPEG_BYTES)[:8] + "\x1c\x1d\x1e\x1f" + b64(JPEG_BYTES)[8:],
            id="ascii-separators",
        ),
        pytest.param(b64(JPEG_BYTES).rstrip("="), id="unpadded"),
    ],
)
def test_inline_base64_is_sniffed_and_sent_as_standard_base64(
    recorder: Any, make_model: Any, slug: str, written: str
) -> None:
    # The label is wrong: the bytes decide, as for standard base64.
    block = {"type": "image", "base64": written, "mime_type": "image/png"}
    body = send(recorder, make_model, slug, HumanMessage([block]))
    data = b64(JPEG_BYTES)
    assert body["messages"][0]["content"][0] == (
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/jpeg", "data": data},
        }
        if slug.startswith("claude")
        else {
            "type": "image_url",
            "image_url": {"url": f"data:image/jpeg;base64,{data}"},
        }
    )


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    ("written", "match"),
    [
        pytest.param("photos/cat.png", "not base64", id="a-path"),
        pytest.param(b64(JPEG_BYTES)[:-3], "not base64", id="cut-short"),
        pytest.param("aGk=aGk=", "not base64", id="padding-inside"),
        pytest.param("====", "empty", id="only-padding"),
    ],
)
def test_inline_data_that_is_not_base64_is_refused_before_sending(
    recorder: Any, make_model: Any, slug: str, written: str, match: str
) -> None:
    block = {"type": "image", "base64": written, "mime_type": "image/png"}

    with pytest.raises(SegmindInputError, match=match):
        make_model(ChatSegmind, model=slug).invoke([HumanMessage([block])])

    assert recorder.requests == []


def test_a_data_uri_without_a_media_type_takes_the_blocks_mime_type(
    recorder: Any, make_model: Any
) -> None:
    undetectable = b64(b"no known signature")
    block = {"type": "image", "url": f"data:;base64,{undetectable}"}

    send(
        recorder,
        make_model,
        "gpt-4o",
        HumanMessage([block | {"mime_type": "image/heic"}]),
    )

    (part,) = recorder.last.body["messages"][0]["content"]
    assert part["image_url"]["url"] == f"data:image/heic;base64,{undetectable}"


def test_empty_text_beside_an_image_is_not_sent_as_a_part(
    recorder: Any, make_model: Any
) -> None:
    block = image_block(FIXTURES / "tiny.png")

    body = send(recorder, make_model, "gpt-4o", HumanMessage(["", block, ""]))

    assert [part["type"] for part in body["messages"][0]["content"]] == ["image_url"]


@pytest.mark.parametrize(("name", "mime_type"), IMAGE_FIXTURES)
def test_image_block_reaches_claude_as_an_anthropic_image(
    recorder: Any, make_model: Any, name: str, mime_type: str
) -> None:
    data = b64((FIXTURES / name).read_bytes())
    message = HumanMessage(
        [{"type": "text", "text": "What is it?"}, image_block(FIXTURES / name)]
    )
    body = send(recorder, make_model, "claude-3.5-sonnet", message)
    assert body["messages"][0]["content"][1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": mime_type, "data": data},
    }


@pytest.mark.parametrize(("name", "mime_type"), IMAGE_FIXTURES)
def test_image_block_reaches_gpt_as_a_data_uri(
    recorder: Any, make_model: Any, name: str, mime_type: str
) -> None:
    data = b64((FIXTURES / name).read_bytes())
    message = HumanMessage(
        [{"type": "text", "text": "What is it?"}, image_block(FIXTURES / name)]
    )
    body = send(recorder, make_model, "gpt-4o", message)
    assert body["messages"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": f"data:{mime_type};base64,{data}"},
    }


@pytest.mark.parametrize(
    ("slug", "expected_part"),
    [
        (
            "claude-3.5-sonnet",
            {
                "type": "document",
                "source": {
                    "type": "base64",
                    "media_type": "application/pdf",
                    "data": b64((FIXTURES / "tiny.pdf").read_bytes()),
                },
            },
        ),
        (
            "gpt-4o",
            {
                "type": "file",
                "file": {
                    "file_data": "data:application/pdf;base64,"
                    + b64((FIXTURES / "tiny.pdf").read_bytes()),
                    "filename": "document.pdf",
                },
            },
        ),
    ],
)
def test_image_block_of_a_pdf_is_sent_as_a_document(
    recorder: Any, make_model: Any, slug: str, expected_part: dict[str, Any]
) -> None:
    block = image_block(FIXTURES / "tiny.pdf")
    assert (block["type"], block["mime_type"]) == ("file", "application/pdf")
    body = send(recorder, make_model, slug, HumanMessage([block]))
    assert body["messages"] == [{"role": "user", "content": [expected_part]}]


def test_image_block_of_a_pdf_whose_header_comes_late(tmp_path: Path) -> None:
    # PDF readers take a header anywhere in the first 1024 bytes.
    data = b"\r\n" * 100 + (FIXTURES / "tiny.pdf").read_bytes()
    path = tmp_path / "late.pdf"
    path.write_bytes(data)
    assert image_block(path) == {
        "type": "file",
        "base64": b64(data),
        "mime_type": "application/pdf",
    }


def test_image_block_of_an_empty_file_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")

    with pytest.raises(ValueError, match="mime_type"):
        image_block(path)
