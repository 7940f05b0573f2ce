"""Structured output: `with_structured_output`'s three methods and their parsers."""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import (
    Runnable,
    RunnableLambda,
    RunnableMap,
    RunnablePassthrough,
)
from langchain_core.utils.function_calling import (
    convert_to_json_schema,
    convert_to_openai_tool,
)
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools.binding import describe_tool

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]


def structured_runnable(
    model: BaseChatModel,
    schema: Any,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """Build the runnable behind `ChatSegmind.with_structured_output`."""
    if method not in ("json_schema", "function_calling", "json_mode"):
        raise SegmindInputError(
            f"unknown structured-output method {method!r}; use 'json_schema', "
            "'function_calling' or 'json_mode'"
        )
    if schema is None and method != "json_mode":
        raise SegmindInputError(f"method={method!r} needs a schema")
    trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    parser: Runnable[Any, Any]
    if method == "function_calling":
        name = describe_tool(schema)["function"]["name"]
        llm = model.bind_tools(
            [schema], tool_choice=name, ls_structured_output_format=trace
        )
        parser = RunnableLambda(_require_tool_call) | (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if is_pydantic
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
    else:
        options: dict[str, Any] = (
            {"response_format": _response_format(schema, strict)}
            if method == "json_schema"
            else {"json_mode": True}
        )
        llm = model.bind(**options, ls_structured_output_format=trace)
        parser = (
            PydanticOutputParser(pydantic_object=schema)
            if is_pydantic
            else JsonOutputParser()
        )
    if not include_raw:
        return llm | parser
    parse_raw = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse_raw.with_fallbacks(
        [no_parse], exception_key="parsing_error"
    )


def _require_tool_call(message: AIMessage) -> AIMessage:
    # Core's tool parsers return `None` without a valid call: fail loudly.
    if message.tool_calls:
        return message
    reasons = [str(c["error"]) for c in message.invalid_tool_calls if c.get("error")]
    detail = f": {'; '.join(reasons)}" if reasons else ""
    raise OutputParserException(
        f"the model made no valid call to the output schema{detail}",
        llm_output=str(message.content),
    )


def response_format_for(value: Any) -> Mapping[str, Any] | None:
    """A per-call `response_format`: a dict as given, or built from a schema."""
    if value is None or isinstance(value, Mapping):
        return value
    try:
        return _response_format(value, None)
    except SegmindInputError as error:
        raise SegmindInputError(
            f"response_format must be a dict or a schema class, got {value!r:.80}"
        ) from error


def _response_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    try:
        json_schema = convert_to_json_schema(schema)
        # Strict mode takes only closed objects whose properties are all
        # required: core writes the schema that way for OpenAI's tools.
        sent = (
            convert_to_openai_tool(schema, strict=True)["function"]["parameters"]
            if strict
            else json_schema
        )
    except (TypeError, ValueError) as error:
        raise SegmindInputError(
            f"cannot describe the output schema {schema!r:.80}: {error}"
        ) from error
    spec: dict[str, Any] = {
        "name": json_schema.get("title") or "response",
        "schema": sent,
    }
    if json_schema.get("description"):
        spec["description"] = json_schema["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}
