"""A stand-in model that follows langchain-segmind's tool protocol.

When a request's system text carries the protocol's tool list, the emulator
answers like a well-behaved model: on a new question it calls a tool (the
required one, else the first not yet called for this question), filling
numbers and quoted strings from the question where they fit; once each tool
has answered it replies in prose quoting the results, or with an instance of
the answer schema when the prompt sets one. Deterministic, so tests can
assert on it. It reads the escaped protocol as a model would: `&lt;` before
a protocol tag in message text is read as `<`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_segmind.tools.protocol import (
    CALL_CLOSE,
    CALL_OPEN,
    CHOICE_RULES,
    RESULT_CLOSE,
    TAG_NAMES,
)

from ._replies import message_text
from ._schema import fits, instance_of

ANSWER_PREFIX = "Here is what the tools returned: "
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Quotes, not apostrophes: no letter may touch a quote on its outer side.
_QUOTED = re.compile(r"(?<!\w)'([^']+)'(?!\w)|\"([^\"]+)\"|“([^”]+)”")
_RESULT = re.compile(rf"<tool_result[^>]*>\n?(.*?)\n?{re.escape(RESULT_CLOSE)}", re.S)
_TOOLS_SECTION = re.compile(r"<tools>\s*(.*?)\s*</tools>", re.S)
_SCHEMA_SECTION = re.compile(r"<answer_schema>\s*(.*?)\s*</answer_schema>", re.S)
_REQUIRED_TOOL = re.compile(r'You must call the tool "([^"]+)" in this answer\.')
# The protocol's choice rule, after its rule on ids: a user's system prompt may
# say the same words elsewhere.
_CHOICE_RULE = re.compile(r"never write one yourself\.\n- (.*)")
# What makes a property's value more than a word of the question.
_FIXED = frozenset({"enum", "const", "format", "pattern"})
_ESCAPED_TAG = re.compile(rf"&lt;(?=[\s/\\]*(?:{'|'.join(TAG_NAMES)})\b)", re.I)


def protocol_reply(body: dict[str, Any]) -> str | None:
    """The reply of a protocol-following model, or `None` if no tools are bound."""
    system = _system_text(body)
    tools, choice = read_tools_instruction(system)
    if not tools:
        return None
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    question, results, called = _episode(messages)
    if choice not in ("auto", "any"):
        return _call(next(t for t in tools if t["name"] == choice), question)
    pending = [tool for tool in tools if tool["name"] not in called]
    if pending:
        return _call(pending[0], question)
    if choice == "any":
        return _call(tools[0], question)
    answer_schema = read_answer_schema(system)
    if answer_schema is not None:
        return json.dumps(_arguments(answer_schema, question), ensure_ascii=False)
    return ANSWER_PREFIX + "; ".join(results)


def _system_text(body: dict[str, Any]) -> str:
    parts = [body["instruction"]] if isinstance(body.get("instruction"), str) else []
    parts += [
        message_text(m)
        for m in body.get("messages") or []
        if isinstance(m, dict) and m.get("role") == "system"
    ]
    return "\n".join(parts)


def _episode(messages: list[dict[str, Any]]) -> tuple[str, list[str], set[str]]:
    """The latest question, the tool results since, and the tools called since."""
    question, results, called = "", list[str](), set[str]()
    for message in messages:
        text = message_text(message)
        if message.get("role") == "assistant":
            called.update(_called_tools(text))
        elif message.get("role") == "user":
            after_results = text.rsplit(RESULT_CLOSE, 1)[-1].strip()
            if after_results:  # a new question: a new episode starts
                question, results, called = _unescape(after_results), [], set()
            results += [r.strip() for r in _RESULT.findall(text)]  # quoted as sent
    return question, results, called


def _called_tools(text: str) -> set[str]:
    names = set()
    for block in text.split(CALL_OPEN)[1:]:
        try:
            payload = json.loads(block.split(CALL_CLOSE, 1)[0])
        except ValueError:
            continue
        if isinstance(payload, dict) and isinstance(payload.get("name"), str):
            names.add(payload["name"])
    return names


def _call(tool: dict[str, Any], question: str) -> str:
    arguments = _arguments(tool.get("parameters") or {}, question)
    payload = json.dumps(
        {"name": tool["name"], "arguments": arguments}, ensure_ascii=False
    )
    return f"{CALL_OPEN}\n{payload}\n{CALL_CLOSE}"


def _arguments(schema: Any, question: str) -> dict[str, Any]:
    """Required arguments, taking numbers and quoted strings from the question.

    A property with `enum`, `const`, `format` or `pattern` keeps its schema
    instance; any other takes the first number (or quoted string) not yet
    used that fits its type and bounds.
    """
    arguments = instance_of(schema)
    if not isinstance(arguments, dict):
        return {}
    numbers = _NUMBER.findall(question)
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(question)]
    properties = schema.get("properties") or {}
    for name in arguments:
        spec = properties.get(name)
        if not isinstance(spec, dict) or _FIXED.intersection(spec):
            continue
        kind = spec.get("type")
        words = quoted if kind == "string" else numbers
        for index, word in enumerate(words):
            value = _typed(word, kind)
            if value is not None and fits(value, spec):
                arguments[name] = value
                del words[index]
                break
    return arguments


def _typed(word: str, kind: Any) -> str | int | float | None:
    """A word of the question as a value of the JSON type `kind`, if it is one."""
    if kind == "string":
        return word
    if kind not in ("integer", "number"):
        return None
    number = float(word)
    if kind == "number":
        return number
    return int(number) if number.is_integer() else None


def _unescape(text: str) -> str:
    return _ESCAPED_TAG.sub("<", text)


def read_answer_schema(system_text: str) -> Any:
    """The JSON Schema a tool-free answer must follow, if the prompt sets one."""
    section = _SCHEMA_SECTION.search(system_text)
    if section is None:
        return None
    try:
        return json.loads(section.group(1))
    except ValueError:
        return None


def read_tools_instruction(system_text: str) -> tuple[list[dict[str, Any]], str]:
    """The tools (their JSON lines) and the tool choice of a rendered instruction.

    Returns:
        The tools, and the choice: `"auto"`, `"any"` or a tool's name.
    """
    section = _TOOLS_SECTION.search(system_text)
    if section is None:
        return [], "auto"
    tools = []
    for line in section.group(1).split("\n"):
        try:
            spec = json.loads(line)
        except ValueError:
            continue
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            tools.append(spec)
    rule = _CHOICE_RULE.search(system_text, section.end())
    line = rule.group(1) if rule else ""
    if required := _REQUIRED_TOOL.fullmatch(line):
        return tools, required.group(1)
    return tools, "any" if line == CHOICE_RULES["any"] else "auto"
