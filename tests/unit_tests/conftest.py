"""Shared fixtures of the unit tier: a scripted fake Segmind, fake time, models.

Nothing here touches the network or really sleeps: every model built by the
fixtures is given httpx2 clients whose transport is an `httpx2.MockTransport`
answering from a `Recorder` (the tier's one fake), and waits on the package's
`FakeClock`.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage

from langchain_segmind import ChatSegmind, ChatSegmindClaude, ChatSegmindGPT4o
from langchain_segmind.testing import FakeClock
from langchain_segmind.transport.deadline import replaced_clock

from ._payloads import KEY, Wire

# The fixed "now" of the fake clock; rate-limit reset times are relative to it.
FAKE_NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

# Headers Segmind sends with every successful answer.
DEFAULT_ANSWER_HEADERS = {
    "x-remaining-credits": "5506.989519907738",
    "x-cost": "0.0123",
    "x-request-id": "req-default",
    "x-generation-time": "1.92",
}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never depend on the developer's Segmind settings."""
    monkeypatch.delenv("SEGMIND_API_KEY", raising=False)
    monkeypatch.delenv("SEGMIND_BASE_URL", raising=False)


# -- answer bodies, in the three shapes Segmind passes through ---------------------


def anthropic_payload(text: str = "Hello!", **fields: Any) -> dict[str, Any]:
    """An Anthropic Messages answer; `fields` replace or add top-level keys."""
    payload: dict[str, Any] = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-sonnet-20240620",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 31, "output_tokens": 4},
    }
    payload.update(fields)
    return payload


def openai_payload(
    text: Any = "Hello!", *, finish_reason: str = "stop", **fields: Any
) -> dict[str, Any]:
    """An OpenAI chat.completion answer; `fields` replace or add top-level keys."""
    payload: dict[str, Any] = {
        "id": "chatcmpl-01",
        "object": "chat.completion",
        "created": 1767268800,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 289, "completion_tokens": 7, "total_tokens": 296},
        "system_fingerprint": "fp_01",
    }
    payload.update(fields)
    return payload


def gemini_payload(
    *texts: str, finish_reason: str = "STOP", **fields: Any
) -> dict[str, Any]:
    """A Gemini generateContent answer; `fields` replace or add top-level keys."""
    payload: dict[str, Any] = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": text} for text in texts or ("Hello!",)],
                },
                "finishReason": finish_reason,
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 12,
            "candidatesTokenCount": 8,
            "totalTokenCount": 20,
        },
        "modelVersion": "gemini-2.5-pro",
        "responseId": "gem-01",
    }
    payload.update(fields)
    return payload


# -- the scripted fake gateway ------------------------------------------------------


@dataclass(frozen=True)
class SentRequest:
    """One request as the fake gateway received it."""

    method: str
    url: str
    path: str
    slug: str
    headers: httpx2.Headers
    body: Any
    timeout: dict[str, Any]


def _last_user_text(body: Any) -> str:
    messages = body.get("messages", []) if isinstance(body, dict) else []
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


class Recorder:
    """An `httpx2.MockTransport` handler: records requests, answers from a script.

    Scripted items are answered in order: an `httpx2.Response` is returned, an
    exception is raised (as a transport failure would be), a callable is called
    with the request. Once the script is used up, the answer is a default one
    in the shape of the slug's provider (Anthropic for `claude-*`, else OpenAI),
    whose text echoes the last user message as `"echo: <text>"`.
    """

    anthropic_payload = staticmethod(anthropic_payload)
    openai_payload = staticmethod(openai_payload)
    gemini_payload = staticmethod(gemini_payload)

    def __init__(self) -> None:
        self.requests: list[SentRequest] = []
        self._script: deque[Any] = deque()

    # scripting
    def queue(
        self, *items: httpx2.Response | BaseException | Callable[..., Any]
    ) -> None:
        """Answer the next requests with `items`, in order."""
        self._script.extend(items)

    def reply(
        self,
        payload: Any = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Queue one answer: a JSON `payload`, or a raw `text` body."""
        all_headers = dict(DEFAULT_ANSWER_HEADERS if headers is None else headers)
        if text is not None:
            all_headers.setdefault("content-type", content_type or "text/plain")
            self.queue(httpx2.Response(status, text=text, headers=all_headers))
        else:
            self.queue(httpx2.Response(status, json=payload, headers=all_headers))

    def fail(
        self,
        status: int,
        error: str = "something went wrong",
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue one Segmind error answer `{"error": error}`."""
        self.reply({"error": error}, status=status, headers=headers or {})

    # inspection
    @property
    def last(self) -> SentRequest:
        assert self.requests, "no request was sent"
        return self.requests[-1]

    @property
    def bodies(self) -> list[Any]:
        return [sent.body for sent in self.requests]

    @property
    def count(self) -> int:
        return len(self.requests)

    # the handler
    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        content = request.read()
        self.requests.append(
            SentRequest(
                method=request.method,
                url=str(request.url),
                path=request.url.path,
                slug=request.url.path.rsplit("/", 1)[-1],
                headers=request.headers,
                body=json.loads(content) if content else None,
                timeout=dict(request.extensions.get("timeout", {})),
            )
        )
        if self._script:
            item = self._script.popleft()
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, httpx2.Response):
                return item
            return item(request)
        return self._default_answer(self.requests[-1])

    @staticmethod
    def _default_answer(sent: SentRequest) -> httpx2.Response:
        text = f"echo: {_last_user_text(sent.body)}"
        if sent.slug.startswith("claude"):
            payload = anthropic_payload(text)
        else:
            payload = openai_payload(text)
        return httpx2.Response(200, json=payload, headers=DEFAULT_ANSWER_HEADERS)


class BrokenBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body a user's transport breaks with `error`, after its `start`."""

    def __init__(self, error: BaseException, start: bytes = b'{"choices": ') -> None:
        self.error, self.start = error, start

    def __iter__(self) -> Iterator[bytes]:
        yield self.start
        raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self:
            yield part


# The lowest versions the package supports include langchain 1.0, whose agents
# lack the middleware and profile-driven choices that langchain 1.5 has.
LANGCHAIN_AGENTS_1_5 = pytest.mark.skipif(
    tuple(int(part) for part in version("langchain").split(".")[:2]) < (1, 5),
    reason="needs langchain 1.5's agent middleware",
)


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    """Every call of the test waits on virtual time (the package's own fake clock)."""
    with replaced_clock(FakeClock(now=FAKE_NOW)) as clock:
        yield clock


ModelFactory = Callable[..., ChatSegmind]


@pytest.fixture
def make_model(recorder: Recorder, fake_clock: FakeClock) -> ModelFactory:
    """Build a model whose clients answer from the recorder, on the fake clock.

    `make_model(ChatSegmindGPT4o, temperature=0.5)`; `api_key` defaults to
    `"test-key"` (pass `api_key=None` for a model without one).
    """

    def factory(cls: type[ChatSegmind] = ChatSegmindClaude, **kwargs: Any) -> Any:
        kwargs.setdefault("api_key", "test-key")
        transport = httpx2.MockTransport(recorder)
        # No timeouts of the clients' own: the model's `timeout` decides.
        kwargs.setdefault(
            "http_client", httpx2.Client(transport=transport, timeout=None)
        )
        kwargs.setdefault(
            "http_async_client", httpx2.AsyncClient(transport=transport, timeout=None)
        )
        return cls(**kwargs)

    return factory


@pytest.fixture
def claude(make_model: ModelFactory) -> ChatSegmindClaude:
    """`ChatSegmindClaude` against the recorder (both clients), fake clock."""
    return make_model(ChatSegmindClaude)


@pytest.fixture
def gpt(make_model: ModelFactory) -> ChatSegmindGPT4o:
    """`ChatSegmindGPT4o` against the recorder (both clients), fake clock."""
    return make_model(ChatSegmindGPT4o)


@pytest.fixture
def aclaude(make_model: ModelFactory) -> ChatSegmindClaude:
    """A second `ChatSegmindClaude`, for tests that compare sync and async calls.

    Like `claude`, both `invoke` and `ainvoke` reach the recorder.
    """
    return make_model(ChatSegmindClaude)


@pytest.fixture
def agpt(make_model: ModelFactory) -> ChatSegmindGPT4o:
    """A second `ChatSegmindGPT4o` (see `aclaude`)."""
    return make_model(ChatSegmindGPT4o)


@pytest.fixture
def keyed(make_model: ModelFactory) -> ChatSegmind:
    """A model with the secrets tests' `KEY`, retrying once."""
    return make_model(api_key=KEY, max_retries=1)


@pytest.fixture
def wire(recorder: Recorder, make_model: ModelFactory) -> Wire:
    """Models of any slug sending to the recorder (see `_payloads.Wire`)."""
    return Wire(recorder, make_model)


# -- both dialects: one test, run for Claude and for GPT ---------------------------


@dataclass(frozen=True)
class Dialect:
    """A chat model class, and its provider's answer to a given text."""

    name: str
    cls: type[ChatSegmind]
    answer: Callable[[str], dict[str, Any]]

    def system_prompt(self, body: dict[str, Any]) -> str | None:
        """All system text of a request, as the model reads it."""
        if self.name == "claude":
            return body.get("instruction")
        texts = [m["content"] for m in body["messages"] if m["role"] == "system"]
        return "\n\n".join(texts) if texts else None


DIALECTS = [
    Dialect("claude", ChatSegmindClaude, anthropic_payload),
    Dialect("gpt", ChatSegmindGPT4o, openai_payload),
]


@pytest.fixture(params=DIALECTS, ids=lambda d: d.name)
def dialect(request: pytest.FixtureRequest) -> Dialect:
    """Each test once with Claude's answers, once with GPT's."""
    return request.param


@pytest.fixture
def model(dialect: Dialect, make_model: ModelFactory) -> ChatSegmind:
    """A model of the dialect's class against the recorder, fake clock."""
    return make_model(dialect.cls)


Invoke = Callable[..., AIMessage]


@pytest.fixture(params=["invoke", "ainvoke"])
def call(request: pytest.FixtureRequest) -> Invoke:
    """`model.invoke(...)`, or `model.ainvoke(...)` run to completion.

    For sync test functions: runs each test once per API, for async parity.
    """

    def run(model: ChatSegmind, *args: Any, **kwargs: Any) -> AIMessage:
        if request.param == "invoke":
            return model.invoke(*args, **kwargs)
        return asyncio.run(model.ainvoke(*args, **kwargs))

    run.is_async = request.param == "ainvoke"  # type: ignore[attr-defined]
    return run
