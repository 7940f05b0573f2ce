"""The arguments of a tool call, judged the way the bound tool defines them.

A tool whose arguments have a pydantic (v2) model is checked with pydantic
itself, so defaults, constraints, validators and discriminated unions behave
as the user's model says. Such tools are pydantic model classes, `BaseTool`s
whose call schema is a model, and plain functions, which langchain-core
describes through a model it builds from the signature. Every other tool
(JSON Schema dicts, TypedDicts, pydantic v1 models) is checked against its
JSON Schema by `_jsonschema`.

`bind_tools` must keep LangChain's OpenAI-format dicts as the bound `tools`
(agents, tracers and serialization read them there), so each one is a
`DescribedTool`: that very dict, remembering the model it came from.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from langchain_core.tools import BaseTool, Tool
from langchain_core.tools.base import create_schema_from_function
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ValidationError

from langchain_segmind.tools.jsonschema import first_error

ArgsModel = type[BaseModel]
_MAX_REPORTED_ERRORS = 3


class DescribedTool(dict[str, Any]):
    """A tool in LangChain's OpenAI format that remembers its arguments' model.

    It equals, prints and serializes as the dict `convert_to_openai_tool`
    returns. A copy made with `dict(...)` or by a serializer is a plain dict
    again, whose calls are checked against the JSON Schema.

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
    """
    return DescribedTool(convert_to_openai_tool(tool, strict=strict), args_model(tool))


def args_model(tool: Any) -> ArgsModel | None:
    """The pydantic model whose schema langchain-core shows for `tool`, if any.

    This follows langchain-core's `convert_to_openai_function`, so the model
    that validates a call is the one the model was shown: for a `BaseTool`
    its `tool_call_schema` (injected arguments left out), for a function the
    model built from its signature the same way.

    Args:
        tool: A tool as given to `bind_tools`, or a `DescribedTool`.

    Returns:
        The model, or `None` when the JSON Schema is all there is.
    """
    if isinstance(tool, DescribedTool):
        return tool.args_model
    if isinstance(tool, dict):
        return None
    if isinstance(tool, type):
        return _v2_model(tool)
    if isinstance(tool, BaseTool):
        if isinstance(tool, Tool) and not tool.args_schema:
            return None  # described as one `__arg1` string, not by a model
        return _v2_model(tool.tool_call_schema)
    if callable(tool):
        return _v2_model(
            create_schema_from_function(
                tool.__name__,
                tool,
                filter_args=(),
                parse_docstring=True,
                error_on_invalid_docstring=False,
                include_injected=False,
            )
        )
    return None


def _v2_model(schema: object) -> ArgsModel | None:
    return (
        schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None
    )


def argument_error(
    arguments: Mapping[str, Any],
    parameters: Mapping[str, Any],
    model: ArgsModel | None,
) -> str | None:
    """Why `arguments` do not fit the tool, or `None` when they do; never raises.

    With a model, pydantic validates a deep copy of the arguments in Python
    mode, as `BaseTool.invoke` (so LangGraph's `ToolNode`) and
    `PydanticToolsParser` will. The call then keeps the arguments exactly as
    the model wrote them, not the validated model's dump: those consumers
    validate again anyway (filling in defaults, coercing, injecting arguments
    the model never sees), a dump may hold values that are not JSON (dates,
    enums, sets) and would not render back into the history, and
    `tool_calls` stays a faithful record of what the model asked for.

    Args:
        arguments: The call's arguments, as the model wrote them.
        parameters: The tool's JSON Schema, used when there is no model.
        model: The tool's pydantic model, if it has one.

    Returns:
        A one-line reason, or `None`.
    """
    if model is None:
        return first_error(arguments, parameters)
    try:
        model.model_validate(copy.deepcopy(dict(arguments)))
    except ValidationError as error:
        return _validation_error_text(error)
    except Exception as error:  # a validator of the user's may raise anything
        return f"arguments could not be validated: {type(error).__name__}: {error}"
    return None


def _validation_error_text(error: ValidationError) -> str:
    details = error.errors(include_url=False, include_context=False)
    texts = [_detail_text(detail) for detail in details[:_MAX_REPORTED_ERRORS]]
    if len(details) > _MAX_REPORTED_ERRORS:
        texts.append(f"and {len(details) - _MAX_REPORTED_ERRORS} more")
    return "; ".join(texts)


def _detail_text(detail: Mapping[str, Any]) -> str:
    where = "arguments" + "".join(
        f"[{key}]" if isinstance(key, int) else f".{key}" for key in detail["loc"]
    )
    text = f"{where}: {detail['msg']}"
    if detail["type"] != "missing":
        text += f", got {detail['input']!r:.60}"
    return text
