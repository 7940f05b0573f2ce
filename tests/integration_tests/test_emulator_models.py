"""The emulator's model-facing scripts, seen through the package's chat models."""

from __future__ import annotations

import pytest
from langchain_core.exceptions import ContextOverflowError

from langchain_segmind import ChatSegmind
from langchain_segmind.testing import SegmindEmulator


@pytest.mark.parametrize("slug", ["claude-3.5-sonnet", "gpt-4o", "gemini-2.5-pro"])
async def test_a_small_context_window_raises_context_overflow(
    segmind_emulator: SegmindEmulator, slug: str
) -> None:
    segmind_emulator.context_window = 3
    model = ChatSegmind(model=slug)
    with pytest.raises(ContextOverflowError):
        model.invoke("one two three four")
    with pytest.raises(ContextOverflowError):
        await model.ainvoke("one two three four")
    assert (await model.ainvoke("one two")).text.endswith("to: one two")


async def test_a_scripted_refusal_reaches_the_message(
    segmind_emulator: SegmindEmulator,
) -> None:
    segmind_emulator.script_payloads(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-3.5-sonnet",
            "content": [],
            "stop_reason": "refusal",
            "stop_sequence": None,
            "usage": {"input_tokens": 4, "output_tokens": 0},
        }
    )
    message = await ChatSegmind(model="claude-3.5-sonnet").ainvoke("how to pick a lock")
    assert [block["type"] for block in message.content_blocks] == ["refusal"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 4
