"""Property tests: random conversations become a valid body or a typed error.

Hypothesis draws message lists (system, human with names, AI with v1 output
blocks, ChatMessage with any role, retired message types) whose content mixes
unicode strings, text blocks, every image block shape, PDFs, audio, output-only
blocks, unsupported blocks and malformed or fuzzed blocks. Every generated item
knows what it expects, so for both dialects the test checks that:

* the result is a body or a `SegmindError`, never another exception;
* a known-invalid item always gives a typed error, and fully valid input never
  does;
* a body obeys the dialect's rules (roles, alternation, well-formed blocks);
* nothing is lost: every non-blank text and every image, PDF and audio clip
  (by data or URL, with its media type) appears in input order, under the
  right role; reasoning is never sent.

Run with ``-s`` to see how many cases were tried; ``SEGMIND_HYPOTHESIS_EXAMPLES``
sets the count per dialect (default 2,000).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.language_models._utils import _normalize_messages
from langchain_core.language_models.chat_models import _format_for_tracing
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
)

from langchain_segmind import ChatSegmind, SegmindError
from langchain_segmind.conversion import build_body
from langchain_segmind.conversion.messages import to_turns
from langchain_segmind.conversion.types import GenerationOptions

CLAUDE = "claude-3.5-sonnet"
GPT = "gpt-4o"
DIALECTS = (CLAUDE, GPT)
MAX_EXAMPLES = int(os.environ.get("SEGMIND_HYPOTHESIS_EXAMPLES", "2000"))
INVOKE_EXAMPLES = max(50, MAX_EXAMPLES // 10)
REASONING_MARK = "\u2063reasoning-must-not-be-sent\u2063"
MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
OPENAI_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")

# Violation tags of known package bugs, tolerated until fixed (none today).
# A new bug gets a strict xfail test in test_content_payloads.py and its tag
# here; once fixed, the tag goes so the property guards the fix.
KNOWN_BUGS: frozenset[str] = frozenset()

Verdict = Literal["ok", "error", "either"]
Kind = Literal[
    "text",
    "dropped",
    "image",
    "pdf",
    "pdf-url",
    "audio",
    "unsupported",
    "bad",
    "bad-mime",
    "fuzz",
]


# --- generated items and messages ----------------------------------------------


@dataclass(frozen=True)
class Media:
    """What a media item must become: kind, data or URL, and media type."""

    kind: Literal["image", "pdf", "audio"]
    ref: str
    media_type: str | None  # None for URL sources


@dataclass(frozen=True)
class Item:
    """One content item and what the payload must show for it."""

    value: Any
    kind: Kind
    text: str | None = None
    media: Media | None = None


@dataclass(frozen=True)
class Spec:
    """One generated message, with the role each dialect should give it."""

    kind: Literal["system", "human", "ai", "chat", "function", "remove"]
    items: tuple[Item, ...]
    as_string: bool = False
    role: str | None = None  # ChatMessage role as written
    name: str | None = None
    v1: bool = False

    @property
    def mapped_role(self) -> str | None:
        """system/user/assistant, or None when the message is invalid."""
        if self.kind == "chat":
            return CHAT_ROLES.get((self.role or "").lower())
        return {"system": "system", "human": "user", "ai": "assistant"}.get(self.kind)

    def message(self) -> BaseMessage:
        content: Any = (
            self.items[0].value if self.as_string else [i.value for i in self.items]
        )
        if self.kind == "system":
            return SystemMessage(content)
        if self.kind == "human":
            return HumanMessage(content, name=self.name)
        if self.kind == "ai":
            metadata = {"output_version": "v1"} if self.v1 else {}
            return AIMessage(content, name=self.name, response_metadata=metadata)
        if self.kind == "chat":
            return ChatMessage(role=self.role or "", content=content, name=self.name)
        if self.kind == "function":
            return FunctionMessage(name="lookup", content=content)
        return RemoveMessage(id="gone")


CHAT_ROLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": "system",
    "developer": "system",
}

SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff\xe0",
    "image/gif": b"GIF89a",
    "image/webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
}
AUDIO_TYPES = {
    "audio/wav": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/mpeg": "audio/mpeg",
    "audio/mp3": "audio/mpeg",
}
AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg"}
IMAGE_TYPES = sorted(SIGNATURES)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def pick(count: int) -> st.SearchStrategy[int]:
    """An index into a list of `count` choices (strategies are built once)."""
    return st.integers(0, count - 1)


texts = st.text(max_size=12)
tails = st.binary(max_size=12)
urls = st.builds(
    lambda scheme, host, path, ext: f"{scheme}://{host}/{path}{ext}",
    st.sampled_from(["https", "http"]),
    st.sampled_from(["example.com", "cdn.example.org", "img.test:8080"]),
    st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), max_size=8),
    st.sampled_from([".png", ".jpg", "", "?v=1", ".pdf"]),
)


@st.composite
def text_items(draw: st.DrawFn) -> Item:
    text = draw(texts)
    shape = draw(pick(5))
    value: Any
    if shape == 0:
        value = text
    elif shape == 1:
        value = {"type": "text", "text": text}
    elif shape == 2:
        value = {"type": "text", "text": text, "id": "t1", "annotations": []}
    elif shape == 3:
        value = {"type": "text-plain", "text": text, "mime_type": "text/plain"}
    else:
        source = {"type": "text", "media_type": "text/plain", "data": text}
        value = {"type": "document", "source": source}
    return Item(value, "text", text=text)


@st.composite
def image_items(draw: st.DrawFn) -> Item:
    mime = IMAGE_TYPES[draw(pick(len(IMAGE_TYPES)))]
    data = b64(SIGNATURES[mime] + draw(tails))
    url = draw(urls)
    uri = f"data:{mime};base64,{data}"
    inline = Media("image", data, mime)
    linked = Media("image", url, None)
    shapes: list[tuple[Any, Media]] = [
        ({"type": "image_url", "image_url": {"url": url}}, linked),
        ({"type": "image_url", "image_url": {"url": url, "detail": "low"}}, linked),
        ({"type": "image_url", "image_url": url}, linked),
        ({"type": "image_url", "image_url": {"url": uri}}, inline),
        ({"type": "image_url", "image_url": {"url": f"data:;base64,{data}"}}, inline),
        ({"type": "image", "base64": data, "mime_type": mime}, inline),
        ({"type": "image", "base64": data}, inline),
        ({"type": "image", "id": "lc_1", "base64": data, "mime_type": mime}, inline),
        ({"type": "image", "url": url}, linked),
        ({"type": "image", "url": uri}, inline),
        (
            {"type": "image", "source_type": "base64", "data": data, "mime_type": mime},
            inline,
        ),
        ({"type": "image", "source_type": "base64", "data": data}, inline),
        ({"type": "image", "source_type": "url", "url": url}, linked),
        (
            {
                "type": "image",
                "source": {"type": "base64", "media_type": mime, "data": data},
            },
            inline,
        ),
        ({"type": "image", "source": {"type": "base64", "data": data}}, inline),
        ({"type": "image", "source": {"type": "url", "url": url}}, linked),
    ]
    value, media = shapes[draw(pick(len(shapes)))]
    return Item(value, "image", media=media)


@st.composite
def pdf_items(draw: st.DrawFn) -> Item:
    data = b64(b"%PDF-1." + draw(tails))
    url = draw(urls)
    uri = f"data:application/pdf;base64,{data}"
    pdf = "application/pdf"
    inline = Media("pdf", data, pdf)
    shapes: list[tuple[Any, Kind, Media]] = [
        ({"type": "file", "base64": data, "mime_type": pdf}, "pdf", inline),
        ({"type": "file", "base64": data}, "pdf", inline),
        (
            {
                "type": "file",
                "base64": data,
                "mime_type": pdf,
                "extras": {"filename": "a.pdf"},
            },
            "pdf",
            inline,
        ),
        (
            {"type": "file", "source_type": "base64", "data": data, "mime_type": pdf},
            "pdf",
            inline,
        ),
        (
            {"type": "file", "file": {"file_data": uri, "filename": "r.pdf"}},
            "pdf",
            inline,
        ),
        ({"type": "file", "file": {"file_data": data}}, "pdf", inline),
        (
            {
                "type": "document",
                "source": {"type": "base64", "media_type": pdf, "data": data},
            },
            "pdf",
            inline,
        ),
        ({"type": "image", "base64": data, "mime_type": pdf}, "pdf", inline),
        (
            {"type": "file", "url": url, "mime_type": pdf},
            "pdf-url",
            Media("pdf", url, None),
        ),
        (
            {"type": "document", "source": {"type": "url", "url": url}},
            "pdf-url",
            Media("pdf", url, None),
        ),
    ]
    value, kind, media = shapes[draw(pick(len(shapes)))]
    return Item(value, kind, media=media)


@st.composite
def audio_items(draw: st.DrawFn) -> Item:
    data = b64(b"RIFF\x00\x00\x00\x00WAVE" + draw(tails))
    mime = sorted(AUDIO_TYPES)[draw(pick(len(AUDIO_TYPES)))]
    audio_format = sorted(AUDIO_FORMATS)[draw(pick(len(AUDIO_FORMATS)))]
    shapes: list[tuple[Any, str]] = [
        ({"type": "audio", "base64": data, "mime_type": mime}, AUDIO_TYPES[mime]),
        (
            {"type": "audio", "source_type": "base64", "data": data, "mime_type": mime},
            AUDIO_TYPES[mime],
        ),
        (
            {
                "type": "input_audio",
                "input_audio": {"data": data, "format": audio_format},
            },
            AUDIO_FORMATS[audio_format],
        ),
    ]
    value, normalised = shapes[draw(pick(len(shapes)))]
    return Item(value, "audio", media=Media("audio", data, normalised))


UNSUPPORTED_BLOCKS: list[Any] = [
    {"type": "video", "base64": "AAAA", "mime_type": "video/mp4"},
    {"type": "video", "url": "https://example.com/v.mp4"},
    {"type": "image", "file_id": "file-1"},
    {"type": "image", "source_type": "id", "id": "file-1"},
    {"type": "file", "file_id": "file-1"},
    {"type": "file", "file": {"file_id": "file-1"}},
    {"type": "audio", "file_id": "file-1"},
    {"type": "audio", "url": "https://example.com/a.wav", "mime_type": "audio/wav"},
    {"type": "audio", "base64": "T2dnUw==", "mime_type": "audio/ogg"},
    {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "flac"}},
    {"type": "file", "base64": "aGk=", "mime_type": "text/csv"},
    {"type": "image", "source": {"type": "file", "file_id": "f"}},
    {"type": "refusal", "refusal": "no"},
    {"type": "hologram"},
    {"type": "input_text", "text": "responses-api style"},
]
BAD_BLOCKS: list[Any] = [
    {"text": "no type"},
    {"type": 7},
    {"type": None, "text": "x"},
    {"type": "text"},
    {"type": "text", "text": None},
    {"type": "text", "text": 3},
    {"type": "text", "text": ["nested"]},
    {"type": "image_url"},
    {"type": "image_url", "image_url": {"url": None}},
    {"type": "image_url", "image_url": {}},
    {"type": "image_url", "image_url": {"url": "ftp://x/y.png"}},
    {"type": "image_url", "image_url": {"url": "data:image/png,raw"}},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,"}},
    {"type": "image_url", "image_url": {"url": "data:;base64,aGVsbG8="}},
    {"type": "image_url", "image_url": {"url": ""}},
    {"type": "image"},
    {"type": "image", "base64": 5},
    {"type": "image", "base64": "", "mime_type": "image/png"},
    {"type": "image", "base64": "aGVsbG8="},
    {"type": "image", "url": "cat.png"},
    {"type": "image", "url": 3},
    {"type": "image", "source": {"type": "base64"}},
    {"type": "image", "source": {"type": "base64", "data": "aGVsbG8="}},
    {"type": "document"},
    {"type": "document", "source": "x"},
    {"type": "file", "file": {}},
    {"type": "file", "file": {"file_data": 1}},
    {"type": "input_audio", "input_audio": "x"},
    {"type": "input_audio", "input_audio": {"format": "wav"}},
    {"type": "audio", "base64": "AAAA"},
]
FUZZ_TYPES = [
    "text",
    "image_url",
    "image",
    "file",
    "audio",
    "input_audio",
    "document",
    "text-plain",
    "reasoning",
    "video",
    "x",
]
FUZZ_KEYS = [
    "text",
    "image_url",
    "url",
    "base64",
    "data",
    "mime_type",
    "source",
    "source_type",
    "file",
    "input_audio",
    "file_id",
    "format",
    "media_type",
    "file_data",
    "type",
]
fuzz_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.text(max_size=6),
    st.sampled_from(
        [
            "https://example.com/f.png",
            "data:image/png;base64,iVBORw0KGgo=",
            "iVBORw0KGgo=",
            "JVBERi0x",
            "base64",
            "url",
            "id",
            "text",
            "image/png",
            "application/pdf",
            "audio/wav",
            "wav",
        ]
    ),
)
fuzz_values = st.recursive(
    fuzz_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2),
        st.dictionaries(st.sampled_from(FUZZ_KEYS), inner, max_size=3),
    ),
    max_leaves=4,
)


fuzz_dicts = st.dictionaries(st.sampled_from(FUZZ_KEYS), fuzz_values, max_size=4)


@st.composite
def fuzz_items(draw: st.DrawFn) -> Item:
    block = draw(fuzz_dicts)
    block["type"] = FUZZ_TYPES[draw(pick(len(FUZZ_TYPES)))]
    if block["type"] == "reasoning":
        # A reasoning block is dropped whatever it holds: keep it marked.
        block["reasoning"] = REASONING_MARK
    return Item(block, "fuzz")


dropped_items = st.sampled_from(
    [
        Item({"type": "reasoning", "reasoning": REASONING_MARK}, "dropped"),
        Item({"type": "reasoning", "reasoning": REASONING_MARK, "id": "rs"}, "dropped"),
        Item(
            {"type": "thinking", "thinking": REASONING_MARK, "signature": "s"},
            "dropped",
        ),
        Item({"type": "redacted_thinking", "data": REASONING_MARK}, "dropped"),
        Item({"type": "citation", "cited_text": REASONING_MARK}, "dropped"),
    ]
)
bad_mime_items = st.builds(
    lambda mime, key: Item(
        {"type": "image", "base64": b64(SIGNATURES["image/png"]), key: mime}
        if key == "mime_type"
        else {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": mime,
                "data": b64(SIGNATURES["image/png"]),
            },
        },
        "bad-mime",
    ),
    st.sampled_from(["", "png", "image", "image/png; charset=x"]),
    st.sampled_from(["mime_type", "source"]),
)


VALID_ITEMS = st.one_of(
    text_items(),
    text_items(),
    text_items(),
    image_items(),
    image_items(),
    image_items(),
    pdf_items(),
    audio_items(),
    dropped_items,
)
MALFORMED_ITEMS = st.one_of(
    st.sampled_from(UNSUPPORTED_BLOCKS).map(lambda b: Item(b, "unsupported")),
    st.sampled_from(BAD_BLOCKS).map(lambda b: Item(b, "bad")),
    bad_mime_items,
    fuzz_items(),
    fuzz_items(),
)


@st.composite
def any_items(draw: st.DrawFn) -> Item:
    """Valid and malformed items, one in three malformed."""
    return draw(MALFORMED_ITEMS if draw(pick(3)) == 0 else VALID_ITEMS)


ANY_ITEMS = any_items()
ITEM_LISTS = {
    False: st.lists(VALID_ITEMS, max_size=3),
    True: st.lists(ANY_ITEMS, max_size=3),
}
# System prompts are mostly text: media there is an error for Claude, and too
# many of those would leave few bodies to check.
SYSTEM_ITEM_LISTS = st.lists(st.one_of(text_items(), dropped_items), max_size=3)
names = st.one_of(
    st.none(),
    st.sampled_from(["alice", "bob_2", "Agent-7", ""]),
    st.text(max_size=8),
)
GOOD_ROLES = ["user", "human", "assistant", "ai", "system", "developer"]
GOOD_ROLES += ["User", "AI", "Developer"]
BAD_ROLES = ["tool", "function", "bot", "", " user", "model"]
MESSAGE_KINDS = {
    False: ["human"] * 4 + ["ai"] * 3 + ["system"] * 2 + ["chat"] * 2,
    True: ["human"] * 4
    + ["ai"] * 3
    + ["system"] * 2
    + ["chat"] * 3
    + ["function"]
    + ["remove"],
}
ROLES = {False: GOOD_ROLES, True: GOOD_ROLES + BAD_ROLES}


@st.composite
def specs(draw: st.DrawFn, malformed: bool) -> Spec:
    """One message; `malformed` allows invalid items, roles and message types."""
    kinds = MESSAGE_KINDS[malformed]
    kind = kinds[draw(pick(len(kinds)))]
    if kind == "remove":
        return Spec("remove", ())
    as_string = draw(pick(3)) == 0
    if as_string:
        text = draw(texts)
        content: tuple[Item, ...] = (Item(text, "text", text=text),)
    elif kind == "system" and draw(pick(4)) > 0:
        content = tuple(draw(SYSTEM_ITEM_LISTS))
    else:
        content = tuple(draw(ITEM_LISTS[malformed]))
    role = None
    if kind == "chat":
        role = ROLES[malformed][draw(pick(len(ROLES[malformed])))]
    name = draw(names) if kind in ("human", "ai", "chat") else None
    v1 = kind == "ai" and draw(st.booleans())
    return Spec(kind, content, as_string, role, name, v1)


SPEC_LISTS = {
    flag: st.lists(specs(flag), min_size=1, max_size=5) for flag in (False, True)
}


@st.composite
def conversations(draw: st.DrawFn, malformed: bool = True) -> list[Spec]:
    """Message lists; when `malformed`, a third of them may hold invalid input."""
    return draw(SPEC_LISTS[malformed and draw(pick(3)) == 0])


# --- what each dialect must do ------------------------------------------------------


def verdict(item: Item, role: str, slug: str) -> Verdict:
    """Whether `item` in a `role` message must be accepted, refused, or either."""
    kind = item.kind
    claude = slug == CLAUDE
    if kind == "text":
        return "ok"
    if kind == "dropped":
        # Output-only blocks are dropped from the model's own turns and refused
        # from anyone else, rather than vanishing silently.
        return "ok" if role == "assistant" else "error"
    if kind in ("unsupported", "bad"):
        return "error"
    if kind in ("bad-mime", "fuzz"):
        return "either"
    if claude and kind == "audio":
        return "error"
    if not claude and kind == "pdf-url":
        return "error"
    if claude and role == "system":
        return "error"
    if role != "user":
        return "error"  # both providers take media only from users
    return "ok"


def expected_outcome(conversation: Sequence[Spec], slug: str) -> Verdict:
    outcome: Verdict = "ok"
    for spec in conversation:
        role = spec.mapped_role
        if role is None:
            return "error"
        for item in spec.items:
            item_verdict = verdict(item, role, slug)
            if item_verdict == "error":
                return "error"
            if item_verdict == "either":
                outcome = "either"
    if slug == CLAUDE:
        sendable = [
            item
            for spec in conversation
            if spec.mapped_role != "system"
            for item in spec.items
        ]
        if not any(i.media or (i.text and i.text.strip()) for i in sendable):
            has_other = any(
                (i.text and not i.text.strip()) or i.kind in ("fuzz", "bad-mime")
                for i in sendable
            )
            return "either" if has_other else "error"
    return outcome


# --- reading a body back ------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """One text or media unit of a payload, under its role."""

    role: str
    text: str | None = None
    media: Media | None = None


@dataclass
class Report:
    """Rule violations found in one body, by tag."""

    slug: str
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, tag: str, detail: str) -> None:
        self.problems.append((tag, detail))

    def unexpected(self) -> list[tuple[str, str]]:
        return [p for p in self.problems if p[0] not in KNOWN_BUGS]


def split_uri(uri: str) -> tuple[str, str] | None:
    match = re.match(r"^data:([^,]*?);base64,(.*)$", uri, re.S)
    return (match.group(1), match.group(2)) if match else None


def check_media_type(report: Report, media_type: Any, where: str) -> None:
    if not isinstance(media_type, str) or not MEDIA_TYPE.match(media_type):
        report.add("malformed-media-type", f"{where}: media_type {media_type!r}")


def claude_atoms(body: dict[str, Any], report: Report) -> list[Atom]:
    atoms: list[Atom] = []
    if set(body) - {"messages", "instruction"}:
        report.add("claude-keys", f"unexpected body keys {sorted(body)}")
    if "instruction" in body and not (
        isinstance(body["instruction"], str) and body["instruction"]
    ):
        report.add("claude-instruction", repr(body["instruction"]))
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        report.add("claude-messages", "messages must be a non-empty list")
        return atoms
    for index, message in enumerate(messages):
        if set(message) != {"role", "content"}:
            report.add("claude-message-keys", f"{index}: {sorted(message)}")
        role = message.get("role")
        if role not in ("user", "assistant"):
            report.add("claude-role", f"{index}: {role!r}")
        expected_role = "user" if index % 2 == 0 else "assistant"
        if role != expected_role:
            report.add("claude-alternation", f"{index}: {role!r} after previous")
        content = message.get("content")
        if isinstance(content, str):
            blocks: list[Any] = [{"type": "text", "text": content}]
        elif isinstance(content, list) and content:
            blocks = content
        else:
            report.add("claude-content", f"{index}: {content!r:.60}")
            continue
        for block in blocks:
            atom = claude_block_atom(block, str(role), report, index)
            if atom and atom.media and role != "user":
                report.add("claude-media-in-assistant", f"{index}: {atom.media.kind}")
            if atom:
                atoms.append(atom)
    return atoms


def claude_block_atom(block: Any, role: str, report: Report, index: int) -> Atom | None:
    where = f"message {index}"
    if not isinstance(block, dict):
        report.add("claude-block", f"{where}: {block!r:.60}")
        return None
    block_type = block.get("type")
    if block_type == "text":
        text = block.get("text")
        if set(block) != {"type", "text"} or not isinstance(text, str) or not text:
            report.add("claude-text", f"{where}: {block!r:.60}")
            return None
        if not text.strip():
            report.add("claude-blank-text", f"{where}: {text!r}")
        return Atom(role, text=text)
    source = block.get("source")
    if (
        block_type in ("image", "document")
        and set(block) == {"type", "source"}
        and isinstance(source, dict)
    ):
        kind: Literal["image", "pdf"] = "image" if block_type == "image" else "pdf"
        if source.get("type") == "base64" and set(source) == {
            "type",
            "media_type",
            "data",
        }:
            data = source["data"]
            if not isinstance(data, str) or not data:
                report.add("claude-source", f"{where}: empty data")
            check_media_type(report, source["media_type"], where)
            if kind == "pdf" and source["media_type"] != "application/pdf":
                report.add("claude-document", f"{where}: {source['media_type']!r}")
            return Atom(role, media=Media(kind, data, source["media_type"]))
        if source.get("type") == "url" and set(source) == {"type", "url"}:
            url = source["url"]
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                report.add("claude-source", f"{where}: url {url!r:.40}")
            return Atom(role, media=Media(kind, url, None))
        report.add("claude-source", f"{where}: {source!r:.80}")
        return None
    report.add("claude-block", f"{where}: {block!r:.80}")
    return None


def gpt_atoms(
    body: dict[str, Any], conversation: Sequence[Spec], report: Report
) -> list[Atom]:
    atoms: list[Atom] = []
    if set(body) != {"messages"}:
        report.add("openai-keys", f"unexpected body keys {sorted(body)}")
    messages = body.get("messages", [])
    if len(messages) != len(conversation):
        report.add("openai-count", f"{len(messages)} messages for {len(conversation)}")
    for index, (message, spec) in enumerate(zip(messages, conversation, strict=False)):
        role = message.get("role")
        if role not in ("system", "user", "assistant"):
            report.add("openai-role", f"{index}: {role!r}")
        if role != spec.mapped_role:
            report.add("openai-role-map", f"{index}: {role!r} for {spec.kind}")
        if set(message) - {"role", "content", "name"}:
            report.add("openai-message-keys", f"{index}: {sorted(message)}")
        expected_name = spec.name if spec.kind != "system" else None
        if expected_name:
            # Names are made to fit OpenAI's ^[a-zA-Z0-9_-]{1,64}$ pattern.
            expected_name = re.sub(r"[^a-zA-Z0-9_-]", "_", expected_name)[:64]
        if message.get("name") != (expected_name or None):
            report.add("openai-name", f"{index}: {message.get('name')!r}")
        if "name" in message and not OPENAI_NAME.match(message["name"]):
            report.add("openai-name-pattern", f"{index}: {message['name']!r}")
        content = message.get("content")
        if isinstance(content, str):
            atoms.append(Atom(str(role), text=content))
            continue
        if not isinstance(content, list) or not content:
            report.add("openai-content", f"{index}: {content!r:.60}")
            continue
        for part in content:
            atom = gpt_part_atom(part, str(role), report, index)
            if atom is None:
                continue
            if atom.media and role != "user":
                report.add(
                    "openai-media-outside-user", f"{index}: {role} {atom.media.kind}"
                )
            atoms.append(atom)
    return atoms


def gpt_part_atom(part: Any, role: str, report: Report, index: int) -> Atom | None:
    where = f"message {index}"
    part_type = part.get("type") if isinstance(part, dict) else None
    if part_type == "text" and set(part) == {"type", "text"}:
        if not isinstance(part["text"], str):
            report.add("openai-text", f"{where}: {part!r:.60}")
        return Atom(role, text=part["text"])
    if part_type == "image_url" and set(part) == {"type", "image_url"}:
        image_url = part["image_url"]
        url = image_url.get("url") if isinstance(image_url, dict) else None
        if set(image_url) - {"url", "detail"} or not isinstance(url, str):
            report.add("openai-image", f"{where}: {part!r:.80}")
            return None
        if url.startswith(("http://", "https://")):
            return Atom(role, media=Media("image", url, None))
        parsed = split_uri(url)
        if parsed is None or not parsed[1]:
            report.add("openai-image", f"{where}: bad data URI {url[:40]!r}")
            return None
        check_media_type(report, parsed[0], where)
        return Atom(role, media=Media("image", parsed[1], parsed[0]))
    if part_type == "file" and set(part) == {"type", "file"}:
        file = part["file"]
        file_data = file.get("file_data") if isinstance(file, dict) else None
        parsed = split_uri(file_data) if isinstance(file_data, str) else None
        if (
            set(file) != {"file_data", "filename"}
            or not isinstance(file["filename"], str)
            or parsed is None
            or parsed[0] != "application/pdf"
            or not parsed[1]
        ):
            report.add("openai-file", f"{where}: {part!r:.80}")
            return None
        return Atom(role, media=Media("pdf", parsed[1], parsed[0]))
    if part_type == "input_audio" and set(part) == {"type", "input_audio"}:
        audio = part["input_audio"]
        if (
            not isinstance(audio, dict)
            or set(audio) != {"data", "format"}
            or audio["format"] not in AUDIO_FORMATS
            or not audio["data"]
        ):
            report.add("openai-audio", f"{where}: {part!r:.80}")
            return None
        return Atom(
            role, media=Media("audio", audio["data"], AUDIO_FORMATS[audio["format"]])
        )
    report.add("openai-part", f"{where}: {part!r:.80}")
    return None


def expected_atoms(conversation: Sequence[Spec]) -> list[Atom]:
    """The known items of `conversation`, in order, under their roles."""
    atoms = []
    for spec in conversation:
        role = spec.mapped_role or ""
        for item in spec.items:
            if item.text is not None and item.text.strip():
                atoms.append(Atom(role, text=item.text.strip()))
            elif item.media is not None:
                atoms.append(Atom(role, media=item.media))
    return atoms


def find_in_order(expected: list[Atom], actual: list[Atom]) -> Atom | None:
    """The first expected atom not found, in order, in `actual` (else None).

    Texts may be merged into one string, so several expected texts can match
    one actual text, each after the previous match.
    """
    position, offset = 0, 0
    for atom in expected:
        while position < len(actual):
            candidate = actual[position]
            if candidate.role == atom.role:
                if atom.text is not None and candidate.text is not None:
                    found = candidate.text.find(atom.text, offset)
                    if found >= 0:
                        offset = found + len(atom.text)
                        break
                elif atom.media is not None and candidate.media == atom.media:
                    position, offset = position + 1, 0
                    break
            position, offset = position + 1, 0
        else:
            return atom
    return None


def check_body(body: dict[str, Any], conversation: Sequence[Spec], slug: str) -> Report:
    report = Report(slug)
    if REASONING_MARK in json.dumps(body, ensure_ascii=False):
        report.add("reasoning-sent", "an output-only block reached the payload")
    if slug == CLAUDE:
        actual = claude_atoms(body, report)
        missing = find_in_order(
            expected_atoms([s for s in conversation if s.mapped_role != "system"]),
            actual,
        )
        system = [s for s in conversation if s.mapped_role == "system"]
        instruction = [Atom("system", text=body.get("instruction", ""))]
        missing = missing or find_in_order(expected_atoms(system), instruction)
    else:
        actual = gpt_atoms(body, conversation, report)
        missing = find_in_order(expected_atoms(conversation), actual)
    if missing is not None:
        report.add("lost", f"{missing} is missing or out of order")
    return report


# --- running ----------------------------------------------------------------------

COUNTS: Counter[tuple[str, str]] = Counter()


def outcome_of(
    conversation: Sequence[Spec], slug: str
) -> dict[str, Any] | SegmindError:
    """The body, or the typed error; any other exception propagates."""
    try:
        messages = [spec.message() for spec in conversation]
        return build_body(to_turns(messages, slug), GenerationOptions(), slug)
    except SegmindError as error:
        return error


def check_outcome(
    conversation: Sequence[Spec],
    slug: str,
    result: dict[str, Any] | SegmindError,
    counts: Counter[tuple[str, str]],
) -> None:
    expected = expected_outcome(conversation, slug)
    counts[(slug, "tried")] += 1
    if isinstance(result, SegmindError):
        counts[(slug, "typed error")] += 1
        assert expected != "ok", f"{slug}: valid input refused: {result!r}"
        return
    counts[(slug, "body")] += 1
    assert expected != "error", f"{slug}: invalid input was sent: {result!r:.300}"
    report = check_body(result, conversation, slug)
    for tag, _ in report.problems:
        if tag in KNOWN_BUGS:
            counts[(slug, f"known-bug {tag}")] += 1
    assert not report.unexpected(), (
        f"{slug}: {report.unexpected()}\nbody: {json.dumps(result)[:600]}"
    )


def report_counts(
    label: str, counts: Counter[tuple[str, str]], cpu_seconds: float
) -> None:
    """Print how many cases were tried, and how they ended, per dialect."""
    print(f"\n[hypothesis] {label}: {cpu_seconds:.1f}s CPU")
    for slug in DIALECTS:
        detail = ", ".join(
            f"{what}={count}"
            for (dialect, what), count in sorted(counts.items())
            if dialect == slug and what != "tried"
        )
        print(f"  {slug}: tried {counts[(slug, 'tried')]} examples ({detail})")


PROPERTY_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(conversation=conversations())
def _body_or_typed_error(conversation: list[Spec]) -> None:
    for slug in DIALECTS:
        check_outcome(conversation, slug, outcome_of(conversation, slug), COUNTS)


def test_random_conversations_give_a_valid_body_or_a_typed_error() -> None:
    COUNTS.clear()
    started = time.process_time()
    _body_or_typed_error()
    report_counts("build_body", COUNTS, time.process_time() - started)
    for slug in DIALECTS:
        assert COUNTS[(slug, "tried")] >= MAX_EXAMPLES
        # Both outcomes must be well represented, or the property is vacuous.
        assert COUNTS[(slug, "body")] >= MAX_EXAMPLES // 5
        assert COUNTS[(slug, "typed error")] >= MAX_EXAMPLES // 10


# --- the same through invoke: core's normalisation, then no request on error ---------

INVOKE_COUNTS: Counter[tuple[str, str]] = Counter()


def invoke_outcome(
    conversation: Sequence[Spec], slug: str
) -> dict[str, Any] | SegmindError:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json={"choices": [{"message": {"content": "ok"}}]})

    llm = ChatSegmind(
        model=slug,
        api_key="k",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    try:
        llm.invoke([spec.message() for spec in conversation])
    except SegmindError as error:
        assert sent == [], "a typed error must come before any request"
        return error
    assert len(sent) == 1
    return sent[0]


def core_safe(item: Item) -> bool:
    """Whether langchain-core's own input handling (run before ours) takes `item`.

    Core 1.7 formats messages for tracing and normalises v0 blocks before the
    model sees them; it raises its own errors for, e.g., base64 image blocks
    without `mime_type` or v0 blocks missing keys. Those are not our input.
    """
    message = HumanMessage([item.value])
    try:
        _format_for_tracing([message])
        _normalize_messages([message])
    except Exception:  # any failure means core refuses it
        return False
    return True


@settings(
    max_examples=INVOKE_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(conversation=conversations())
def _invoke_body_or_typed_error(conversation: list[Spec]) -> None:
    conversation = [
        Spec(
            s.kind,
            tuple(i for i in s.items if core_safe(i)),
            s.as_string,
            s.role,
            s.name,
            s.v1,
        )
        for s in conversation
    ]
    for slug in DIALECTS:
        check_outcome(
            conversation, slug, invoke_outcome(conversation, slug), INVOKE_COUNTS
        )


def test_random_conversations_through_invoke() -> None:
    INVOKE_COUNTS.clear()
    started = time.process_time()
    _invoke_body_or_typed_error()
    report_counts("invoke", INVOKE_COUNTS, time.process_time() - started)
    for slug in DIALECTS:
        assert INVOKE_COUNTS[(slug, "tried")] >= INVOKE_EXAMPLES


# --- the checker itself must catch what it claims to -------------------------------


HELLO = [Spec("human", (Item("Hello", "text", text="Hello"),), as_string=True)]
PICTURE = Media("image", "https://e.com/a.png", None)
WITH_PICTURE = [
    Spec(
        "human",
        (Item("Hello", "text", text="Hello"), Item({}, "image", media=PICTURE)),
    )
]
URL_IMAGE = {"type": "image", "source": {"type": "url", "url": PICTURE.ref}}


def user(content: Any, **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": content, **extra}]}


CHECKER_CASES = [
    pytest.param(
        CLAUDE,
        HELLO,
        {"messages": [{"role": "assistant", "content": "Hello"}]},
        "claude-alternation",
        id="claude-assistant-first",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        {
            "messages": [
                {"role": "user", "content": "Hello"},
                {"role": "user", "content": "b"},
            ]
        },
        "claude-alternation",
        id="claude-not-alternating",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        {"messages": [{"role": "system", "content": "Hello"}]},
        "claude-role",
        id="claude-system-role",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        user([{"type": "text", "text": ""}, {"type": "text", "text": "Hello"}]),
        "claude-text",
        id="claude-empty-text",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        {**user("Hello"), "instruction": 3},
        "claude-instruction",
        id="claude-instruction-type",
    ),
    pytest.param(CLAUDE, HELLO, user("Hi"), "lost", id="claude-text-lost"),
    pytest.param(
        CLAUDE,
        WITH_PICTURE,
        user([URL_IMAGE, {"type": "text", "text": "Hello"}]),
        "lost",
        id="claude-out-of-order",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        user(
            [
                {"type": "text", "text": "Hello"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "", "data": "AA"},
                },
            ]
        ),
        "malformed-media-type",
        id="claude-empty-media-type",
    ),
    pytest.param(
        CLAUDE,
        HELLO,
        user("Hello " + REASONING_MARK),
        "reasoning-sent",
        id="reasoning-sent",
    ),
    pytest.param(
        GPT,
        HELLO,
        {"messages": [{"role": "tool", "content": "Hello"}]},
        "openai-role",
        id="gpt-tool-role",
    ),
    pytest.param(
        GPT,
        HELLO,
        user([{"type": "image_url", "image_url": {"url": "ftp://x"}}]),
        "openai-image",
        id="gpt-ftp-image",
    ),
    pytest.param(
        GPT,
        [Spec("human", HELLO[0].items, as_string=True, name="Jo Do")],
        user("Hello", name="Jo Do"),
        "openai-name-pattern",
        id="gpt-name-pattern",
    ),
    pytest.param(GPT, HELLO, user("Hello", name="x"), "openai-name", id="gpt-name"),
    pytest.param(
        GPT,
        [Spec("ai", (Item({}, "image", media=PICTURE),))],
        {
            "messages": [
                {
                    "role": "assistant",
                    "content": [
                        {"type": "image_url", "image_url": {"url": PICTURE.ref}}
                    ],
                }
            ]
        },
        "openai-media-outside-user",
        id="gpt-assistant-image",
    ),
    pytest.param(
        CLAUDE,
        [Spec("ai", (Item({}, "image", media=PICTURE),))],
        {
            "messages": [
                {"role": "user", "content": "(conversation start)"},
                {"role": "assistant", "content": [URL_IMAGE]},
            ]
        },
        "claude-media-in-assistant",
        id="claude-assistant-image",
    ),
    pytest.param(
        GPT,
        WITH_PICTURE,
        user("Hello"),
        "lost",
        id="gpt-image-lost",
    ),
    pytest.param(GPT, HELLO + HELLO, user("Hello"), "openai-count", id="gpt-count"),
]


@pytest.mark.parametrize(("slug", "conversation", "body", "tag"), CHECKER_CASES)
def test_checker_catches_broken_bodies(
    slug: str, conversation: list[Spec], body: dict[str, Any], tag: str
) -> None:
    report = check_body(body, conversation, slug)
    assert tag in {problem[0] for problem in report.problems}


def test_checker_accepts_a_correct_body() -> None:
    conversation = [
        Spec("system", (Item("Be brief.", "text", text="Be brief."),), as_string=True),
        Spec(
            "human", (Item("Hello", "text", text="Hello"),), as_string=True, name="al"
        ),
    ]
    claude = {
        "messages": [{"role": "user", "content": "Hello"}],
        "instruction": "Be brief.",
    }
    gpt = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello", "name": "al"},
        ]
    }
    assert check_body(claude, conversation, CLAUDE).problems == []
    assert check_body(gpt, conversation, GPT).problems == []
