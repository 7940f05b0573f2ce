"""What the unit tests share, besides fixtures (those are in conftest.py).

- Content payloads: fixture bytes (`PNG`, `JPEG`, ... and data URIs), the
  slugs, `Wire` (models of any slug sending to the recorder) and the expected
  parts (`user_body`, `claude_image`, `claude_url`, `gpt_image`).
- Tool calls: the tool `get_weather`, a past call of it (`PARIS`), the prompt
  section it makes (`WEATHER_INSTRUCTION`), `block`, `tool_lines` and `outcome`; the
  JSON-Schema tool `F`, calls of it (`CALL`, `SECOND`, `DRAFT`) and `read`.
- Structured output: one joke schema in each accepted form (`SCHEMAS`), its
  values (`JOKE_VALUES`, `JOKE_JSON`), `joke_call`, `system_prompt` and `run`.
- The key: `KEY`, the one the secrets tests must never find, and
  `error_texts`, every rendering of an error they look in.
"""

from __future__ import annotations

import asyncio
import base64
import json
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.tools import tool
from pydantic import BaseModel
from pydantic.v1 import BaseModel as BaseModelV1
from typing_extensions import TypedDict

from langchain_segmind import ChatSegmind, SegmindError

if TYPE_CHECKING:
    from .conftest import Recorder

# -- content payloads --------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLAUDE = "claude-3.5-sonnet"
GPT = "gpt-4o"
SLUGS = [CLAUDE, GPT]


def _b64(name: str) -> str:
    return base64.b64encode((FIXTURES / name).read_bytes()).decode("ascii")


PNG = _b64("tiny.png")
JPEG = _b64("tiny.jpg")
GIF = _b64("tiny.gif")
PDF = _b64("tiny.pdf")
WAV = _b64("tiny.wav")
MP3 = _b64("tiny.mp3")
PNG_URI = f"data:image/png;base64,{PNG}"
JPEG_URI = f"data:image/jpeg;base64,{JPEG}"
PDF_URI = f"data:application/pdf;base64,{PDF}"
IMG_URL = "https://example.com/cat.png"


@dataclass
class Wire:
    """Models of any slug sending to the recorder; each error precedes any request."""

    recorder: Any
    make_model: Any

    def model(self, slug: str, **kwargs: Any) -> ChatSegmind:
        return self.make_model(ChatSegmind, model=slug, max_retries=0, **kwargs)

    def body(self, slug: str, messages: list[BaseMessage]) -> dict[str, Any]:
        """The one body `invoke` sends for `messages`."""
        sent = self.recorder.count
        self.model(slug).invoke(messages)
        assert self.recorder.count == sent + 1
        return dict(self.recorder.last.body)

    def error(self, slug: str, messages: list[BaseMessage]) -> SegmindError:
        """The typed error `invoke` raises for `messages`, before any request."""
        with pytest.raises(SegmindError) as caught:
            self.model(slug).invoke(messages)
        assert self.recorder.requests == [], "the error must precede any request"
        return caught.value


def user_body(slug: str, content: Any) -> dict[str, Any]:
    """The body of a single user turn, for either dialect."""
    return {"messages": [{"role": "user", "content": content}]}


def claude_image(data: str, media_type: str) -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": data},
    }


def claude_url(kind: str, url: str) -> dict[str, Any]:
    return {"type": kind, "source": {"type": "url", "url": url}}


def gpt_image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


# -- tool calls --------------------------------------------------------------------


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return "sunny"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


RULE_ANY = "You must call at least one tool in this answer."


def choice_rule(system: str) -> str:
    """The last rule of the tools' instruction: the one `tool_choice` sets."""
    return system.rsplit("\n- ", 1)[1]


# The whole section for get_weather alone with tool_choice "auto".
WEATHER_INSTRUCTION = """\
# Tools

You can call the tools listed below. Each line inside <tools> is one tool: \
its name, what it does, and the JSON Schema of its arguments.

<tools>
{"name": "get_weather", "description": "Get the weather in a city.", \
"parameters": {"properties": {"city": {"type": "string"}}, "required": \
["city"], "type": "object"}}
</tools>

To call a tool, answer with a block that holds one JSON object with the keys \
"name" and "arguments", exactly like this:

<tool_call>
{"name": "<tool name>", "arguments": {<arguments as a JSON object>}}
</tool_call>

Rules:
- "arguments" must be a JSON object that satisfies the tool's schema.
- To call several tools at once, write one block per call, one after another.
- You may write a short sentence before the first block; write nothing after \
the last block. Stop there: the results will come back in <tool_result> \
blocks in the next message.
- Calls in the conversation history also show an "id"; never write one \
yourself.
- Call a tool only when it helps to answer; otherwise answer normally, with \
no tool_call block."""
PARIS = {"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}


def block(name: str, arguments: Any) -> str:
    call = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
    return f"<tool_call>\n{call}\n</tool_call>"


def outcome(
    gpt: Any, recorder: Recorder, tools: list[Any], *calls: tuple[str, Any]
) -> tuple[list[Any], list[str | None]]:
    """Bind `tools`, answer with `calls`; the valid calls and the invalid reasons."""
    recorder.reply(recorder.openai_payload("".join(block(n, a) for n, a in calls)))
    message = gpt.bind_tools(tools).invoke("Hi")
    return (
        [(c["name"], c["args"]) for c in message.tool_calls],
        [c["error"] for c in message.invalid_tool_calls],
    )


def tool_lines(system: str) -> list[dict[str, Any]]:
    """The tools listed in a system prompt, one JSON line each."""
    lines = system.split("\n")
    section = lines[lines.index("<tools>") + 1 : lines.index("</tools>")]
    return [json.loads(line) for line in section]


# A JSON-Schema tool, calls of it, and a call drafted in inline reasoning.
F = {"name": "f", "description": "", "parameters": {"type": "object"}}
CALL = '{"name": "f", "arguments": {"x": "Paris"}}'
SECOND = '{"name": "f", "arguments": {"x": "Rome"}}'
DRAFT = '<tool_call>{"name": "f", "arguments": {"x": "draft"}}</tool_call>'


def read(gpt: Any, recorder: Recorder, reply: str) -> AIMessage:
    recorder.reply(recorder.openai_payload(reply))
    return gpt.bind_tools([F]).invoke("Hi")


# -- structured output -------------------------------------------------------------


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


class JokeV1(BaseModelV1):
    """A joke."""

    setup: str
    punchline: str


class JokeDict(TypedDict):
    """A joke."""

    setup: str
    punchline: str


JOKE_SCHEMA = {
    "title": "JokeSchema",
    "description": "A joke.",
    "type": "object",
    "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
    "required": ["setup", "punchline"],
}
PROPERTIES = {"setup": {"type": "string"}, "punchline": {"type": "string"}}
JOKE_VALUES = {
    "setup": "Why did the cat sit on the laptop?",
    "punchline": "To keep an eye on the mouse.",
}
JOKE_JSON = json.dumps(JOKE_VALUES)


@dataclass(frozen=True)
class Schema:
    """A schema in one of the accepted forms, and what it sends and parses to."""

    value: Any
    name: str
    json_schema: dict[str, Any]
    parsed: Any


SCHEMAS = [
    Schema(
        Joke,
        "Joke",
        {
            "title": "Joke",
            "description": "A joke.",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
            "type": "object",
        },
        Joke(**JOKE_VALUES),
    ),
    Schema(
        JokeV1,
        "JokeV1",
        {
            "title": "JokeV1",
            "description": "A joke.",
            "type": "object",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
        },
        JokeV1(**JOKE_VALUES),
    ),
    Schema(
        JokeDict,
        "JokeDict",
        {
            "title": "JokeDict",
            "description": "A joke.",
            "type": "object",
            "properties": PROPERTIES,
            "required": ["setup", "punchline"],
        },
        JOKE_VALUES,
    ),
    Schema(JOKE_SCHEMA, "JokeSchema", JOKE_SCHEMA, JOKE_VALUES),
]
SCHEMA_IDS = ["pydantic", "pydantic-v1", "typeddict", "json-schema"]


def run(runnable: Any, api: str, prompt: Any = "Tell me a joke about cats.") -> Any:
    """One call through `invoke` or `ainvoke`."""
    if api == "invoke":
        return runnable.invoke(prompt)
    return asyncio.run(runnable.ainvoke(prompt))


def joke_call(name: str, arguments: str = JOKE_JSON) -> str:
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def system_prompt(body: dict[str, Any]) -> str:
    if "instruction" in body:
        return body["instruction"]
    [system] = [m["content"] for m in body["messages"] if m["role"] == "system"]
    return system


# -- the key ------------------------------------------------------------------------

KEY = "sk-SEGMIND-do-not-leak-7f3a9c"


def error_texts(error: BaseException) -> list[str]:
    """Every rendering of `error` a user or a log may see, frame locals included."""
    texts = [str(error), repr(error), str(error.args)]
    if isinstance(error, SegmindError):
        texts += [error.message, str(error.body), str(vars(error))]
    texts.append("".join(traceback.format_exception(error)))
    # The locals of every frame below the test's own (which holds the key).
    below_the_test = error.__traceback__ and error.__traceback__.tb_next
    with_locals = traceback.TracebackException(
        type(error), error, below_the_test, capture_locals=True
    )
    texts.append("".join(with_locals.format()))
    return texts


# Segmind's two wordings of a 401.
SEGMIND_401_MESSAGES = [
    "Missing Authorization or x-api-key in header",
    "Unauthorized. API key is invalid or may have expired. Please check your API key.",
]
