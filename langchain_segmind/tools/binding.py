"""Tool calling for Segmind models: binding, history rendering, reply reading.

By default tools travel through the text protocol of `_tool_protocol`, since
the gateway does not forward `tools`. With `native_tools=True` they are sent
in the body instead, for the day the gateway forwards them; tool calls that
come back natively are read either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_segmind.conversion.types import (
    MediaPart,
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    Turn,
)
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools import protocol
from langchain_segmind.tools.arguments import ArgsModel, args_model, argument_error

_ANY_CHOICES = frozenset({"any", "required"})


@dataclass(frozen=True)
class ToolBinding:
    """The tools of one call and how the model must use them.

    Attributes:
        tools: The tools, in the OpenAI function format LangChain produces.
        choice: `"auto"`, `"any"`, `"none"`, or the name of a required tool.
        answer_schema: The JSON Schema of a tool-free answer, when the call
            also asked for structured output.
        parallel: Whether several calls may come in one answer.
        args_models: The pydantic model of each tool that has one, by name;
            those tools' calls are validated by pydantic (see `_tool_args`).
    """

    tools: tuple[ToolSpec, ...]
    choice: str = "auto"
    answer_schema: Mapping[str, Any] | None = None
    parallel: bool = True
    args_models: Mapping[str, ArgsModel] = field(default_factory=dict)

    @property
    def parses_replies(self) -> bool:
        """Whether replies may hold protocol calls."""
        return bool(self.tools) and self.choice != "none"


def tool_spec(openai_tool: Mapping[str, Any]) -> ToolSpec:
    """A `ToolSpec` from LangChain's OpenAI-format tool dict."""
    function = openai_tool.get("function", openai_tool)
    return ToolSpec(
        name=str(function["name"]),
        description=str(function.get("description") or ""),
        parameters=function.get("parameters") or {"type": "object", "properties": {}},
    )


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
    if choice is True or choice in _ANY_CHOICES:
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
        SegmindInputError: For a tool LangChain cannot describe.
    """
    if not tools:
        return None
    try:
        described = [
            (tool_spec(convert_to_openai_tool(tool)), args_model(tool))
            for tool in tools
        ]
    except (TypeError, ValueError, KeyError) as error:
        raise SegmindInputError(f"cannot describe the tools: {error}") from None
    specs = tuple(spec for spec, _ in described)
    choice = normalize_tool_choice(tool_choice, [spec.name for spec in specs])
    return ToolBinding(
        tools=specs,
        choice=choice,
        parallel=parallel_tool_calls is not False,
        args_models={spec.name: model for spec, model in described if model},
    )


def apply_protocol(turns: Sequence[Turn], binding: ToolBinding | None) -> list[Turn]:
    """Rewrite turns for the text protocol.

    Past calls become tagged text in assistant turns, tool results become user
    turns, and the tools' instruction joins the system prompt.
    """
    rendered = [_textualize(turn) for turn in turns]
    if binding is None or not binding.parses_replies:
        return rendered
    instruction = protocol.render_tools_instruction(
        binding.tools,
        binding.choice,
        binding.answer_schema,
        parallel=binding.parallel,
    )
    position = 0
    while position < len(rendered) and rendered[position].role == "system":
        position += 1
    rendered.insert(position, Turn("system", (TextPart(instruction),)))
    return rendered


def _textualize(turn: Turn) -> Turn:
    if not any(isinstance(p, ToolCallPart | ToolResultPart) for p in turn.parts):
        return turn
    parts: list[Part] = []
    for part in turn.parts:
        if isinstance(part, ToolCallPart):
            text = protocol.render_call(part.name, part.args, part.id)
            parts.append(TextPart(f"\n{text}\n" if parts else f"{text}\n"))
        elif isinstance(part, ToolResultPart):
            parts.extend(_result_parts(part))
        else:
            parts.append(part)
    role = "user" if turn.role == "tool" else turn.role
    return Turn(role, _joined_text(parts), turn.name)


def _joined_text(parts: Sequence[Part]) -> tuple[Part, ...]:
    """Adjacent text parts as one, so rendered history reads as plain text."""
    joined: list[Part] = []
    for part in parts:
        if joined and isinstance(part, TextPart) and isinstance(joined[-1], TextPart):
            joined[-1] = TextPart(joined[-1].text + part.text)
        else:
            joined.append(part)
    return tuple(joined)


def _result_parts(result: ToolResultPart) -> list[TextPart | MediaPart]:
    header = protocol.result_header(
        result.tool_call_id, result.name, is_error=result.is_error
    )
    parts: list[TextPart | MediaPart] = [TextPart(header)]
    parts.extend(result.content)
    parts.append(TextPart(f"\n{protocol.RESULT_CLOSE}\n"))
    return parts


def read_tool_calls(message: AIMessage, binding: ToolBinding) -> AIMessage:
    """Move the protocol's call blocks out of the text into `tool_calls`.

    Calls to unknown tools, malformed blocks and arguments that the tool's
    pydantic model or JSON Schema rejects become `invalid_tool_calls` with the
    reason; nothing raises. Valid calls keep their arguments as written.
    """
    if message.tool_calls or not isinstance(message.content, str):
        return message
    reply = protocol.parse_reply(message.content)
    if not reply.calls:
        return message
    valid, invalid = [], []
    for call in reply.calls:
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        error = call.error or _argument_error(call, binding)
        if error is None and call.name is not None and call.arguments is not None:
            valid.append(
                tool_call(name=call.name, args=dict(call.arguments), id=call_id)
            )
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
            "content": reply.prose,
            "tool_calls": valid,
            "invalid_tool_calls": [*message.invalid_tool_calls, *invalid],
            "response_metadata": metadata,
        }
    )


def _argument_error(call: protocol.ParsedCall, binding: ToolBinding) -> str | None:
    schemas = {spec.name: spec.parameters for spec in binding.tools}
    name = call.name or ""
    if name not in schemas:
        return f"no tool is named {call.name!r}; tools: {sorted(schemas)}"
    return argument_error(
        call.arguments or {}, schemas[name], binding.args_models.get(name)
    )
