"""Provider-native blocks langchain-core's `content_blocks` reads otherwise.

Core leaves some of them untranslated and reads others wrongly, so the package
reads them itself (`conversion/messages.py`); these pin what is sent or refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_segmind import SegmindUnsupportedContentError

from ._payloads import CLAUDE, GPT, IMG_URL, PDF, SLUGS, Wire, gpt_image, user_body

CACHED = {"cache_control": {"type": "ephemeral"}}


@pytest.mark.parametrize("slug", SLUGS)
def test_an_image_url_part_with_other_keys_is_sent(wire: Wire, slug: str) -> None:
    block = {"type": "image_url", "image_url": {"url": IMG_URL}, **CACHED}

    part = wire.body(slug, [HumanMessage([block])])["messages"][0]["content"][0]

    expected: Any = gpt_image(IMG_URL)
    if slug == CLAUDE:
        expected = {"type": "image", "source": {"type": "url", "url": IMG_URL}}
    assert part == expected


def test_a_claude_document_without_media_type_is_read_from_its_bytes(
    wire: Wire,
) -> None:
    block = {"type": "document", "source": {"type": "base64", "data": PDF}}

    body = wire.body(CLAUDE, [HumanMessage([block])])

    source = {"type": "base64", "media_type": "application/pdf", "data": PDF}
    assert body == user_body(CLAUDE, [{"type": "document", "source": source}])


def test_a_claude_documents_title_names_its_file_for_gpt(wire: Wire) -> None:
    source = {"type": "base64", "media_type": "application/pdf", "data": PDF}
    block = {"type": "document", "source": source, "title": "Q3 report"}

    body = wire.body(GPT, [HumanMessage([block])])

    file = {"file_data": f"data:application/pdf;base64,{PDF}", "filename": "Q3 report"}
    assert body == user_body(GPT, [{"type": "file", "file": file}])


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("kind", ["image", "document"])
def test_a_claude_file_source_is_unsupported(wire: Wire, slug: str, kind: str) -> None:
    block = {"type": kind, "source": {"type": "file", "file_id": "file_011"}}

    error = wire.error(slug, [HumanMessage([block])])

    assert isinstance(error, SegmindUnsupportedContentError)
    assert (error.block_type, error.model) == (f"{kind} source 'file'", slug)


@pytest.mark.parametrize(
    "block",
    [
        {"type": "non_standard", "value": {"type": "text", "text": "Hi"}},
        {"type": "text", "text": "Hi", "value": {"type": "text", "text": "Bye"}},
        {"type": "text", "text": "Hi", "file": {"file_data": PDF}},
    ],
    ids=["wrapped", "not-wrapped", "not-a-file"],
)
def test_a_block_is_read_by_its_type_a_non_standard_one_as_the_block_inside(
    wire: Wire, block: dict[str, Any]
) -> None:
    body = wire.body(GPT, [HumanMessage([block])])

    assert body == user_body(GPT, "Hi")


@pytest.mark.parametrize("content", [[{"type": "text", "text": "21"}], 21])
def test_a_search_result_is_sent_as_text(wire: Wire, content: Any) -> None:
    source = "https://example.com/rain"
    block = {"type": "search_result", "title": "Rain", "source": source}

    body = wire.body(GPT, [HumanMessage([{**block, "content": content}])])

    assert body == user_body(GPT, f"Title: Rain\nSource: {source}\n21\n")
