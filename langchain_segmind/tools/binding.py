"""Tool binding: the tools of a call, the protocol in its turns, calls read back.

A call's arguments are checked by its tool's own pydantic model where it has
one (as `BaseTool.invoke` and `PydanticToolsParser` will), else for a known
name, a JSON object and the schema's required keys (those of a tool with
nothing to run, which its caller validates, are left to it).
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import pickle
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, get_args, get_type_hints

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.tools import BaseTool, StructuredTool, Tool
from langchain_core.tools.base import create_schema_from_function
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import AliasChoices, AliasPath, BaseModel, ValidationError

from langchain_segmind.conversion.types import Turn
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools import protocol

_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REASONING_TAG = "(?:" + "|".join(protocol.REASONING_TAG_NAMES) + ")"
_REASONING_TAGS = re.compile(rf"^\s*<{_REASONING_TAG}>|</{_REASONING_TAG}>\s*$", re.I)
# What langchain-core (and pydantic v1, which it describes TypedDicts with)
# raises for something it cannot describe; RecursionError is a RuntimeError,
# NameError pydantic v1's for a key such as `schema` or `json`, and pydantic's
# `PydanticUserError` a TypeError (a RuntimeError in newer pydantic).
NOT_DESCRIBABLE = (
    AttributeError,
    TypeError,
    ValueError,
    LookupError,
    RuntimeError,
    NameError,
)
_MAX_REPORTED_ERRORS = 3
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}
# Keywords that give a schema's root a shape besides its `properties`.
_SHAPE_KEYWORDS = frozenset(
    {"$ref", "anyOf", "oneOf", "allOf", "enum", "const", "items", "prefixItems"}
)
DESCRIBED_ARGUMENTS = frozenset({"function", "input_schema", "parameters"})
# What core gives as the description of a TypedDict without a docstring of its
# own, nested ones too: `dict`'s (or `Generic`'s, its lines rejoined), which
# would tell the model about `dict()`.
_INHERITED_DOCS = {
    " ".join(str(inspect.getdoc(base)).split()) for base in (dict, Generic)
}
# Smart unions try every option, so nested unions cost exponential time:
# arguments needing more (value, schema) visits than this are refused.
_CHECK_BUDGET = 100_000


class DescribedTool(dict[str, Any]):
    """The dict `convert_to_openai_tool` returns, remembering how calls are checked.

    `args_model` checks the arguments; without one, a call needs the schema's
    required keys, unless `checked_by_caller`: a tool with nothing to run
    (LangChain's `ToolStrategy` binds its schema as one), whose calls the
    caller reads and validates itself, applying its own error handling.
    """

    def __init__(
        self,
        description: Mapping[str, Any],
        args_model: type[BaseModel] | None,
        checked_by_caller: bool = False,
    ) -> None:
        super().__init__(description)
        self.args_model = args_model
        self.checked_by_caller = checked_by_caller

    def __reduce__(self) -> tuple[Any, ...]:
        # Core builds a function's (or `@tool`'s) model under a name pickle
        # cannot import: pickled without it, calls are checked as without one.
        model = self.args_model
        try:
            pickle.dumps(model)
        except (pickle.PicklingError, AttributeError):
            model = None
        return DescribedTool, (dict(self), model, self.checked_by_caller)

    def __copy__(self) -> DescribedTool:
        return DescribedTool(self, self.args_model, self.checked_by_caller)

    def __deepcopy__(self, memo: dict[int, Any]) -> DescribedTool:
        described = copy.deepcopy(dict(self), memo)
        return DescribedTool(described, self.args_model, self.checked_by_caller)


def describe_tool(tool: Any, *, strict: bool | None = None) -> DescribedTool:
    """`convert_to_openai_tool`, refusing a tool Segmind's models could not call."""
    if isinstance(tool, DescribedTool):  # core keeps OpenAI's form, `strict` or not
        return tool
    root: object = "object"
    if isinstance(tool, dict) and not DESCRIBED_ARGUMENTS & tool.keys():
        kind = tool.get("type")
        if isinstance(kind, str) and kind.lower() not in (*JSON_TYPES, "function"):
            raise _not_runnable(tool, kind)  # `web_search_preview`, `custom`...
        if "title" in tool:  # a bare JSON schema
            shape = _SHAPE_KEYWORDS & tool.keys()
            typed = isinstance(kind, str | list)  # checked below
            if shape and "properties" not in tool and not typed:
                raise SegmindInputError(
                    "a tool's arguments must be a JSON object given at the "
                    f"schema's root; the schema of tool {tool['title']!r} has "
                    f"{', '.join(sorted(shape))} there, and no `type` or "
                    "`properties`"
                )
            # In OpenAI's form: core keeps a bare schema only with `properties`.
            parameters = dict(tool)
            openai_form = {"name": parameters.pop("title"), "parameters": parameters}
            if "description" in tool:
                openai_form["description"] = parameters.pop("description")
            tool = openai_form
        root = "object" if kind in (None, "function") else kind
    try:
        description = convert_to_openai_tool(tool, strict=strict)
        if description.get("type") == "function" and "function" not in description:
            flat = {k: v for k, v in description.items() if k != "type"}
            description = {"type": "function", "function": flat}  # Responses form
        if is_typeddict(tool):
            as_declared(description, () if strict else (tool,))  # core's new dict
        function = description.get("function", {})  # none: passed through as given
        name, parameters = function.get("name"), function.get("parameters")
    except RecursionError as error:  # a TypedDict that nests itself
        raise SegmindInputError(
            f"cannot describe the tool {tool!r:.80}: it nests itself; use a "
            "pydantic model, which can"
        ) from error
    except NOT_DESCRIBABLE as error:
        what = (
            f"the arguments of the tool {tool!r:.80}"
            if is_typeddict(tool)
            else f"the tools: {tool!r:.80} is not a tool, or its arguments have "
            "no JSON Schema"
        )
        raise not_describable(what, tool, error) from error
    if "function" not in description:  # a provider's own, e.g. OpenAI's `custom`
        raise _not_runnable(tool, description.get("type"))
    if isinstance(parameters, dict):  # a bare schema's `type` too
        root = parameters.get("type")
    types = [root] if isinstance(root, str) else root
    if isinstance(types, list) and "object" not in (str(t).lower() for t in types):
        raise SegmindInputError(
            f"a tool's arguments must be a JSON object; tool {name!r} takes a "
            f"JSON value of type {root!r}"
        )
    if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
        raise SegmindInputError(
            f"tool name {name!r} is not allowed: use 1 to 64 letters, digits, "
            "'_' or '-'"
        )
    args_model = _args_model(tool)
    schema_only = (
        isinstance(tool, StructuredTool) and tool.func is None and not tool.coroutine
    )
    return DescribedTool(description, args_model, schema_only and args_model is None)


def is_typeddict(schema: Any) -> bool:
    """Whether `schema` is a TypedDict class (of `typing` or `typing_extensions`)."""
    return isinstance(schema, type) and hasattr(schema, "__required_keys__")


def not_describable(what: str, schema: Any, error: Exception) -> SegmindInputError:
    """The refusal of `what`, which core failed to describe with `error`.

    A TypedDict `schema` is told to use a pydantic model, which core can describe.
    """
    advice = "; use a pydantic model instead" if is_typeddict(schema) else ""
    return SegmindInputError(
        f"cannot describe {what} ({type(error).__name__}: {error}){advice}"
    )


def as_declared(described: Any, typed_dicts: Sequence[Any]) -> None:
    """Core's description of TypedDicts, in place, as the classes declare them.

    Core gives a TypedDict without a docstring `dict`'s, nested ones too, and
    requires all its keys, ignoring `total=False`: only the `__required_keys__`
    of `typed_dicts` stay required (with none, as `strict` wants, all do).
    Core inlines nested TypedDicts without their names: each is known by its
    keys among the TypedDicts its key's type names.
    """
    if isinstance(described, list):
        for value in described:
            as_declared(value, typed_dicts)
    if not isinstance(described, dict):
        return
    description = described.get("description")
    if (
        isinstance(description, str)
        and " ".join(description.split()) in _INHERITED_DOCS
    ):
        del described["description"]
    properties, listed = described.get("properties"), described.get("required")
    keys = frozenset(properties) if isinstance(properties, dict) else None
    # Two TypedDicts of these keys in one place (a union): what both require.
    matching = [t for t in typed_dicts if _described_keys(t) == keys]
    for key, value in described.items():
        if key == "properties" and isinstance(value, dict):
            hints = [get_type_hints(typed_dict) for typed_dict in matching]
            for name, schema in value.items():
                types = [hint.get(name) for hint in hints]
                as_declared(schema, _typed_dicts_in(types))
        else:
            as_declared(value, typed_dicts)
    if matching and isinstance(listed, list):
        required = frozenset.intersection(*(t.__required_keys__ for t in matching))
        if listed := [key for key in listed if key in required]:
            described["required"] = listed
        else:
            del described["required"]


def _described_keys(typed_dict: Any) -> frozenset[str]:
    """A TypedDict's keys core describes: its pydantic v1 model drops `_` ones."""
    keys = typed_dict.__required_keys__ | typed_dict.__optional_keys__
    return frozenset(key for key in keys if not key.startswith("_"))


def _typed_dicts_in(types: list[Any]) -> list[Any]:
    """The TypedDicts the types name, not those their own keys name."""
    found: list[Any] = []
    while types:
        hint = types.pop()
        if is_typeddict(hint):
            found.append(hint)
        else:
            types.extend(get_args(hint))
    return found


def _not_runnable(tool: Any, kind: object) -> SegmindInputError:
    name = tool.get("name") if isinstance(tool, dict) else getattr(tool, "name", None)
    return SegmindInputError(
        f"tool {name or tool!r:.80} is a provider's built-in tool, or a custom "
        f"one taking free text (type {kind!r}), which Segmind's gateway cannot "
        "run: it forwards no tools"
    )


def _args_model(tool: Any) -> type[BaseModel] | None:
    """The pydantic model that checks the tool's arguments, if it has one."""
    if isinstance(tool, Tool) and not tool.args_schema:
        return None  # described as one `__arg1` string, not by a model
    if isinstance(tool, BaseTool):
        # The tool's own model, with its validators and config, unless it has
        # injected arguments: core's copy without them, then.
        own, described = tool.args_schema, tool.tool_call_schema
        same_fields = (
            getattr(own, "model_fields", {}).keys()
            == getattr(described, "model_fields", {}).keys()
        )
        tool = own if same_fields else described
    elif callable(tool) and not isinstance(tool, type):  # fields as core describes
        tool = create_schema_from_function(
            tool.__name__, tool, filter_args=(), include_injected=False
        )
    return tool if isinstance(tool, type) and issubclass(tool, BaseModel) else None


@dataclass(frozen=True)
class ToolBinding:
    """The tools of one call, their `choice`, `answer_schema` and `parallel`."""

    tools: tuple[DescribedTool, ...]
    choice: str = "auto"
    answer_schema: Mapping[str, Any] | None = None
    parallel: bool = True

    @property
    def parses_replies(self) -> bool:
        """Whether replies may hold protocol calls."""
        return bool(self.tools) and self.choice != "none"


_DICT_CHOICES = ("auto", "any", "none")  # Anthropic's forms without a name


def described_tools(
    tools: Iterable[Any], tool_choice: Any, strict: bool | None = None
) -> tuple[list[DescribedTool], str]:
    """The tools described, and `tool_choice` as "auto", "any", "none" or a name."""
    described = [describe_tool(tool, strict=strict) for tool in tools]
    names = [tool["function"]["name"] for tool in described]
    choice = tool_choice
    if isinstance(choice, Mapping):
        function = choice.get("function")
        named = function.get("name") if isinstance(function, Mapping) else None
        kind = choice.get("type") if choice.get("type") in _DICT_CHOICES else None
        choice = named or choice.get("name") or kind
        if choice is None:
            raise SegmindInputError(
                f"tool_choice {dict(tool_choice)!r} is not a form the package "
                "reads: name a tool ({'type': 'function', 'function': {'name': "
                "...}} or {'type': 'tool', 'name': ...}), or give a 'type' of "
                "'auto', 'any' or 'none'"
            )
    if choice is None or choice == "auto":
        return described, "auto"
    if choice is True or choice in ("any", "required"):
        return described, "any"
    if choice is False or choice == "none":
        return described, "none"
    if choice in names:
        return described, choice
    raise SegmindInputError(
        f"tool_choice {choice!r} names no bound tool; bound tools: {names}, "
        "or use 'auto', 'any', 'required' or 'none'"
    )


def one_call_only(tool_choice: Any) -> bool:
    """Whether `tool_choice` is Anthropic's dict asking for one call per answer."""
    return isinstance(tool_choice, Mapping) and bool(
        tool_choice.get("disable_parallel_tool_use")
    )


def apply_protocol(turns: Sequence[Turn], binding: ToolBinding | None) -> list[Turn]:
    """The turns as the protocol writes them, with the binding's instruction."""
    instruction = None
    if binding is not None and binding.parses_replies:
        instruction = protocol.render_instruction(
            binding.tools, binding.choice, binding.answer_schema, binding.parallel
        )
    return protocol.render_turns(turns, instruction)


def read_tool_calls(message: AIMessage, binding: ToolBinding | None) -> AIMessage:
    """Move the reply's call blocks into `tool_calls`; never raises.

    Unusable blocks and refused arguments become `invalid_tool_calls` with the
    reason; valid calls keep their arguments as written. Without `parallel`,
    only the first call counts, native calls (should any come back) included.
    Without a binding whose replies are parsed, the message is returned as is.
    """
    if binding is None or not binding.parses_replies:
        return message
    if binding.answer_schema is not None and not message.tool_calls:
        text = message.text
        start = max(protocol.reasoning_span(text)[1], 0)
        answer = protocol.answer_object(text[start:])
        if answer is not None:
            # The answer itself: tags inside its strings are text, not calls.
            kwargs = dict(message.additional_kwargs)
            if inline := _REASONING_TAGS.sub("", text[:start]).strip():
                given = kwargs.get("reasoning_content")  # the gateway's own
                kwargs["reasoning_content"] = "\n\n".join(filter(None, (given, inline)))
            return message.model_copy(
                update={"content": answer, "additional_kwargs": kwargs}
            )
    prose, calls = protocol.parse_reply(message.text)
    if not (calls or message.tool_calls or message.invalid_tool_calls):
        return message
    # A native call's text is written as a block too, so that a refused one
    # never parses as arguments when a stream's chunks are merged.
    natives = [
        protocol.ParsedCall(
            _as_block(native["name"], native["args"]),
            native["name"],
            native["args"],
            id=native["id"],
        )
        for native in message.tool_calls
    ]
    valid = []
    invalid = [
        refused | {"args": _as_block(refused["name"], refused["args"])}
        for refused in message.invalid_tool_calls
    ]
    # For all the reply's calls together: more for longer calls, within bounds.
    checked = [*natives, *calls][: None if binding.parallel else 1]
    written = sum(len(call.text) for call in checked)
    checks_left = [_CHECK_BUDGET + min(2 * written, 10 * _CHECK_BUDGET)]
    for call in checked:
        name, args = call.name or "", call.arguments or {}
        error = call.error or _argument_error(
            name, args, binding, call.beside, checks_left
        )
        if error is None:
            valid.append(tool_call(name=name, args=args, id=call.id))
        else:
            invalid.append(
                invalid_tool_call(
                    name=call.name, args=call.text, id=call.id, error=error
                )
            )
    metadata = dict(message.response_metadata)
    if valid and metadata.get("finish_reason") == "stop":
        metadata["finish_reason"] = "tool_calls"
    return message.model_copy(
        update={
            "content": prose,
            "tool_calls": valid,
            "invalid_tool_calls": invalid,
            "response_metadata": metadata,
        }
    )


def _as_block(name: str | None, arguments: Any) -> str:
    written = json.dumps({"name": name, "arguments": arguments})
    return f"{protocol.CALL_OPEN}{written}{protocol.CALL_CLOSE}"


def _argument_names(tool: DescribedTool) -> set[str] | None:
    """The names the tool's arguments may have; `None`: any name."""
    if tool.args_model is not None:  # a pydantic v2 model (`_args_model`)
        config: Mapping[str, Any] = tool.args_model.model_config
        if config.get("extra") == "allow":
            return None
        # The names validation reads: a field's validation alias (a path's
        # first key), its name if it has none or the model validates by name.
        by_name = config.get("populate_by_name") or config.get("validate_by_name")
        by_alias = config.get("validate_by_alias") is not False
        names = set()
        for name, field in tool.args_model.model_fields.items():
            alias = field.validation_alias or field.alias
            if alias is None or by_name:
                names.add(name)
            if alias is None or not by_alias:
                continue
            for choice in alias.choices if isinstance(alias, AliasChoices) else [alias]:
                first = choice.path[0] if isinstance(choice, AliasPath) else choice
                if isinstance(first, str):
                    names.add(first)
        return names
    parameters = tool["function"].get("parameters")
    properties = parameters.get("properties") if isinstance(parameters, dict) else None
    if not isinstance(properties, dict):
        return None  # a free-form object: any key may be an argument
    if parameters.get("additionalProperties") not in (None, False):
        return None
    return set(properties)


def _argument_error(
    name: str,
    arguments: dict[str, Any],
    binding: ToolBinding,
    beside: bool,
    checks_left: list[int],
) -> str | None:
    """Why the call does not fit its tool, or `None`; never raises.

    Tools bound under one name all check it: a later one cannot loosen an
    earlier one's rules.
    """
    named = [tool for tool in binding.tools if tool["function"]["name"] == name]
    if not named:
        names = sorted({tool["function"]["name"] for tool in binding.tools})
        return f"no tool is named {name!r}; tools: {names}"
    if binding.choice not in ("auto", "any", "none") and name != binding.choice:
        return f"tool_choice requires a call of {binding.choice!r}, not {name!r}"
    errors = (_tool_error(tool, name, arguments, beside, checks_left) for tool in named)
    return next((error for error in errors if error), None)


def _tool_error(
    tool: DescribedTool,
    name: str,
    arguments: dict[str, Any],
    beside: bool,
    checks_left: list[int],
) -> str | None:
    # Beside the name, a wrapper ("params") would leave every argument its default.
    known = _argument_names(tool) if beside else None
    if known is not None and (unknown := sorted(set(arguments) - known)):
        return f'no "arguments" object, and {unknown} are not arguments of {name!r}'
    if tool.checked_by_caller:
        return None
    if tool.args_model is None:
        parameters = tool["function"].get("parameters")
        required = parameters.get("required") if isinstance(parameters, dict) else []
        missing = [
            f"arguments.{k}: Field required"
            for k in (required if isinstance(required, list) else [])
            if isinstance(k, str) and k not in arguments
        ]
        return "; ".join(missing) or None
    if (schema := _union_schema(tool.args_model)) is not None:
        limit = min(checks_left[0], _CHECK_BUDGET)  # the call's, and the reply's
        checks_left[0] -= (work := _union_work(arguments, schema, limit))
        if work > limit:
            shared = "" if limit == _CHECK_BUDGET else "with the reply's other calls, "
            return (
                f"{shared}the arguments nest too many alternatives of the schema "
                "to be checked"
            )
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
    loc = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in detail["loc"])
    got = "" if detail["type"] == "missing" else f", got {detail['input']!r:.60}"
    return f"arguments{loc}: {detail['msg']}{got}"


@functools.lru_cache(maxsize=256)
def _union_schema(model: type[BaseModel]) -> Mapping[str, Any] | None:
    """The model's JSON schema if it has unions, the only way validation blows up."""
    # Cannot raise: describing the tool built a JSON schema from the same fields.
    schema = model.model_json_schema()
    written = json.dumps(schema)
    unions = any(f'"{key}"' in written for key in ("anyOf", "oneOf", "allOf"))
    return schema if unions else None


def _union_work(arguments: Any, root: Mapping[str, Any], budget: int) -> int:
    """The (value, schema) visits pydantic's smart unions may make, up to `budget`."""
    definitions = root.get("$defs") or {}
    pending: list[tuple[Any, Any]] = [(arguments, root)]
    work = 0
    while pending and work <= budget:
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
            # JSON Schema writes every tag as a string (`1` as `"1"`).
            chosen = mapping.get(str(tag))
            options = [{"$ref": chosen}] if chosen else options
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
