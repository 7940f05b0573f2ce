"""TypedDict schemas, by every method and as tools: described, sent and checked.

One that nests itself, or that core cannot describe, is refused (json_mode
wants an object all the same); one without a docstring is not described as a
`dict`; each is sent, and its answer checked, requiring only its required
keys, alone, in a union or in a model; a key's default value is sent as given.
"""

from __future__ import annotations

import contextlib
import json
from typing import Annotated, Any, Generic, NotRequired, TypeVar

import pytest
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel
from pydantic.v1 import BaseModel as BaseModelV1
from typing_extensions import TypedDict

from langchain_segmind import SegmindInputError

from ._payloads import joke_call, system_prompt, tool_lines
from .conftest import openai_payload


class Node(TypedDict):
    value: int
    children: list[Node]


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_a_typeddict_that_nests_itself_is_an_input_error(gpt, recorder, method):
    with pytest.raises(SegmindInputError, match="nests itself"):
        gpt.with_structured_output(Node, method=method)
    assert recorder.count == 0


def test_a_typeddict_tool_that_nests_itself_is_an_input_error(gpt, recorder):
    with pytest.raises(SegmindInputError, match="nests itself"):
        gpt.bind_tools([Node]).invoke("Hi")
    assert recorder.count == 0


class Ticket(BaseModel):
    number: int


class Booking(TypedDict):
    ticket: Ticket  # a pydantic model: core cannot describe it in a TypedDict


Item = TypeVar("Item")


class Box(TypedDict, Generic[Item]):
    item: Item


class Shelf(TypedDict):
    box: Box[int]  # a generic TypedDict: core cannot describe it either


class Table(TypedDict):
    schema: str  # a name core's pydantic v1 model keeps for itself


class Draft(TypedDict):
    title: str
    subtitle: NotRequired[str]  # core refuses NotRequired


@pytest.mark.filterwarnings("ignore:Mixing V1 and V2:UserWarning")  # core's, first
@pytest.mark.parametrize("schema", [Booking, Shelf, Table, Draft])
@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_a_typeddict_core_cannot_describe_is_an_input_error(
    gpt, recorder, method, schema
):
    def build() -> Any:
        if method == "bind_tools":
            return gpt.bind_tools([schema])
        return gpt.with_structured_output(schema, method=method)

    # A tool (function_calling binds one) whose arguments core cannot describe.
    what = "output schema" if method == "json_schema" else "arguments of the tool"
    with pytest.raises(
        SegmindInputError, match=f"^cannot describe the {what} "
    ) as caught:
        build().invoke("Hi")
    assert "use a pydantic model instead" in str(caught.value)
    cause = caught.value.__cause__
    assert isinstance(cause, RuntimeError | IndexError | NameError | TypeError)
    assert recorder.count == 0


@pytest.mark.filterwarnings("ignore:Mixing V1 and V2:UserWarning")
def test_json_mode_with_a_typeddict_core_cannot_describe_wants_an_object(gpt, recorder):
    structured = gpt.with_structured_output(Booking, method="json_mode")
    recorder.reply(openai_payload('{"ticket": {"number": 7}}'))
    assert structured.invoke("Hi") == {"ticket": {"number": 7}}

    recorder.reply(openai_payload("[7]"))
    with pytest.raises(OutputParserException, match="JSON list"):
        structured.invoke("Hi")


class Point(TypedDict):
    x: int


class Path(TypedDict):
    """A path through points."""

    start: Point
    stops: list[Point]


class Pair(TypedDict, Generic[Item]):
    left: int
    right: int


@pytest.mark.parametrize("schema", [Point, Path, Pair])
@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_a_typeddict_without_a_docstring_is_not_described_as_a_dict(
    gpt, recorder, method, schema
):
    with contextlib.suppress(OutputParserException):  # the reply is no point
        if method == "bind_tools":
            gpt.bind_tools([schema]).invoke("Hi")
        else:
            gpt.with_structured_output(schema, method=method).invoke("Hi")

    sent = json.dumps(recorder.last.body)
    assert "dict()" not in sent  # `dict`'s own docstring
    assert "generic type" not in sent  # `Generic`'s
    assert ("A path through points." in sent) is (schema is Path)


class Setting(TypedDict, total=False):
    place: str
    year: int


class _SceneExtras(TypedDict, total=False):
    setting: Setting
    settings: list[Setting]


class Scene(_SceneExtras):
    """A joke's scene: only its setup is required."""

    setup: str


def _sent_scene(body: dict[str, Any], method: str) -> dict[str, Any]:
    if method == "json_schema":
        return body["response_format"]["json_schema"]["schema"]
    [tool] = tool_lines(system_prompt(body))
    return tool["parameters"]


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_a_typeddict_is_sent_requiring_only_its_required_keys(gpt, recorder, method):
    with contextlib.suppress(OutputParserException):  # the reply is no scene
        if method == "bind_tools":
            gpt.bind_tools([Scene]).invoke("Hi")
        else:
            gpt.with_structured_output(Scene, method=method).invoke("Hi")

    sent = _sent_scene(recorder.last.body, method)
    setting = {
        "type": "object",
        "properties": {"place": {"type": "string"}, "year": {"type": "integer"}},
    }
    assert sent["properties"] == {
        "setting": setting,
        "settings": {"type": "array", "items": setting},
        "setup": {"type": "string"},
    }
    assert sent["required"] == ["setup"]


def test_a_strict_typeddict_tool_is_sent_requiring_all_its_keys(gpt, recorder):
    gpt.bind_tools([Scene], strict=True).invoke("Hi")

    sent = _sent_scene(recorder.last.body, "bind_tools")
    assert sent["required"] == ["setting", "settings", "setup"]


class Size(TypedDict, total=False):
    size: int


class Backdrop(TypedDict):
    """A scene's backdrop: a setting or a size, of optional keys either way."""

    backdrop: Setting | Size


def test_typeddicts_in_a_union_are_sent_as_they_declare_their_keys(gpt, recorder):
    gpt.bind_tools([Backdrop]).invoke("Hi")

    sent = _sent_scene(recorder.last.body, "bind_tools")
    options = sent["properties"]["backdrop"]["anyOf"]
    assert [sorted(option["properties"]) for option in options] == [
        ["place", "year"],
        ["size"],
    ]
    assert all("required" not in option for option in options)
    assert "dict()" not in json.dumps(options)  # `dict`'s own docstring


class Label(TypedDict):
    size: int  # required, as in Size


class Sticker(BaseModelV1):
    label: Label


class Decor(TypedDict):
    decor: Size | Sticker  # a size of optional keys, or a sticker


def test_a_typeddict_in_a_model_keeps_its_required_keys(gpt, recorder):
    gpt.bind_tools([Decor]).invoke("Hi")

    sent = _sent_scene(recorder.last.body, "bind_tools")
    size, sticker = sent["properties"]["decor"]["anyOf"]
    assert "required" not in size
    assert sticker["properties"]["label"]["required"] == ["size"]


class Filter(TypedDict):
    """Filter rows."""

    rule: Annotated[dict, {"properties": 1}, "a rule, by default this one"]


def test_a_typeddicts_default_value_is_sent_as_given_not_read_as_a_schema(
    gpt, recorder
):
    gpt.bind_tools([Filter]).invoke("Hi")

    rule = _sent_scene(recorder.last.body, "bind_tools")["properties"]["rule"]
    assert rule == {
        "type": "object",
        "default": {"properties": 1},
        "description": "a rule, by default this one",
    }


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_a_typeddict_answer_needs_only_its_required_keys(gpt, recorder, method):
    scene = {"setup": "A cat walks in.", "setting": {"place": "a bar"}}
    for answer in (scene, {"setting": {}}):
        written = json.dumps(answer)
        recorder.reply(
            openai_payload(
                written if method == "json_schema" else joke_call("Scene", written)
            )
        )

    if method == "bind_tools":
        tools = gpt.bind_tools([Scene])
        assert tools.invoke("Hi").tool_calls[0]["args"] == scene
        [refused] = tools.invoke("Hi").invalid_tool_calls
        assert refused["error"] == "arguments.setup: Field required"
    else:
        structured = gpt.with_structured_output(Scene, method=method)
        assert structured.invoke("Hi") == scene
        with pytest.raises(OutputParserException, match="setup"):
            structured.invoke("Hi")


class Record(TypedDict, total=False):
    _id: str  # core leaves it out of the description
    title: str


class Token(TypedDict):
    _token: str  # its only key: described with none


@pytest.mark.filterwarnings("ignore:fields may not start:RuntimeWarning")  # core's
@pytest.mark.parametrize("schema", [Record, Token])
@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_a_typeddict_needs_none_of_its_private_keys(gpt, recorder, method, schema):
    name = schema.__name__
    recorder.reply(
        openai_payload("{}" if method == "json_schema" else joke_call(name, "{}"))
    )

    if method == "bind_tools":
        assert gpt.bind_tools([schema]).invoke("Hi").tool_calls[0]["args"] == {}
    else:
        assert gpt.with_structured_output(schema, method=method).invoke("Hi") == {}
    assert "required" not in _sent_scene(recorder.last.body, method)


class Header(TypedDict):
    name: str
    value: str


class Change(TypedDict, total=False):
    name: str
    value: list[Header]


class Update(TypedDict):
    """A header and a change to it: of each, a name and a value."""

    name: str
    value: Change


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "bind_tools"])
def test_typeddicts_of_the_same_keys_are_each_sent_with_their_required_keys(
    gpt, recorder, method
):
    recorder.reply(
        openai_payload("{}" if method == "json_schema" else joke_call("Update", "{}"))
    )

    if method == "bind_tools":
        [refused] = gpt.bind_tools([Update]).invoke("Hi").invalid_tool_calls
        assert refused["error"].startswith("arguments.name: Field required")
    else:
        with pytest.raises(OutputParserException, match="name"):
            gpt.with_structured_output(Update, method=method).invoke("Hi")

    sent = _sent_scene(recorder.last.body, method)
    assert sent["required"] == ["name", "value"]
    change = sent["properties"]["value"]
    assert "required" not in change
    assert change["properties"]["value"]["items"]["required"] == ["name", "value"]
