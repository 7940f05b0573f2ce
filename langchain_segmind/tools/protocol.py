r"""The text protocol that carries tool calls through Segmind's gateway.

The gateway forwards no `tools`, so the system prompt describes them and the
model answers with `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`
blocks; results go back as `<tool_result id="..." name="...">` in a user turn.
In untrusted text (messages, results, tool descriptions and schemas) the `<`
that would open or close a protocol tag is written `&lt;`, in JSON `\u003c`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any, cast

from langchain_segmind.conversion.messages import MAX_NESTING
from langchain_segmind.conversion.types import (
    STRICT_JSON,
    MediaPart,
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Turn,
)
from langchain_segmind.errors import SegmindInputError

CALL_OPEN, CALL_CLOSE = "<tool_call>", "</tool_call>"
RESULT_CLOSE = "</tool_result>"
_NO_ARGUMENTS: Mapping[str, Any] = {"type": "object", "properties": {}}

TAG_NAMES = ("tools", "tool_call", "tool_result", "answer_schema")
# The tags of the reasoning some models write inline, before their answer.
REASONING_TAG_NAMES = ("think", "thinking", "reasoning")
# In what users and tools write, reasoning's tags too: quoted in the model's
# reasoning, one would end it there, and a call drafted after it be made.
_UNTRUSTED_TAG_NAMES = (*TAG_NAMES, *REASONING_TAG_NAMES)
# Characters that print as nothing (control characters, Unicode's default
# ignorable ones: zero-width spaces and joiners, a soft hyphen, direction marks,
# variation selectors, Hangul fillers, tags): a tag written with them still
# reads as the tag.
_INVISIBLE = (
    "\x00-\x08\x0e-\x1f\x7f-\x9f"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)


def _tag_start(names: Sequence[str]) -> re.Pattern[str]:
    # The `<` of anything a model could take for one of the tags, in any case,
    # spacing or JSON spelling (`</tools>`, `< /TOOLS>`, `<\/tool_call>`).
    spelled = (f"[{_INVISIBLE}]*+".join(name) for name in names)
    return re.compile(
        rf"<(?=[\s/\\{_INVISIBLE}]*+(?:{'|'.join(spelled)})(?![A-Za-z0-9_]))",
        re.IGNORECASE,
    )


_TAG_START = _tag_start(TAG_NAMES)
_UNTRUSTED_TAG_START = _tag_start(_UNTRUSTED_TAG_NAMES)
_ANGLES = str.maketrans({"<": "\\u003c", ">": "\\u003e"})
_DANGLING = re.compile(rf"[\s/\\{_INVISIBLE}]*+([A-Za-z_{_INVISIBLE}]*+)\Z")
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# An answer is read as `with_structured_output` reads it: any fence tag, and
# raw line breaks inside strings.
ANSWER_DECODER = json.JSONDecoder(strict=False)
_FENCE_OPENING = re.compile(r"```[\w.+-]*+[ \t]*+\r?\n\s*+")
# A code fence's line: its backticks or tildes, then its info string (none in
# a closing fence; no backtick in a backtick fence's).
_FENCE = re.compile(r"^ {0,3}+(`{3,}+(?![^\n]*`)|~{3,}+)[^\S\n]*+(.*)", re.M)
# Each call after a block's first object (in an array, or one after another);
# matched where the last one ended, and possessive (`*+`), so reading a block
# takes time linear in its length.
_NEXT_OBJECT = re.compile(r"[\s,]*+\{")
_REASONING_OPEN = re.compile(rf"\s*+<({'|'.join(REASONING_TAG_NAMES)})>", re.IGNORECASE)
_UNFINISHED = "the call is inside reasoning that never ends (no closing tag)"
_BEFORE_CLOSE = (
    "the call comes before the reasoning's closing tag (</think>): it may be a "
    "draft; write it after the reasoning to make it"
)
# R1's reasoning (its opening tag is in the prompt) ends where a line does,
# or right before the answer's call or JSON.
_R1_CLOSE = re.compile(
    r"^[ \t]*</think>|</think>(?=[ \t]*(?:\r?$|<tool_call>|\{))",
    re.MULTILINE | re.IGNORECASE,
)
# What may follow a block's last call: the end of its fence or array.
_BLOCK_END = " \t\r\n`],"
# A tag right after one of these is quoted in prose, not a block.
_QUOTES = "`'\"\u201c\u2018\u201e\u00ab\u2039\u300c\u300e"
_CLOSING_QUOTES = "\u201d\u2019\u00bb\u203a\u300d\u300f"
# In a reply, the tags in any case: they are escaped in any case in the history.
_OPENING = re.compile(f"<(?<![{_QUOTES}]<)tool_call>", re.IGNORECASE)
# One written twice or more in a row opens or closes its block once.
_OPENINGS = re.compile(rf"{_OPENING.pattern}(?:\s*+{CALL_OPEN})*+", re.IGNORECASE)
_CLOSING = re.compile(rf"{CALL_CLOSE}(?:\s*+{CALL_CLOSE})*+", re.IGNORECASE)
_ARGUMENT_KEYS = ("arguments", "args", "parameters", "input")
# Deeper arguments are refused, as they are in messages sent (to_turns).
_TOO_DEEP = f'"arguments" is nested too deeply (more than {MAX_NESTING} levels)'
# Calls read from one reply: far more than any turn needs; each costs time and
# memory, so a reply of nothing but calls stops being read there.
MAX_CALLS = 128
_TOO_MANY = f"the reply has more than {MAX_CALLS} calls: the rest is not read"
# How json tells of a string cut off at a block's end: one cut right after a
# `\u00e9` escape reads as an invalid escape.
_CUT_STRING = ("Unterminated string", "Invalid \\uXXXX escape")

_PREAMBLE = """\
# Tools

You can call the tools listed below. Each line inside <tools> is one tool: \
its name, what it does, and the JSON Schema of its arguments.

<tools>
{tools}
</tools>

To call a tool, answer with a block that holds one JSON object with the keys \
"name" and "arguments", exactly like this:

<tool_call>
{{"name": "<tool name>", "arguments": {{<arguments as a JSON object>}}}}
</tool_call>

Rules:
- "arguments" must be a JSON object that satisfies the tool's schema.
- {several}
- You may write a short sentence before the first block; write nothing after \
the last block. Stop there: the results will come back in <tool_result> \
blocks in the next message.
- Calls in the conversation history also show an "id"; never write one \
yourself.
- {choice}"""

CHOICE_RULES = {
    "auto": "Call a tool only when it helps to answer; otherwise answer "
    "normally, with no tool_call block.",
    "any": "You must call at least one tool in this answer.",
}
_SEVERAL_RULES = {
    True: "To call several tools at once, write one block per call, one after another.",
    False: "Call at most one tool per answer: write a single block.",
}
_ANSWER_RULE = """
- When you answer without calling a tool, your whole answer must be one JSON \
object (no prose, no code fences) that satisfies this JSON Schema:
<answer_schema>
{schema}
</answer_schema>"""


@dataclass(frozen=True)
class ParsedCall:
    """One call and why it is unusable, if it is.

    `text` is the block as the model wrote it, tags included (a native call's:
    its name and arguments written as a block).
    """

    text: str
    name: str | None = None
    arguments: dict[str, Any] | None = None
    error: str | None = None
    id: str | None = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:24]}")
    beside: bool = False
    """Its arguments were written beside `"name"`, with no `"arguments"` key."""


def _json(value: Any) -> str:
    # In JSON `<` only occurs inside strings, where `\u003c` is the same text;
    # every one is escaped, since `\n` or `\t` may stand between it and a tag.
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as error:  # a date, say
        raise SegmindInputError(
            f"a tool call or tool description cannot be written as JSON: {error}"
        ) from error
    return text.replace("<", "\\u003c")


def render_instruction(
    tools: Sequence[Mapping[str, Any]],
    choice: str,
    answer_schema: Mapping[str, Any] | None,
    parallel: bool,
) -> str:
    """The system-prompt section that teaches the model the protocol."""
    lines = [
        _json(
            {
                "name": tool["function"]["name"],
                "description": tool["function"].get("description") or "",
                "parameters": tool["function"].get("parameters") or _NO_ARGUMENTS,
            }
        )
        for tool in tools
    ]
    text = _PREAMBLE.format(
        tools="\n".join(lines),
        choice=CHOICE_RULES.get(choice)
        or f'You must call the tool "{choice}" in this answer.',
        several=_SEVERAL_RULES[parallel],
    )
    if answer_schema is not None:
        text += _ANSWER_RULE.format(schema=_json(answer_schema))
    return text


def render_turns(turns: Sequence[Turn], instruction: str | None) -> list[Turn]:
    """Turns with tagged calls and results, escaped text, `instruction` after system.

    A result without a name takes the name of the latest earlier call with its
    id (a `ToolMessage` built by hand often carries only `tool_call_id`).
    Without an instruction, a call or a result, `turns` are returned as they
    are: with no protocol in the prompt, no text is escaped.
    """
    if instruction is None and not any(
        isinstance(part, ToolCallPart | ToolResultPart)
        for turn in turns
        for part in turn.parts
    ):
        return list(turns)
    call_names: dict[str, str] = {}
    rendered: list[Turn] = []
    for index, turn in enumerate(turns):
        written = _render_turn(turn, call_names)
        if turn.role == "tool" and index and turns[index - 1].role == "tool":
            # One user turn for parallel calls' results: some models (DeepSeek's
            # reasoner) refuse two user messages in a row.
            written = Turn("user", _joined(rendered.pop().parts + written.parts))
        rendered.append(written)
    if instruction is not None:
        after_system = next(
            (i for i, turn in enumerate(rendered) if turn.role != "system"),
            len(rendered),
        )
        rendered.insert(after_system, Turn("system", (TextPart(instruction),)))
    return rendered


def _render_turn(turn: Turn, call_names: dict[str, str]) -> Turn:
    """`turn` as protocol text; its calls' names are recorded in `call_names`."""
    parts: list[Part] = []
    untrusted = turn.role in ("user", "tool")
    # Joined before escaping: text split across blocks cannot spell a tag.
    for part in _joined(turn.parts):
        if isinstance(part, TextPart):
            parts.append(TextPart(_escaped(part.text, untrusted)))
        elif isinstance(part, ToolCallPart):
            if part.id:
                call_names[part.id] = part.name
            # After text or media only: `content=""` and thinking blocks are none.
            after_text = any(
                p.text if isinstance(p, TextPart) else isinstance(p, MediaPart)
                for p in parts
            )
            parts.append(TextPart(_call_block(part, after_text)))
        elif isinstance(part, ToolResultPart):
            status = "error" if part.is_error else None
            name = part.name or call_names.get(part.tool_call_id)
            values = {"id": part.tool_call_id, "name": name, "status": status}
            # JSON strings with `<` and `>` escaped: no value can end the tag.
            attributes = "".join(
                f" {key}={json.dumps(value).translate(_ANGLES)}"
                for key, value in values.items()
                if value
            )
            parts.append(TextPart(f"<tool_result{attributes}>\n"))
            parts.extend(_render_turn(Turn("user", part.content), {}).parts)
            parts.append(TextPart(f"\n{RESULT_CLOSE}\n"))
        elif isinstance(part, MediaPart):  # the model reads a file's names as text
            named = (part.filename, part.title, part.context)
            filename, title, context = (n and _escaped(n, untrusted) for n in named)
            parts.append(replace(part, filename=filename, title=title, context=context))
        else:
            parts.append(part)
    role = "user" if turn.role == "tool" else turn.role
    return Turn(role, _joined(parts), turn.name)


def _escaped(text: str, untrusted: bool) -> str:
    """`text` with every `<` that starts, or may start, one of the tags escaped."""
    names = _UNTRUSTED_TAG_NAMES if untrusted else TAG_NAMES
    text = (_UNTRUSTED_TAG_START if untrusted else _TAG_START).sub("&lt;", text)
    # A `<` at the end too: Claude turns run on into the next, which could end it.
    last = text.rfind("<")
    tail = _DANGLING.match(text, last + 1) if last != -1 else None
    written = _INVISIBLE_RUN.sub("", tail[1]).lower() if tail else None
    if written is not None and any(name.startswith(written) for name in names):
        text = f"{text[:last]}&lt;{text[last + 1 :]}"
    return text


def _joined(parts: Sequence[Part]) -> tuple[Part, ...]:
    joined: list[Part] = []
    for is_text, run in groupby(parts, lambda part: isinstance(part, TextPart)):
        if is_text:
            joined.append(TextPart("".join(cast("TextPart", p).text for p in run)))
        else:
            joined.extend(run)
    return tuple(joined)


def _call_block(part: ToolCallPart, after_text: bool) -> str:
    """A past call as a block: a valid one as JSON, one that was not as written."""
    args = part.args
    if (
        isinstance(args, str)
        and args.startswith(CALL_OPEN)
        and args.endswith(CALL_CLOSE)
    ):
        written = args[len(CALL_OPEN) : -len(CALL_CLOSE)].strip()
        start = max(written.find("{"), 0)  # past chatter or a fence, as read
        call, end = None, 0
        with suppress(ValueError, RecursionError):
            call, end = STRICT_JSON.raw_decode(written, start)
        # Its id, for the result's (in place of the model's own, if any).
        if isinstance(call, dict) and part.id:
            # Written as ASCII if it was (a lone surrogate stays escaped);
            # `<` and `>` as JSON escapes, so no value can spell a tag.
            ascii_only = written[start:end].isascii()
            own = json.dumps({**call, "id": part.id}, ensure_ascii=ascii_only)
            own = own.translate(_ANGLES)
            written = f"{written[:start]}{own}{written[end:]}"
        elif part.id:  # not a JSON object: after it
            written = f"{written}\n{_json({'id': part.id})}"
        body = _TAG_START.sub("&lt;", written)
    else:
        arguments = args if isinstance(args, str) else dict(args)
        body = _json({"name": part.name, "arguments": arguments, "id": part.id})
    # A lone surrogate (in a reply's raw text) goes back escaped: UTF-8 has none.
    body = _SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", body)
    block = f"{CALL_OPEN}\n{body}\n{CALL_CLOSE}\n"
    return f"\n{block}" if after_text else block


def parse_reply(text: str) -> tuple[str, list[ParsedCall]]:
    """Split a model's reply into its prose and its call blocks; never raises.

    A block's JSON objects (maybe in a code fence, or an array: each is a
    call) are read first, so a tag inside one of their strings does not end
    the block; a block with no closing tag runs to the next block, or to the
    end. A tag right after a backtick or quote is prose that mentions it.
    """
    # Reading starts where reasoning surely ends; a block between there and
    # the answer may be a draft or a call: refused, never made nor dropped.
    position, answer = reasoning_span(text)
    calls: list[ParsedCall] = []
    prose = [text[:position]]
    # What reading calls across later blocks may cost in all (characters):
    # without a bound, objects nested block in block are read again and again.
    budget = [8 * len(text)]
    while found := _OPENINGS.search(text, position):
        opening = found.start()
        prose.append(text[position:opening])
        if len(calls) >= MAX_CALLS:
            calls.append(ParsedCall(text[opening:], error=_TOO_MANY))
            position = len(text)
            break
        start = end = found.end()
        limit = _openings_on(text, start, 1)
        base, segment = start, text[start:limit]  # a copy of its own: linear
        objects: list[tuple[Any, str]] = []  # each call, and the text it was
        # From its first brace: past a code fence, an array's `[` or chatter.
        begin = text.find("{", start, limit)
        while begin != -1 and len(calls) + len(objects) < MAX_CALLS:
            try:
                payload, end, base, segment = _decode(
                    text, begin, base, segment, budget
                )
            except (ValueError, RecursionError):
                break
            limit = base + len(segment)
            objects.append((payload, f"{CALL_OPEN}{text[begin:end]}{CALL_CLOSE}"))
            opened = _NEXT_OBJECT.match(text, end, limit)
            begin = opened.end() - 1 if opened else -1
        closing = _CLOSING.search(text, end, limit)
        close = closing.start() if closing else limit
        # Tags kept: an invalid call's text never parses as JSON arguments, so
        # it stays invalid wherever chunks are merged again.
        block = f"{CALL_OPEN}{text[start:close].strip()}{CALL_CLOSE}"
        rest = text[end:close] if objects else ""
        rest = rest.strip(_BLOCK_END) if "{" in rest else ""  # else chatter
        if len(objects) < 2 and not rest:
            objects = [(payload, block) for payload, _ in objects or [(None, "")]]
        read = [_parse_call(own_text, payload) for payload, own_text in objects]
        if opening < answer:
            read = [ParsedCall(c.text, c.name, error=_BEFORE_CLOSE) for c in read]
        calls += read
        position = closing.end() if closing else limit
        if rest and begin != -1 and len(calls) >= MAX_CALLS:
            # Capped inside the block: later blocks go with its rest, unread.
            prose_end = _openings_on(text, position, 1)
            unread = f"{CALL_OPEN}{rest}{CALL_CLOSE}{text[prose_end:]}"
            calls.append(ParsedCall(unread, error=_TOO_MANY))
            prose.append(text[position:prose_end])
            position = len(text)
            break
        if rest:  # more text after the calls: never dropped in silence
            unread = f"{CALL_OPEN}{rest}{CALL_CLOSE}"
            calls.append(ParsedCall(unread, error="text after the calls is no call"))
    if answer == -1:  # drafts, or cut off at `max_tokens`: never made
        return text, [ParsedCall(c.text, c.name, error=_UNFINISHED) for c in calls]
    if not calls:
        return text, calls
    prose.append(text[position:])
    # Joined by line breaks, the pieces around removed blocks cannot spell a
    # new opening tag between them.
    return "\n".join(p.strip() for p in _unfenced(prose) if p.strip()), calls


def _unfenced(prose: list[str]) -> list[str]:
    """The prose around blocks, without the code fences that held only blocks."""
    # Each piece but the last is before a block: a fence opened at its end and
    # closed at the next one's start, or never, held only blocks.
    pieces = [*filter(None, (p.strip() for p in prose[:-1])), prose[-1].strip()]
    fence = None  # the opening line of the code block read, if one is open
    for index in range(len(pieces) - 1):
        piece, after = pieces[index], pieces[index + 1]
        for line in _FENCE.finditer(piece):
            if fence is None or (line[1].startswith(fence[1]) and not line[2]):
                fence = None if fence else line
        if fence and fence.string is piece and fence.end() == len(piece):
            closing = _FENCE.match(after or fence[1])  # nothing after: closed
            if closing and closing[1].startswith(fence[1]) and not closing[2]:
                pieces[index] = piece[: fence.start()]
                pieces[index + 1] = after[closing.end() :]
                fence = None
    return pieces


def _decode(
    text: str, begin: int, base: int, segment: str, budget: list[int]
) -> tuple[Any, int, int, str]:
    """The value at `begin`, its end, and the block's copy and base it was read from."""
    try:
        payload, end = STRICT_JSON.raw_decode(segment, begin - base)
        return payload, base + end, base, segment
    except ValueError as error:
        failure = error
    # A string that runs on past the block (an argument writing the tag) is read
    # from a copy of its own, starting at the value, over more and more blocks
    # (past 8, while the reply's `budget` lasts): reading stays linear.
    limit, reach = base + len(segment), 8
    while limit < len(text) and str(failure).startswith(_CUT_STRING):
        if reach > 8 and budget[0] <= 0:
            break
        limit, reach = _openings_on(text, limit + 1, reach), reach * 2
        budget[0] -= limit - begin
        try:
            payload, end = STRICT_JSON.raw_decode(text[begin:limit])
        except ValueError as error:
            failure = error
            continue
        end += begin
        return payload, end, begin, text[begin : _openings_on(text, end, 1)]
    raise failure


def _openings_on(text: str, position: int, count: int) -> int:
    """Where the `count`-th block opening from `position` is, or the text's end."""
    for seen, found in enumerate(_OPENING.finditer(text, position), 1):
        if seen == count:
            return found.start()
    return len(text)


def answer_object(text: str) -> str | None:
    """The JSON object an answer gives, maybe fenced or followed by a remark.

    `None` if it is no object, or another object or a block (a call) follows.
    """
    text = text.strip()
    fence = _FENCE_OPENING.match(text)
    start = fence.end() if fence else 0
    try:
        value, end = ANSWER_DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    rest = text[end:]
    if not isinstance(value, dict) or "{" in rest or _OPENING.search(rest):
        return None
    return text[start:end]


def _parse_call(block: str, payload: Any) -> ParsedCall:
    if payload is None:
        brace = block.find("{")
        if brace == -1:
            return ParsedCall(block, error="the block is not a JSON object")
        try:  # from the first brace: chatter before the object is skipped
            payload, _ = STRICT_JSON.raw_decode(block, brace)
        except ValueError as error:
            return ParsedCall(block, error=f"the block is not a JSON object: {error}")
        except RecursionError:
            return ParsedCall(block, error=_TOO_DEEP)
    name = payload.get("name")
    if not isinstance(name, str) or not name:
        return ParsedCall(block, error='the call has no "name" string')
    beside = {k: v for k, v in payload.items() if k not in ("name", "id", "type")}
    arguments: Any = next((payload[k] for k in _ARGUMENT_KEYS if k in payload), beside)
    if isinstance(arguments, str):
        try:
            arguments = STRICT_JSON.decode(arguments) if arguments.strip() else {}
        except ValueError as error:
            return ParsedCall(block, name, error=f'"arguments" is not JSON: {error}')
        except RecursionError:
            return ParsedCall(block, name, error=_TOO_DEEP)
    if arguments is None:  # null, or "null": as a native call's
        arguments = {}
    if not isinstance(arguments, dict):
        return ParsedCall(block, name, error='"arguments" is not an object')
    if _too_deep(arguments):
        return ParsedCall(block, name, error=_TOO_DEEP)
    return ParsedCall(block, name, arguments, beside=arguments is beside)


def reasoning_span(text: str) -> tuple[int, int]:
    """How far inline reasoning surely goes, and where the answer begins (-1: never).

    A block between the two may be a draft or a call. After an opening tag
    (`<think>`...), the first closing tag not wrapped in quotes or backticks
    ends the reasoning; a wrapped one before it (a mention?) may have ended
    it. Without an opening tag (R1's is in its prompt), a `</think>` that
    starts or ends a line, or comes right before a block or a JSON object,
    ends it (not one inside a JSON string value, nor one inside the JSON
    object the whole answer is), and nothing before it is surely reasoning.
    """
    opened = _REASONING_OPEN.match(text)
    if opened is None:
        end = _r1_close(text)
        # A line of a multi-line string in the answer's object starts with it.
        if end and (answer := answer_object(text)):
            return (0, 0) if end <= text.index(answer) + len(answer) else (0, end)
        return 0, end
    quotes, sure = _QUOTES + _CLOSING_QUOTES, -1
    closing = re.compile(f"</{opened[1]}>", re.IGNORECASE)
    for close in closing.finditer(text, opened.end()):
        before, after = text[close.start() - 1], text[close.end() : close.end() + 1]
        if not (before in quotes and after and after in quotes):
            return (close.end() if sure == -1 else sure), close.end()
        sure = close.start() if sure == -1 else sure
    return 0, -1


def _r1_close(text: str) -> int:
    """Where the first `</think>` outside a JSON string ends R1 reasoning (0: none).

    A line's text is read once, piece by piece from one close to the next:
    each piece begins with `<`, so no backslash escape spans two.
    """
    scanned = quotes = 0
    for close in _R1_CLOSE.finditer(text):
        if (line_break := text.rfind("\n", scanned, close.start())) != -1:
            scanned = line_break + 1
            quotes = 0
        plain = text[scanned : close.start()].replace("\\\\", "").replace('\\"', "")
        if found := plain.count('"'):
            quotes += found
            # By the line's last quote: set whenever `quotes` is odd.
            string_opened = _opens_a_string(plain[: plain.rfind('"')].rstrip())
        if quotes % 2 == 0 or not string_opened:
            return close.end()
        scanned = close.start()
    return 0


def _opens_a_string(before: str) -> bool:
    """Whether a quote after `before` (a line's text) opens a JSON string value.

    Not any quote: prose (`they said "stop`, `a 6.1" screen`) may come right
    before the real close.
    """
    if not before or before.endswith(("[", "{")):  # an item, a key
        return True
    last = before[:-1].rstrip()[-1:]  # before the `:` or `,`
    if before.endswith(":"):  # after a key
        return last == '"'
    # After a value: a string, number, true, false, null, array or object.
    return before.endswith(",") and bool(last) and last in '"0123456789el]}'


def _too_deep(arguments: dict[str, Any]) -> bool:
    """Whether objects and arrays nest more than `MAX_NESTING` levels in `arguments`."""
    level: list[Any] = [arguments]
    for _ in range(MAX_NESTING):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True
