"""Input refused before sending: media the profile refuses, deep or circular content.

Also what `resume` refuses, and the trimming of a final Claude prefill (and a
blank last message that would leave one).
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindGPT4o,
    SegmindInputError,
    SegmindUnsupportedContentError,
)

from ._payloads import F

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PNG = base64.b64encode((FIXTURES / "tiny.png").read_bytes()).decode()
WAV = base64.b64encode((FIXTURES / "tiny.wav").read_bytes()).decode()
IMAGE = {"type": "image", "base64": PNG, "mime_type": "image/png"}
AUDIO = {"type": "audio", "base64": WAV, "mime_type": "audio/wav"}
PDF = {
    "type": "file",
    "url": "https://example.com/a.pdf",
    "mime_type": "application/pdf",
}


@pytest.mark.parametrize(
    ("slug", "block", "kind"),
    [
        ("gpt-4", IMAGE, "image"),
        ("gpt-4", PDF, "pdf"),
        ("gpt-4o", AUDIO, "audio"),
        ("claude-4.5-sonnet", AUDIO, "audio"),
    ],
)
def test_media_the_profile_refuses_is_not_sent(
    recorder: Any, make_model: Any, call: Any, slug: str, block: Any, kind: str
) -> None:
    model = make_model(ChatSegmind, model=slug)
    with pytest.raises(SegmindUnsupportedContentError) as caught:
        call(model, [HumanMessage([{"type": "text", "text": "What?"}, block])])
    assert (caught.value.block_type, caught.value.model) == (kind, slug)
    assert slug in str(caught.value)
    assert recorder.requests == []


def test_media_in_a_tool_result_is_checked_too(recorder: Any, make_model: Any) -> None:
    model = make_model(ChatSegmind, model="gpt-4")
    messages = [
        HumanMessage("Look"),
        AIMessage("", tool_calls=[{"id": "c1", "name": "shot", "args": {}}]),
        ToolMessage([IMAGE], tool_call_id="c1"),
    ]
    with pytest.raises(SegmindUnsupportedContentError, match="gpt-4"):
        model.invoke(messages)
    assert recorder.requests == []


def test_slug_without_profile_sends_media(recorder: Any, make_model: Any) -> None:
    make_model(ChatSegmind, model="a-new-model").invoke([HumanMessage([AUDIO])])
    assert recorder.last.body["messages"][0]["content"] == [
        {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}}
    ]


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"type": "nest", "inner": [value]}
    return value


def circular_block() -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": "hi"}
    block["self"] = block
    return block


@pytest.mark.parametrize(
    ("messages", "where"),
    [
        pytest.param(
            [HumanMessage([{"type": "non_standard", "value": nested(5000)}])],
            "message 0 (HumanMessage)",
            id="non-standard-block",
        ),
        pytest.param(
            [
                HumanMessage(
                    [
                        {
                            "type": "tool_result",
                            "tool_use_id": "c1",
                            "content": [nested(5000)],
                        }
                    ]
                )
            ],
            "message 0 (HumanMessage)",
            id="anthropic-tool-result",
        ),
        pytest.param(
            [
                HumanMessage("Hi"),
                AIMessage(
                    "", tool_calls=[{"id": "c1", "name": "f", "args": nested(5000)}]
                ),
            ],
            "message 1 (AIMessage)",
            id="tool-call-args",
        ),
        pytest.param(
            [
                HumanMessage("Hi"),
                AIMessage([{"type": "tool_use", "id": "c1", "input": nested(5000)}]),
            ],
            "message 1 (AIMessage)",
            id="call-block-without-tool-calls",
        ),
        pytest.param(
            [HumanMessage("Hi"), HumanMessage([circular_block()])],
            "message 1 (HumanMessage)",
            id="circular-block",
        ),
    ],
)
def test_content_too_deep_or_circular_is_an_input_error(
    recorder: Any, claude: Any, call: Any, messages: list[Any], where: str
) -> None:
    with pytest.raises(
        SegmindInputError, match=f"^{where.replace('(', '.').replace(')', '.')}"
    ):
        call(claude, messages)
    assert recorder.requests == []


NEITHER = "must be a string or a list, got"


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        (None, NEITHER),
        (5, NEITHER),
        ({"type": "text", "text": "Hi"}, NEITHER),
        ([5], "content blocks must be strings or dicts with a 'type', got 5"),
    ],
    ids=["none", "number", "block", "list-of-a-number"],
)
@pytest.mark.parametrize(
    "message",
    [HumanMessage("Hi"), AIMessage("Hi"), ToolMessage("Hi", tool_call_id="c1")],
)
def test_content_set_to_neither_text_nor_a_list_of_blocks_is_an_input_error(
    recorder: Any, gpt: Any, content: Any, refused: str, message: Any
) -> None:
    message = message.model_copy()
    message.content = content  # LangChain checks content only when building
    with pytest.raises(SegmindInputError, match=refused):
        gpt.invoke([HumanMessage("Hi"), message])
    assert recorder.requests == []


def test_shared_blocks_are_not_circular(recorder: Any, gpt: Any) -> None:
    shared = {"type": "text", "text": "same"}
    message = HumanMessage("")
    message.content = [shared, shared]  # built with them, it would hold copies
    gpt.invoke([message])
    assert recorder.last.body["messages"][0]["content"] == "samesame"


def test_content_that_contains_itself_is_refused_as_such(
    recorder: Any, gpt: Any
) -> None:
    block: dict[str, Any] = {"type": "text", "text": "Hi"}
    block["extra"] = [block]
    with pytest.raises(SegmindInputError, match="content that contains itself"):
        gpt.invoke([HumanMessage([block])])
    assert recorder.requests == []


def test_content_may_nest_100_levels_deep_not_101(recorder: Any, gpt: Any) -> None:
    def message(levels: int) -> HumanMessage:
        deep: dict[str, Any] = {}
        for _ in range(levels - 3):  # inside the content's list and its block
            deep = {"a": deep}
        return HumanMessage([{"type": "text", "text": "Hi", "extra": deep}])

    gpt.invoke([message(100)])
    with pytest.raises(SegmindInputError, match="nested more than 100 levels deep"):
        gpt.invoke([message(101)])
    assert recorder.count == 1


def test_nesting_under_the_limit_is_sent(recorder: Any, claude: Any) -> None:
    args = nested(50, leaf=1)
    claude.invoke(
        [
            HumanMessage("Hi"),
            AIMessage("", tool_calls=[{"id": "c", "name": "f", "args": args}]),
        ]
    )
    assert recorder.requests


def test_a_call_read_at_the_depth_limit_goes_back_from_a_v1_message(
    make_model: Any, recorder: Any
) -> None:
    arguments: dict[str, Any] = {}
    for _ in range(99):  # 100 levels: the most a call read from a reply may have
        arguments = {"a": arguments}
    call = json.dumps({"name": "f", "arguments": arguments})
    recorder.reply(recorder.openai_payload(f"<tool_call>{call}</tool_call>"))
    model = make_model(ChatSegmindGPT4o, output_version="v1").bind_tools([F])
    reply = model.invoke("Hi")
    assert [c["args"] for c in reply.tool_calls] == [arguments]

    model.invoke([HumanMessage("Hi"), reply])

    assert recorder.count == 2


def test_shared_arguments_cannot_hide_their_depth(gpt, recorder):
    node: dict[str, Any] = {"leaf": 1}
    links = []
    for _ in range(15):  # each link wraps the previous one 90 levels deeper
        for _ in range(90):
            node = {"a": node}
        links.append(node)
    call = {"name": "f", "args": {"links": links[::-1]}, "id": "c1"}

    with pytest.raises(SegmindInputError, match=r"message 1 \(AIMessage\)"):
        gpt.invoke([HumanMessage("hi"), AIMessage("", tool_calls=[call])])
    assert recorder.count == 0


def test_arguments_sharing_their_parts_are_walked_once_each(gpt, recorder):
    # Walked path by path, the 2**40 paths through the shared parts never end.
    wide: dict[str, Any] = {"leaf": 1}
    for _ in range(40):
        wide = {"a": wide, "b": wide}
    args = {"deep": nested(60), "wide": wide}  # "wide" is walked first
    call = {"name": "f", "args": args, "id": "c1"}

    with pytest.raises(SegmindInputError, match="nested more than 100 levels deep"):
        gpt.invoke([HumanMessage("hi"), AIMessage("", tool_calls=[call])])
    assert recorder.count == 0


def test_audio_to_a_claude_slug_without_profile_is_refused(
    recorder: Any, make_model: Any, call: Any
) -> None:
    # No profile to refuse it first: the Anthropic dialect itself has no audio.
    model = make_model(ChatSegmind, model="claude-future-9")
    with pytest.raises(SegmindUnsupportedContentError) as caught:
        call(model, [HumanMessage(["Transcribe this", AUDIO])])
    assert (caught.value.block_type, caught.value.model) == ("audio", "claude-future-9")
    assert str(caught.value).endswith(
        "Claude models take text, images and PDF documents"
    )
    assert recorder.requests == []


def test_an_assistant_text_ending_in_white_space_is_trimmed_only_when_last(
    recorder: Any, claude: Any
) -> None:
    # Anthropic refuses a final assistant turn (a prefill) ending in white space.
    claude.invoke([HumanMessage("Hi"), AIMessage("Sure:  \n"), HumanMessage("Go\n")])
    claude.invoke(
        [HumanMessage("Hi"), AIMessage(["Sure", {"type": "text", "text": ": \n"}])]
    )
    assert recorder.bodies[0]["messages"][1:] == [
        {"role": "assistant", "content": "Sure:  \n"},
        {"role": "user", "content": "Go\n"},  # a user's text is never trimmed
    ]
    assert recorder.bodies[1]["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Sure"}, {"type": "text", "text": ":"}],
    }


@pytest.mark.parametrize("blank", ["", " \n", [{"type": "text", "text": " "}]])
def test_a_blank_last_message_after_claudes_is_refused_not_dropped(
    recorder: Any, claude: Any, blank: Any
) -> None:
    # Dropped, it would leave a prefill: Claude would go on with "Sure?".
    with pytest.raises(SegmindInputError, match="the last message has no text"):
        claude.invoke([HumanMessage("Hi"), AIMessage("Sure?"), HumanMessage(blank)])
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("job", "kind"),
    [
        pytest.param(None, "NoneType", id="an-error-without-a-job"),
        pytest.param({"request_id": "r1", "model": "gpt-4o"}, "dict", id="to-dict"),
        pytest.param(42, "int", id="a-number"),
    ],
)
@pytest.mark.parametrize("api", ["resume", "aresume"])
def test_resume_refuses_what_is_no_job_nor_request_id(
    recorder: Any, gpt: Any, api: str, job: Any, kind: str
) -> None:
    def resume() -> Any:
        return gpt.resume(job) if api == "resume" else asyncio.run(gpt.aresume(job))

    with pytest.raises(SegmindInputError) as caught:
        resume()
    assert str(caught.value) == (
        f"resume takes a SegmindJob or a request id, got {kind}"
    )
    assert recorder.requests == []
