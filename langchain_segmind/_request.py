"""One chat call, prepared: the HTTP request to send and how to read the answer.

Everything a call needs is resolved and validated here, before any I/O, so
bad input fails with a typed error without spending a request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage
from pydantic import SecretStr

from langchain_segmind import conversion as wire
from langchain_segmind._response import call_metadata, to_ai_message
from langchain_segmind.callbacks import account_id, check_balance, record_balance
from langchain_segmind.conversion.messages import to_turns
from langchain_segmind.conversion.types import GenerationOptions
from langchain_segmind.errors import (
    SegmindAuthenticationError,
    SegmindInputError,
    SegmindResponseError,
)
from langchain_segmind.tools.binding import ToolBinding, apply_protocol, read_tool_calls
from langchain_segmind.transport.clients import AsyncClient, SyncClient
from langchain_segmind.transport.clock import Clock
from langchain_segmind.transport.endpoint import check_slug, endpoint, queue_base_url
from langchain_segmind.transport.headers import check_caller_headers
from langchain_segmind.transport.queue import asend_queued, send_queued
from langchain_segmind.transport.send import Answer, HttpCall, asend, send

MISSING_KEY_MESSAGE = (
    "no Segmind API key: pass api_key=... to the model or set the "
    "SEGMIND_API_KEY environment variable"
)


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to send requests (resolved from the model's fields)."""

    base_url: str
    api_key: SecretStr | None
    timeout: float | None
    max_retries: int
    headers: Mapping[str, str]
    clock: Clock
    api_version: Literal["v1", "v2"] = "v1"
    min_remaining_credits: float | None = None
    raise_on_low_credits: bool = False
    async_transport: str = "httpx2"

    def __post_init__(self) -> None:
        # Fields were checked by pydantic; these may come from a call's kwargs.
        timeout = self.timeout
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout < math.inf
        ):
            raise SegmindInputError(
                f"timeout must be a positive number of seconds or None, got {timeout!r}"
            )
        retries = self.max_retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise SegmindInputError(
                f"max_retries must be a whole number >= 0, got {retries!r}"
            )


def stop_sequences(stop: object) -> tuple[str, ...]:
    """A call's stop sequences: `None`, one string, or a list of strings.

    Raises:
        SegmindInputError: Anything else.
    """
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list | tuple) and all(isinstance(item, str) for item in stop):
        return tuple(stop)
    raise SegmindInputError(f"stop must be a string or a list of strings, got {stop!r}")


@dataclass(frozen=True)
class PreparedChat:
    """A validated chat call and what is needed to read its answer."""

    http: HttpCall
    model: str
    account: str
    stop: tuple[str, ...] = ()
    tools: ToolBinding | None = None
    queued: bool = False

    def run(self, client: SyncClient | None) -> AIMessage:
        """Send the call (directly or through the v2 queue) and read the answer."""
        answer = (send_queued if self.queued else send)(self.http, client)
        return self.read(answer)

    async def arun(self, client: AsyncClient | None) -> AIMessage:
        """The async twin of `run`."""
        answer = await (asend_queued if self.queued else asend)(self.http, client)
        return self.read(answer)

    def read(self, answer: Answer) -> AIMessage:
        """Parse the answer into an `AIMessage`.

        Raises:
            SegmindResponseError: When the body has no known shape.
        """
        completion = wire.parse_completion(answer.payload)
        if completion is None:
            keys = sorted(answer.payload) if isinstance(answer.payload, dict) else []
            raise SegmindResponseError(
                f"Segmind's answer has no recognisable shape (keys: {keys})",
                status_code=answer.status_code,
                request_id=answer.headers.get("x-request-id"),
            )
        metadata = call_metadata(answer.headers)
        record_balance(self.account, metadata["remaining_credits"])
        message = to_ai_message(completion, metadata, model=self.model, stop=self.stop)
        if self.tools is not None and self.tools.parses_replies:
            message = read_tool_calls(message, self.tools)
        return message


def _schema_into_protocol(
    tools: ToolBinding, options: GenerationOptions
) -> tuple[ToolBinding, GenerationOptions]:
    """Ask for a JSON final answer in the tool prompt, not in `response_format`.

    A JSON-schema `response_format` would constrain every reply, so the model
    could not write tool calls; agents that want both (tools now, a structured
    answer at the end) get the schema as a rule of the protocol instead.
    """
    response_format = options.response_format or {}
    spec = response_format.get("json_schema")
    if response_format.get("type") != "json_schema" or not isinstance(spec, Mapping):
        return tools, options
    schema = spec.get("schema")
    if not isinstance(schema, Mapping):
        return tools, options
    return replace(tools, answer_schema=schema), replace(options, response_format=None)


def prepare_chat(
    messages: Sequence[BaseMessage],
    *,
    model: str,
    options: GenerationOptions,
    connection: ConnectionSettings,
    extra_headers: Mapping[str, str] | None = None,
    tools: ToolBinding | None = None,
    native_tools: bool = False,
) -> PreparedChat:
    """Validate the input and build the request for one chat call.

    Args:
        messages: The conversation.
        model: The Segmind slug.
        options: Sampling and output settings.
        connection: Where and how to send.
        extra_headers: Per-call headers, on top of the model's.
        tools: The bound tools, if any.
        native_tools: Send tools in the body instead of the text protocol.

    Returns:
        The prepared call.

    Raises:
        SegmindAuthenticationError: When there is no API key.
        SegmindInputError: When the input cannot be sent to this model.
    """
    check_slug(model)
    headers = {**connection.headers, **check_caller_headers(extra_headers)}
    if not connection.api_key:
        raise SegmindAuthenticationError(MISSING_KEY_MESSAGE)
    account = account_id(connection.base_url, connection.api_key)
    check_balance(
        account,
        connection.min_remaining_credits,
        raise_error=connection.raise_on_low_credits,
    )
    queued = connection.api_version == "v2"
    base_url = queue_base_url(connection.base_url) if queued else connection.base_url
    turns = to_turns(messages, model)
    if native_tools:
        if tools is not None:
            options = replace(
                options, native_tools=tools.tools, tool_choice=tools.choice
            )
    else:
        if tools is not None and tools.parses_replies:
            tools, options = _schema_into_protocol(tools, options)
        turns = apply_protocol(turns, tools)
    body = wire.build_body(turns, options, model)
    http = HttpCall(
        method="POST",
        url=endpoint(base_url, model),
        api_key=connection.api_key,
        model=model,
        timeout=connection.timeout,
        max_retries=connection.max_retries,
        body=body,
        extra_headers=headers,
        clock=connection.clock,
        async_transport=connection.async_transport,
    )
    return PreparedChat(
        http=http,
        model=model,
        account=account,
        stop=options.stop,
        tools=tools,
        queued=queued,
    )
