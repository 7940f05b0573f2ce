"""Calls as the README writes them, for `mypy --strict` (the lint step).

Type checkers must accept what runs: plain-string keys, `model` and the other
aliases, body fields as arguments, on the two default classes as on
`ChatSegmind`; structured output as the schema's type; the fake clock as
itself. And refuse what does not: a misspelled export, or an argument of the
wrong type, is an error (each `type: ignore` below is used, or mypy reports it
unused), not `Any`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage
from pydantic import BaseModel

from langchain_segmind import (
    ChatSegmind,
    ChatSegmindClaude,
    ChatSegmindGPT4o,
    SegmindTimeoutError,
)
from langchain_segmind.testing import FakeClock
from langchain_segmind.transport.deadline import replaced_clock

if TYPE_CHECKING:
    from langchain_segmind import ChatSegmnd  # type: ignore[attr-defined]  # noqa: F401
    from langchain_segmind.testing import FakeClok  # type: ignore[attr-defined]  # noqa: F401


def readme_models() -> list[ChatSegmind]:
    """Build the README's models; never called, only type-checked."""
    return [
        ChatSegmindClaude(temperature=0.1),
        ChatSegmindClaude(api_key="test", model="claude-4-sonnet", stop=["\n\n"]),
        ChatSegmindGPT4o(timeout=30, max_retries=1, model_name="gpt-4o"),
        ChatSegmind(
            model="gpt-4o", api_key="test", base_url="http://127.0.0.1:8080/v1"
        ),
    ]


def typed_arguments() -> list[ChatSegmind]:
    """Arguments by their type, aliases and body fields beside them; never called."""
    return [
        ChatSegmind(model="gpt-4o", segmind_api_key="test", top_p=0.9),
        ChatSegmind(model_name="gpt-4o", stop_sequences="END", request_timeout=30),
        ChatSegmindClaude(max_tokens_to_sample=64, api_version="v2", tags=["t"]),
        ChatSegmind(model=42),  # type: ignore[arg-type]
        ChatSegmindClaude(temperature="0.1"),  # type: ignore[arg-type]
        ChatSegmindGPT4o(api_version="v3"),  # type: ignore[arg-type]
    ]


def slug(model: ChatSegmind) -> str:
    """`ChatOpenAI`'s name for the slug, as a string; never called."""
    return model.model_name


class Joke(BaseModel):
    """A joke."""

    setup: str


def structured_joke(model: ChatSegmind) -> str:
    """Read a structured answer as its schema's type; never called."""
    joke: Joke = model.with_structured_output(Joke).invoke("a joke")
    return joke.setup


def clock_waits(model: ChatSegmind) -> list[float]:
    """The FakeClock example of the testing docs; never called."""
    with replaced_clock(FakeClock()) as clock:
        model.invoke("hi")
    return clock.waits


def resumed(queued: ChatSegmind) -> AIMessage:
    """The README's resume of a job that outlived `timeout`; never called."""
    try:
        return queued.invoke("a long essay on patience")
    except SegmindTimeoutError as error:
        if error.job is None:  # the job's id never came: nothing to collect
            raise
        return queued.resume(error.job)
