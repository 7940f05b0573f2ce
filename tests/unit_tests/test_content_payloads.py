"""Exact request bodies for text, message names, system messages and turn rules.

Every test goes through the public chat classes (`invoke`, so langchain-core's
own input normalisation runs first) to the tier's recorder, which keeps each
JSON body. Errors must be typed and raised before any request. Images, PDFs and
audio are in `test_content_media.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
)

from langchain_segmind import (
    SegmindInputError,
    SegmindUnsupportedContentError,
)

from ._payloads import (
    CLAUDE,
    GPT,
    IMG_URL,
    PDF,
    PNG,
    PNG_URI,
    SLUGS,
    Wire,
    claude_image,
    claude_url,
    gpt_image,
    user_body,
)

OPENER = "(conversation start)"


# --- strings and text blocks ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected_claude", "expected_gpt"),
    [
        pytest.param("Hello, Segmind", "Hello, Segmind", "Hello, Segmind", id="string"),
        pytest.param(
            "héllo 🌍 — 日本語", "héllo 🌍 — 日本語", "héllo 🌍 — 日本語", id="unicode"
        ),
        pytest.param(["Hello"], "Hello", "Hello", id="list-of-one-string"),
        pytest.param(
            [{"type": "text", "text": "Hello"}], "Hello", "Hello", id="one-text-block"
        ),
        pytest.param(
            ["Hello", {"type": "text", "text": "world"}],
            [{"type": "text", "text": "Hello"}, {"type": "text", "text": "world"}],
            "Helloworld",
            id="string-and-text-block",
        ),
        pytest.param(
            [{"type": "text-plain", "text": "notes", "mime_type": "text/plain"}],
            "notes",
            "notes",
            id="v1-text-plain",
        ),
        pytest.param(
            [
                {
                    "type": "text-plain",
                    "base64": "bm90ZXMg4pyT",
                    "mime_type": "text/plain",
                }
            ],
            "notes ✓",
            "notes ✓",
            id="v1-text-plain-base64",
        ),
        pytest.param(
            [
                {
                    "type": "text",
                    "text": "cached",
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            "cached",
            "cached",
            id="text-block-extra-keys",
        ),
        pytest.param(
            ["", {"type": "text", "text": "Hi"}, {"type": "text", "text": ""}],
            "Hi",
            "Hi",
            id="empty-strings-in-a-list",
        ),
    ],
)
def test_text_content_payload(
    wire: Wire, content: Any, expected_claude: Any, expected_gpt: Any
) -> None:
    messages: list[BaseMessage] = [HumanMessage(content)]
    assert wire.body(CLAUDE, messages) == user_body(CLAUDE, expected_claude)
    assert wire.body(GPT, messages) == user_body(GPT, expected_gpt)


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ({"base64": "//79", "mime_type": "text/plain"}, "not UTF-8 text"),
        ({"url": "https://example.com/a.txt"}, "text-plain block without text"),
        ({"base64": "aGk=!!", "mime_type": "text/plain"}, "base64"),
    ],
    ids=["not-utf-8", "by-url", "not-base64"],
)
def test_text_plain_without_readable_text_is_refused(
    wire: Wire, recorder: Any, block: dict[str, Any], error: str
) -> None:
    message = HumanMessage([{"type": "text-plain", **block}])

    with pytest.raises(SegmindInputError, match=error):
        wire.body(GPT, [message])
    assert recorder.requests == []


def test_a_system_messages_name_is_sent_to_openai_slugs(wire: Wire) -> None:
    messages: list[BaseMessage] = [
        SystemMessage("Be brief.", name="policy"),
        HumanMessage("Hi"),
    ]

    assert wire.body(GPT, messages)["messages"][0] == {
        "role": "system",
        "content": "Be brief.",
        "name": "policy",
    }


# --- turn rules ------------------------------------------------------------------


def test_claude_system_messages_become_one_instruction(wire: Wire) -> None:
    messages: list[BaseMessage] = [
        SystemMessage("Be brief."),
        HumanMessage("Hi"),
        SystemMessage([{"type": "text", "text": "Answer in French."}]),
        ChatMessage(role="developer", content="No emoji."),
        ChatMessage(role="system", content=""),
        AIMessage("Bonjour"),
    ]
    assert wire.body(CLAUDE, messages) == {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Bonjour"},
        ],
        "instruction": "Be brief.\n\nAnswer in French.\n\nNo emoji.",
    }
    assert wire.body(GPT, messages) == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "system", "content": "Answer in French."},
            {"role": "system", "content": "No emoji."},
            {"role": "system", "content": ""},
            {"role": "assistant", "content": "Bonjour"},
        ]
    }


def test_claude_merges_consecutive_turns_keeping_part_order(wire: Wire) -> None:
    messages: list[BaseMessage] = [
        HumanMessage("First"),
        HumanMessage(
            [
                {"type": "image", "base64": PNG, "mime_type": "image/png"},
                "Second",
            ]
        ),
        HumanMessage([{"type": "image_url", "image_url": {"url": IMG_URL}}]),
        AIMessage("One"),
        AIMessage([{"type": "text", "text": "Two"}]),
        HumanMessage("Third"),
    ]
    assert wire.body(CLAUDE, messages) == {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "First"},
                    claude_image(PNG, "image/png"),
                    {"type": "text", "text": "Second"},
                    claude_url("image", IMG_URL),
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "One"},
                    {"type": "text", "text": "Two"},
                ],
            },
            {"role": "user", "content": "Third"},
        ]
    }
    assert wire.body(GPT, messages) == {
        "messages": [
            {"role": "user", "content": "First"},
            {
                "role": "user",
                "content": [gpt_image(PNG_URI), {"type": "text", "text": "Second"}],
            },
            {"role": "user", "content": [gpt_image(IMG_URL)]},
            {"role": "assistant", "content": "One"},
            {"role": "assistant", "content": "Two"},
            {"role": "user", "content": "Third"},
        ]
    }


def test_claude_drops_empty_turns_and_merges_around_them(wire: Wire) -> None:
    messages: list[BaseMessage] = [
        HumanMessage("Hi"),
        AIMessage(""),
        AIMessage([]),
        HumanMessage(["", {"type": "text", "text": ""}]),
        HumanMessage("Again"),
    ]
    assert wire.body(CLAUDE, messages) == {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Hi"},
                    {"type": "text", "text": "Again"},
                ],
            }
        ]
    }
    assert wire.body(GPT, messages) == {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": ""},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": ""},
            {"role": "user", "content": "Again"},
        ]
    }


@pytest.mark.parametrize(
    ("messages", "expected_claude"),
    [
        pytest.param(
            [AIMessage("Hello! How can I help?"), HumanMessage("Hi")],
            {
                "messages": [
                    {"role": "user", "content": OPENER},
                    {"role": "assistant", "content": "Hello! How can I help?"},
                    {"role": "user", "content": "Hi"},
                ]
            },
            id="assistant-first",
        ),
        pytest.param(
            [SystemMessage("Be kind."), AIMessage("Welcome."), HumanMessage("Hi")],
            {
                "messages": [
                    {"role": "user", "content": OPENER},
                    {"role": "assistant", "content": "Welcome."},
                    {"role": "user", "content": "Hi"},
                ],
                "instruction": "Be kind.",
            },
            id="system-then-assistant",
        ),
        pytest.param(
            [HumanMessage(""), AIMessage("Welcome."), HumanMessage("Hi")],
            {
                "messages": [
                    {"role": "user", "content": OPENER},
                    {"role": "assistant", "content": "Welcome."},
                    {"role": "user", "content": "Hi"},
                ]
            },
            id="empty-user-then-assistant",
        ),
        pytest.param(
            [AIMessage(["Sure.", {"type": "text", "text": " Here it is."}])],
            {
                "messages": [
                    {"role": "user", "content": OPENER},
                    {
                        "role": "assistant",
                        "content": [
                            {"type": "text", "text": "Sure."},
                            {"type": "text", "text": " Here it is."},
                        ],
                    },
                ]
            },
            id="only-assistant",
        ),
    ],
)
def test_claude_leading_assistant_turn_gets_a_user_opener(
    wire: Wire, messages: list[BaseMessage], expected_claude: dict[str, Any]
) -> None:
    assert wire.body(CLAUDE, messages) == expected_claude


def test_gpt_keeps_a_leading_assistant_turn(wire: Wire) -> None:
    messages: list[BaseMessage] = [AIMessage("Welcome."), HumanMessage("Hi")]
    assert wire.body(GPT, messages) == {
        "messages": [
            {"role": "assistant", "content": "Welcome."},
            {"role": "user", "content": "Hi"},
        ]
    }


@pytest.mark.parametrize("slug", [CLAUDE, GPT])
@pytest.mark.parametrize(
    "assistant",
    [AIMessage, lambda content: ChatMessage(content, role="assistant")],
    ids=["ai-message", "chat-message"],
)
def test_bedrocks_reasoning_in_the_history_is_not_sent(
    wire: Wire, slug: str, assistant: Callable[[Any], BaseMessage]
) -> None:
    # As ChatBedrockConverse writes it, when a Segmind model takes over its history.
    reasoning = {
        "type": "reasoning_content",
        "reasoning_content": {"text": "Let me think.", "signature": "c2ln"},
    }
    messages: list[BaseMessage] = [
        HumanMessage("Hi"),
        assistant([reasoning, {"type": "text", "text": "Hello"}]),
        HumanMessage("Again"),
    ]

    assert wire.body(slug, messages)["messages"][1] == {
        "role": "assistant",
        "content": "Hello",
    }


@pytest.mark.parametrize(
    "messages",
    [
        pytest.param([SystemMessage("Only a system prompt")], id="system-only"),
        pytest.param([HumanMessage("")], id="empty-string"),
        pytest.param([HumanMessage([]), AIMessage("")], id="all-empty"),
        pytest.param(
            [
                AIMessage(
                    [{"type": "reasoning", "reasoning": "hmm"}],
                    response_metadata={"output_version": "v1"},
                )
            ],
            id="only-reasoning",
        ),
    ],
)
def test_claude_with_nothing_to_send_fails_before_any_request(
    wire: Wire,
    messages: list[BaseMessage],
) -> None:
    error = wire.error(CLAUDE, messages)
    assert isinstance(error, SegmindInputError)
    assert "no user or assistant message" in str(error)


@pytest.mark.parametrize("slug", SLUGS)
def test_empty_message_list_fails_before_any_request(wire: Wire, slug: str) -> None:
    error = wire.error(slug, [])
    assert isinstance(error, SegmindInputError)
    assert "empty" in str(error)


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            CLAUDE,
            {
                "messages": [
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"},
                ]
            },
        ),
        (
            GPT,
            {
                "messages": [
                    {"role": "user", "content": "Hi", "name": "alice"},
                    {"role": "assistant", "content": "Hello", "name": "helper_bot"},
                ]
            },
        ),
    ],
)
def test_message_names_kept_for_gpt_and_dropped_for_claude(
    wire: Wire, slug: str, expected: dict[str, Any]
) -> None:
    messages: list[BaseMessage] = [
        HumanMessage("Hi", name="alice"),
        AIMessage("Hello", name="helper_bot"),
    ]
    assert wire.body(slug, messages) == expected


def test_gpt_message_name_must_match_openai_name_pattern(wire: Wire) -> None:
    model = wire.model(GPT)
    try:
        model.invoke([HumanMessage("Hi", name="Jane Doe")])
    except SegmindInputError:
        assert wire.recorder.bodies == []
        return
    sent = wire.recorder.bodies[0]["messages"][0]
    assert "name" not in sent or re.fullmatch(r"[a-zA-Z0-9_-]+", sent["name"])


def test_a_gpt_message_name_longer_than_openai_allows_is_cut_to_64(
    wire: Wire,
) -> None:
    name = "agent_" + "x" * 74  # 80 characters; OpenAI takes at most 64

    body = wire.body(GPT, [HumanMessage("Hi", name=name)])

    assert body["messages"] == [{"role": "user", "content": "Hi", "name": name[:64]}]


@pytest.mark.parametrize(
    ("role", "mapped"),
    [
        ("user", "user"),
        ("human", "user"),
        ("USER", "user"),
        ("Human", "user"),
        ("assistant", "assistant"),
        ("ai", "assistant"),
        ("AI", "assistant"),
    ],
)
def test_chat_message_conversation_roles(wire: Wire, role: str, mapped: str) -> None:
    messages: list[BaseMessage] = [
        HumanMessage("Start"),
        ChatMessage(role=role, content="Custom"),
    ]
    gpt = wire.body(GPT, messages)["messages"]
    assert gpt[1] == {"role": mapped, "content": "Custom"}
    claude = wire.body(CLAUDE, messages)["messages"]
    if mapped == "user":
        assert claude == [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Start"},
                    {"type": "text", "text": "Custom"},
                ],
            }
        ]
    else:
        assert claude == [
            {"role": "user", "content": "Start"},
            {"role": "assistant", "content": "Custom"},
        ]


@pytest.mark.parametrize("role", ["system", "developer", "System", "DEVELOPER"])
def test_chat_message_system_roles(wire: Wire, role: str) -> None:
    messages: list[BaseMessage] = [
        ChatMessage(role=role, content="Rules."),
        HumanMessage("Hi"),
    ]
    assert wire.body(CLAUDE, messages) == {
        "messages": [{"role": "user", "content": "Hi"}],
        "instruction": "Rules.",
    }
    assert wire.body(GPT, messages) == {
        "messages": [
            {"role": "system", "content": "Rules."},
            {"role": "user", "content": "Hi"},
        ]
    }


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    "role", ["tool", "function", "bot", "model", "", " user", "narrator"]
)
def test_chat_message_unknown_role_is_an_input_error(
    wire: Wire, slug: str, role: str
) -> None:
    error = wire.error(slug, [ChatMessage(role=role, content="x")])
    assert type(error) is SegmindInputError
    assert f"ChatMessage role {role!r}" in str(error)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    ("message_factory", "match"),
    [
        pytest.param(
            lambda: FunctionMessage(name="f", content="42"),
            "FunctionMessage belongs to OpenAI's retired functions API",
            id="FunctionMessage",
        ),
        pytest.param(
            lambda: RemoveMessage(id="m1"),
            "RemoveMessage is a LangGraph state instruction",
            id="RemoveMessage",
        ),
    ],
)
def test_retired_and_state_messages_are_input_errors(
    wire: Wire, slug: str, message_factory: Callable[[], BaseMessage], match: str
) -> None:
    error = wire.error(slug, [HumanMessage("Hi"), message_factory()])
    assert type(error) is SegmindInputError
    assert match in str(error)


class Note(BaseMessage):
    """A message type of an application's own, unknown to LangChain's helpers."""

    type: Literal["note"] = "note"


@pytest.mark.parametrize("slug", SLUGS)
def test_a_message_type_of_its_own_is_an_input_error(wire: Wire, slug: str) -> None:
    error = wire.error(slug, [HumanMessage("Hi"), Note(content="remember this")])
    assert type(error) is SegmindInputError
    assert str(error) == "unsupported message type Note"


@pytest.mark.parametrize(
    ("block", "block_type"),
    [
        pytest.param(
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            "image",
            id="image",
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": IMG_URL}},
            "image",
            id="image-url",
        ),
        pytest.param(
            {"type": "file", "base64": PDF, "mime_type": "application/pdf"},
            "pdf",
            id="pdf",
        ),
    ],
)
def test_claude_system_message_takes_only_text(
    wire: Wire, block: dict[str, Any], block_type: str
) -> None:
    messages = [SystemMessage(["Rules", block]), HumanMessage("Hi")]
    error = wire.error(CLAUDE, messages)
    assert isinstance(error, SegmindUnsupportedContentError)
    assert (error.block_type, error.model) == (block_type, CLAUDE)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(
            SystemMessage(["Rules", {"type": "image", "url": IMG_URL}]), id="system"
        ),
        pytest.param(
            AIMessage([{"type": "image", "base64": PNG, "mime_type": "image/png"}]),
            id="assistant",
        ),
        pytest.param(
            ChatMessage(
                role="developer",
                content=[
                    {"type": "file", "base64": PDF, "mime_type": "application/pdf"}
                ],
            ),
            id="developer-pdf",
        ),
    ],
)
def test_gpt_media_outside_user_messages_is_refused(
    wire: Wire, message: BaseMessage
) -> None:
    messages = [HumanMessage("Hi"), message, HumanMessage("And?")]
    error = wire.error(GPT, messages)
    assert isinstance(error, SegmindUnsupportedContentError)


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(
            {"type": "image", "base64": PNG, "mime_type": "image/png"}, id="image"
        ),
        pytest.param(
            {"type": "image_url", "image_url": {"url": IMG_URL}}, id="image-url"
        ),
        pytest.param(
            {"type": "file", "base64": PDF, "mime_type": "application/pdf"}, id="pdf"
        ),
    ],
)
def test_claude_media_in_assistant_turns_is_refused(
    wire: Wire, block: dict[str, Any]
) -> None:
    messages = [HumanMessage("Draw"), AIMessage(["Here:", block]), HumanMessage("Nice")]
    error = wire.error(CLAUDE, messages)
    assert isinstance(error, SegmindUnsupportedContentError)


# --- histories written with output_version="v1" ----------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_v1_answers_of_this_model_go_back_out(wire: Wire, slug: str) -> None:
    llm = wire.model(slug, output_version="v1")
    first = llm.invoke([HumanMessage("Hi")])
    assert isinstance(first.content, list)
    assert first.response_metadata.get("output_version") == "v1"
    llm.invoke([HumanMessage("Hi"), first, HumanMessage("More")])
    assert wire.recorder.bodies[1] == {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "echo: Hi"},
            {"role": "user", "content": "More"},
        ]
    }


# --- known bugs at the edges of content ---------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(" ", id="string"),
        pytest.param(
            ["\n", {"type": "image_url", "image_url": {"url": IMG_URL}}], id="block"
        ),
    ],
)
def test_claude_never_sends_whitespace_only_text(wire: Wire, content: Any) -> None:
    model = wire.model(CLAUDE)
    try:
        model.invoke([HumanMessage("Hi"), AIMessage("Yes?"), HumanMessage(content)])
    except SegmindInputError:
        return
    for message in wire.recorder.bodies[0]["messages"]:
        texts = (
            [message["content"]]
            if isinstance(message["content"], str)
            else [b["text"] for b in message["content"] if b["type"] == "text"]
        )
        assert all(text.strip() for text in texts), message


@pytest.mark.parametrize("slug", SLUGS)
def test_lone_surrogate_text_goes_out_as_the_replacement_character(
    wire: Wire, slug: str
) -> None:
    # A model's reply can hold one (its JSON escaped half an emoji), and the
    # reply goes back in the next request's history; strict JSON parsers
    # refuse the escape of a lone surrogate.
    # Two halves side by side (texts joined) are one emoji.
    reply = AIMessage("half an emoji: \ud83d, two: \ud83d\ude00")
    history = [HumanMessage("Hi"), reply, "And?"]

    wire.model(slug).invoke(history)

    assert wire.recorder.last.body["messages"][1]["content"] in (
        "half an emoji: \ufffd, two: \U0001f600",
        [{"type": "text", "text": "half an emoji: \ufffd, two: \U0001f600"}],
    )
