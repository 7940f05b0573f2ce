"""Tool binding for Segmind models: tools, choice, history, replies, arguments.

A binding travels through the text protocol of `protocol`: `apply_protocol`
writes it into the turns and `read_tool_calls` reads the model's blocks back
into `tool_calls`, checked by the tool's own pydantic model where it has one
(as `BaseTool.invoke` and `PydanticToolsParser` will), else for a known name,
a JSON object and the schema's required keys.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.tools import BaseTool, Tool
from langchain_core.tools.base import create_schema_from_function
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ValidationError

from langchain_segmind.conversion.types import (
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Turn,
)
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools import protocol

ArgsModel = type[BaseModel]
_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_REPORTED_ERRORS = 3
# pydantic's smart unions try every option on a value, so nested unions cost
# exponential time: arguments that would need more (value, schema) visits than
# this are refused rather than validated.
_CHECK_BUDGET = 100_000


class DescribedTool(dict[str, Any]):
    """A tool in LangChain's OpenAI format that remembers its arguments' model.

    It equals, prints and serializes as the dict `convert_to_openai_tool`
    returns, which agents, tracers and serializers read from the bound
    `tools`. A copy made with `dict(...)` is a plain dict again, whose calls
    are checked against the JSON Schema only.

    Attributes:
        args_model: The pydantic model of the tool's arguments, if any.
    """

    def __init__(
        self, description: Mapping[str, Any], args_model: ArgsModel | None
    ) -> None:
        super().__init__(description)
        self.args_model = args_model


def describe_tool(tool: Any, *, strict: bool | None = None) -> DescribedTool:
    """`convert_to_openai_tool(tool, strict=strict)`, remembering the model.

    Args:
        tool: Any tool LangChain accepts.
        strict: The `strict` flag of the description, as LangChain sets it.

    Returns:
        The tool's OpenAI-format description.

    Raises:
        SegmindInputError: For a tool LangChain cannot describe, or whose name
            is not 1-64 letters, digits, `_` or `-`.
    """
    if isinstance(tool, DescribedTool) and strict is None:
        return tool
    try:
        description = convert_to_openai_tool(tool, strict=strict)
        name = description["function"]["name"]
    except (TypeError, ValueError, KeyError) as error:
        raise SegmindInputError(
            f"cannot describe the tools: {tool!r:.80} is not a tool"
        ) from error
    if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
        raise SegmindInputError(
            f"tool name {name!r} is not allowed: use 1 to 64 letters, digits, "
            "'_' or '-'"
        )
    return DescribedTool(description, _args_model(tool))


def _args_model(tool: Any) -> ArgsModel | None:
    """The pydantic model whose schema `convert_to_openai_function` shows."""
    if isinstance(tool, DescribedTool):
        return tool.args_model
    if isinstance(tool, Tool) and not tool.args_schema:
        return None  # described as one `__arg1` string, not by a model
    if isinstance(tool, BaseTool):
        tool = tool.tool_call_schema  # injected arguments left out
    elif callable(tool) and not isinstance(tool, type):
        tool = create_schema_from_function(
            tool.__name__,
            tool,
            filter_args=(),
            parse_docstring=True,
            error_on_invalid_docstring=False,
            include_injected=False,
        )
    return tool if isinstance(tool, type) and issubclass(tool, BaseModel) else None


@dataclass(frozen=True)
class ToolBinding:
    """The tools of one call and how the model must use them.

    Attributes:
        tools: The tools, as `describe_tool` returns them.
        choice: `"auto"`, `"any"`, `"none"`, or the name of a required tool.
        answer_schema: The JSON Schema of a tool-free answer, when the call
            also asked for structured output.
        parallel: Whether several calls may come in one answer; when not,
            only the first is kept.
    """

    tools: tuple[DescribedTool, ...]
    choice: str = "auto"
    answer_schema: Mapping[str, Any] | None = None
    parallel: bool = True

    @property
    def parses_replies(self) -> bool:
        """Whether replies may hold protocol calls."""
        return bool(self.tools) and self.choice != "none"


def normalize_tool_choice(choice: Any, names: Sequence[str]) -> str:
    """Resolve every `tool_choice` spelling LangChain users write.

    Args:
        choice: `None`/`"auto"`, `"any"`/`"required"`/`True`, `"none"`, a tool
            name, or an OpenAI/Anthropic-style dict naming a tool.
        names: The names of the bound tools.

    Returns:
        `"auto"`, `"any"`, `"none"`, or a tool name.

    Raises:
        SegmindInputError: For a tool name that is not bound, or a bad value.
    """
    if isinstance(choice, Mapping):
        function = choice.get("function")
        named = function.get("name") if isinstance(function, Mapping) else None
        choice = named or choice.get("name") or choice.get("type")
        if isinstance(choice, Mapping):
            choice = None
    if choice is None or choice == "auto":
        return "auto"
    if choice is True or choice in ("any", "required"):
        return "any"
    if choice is False or choice == "none":
        return "none"
    if isinstance(choice, str) and choice in names:
        return choice
    raise SegmindInputError(
        f"tool_choice {choice!r} names no bound tool; bound tools: {list(names)}, "
        "or use 'auto', 'any', 'required' or 'none'"
    )


def binding_from_call(
    tools: Any, tool_choice: Any, parallel_tool_calls: Any = None
) -> ToolBinding | None:
    """The binding carried by a call's `tools`/`tool_choice` keyword arguments.

    Tools may come in any form LangChain accepts (also through `bind(tools=)`).

    Raises:
        SegmindInputError: For a tool that `describe_tool` refuses, or a
            `tool_choice` naming no bound tool.
    """
    if not tools:
        return None
    described = tuple(describe_tool(tool) for tool in tools)
    names = [tool["function"]["name"] for tool in described]
    return ToolBinding(
        described,
        normalize_tool_choice(tool_choice, names),
        parallel=parallel_tool_calls is not False,
    )


def answer_schema_into_protocol(
    binding: ToolBinding, response_format: Mapping[str, Any] | None
) -> tuple[ToolBinding, Mapping[str, Any] | None]:
    """Ask for a JSON final answer in the tool prompt, not in `response_format`.

    A JSON-schema `response_format` would constrain every reply, so the model
    could not write tool calls; agents that want both (tools now, a structured
    answer at the end) get the schema as a rule of the protocol instead.

    Returns:
        The binding and the `response_format` to send: both unchanged unless
        the binding parses replies and the format is a JSON schema.
    """
    requested = response_format or {}
    is_schema = requested.get("type") == "json_schema"
    spec = requested.get("json_schema") if is_schema else None
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    if not binding.parses_replies or not isinstance(schema, Mapping):
        return binding, response_format
    return replace(binding, answer_schema=schema), None


def apply_protocol(turns: Sequence[Turn], binding: ToolBinding | None) -> list[Turn]:
    """Rewrite turns for the text protocol.

    Past calls become tagged text in assistant turns, tool results become user
    turns, the tools' instruction joins the system prompt, and the text of
    every turn is escaped (see `protocol.escape_text`). Turns with no tool
    parts and no binding that parses replies are left as they are.
    """
    bound = binding if binding is not None and binding.parses_replies else None
    if bound is None and not any(
        isinstance(part, ToolCallPart | ToolResultPart)
        for turn in turns
        for part in turn.parts
    ):
        return list(turns)
    rendered = [_render_turn(turn) for turn in turns]
    if bound is not None:
        instruction = protocol.render_instruction(
            [tool["function"] for tool in bound.tools],
            bound.choice,
            bound.answer_schema,
            parallel=bound.parallel,
        )
        after_system = next(
            (i for i, turn in enumerate(rendered) if turn.role != "system"),
            len(rendered),
        )
        rendered.insert(after_system, Turn("system", (TextPart(instruction),)))
    return rendered


def _render_turn(turn: Turn) -> Turn:
    parts: list[Part] = []
    # Joined before escaping: text split across blocks cannot spell a tag.
    for part in _joined(turn.parts):
        if isinstance(part, TextPart):
            parts.append(TextPart(protocol.escape_text(part.text)))
        elif isinstance(part, ToolCallPart):
            text = protocol.render_call(part.name, part.args, part.id)
            parts.append(TextPart(f"\n{text}\n" if parts else f"{text}\n"))
        elif isinstance(part, ToolResultPart):
            header = protocol.result_header(
                part.tool_call_id, part.name, is_error=part.is_error
            )
            parts.append(TextPart(header))
            parts.extend(_render_turn(Turn("user", part.content)).parts)
            parts.append(TextPart(f"\n{protocol.RESULT_CLOSE}\n"))
        else:
            parts.append(part)
    role = "user" if turn.role == "tool" else turn.role
    return Turn(role, _joined(parts), turn.name)


def _joined(parts: Sequence[Part]) -> tuple[Part, ...]:
    """Adjacent text parts as one."""
    joined: list[Part] = []
    for part in parts:
        if joined and isinstance(part, TextPart) and isinstance(joined[-1], TextPart):
            joined[-1] = TextPart(joined[-1].text + part.text)
        else:
            joined.append(part)
    return tuple(joined)


def read_tool_calls(message: AIMessage, binding: ToolBinding) -> AIMessage:
    """Move the protocol's call blocks out of the text into `tool_calls`.

    Calls to unknown tools, malformed blocks and arguments the check refuses
    become `invalid_tool_calls` with the reason; nothing raises. Valid calls
    keep their arguments as written (consumers validate again, filling in
    defaults). Without `parallel`, only the first call counts. Calls the
    provider made natively (should one ever come back) are checked the same.
    """
    if not isinstance(message.content, str):
        return message
    prose, calls = protocol.parse_reply(message.content)
    if not calls and not message.tool_calls:
        return message
    natives = message.tool_calls
    if not binding.parallel:  # the first call only, valid or not
        natives, calls = (natives[:1], []) if natives else ([], calls[:1])
    valid, invalid = [], []
    for native in natives:
        error = _argument_error(native["name"], dict(native["args"]), binding)
        if error is None:
            valid.append(native)
        else:
            args = json.dumps(native["args"])
            invalid.append(
                invalid_tool_call(
                    name=native["name"], args=args, id=native["id"], error=error
                )
            )
    for call in calls:
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        name, arguments = call.name or "", dict(call.arguments or {})
        error = call.error or _argument_error(name, arguments, binding)
        if error is None:
            valid.append(tool_call(name=name, args=arguments, id=call_id))
        else:
            # The block as the model wrote it: never parseable JSON, so the
            # call stays invalid wherever chunks are merged again.
            raw_block = f"{protocol.CALL_OPEN}{call.raw}{protocol.CALL_CLOSE}"
            invalid.append(
                invalid_tool_call(
                    name=call.name, args=raw_block, id=call_id, error=error
                )
            )
    metadata = dict(message.response_metadata)
    if valid and metadata.get("finish_reason") == "stop":
        metadata["finish_reason"] = "tool_calls"
    return message.model_copy(
        update={
            "content": prose,
            "tool_calls": valid,
            "invalid_tool_calls": [*message.invalid_tool_calls, *invalid],
            "response_metadata": metadata,
        }
    )


def _argument_error(
    name: str, arguments: dict[str, Any], binding: ToolBinding
) -> str | None:
    """Why the call does not fit its tool, or `None`; never raises."""
    names = [tool["function"]["name"] for tool in binding.tools]
    if name not in names:
        return f"no tool is named {name!r}; tools: {sorted(names)}"
    tool = binding.tools[names.index(name)]
    if tool.args_model is None:
        parameters = tool["function"].get("parameters") or {}
        required = parameters.get("required")
        missing = (
            [key for key in required if key not in arguments]
            if isinstance(required, list)
            else []
        )
        return "; ".join(f"arguments.{key}: Field required" for key in missing) or None
    if _union_work(arguments, _model_schema(tool.args_model)) > _CHECK_BUDGET:
        return "the arguments nest too many alternatives of the schema to be checked"
    try:  # on a copy: a validator may change its input in place
        tool.args_model.model_validate(copy.deepcopy(arguments))
    except ValidationError as error:
        details = error.errors(include_url=False, include_context=False)
        texts = [_error_text(detail) for detail in details[:_MAX_REPORTED_ERRORS]]
        if len(details) > _MAX_REPORTED_ERRORS:
            texts.append(f"and {len(details) - _MAX_REPORTED_ERRORS} more")
        return "; ".join(texts)
    except Exception as error:  # a validator of the user's may raise anything
        return f"arguments could not be validated: {type(error).__name__}: {error}"
    return None


def _error_text(detail: Mapping[str, Any]) -> str:
    where = "arguments" + "".join(
        f"[{key}]" if isinstance(key, int) else f".{key}" for key in detail["loc"]
    )
    text = f"{where}: {detail['msg']}"
    if detail["type"] != "missing":
        text += f", got {detail['input']!r:.60}"
    return text


@functools.lru_cache(maxsize=256)
def _model_schema(model: ArgsModel) -> Mapping[str, Any]:
    try:
        return model.model_json_schema()
    except Exception:  # a model pydantic cannot describe: nothing to walk
        return {}


def _union_work(arguments: Any, root: Mapping[str, Any]) -> int:
    """How many (value, schema) visits validation may make, counted to the budget.

    Every option of an `anyOf`/`oneOf` is tried on the value, as pydantic's
    smart unions do, except that a discriminated union tries the tagged one.
    """
    definitions = root.get("$defs") or {}
    pending: list[tuple[Any, Any]] = [(arguments, root)]
    work = 0
    while pending and work <= _CHECK_BUDGET:
        value, schema = pending.pop()
        work += 1
        if not isinstance(schema, Mapping):
            continue
        ref = schema.get("$ref")
        options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
        if isinstance(ref, str):
            options = [definitions.get(ref.rsplit("/", 1)[-1])]
        tagged = schema.get("discriminator")
        if isinstance(tagged, Mapping) and isinstance(value, dict):
            tag = value.get(tagged.get("propertyName"))
            mapping = tagged.get("mapping") or {}
            chosen = mapping.get(tag) if isinstance(tag, str) else None
            options = [{"$ref": chosen}] if chosen else []
        pending.extend((value, option) for option in options or ())
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            extra = schema.get("additionalProperties")
            pending.extend((v, properties.get(k, extra)) for k, v in value.items())
        elif isinstance(value, list):
            prefix = schema.get("prefixItems") or []  # tuples
            pending.extend(
                (item, prefix[i] if i < len(prefix) else schema.get("items"))
                for i, item in enumerate(value)
            )
    return work
