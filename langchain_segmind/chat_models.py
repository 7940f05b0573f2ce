"""LangChain chat models for Segmind's LLM gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, Self

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, get_pydantic_field_names, secret_from_env
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from langchain_segmind import _tokens
from langchain_segmind import conversion as wire
from langchain_segmind._llm_output import combine_llm_outputs, llm_output, token_usage
from langchain_segmind._model_kwargs import collect_model_kwargs
from langchain_segmind._request import (
    ConnectionSettings,
    PreparedChat,
    prepare_chat,
    stop_sequences,
)
from langchain_segmind._response import to_last_chunk
from langchain_segmind.catalogue.profiles import profile_for
from langchain_segmind.conversion.types import GenerationOptions
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tools.arguments import describe_tool
from langchain_segmind.tools.binding import binding_from_call, normalize_tool_choice
from langchain_segmind.tools.structured import (
    StructuredMethod,
    response_format_for,
    structured_runnable,
)
from langchain_segmind.transport.clients import (
    AsyncClient,
    SyncClient,
    check_aiohttp_installed,
    check_async_client,
    check_sync_client,
)
from langchain_segmind.transport.clock import SYSTEM_CLOCK, Clock
from langchain_segmind.transport.endpoint import check_base_url, check_slug
from langchain_segmind.transport.headers import check_caller_headers

DEFAULT_BASE_URL = "https://api.segmind.com/v1"
DEFAULT_TIMEOUT_SECONDS = 120.0

# Per-call keyword arguments with a meaning of their own; any other keyword
# argument is sent as an extra body field (e.g. `top_p=0.9`).
_CALL_OPTIONS = frozenset(
    {
        "model",
        "temperature",
        "max_tokens",
        "extra_headers",
        "response_format",
        "json_mode",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "timeout",
        "max_retries",
    }
)


# The names the key may be given under (the second as in `openai_api_key`).
_KEY_ARGUMENTS = ("api_key", "segmind_api_key")


class ChatSegmind(BaseChatModel):
    """Chat model for any LLM served by Segmind's gateway.

    The request dialect follows the slug: `claude-*` slugs get Anthropic's
    rules (system text in `instruction`, alternating turns, temperature 0-1),
    every other slug OpenAI's (`system` messages, temperature 0-2). Answers
    are read by their shape (Anthropic, OpenAI or Gemini).

    Setup:
        ```bash
        pip install -U langchain-segmind
        export SEGMIND_API_KEY="your-api-key"
        ```

    Key init args — completion params:
        model: str
            Segmind slug, e.g. `"claude-4.5-sonnet"`, `"gpt-5"`, `"gemini-2.5-pro"`.
        temperature: float | None
            Sampling temperature (0-1 for Claude slugs, 0-2 otherwise).
        max_tokens: int | None
            Maximum number of tokens to generate.
        stop: list[str] | None
            Stop sequences (also applied to the returned text).
        model_kwargs: dict
            Extra body fields, e.g. `{"top_p": 0.9}`.

    Key init args — client params:
        api_key: SecretStr | None
            Segmind API key; read from `SEGMIND_API_KEY` when not passed.
        base_url: str
            Gateway URL; read from `SEGMIND_BASE_URL`, default
            `https://api.segmind.com/v1`.
        timeout: float | None
            Seconds to wait for an answer, and the bound on all retries
            (default 120).
        max_retries: int
            Extra attempts after a 429, a 5xx or a broken connection (default 2).
        default_headers: dict | None
            Headers added to every request.
        http_client / http_async_client: httpx2 (or legacy httpx) clients of
            your own, used as given (proxies, custom CAs, mocks); by default
            pooled httpx2 clients are shared process-wide and per event loop.
        async_transport: str
            `"httpx2"` (default) or `"aiohttp"` (the `aiohttp` extra) for the
            default async clients.

    Instantiate:
        ```python
        from langchain_segmind import ChatSegmind

        llm = ChatSegmind(model="claude-4.5-sonnet", temperature=0.1)
        ```

    Invoke:
        ```python
        messages = [
            ("system", "Be playful."),
            ("human", "tell me a joke on cats"),
        ]
        msg = llm.invoke(messages)
        msg.content
        ```

    Stream:
        The gateway has no token streaming: `stream` yields the whole answer
        as one final chunk.

        ```python
        for chunk in llm.stream(messages):
            print(chunk.content)
        ```

    Async:
        ```python
        msg = await llm.ainvoke(messages)
        results = await llm.abatch([messages] * 8, config={"max_concurrency": 4})
        ```

    Tool calling:
        Segmind's gateway does not forward `tools`; they travel in the system
        prompt and the reply's `<tool_call>` blocks become `tool_calls` (see
        the README's "Tool calling" section for the protocol).

        ```python
        from langchain_core.tools import tool

        @tool
        def get_weather(city: str) -> str:
            \"\"\"Get the weather in a city.\"\"\"
            return "sunny"

        msg = llm.bind_tools([get_weather]).invoke("Weather in Paris?")
        msg.tool_calls
        # [{'name': 'get_weather', 'args': {'city': 'Paris'},
        #   'id': 'call_...', 'type': 'tool_call'}]
        ```

    Structured output:
        ```python
        from pydantic import BaseModel

        class Joke(BaseModel):
            setup: str
            punchline: str

        llm.with_structured_output(Joke).invoke("a joke on cats")
        # Joke(setup='...', punchline='...')
        ```

    Image input:
        ```python
        from langchain_core.messages import HumanMessage
        from langchain_segmind.images import image_block

        llm.invoke([HumanMessage(content=[
            {"type": "text", "text": "Describe this picture."},
            image_block("cat.png"),
        ])])
        ```

    Token usage:
        ```python
        msg.usage_metadata
        # {'input_tokens': 31, 'output_tokens': 12, 'total_tokens': 43}
        ```

    Credits:
        ```python
        from langchain_segmind import get_segmind_callback

        with get_segmind_callback() as usage:
            llm.invoke("a joke on cats")
        usage.total_cost, usage.remaining_credits
        ```

    Response metadata:
        ```python
        msg.response_metadata
        # {'model_name': 'claude-4.5-sonnet', 'model_provider': 'segmind',
        #  'finish_reason': 'stop', 'stop_reason': 'end_turn', 'id': 'msg_...',
        #  'remaining_credits': 5506.98, 'cost': 0.0123,
        #  'request_id': '...', 'generation_time': 1.92, ...}
        ```
    """

    # hide_input_in_errors: a validation error must not print the API key.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = Field(alias="model_name")
    """The Segmind slug of the model, e.g. `"claude-4.5-sonnet"`."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("SEGMIND_API_KEY", default=None),
        validation_alias=AliasChoices("api_key", "segmind_api_key"),
    )
    """Segmind API key (also accepted as `segmind_api_key`); from
    `SEGMIND_API_KEY` when not passed."""
    base_url: str = Field(
        default_factory=from_env("SEGMIND_BASE_URL", default=DEFAULT_BASE_URL),
        validate_default=True,
    )
    """Gateway base URL; from `SEGMIND_BASE_URL` when not passed."""
    temperature: float | None = None
    """Sampling temperature: 0-1 for Claude slugs, 0-2 for others."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Maximum number of tokens to generate."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences; sent, and also applied to the text in case they were ignored."""
    timeout: float | None = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0)
    """Seconds to wait for an answer; also bounds the time spent on retries."""
    max_retries: int = Field(default=2, ge=0)
    """Extra attempts after a 429, a 5xx or a broken connection."""
    default_headers: dict[str, str] | None = None
    """Headers added to every request."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra fields for the request body, such as `top_p`.

    Constructor arguments that are not fields are moved here, with a warning.
    """
    http_client: SyncClient | None = Field(default=None, exclude=True, repr=False)
    """An `httpx2.Client` (or legacy `httpx.Client`) of your own, used as given:
    its transport, proxies, certificates, hooks and mocks."""
    http_async_client: AsyncClient | None = Field(
        default=None, exclude=True, repr=False
    )
    """An `httpx2.AsyncClient` (or legacy `httpx.AsyncClient`) of your own."""
    async_transport: Literal["httpx2", "aiohttp"] = "httpx2"
    """The transport of the default async clients: httpx2's own, or aiohttp's
    (`pip install "langchain-segmind[aiohttp]"`), which takes about half the
    client CPU per async call. Ignored when `http_async_client` is given."""
    streaming: bool = False
    """Whether `invoke` goes through `stream` (the answer is still one chunk)."""
    api_version: Literal["v1", "v2"] = "v1"
    """`"v2"` runs each call through Segmind's queue API (submit, poll, fetch),
    which Segmind recommends for generations longer than about 10 seconds; raise
    `timeout` to match, as it bounds the whole job."""
    min_remaining_credits: float | None = None
    """Warn (or raise) before a call when the last balance seen is below this."""
    raise_on_low_credits: bool = False
    """With `min_remaining_credits`: raise `SegmindInsufficientCreditsError`
    instead of warning, before the request is sent."""
    native_tools: bool = False
    """Send bound tools in the request body instead of the system prompt.

    Segmind's gateway does not forward `tools` today, so by default they travel
    through the text protocol described in the README; turn this on once the
    gateway forwards them.
    """

    _clock: Clock = PrivateAttr(default=SYSTEM_CLOCK)

    def __init__(self, **kwargs: Any) -> None:
        # The key is wrapped at once, so no frame of a traceback (with its
        # local variables) shows it, and a bad argument that the package
        # checks raises its `SegmindInputError` rather than pydantic's wrapper.
        for name in _KEY_ARGUMENTS:
            if isinstance(kwargs.get(name), str):
                kwargs[name] = SecretStr(kwargs[name])
        try:
            super().__init__(**kwargs)
        except ValidationError as error:
            failure: Exception = _input_error_in(error) or error
        else:
            return
        # A refused argument (a key among `default_headers`, say) must not
        # stay behind in this frame's variables, nor in pydantic's frames.
        kwargs.clear()
        raise failure.with_traceback(None)

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("default_headers")
    @classmethod
    def _check_default_headers(
        cls, value: dict[str, str] | None
    ) -> dict[str, str] | None:
        return None if value is None else check_caller_headers(value)

    @field_validator("http_client")
    @classmethod
    def _check_http_client(cls, value: object) -> SyncClient | None:
        return check_sync_client(value)

    @field_validator("async_transport")
    @classmethod
    def _check_async_transport(cls, value: str) -> str:
        if value == "aiohttp":
            check_aiohttp_installed()
        return value

    @field_validator("http_async_client")
    @classmethod
    def _check_http_async_client(cls, value: object) -> AsyncClient | None:
        return check_async_client(value)

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        names = get_pydantic_field_names(cls) | set(_KEY_ARGUMENTS)
        return collect_model_kwargs(values, names)

    @model_validator(mode="after")
    def _check_sampling(self) -> Self:
        wire.check_sampling(self.model, self.temperature, self.model_kwargs)
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        # Core calls this only when no `profile=` was passed.
        return profile_for(self.model)

    @property
    def _llm_type(self) -> str:
        return "segmind-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Serialized models name the key's environment variable, never its value."""
        return {"api_key": "SEGMIND_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Whether `dumpd` can serialize the model: yes, without its key."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The namespace `load` needs in `valid_namespaces`."""
        return ["langchain_segmind", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            **self.model_kwargs,
        }

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        params = super()._get_invocation_params(stop=stop, **kwargs)
        params["stop"] = stop if stop is not None else self.stop
        return params

    def _combine_llm_outputs(
        self, llm_outputs: list[dict[str, Any] | None], /
    ) -> dict[str, Any]:
        return combine_llm_outputs(llm_outputs, self.model)

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "segmind"
        params["ls_model_name"] = _per_call_model(kwargs, self.model)
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop_sequences = stop or self.stop
        if stop_sequences:
            params["ls_stop"] = stop_sequences
        return params

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Any
    ) -> PreparedChat:
        """Resolve fields and per-call overrides into a validated call."""
        extra_body = {**self.model_kwargs}
        extra_body.update((k, v) for k, v in kwargs.items() if k not in _CALL_OPTIONS)
        options = GenerationOptions(
            temperature=kwargs.get("temperature", self.temperature),
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            stop=stop_sequences(stop if stop is not None else self.stop),
            response_format=response_format_for(kwargs.get("response_format")),
            json_mode=bool(kwargs.get("json_mode")),
            extra_body=extra_body,
        )
        connection = ConnectionSettings(
            base_url=self.base_url,
            api_key=self.api_key,
            timeout=kwargs.get("timeout", self.timeout),
            max_retries=kwargs.get("max_retries", self.max_retries),
            headers=self.default_headers or {},
            clock=self._clock,
            api_version=self.api_version,
            min_remaining_credits=self.min_remaining_credits,
            raise_on_low_credits=self.raise_on_low_credits,
            async_transport=self.async_transport,
        )
        return prepare_chat(
            messages,
            model=_per_call_model(kwargs, self.model),
            options=options,
            connection=connection,
            extra_headers=kwargs.get("extra_headers"),
            tools=binding_from_call(
                kwargs.get("tools"),
                kwargs.get("tool_choice"),
                kwargs.get("parallel_tool_calls"),
            ),
            native_tools=self.native_tools,
        )

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools the model may call.

        The gateway does not forward `tools`, so they are described in the
        system prompt and the model's tagged answer is parsed into
        `AIMessage.tool_calls` (see the README's "Tool calling" section).

        Args:
            tools: Tools as LangChain accepts them: `BaseTool`s, functions,
                pydantic models, TypedDicts or JSON schemas.
            tool_choice: `"auto"` (default), `"any"`/`"required"`, `"none"`,
                or the name of the tool that must be called.
            strict: Kept on the tool descriptions, as LangChain does; the
                arguments of every call are checked against the schema anyway.
            parallel_tool_calls: `False` asks the model for at most one call
                per answer.
            **kwargs: Further arguments bound to the model.

        Returns:
            A runnable that calls the model with the tools.

        Raises:
            SegmindInputError: If `tool_choice` names a tool that is not bound.
        """
        formatted = [describe_tool(tool, strict=strict) for tool in tools]
        names = [tool["function"]["name"] for tool in formatted]
        choice = normalize_tool_choice(tool_choice, names)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, tool_choice=choice, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return a runnable whose output follows `schema`.

        Args:
            schema: A pydantic class (v2 or v1), a TypedDict or a JSON schema.
            method: `"json_schema"` (Segmind's `response_format`, the default),
                `"function_calling"` (the tool protocol) or `"json_mode"`
                (`json_object` for non-Claude slugs; an instruction for Claude).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` rather
                than raising `OutputParserException` on a bad answer.
            strict: The `strict` flag of the JSON schema.
            **kwargs: Not supported; raises if given.

        Returns:
            A runnable yielding a pydantic object or a dict.
        """
        if kwargs:
            raise SegmindInputError(f"unexpected arguments: {sorted(kwargs)}")
        return structured_runnable(
            self,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            bind_tools=self.bind_tools,
        )

    def get_num_tokens(self, text: str) -> int:
        """Estimate the tokens of `text`; approximate, no tokenizer needed.

        About four characters per token, or `custom_get_token_ids` when set.

        Args:
            text: The text.

        Returns:
            The estimated number of tokens.
        """
        return _tokens.text_counter(self.custom_get_token_ids)(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Estimate the input tokens of a call; approximate, no tokenizer needed.

        Counts the text this package would send (tool calls and results as
        the tool protocol renders them, plus its instructions for `tools`) at
        about four characters per token (or with `custom_get_token_ids`), three
        tokens per message and 85 per image or document. For plain text it
        equals langchain-core's `count_tokens_approximately`. Usable as
        `trim_messages(..., token_counter=llm)`.

        ```python
        llm.get_num_tokens_from_messages([HumanMessage("hi")], tools=[get_weather])
        ```

        Args:
            messages: The conversation.
            tools: Tools as `bind_tools` takes them, counted as sent with the call.

        Returns:
            The estimated number of input tokens.
        """
        return _tokens.count_message_tokens(
            messages,
            model=self.model,
            tools=tools,
            native_tools=self.native_tools,
            count_text=_tokens.text_counter(self.custom_get_token_ids),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._prepare(messages, stop, kwargs)
        return _chat_result(call.model, call.run(self.http_client))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._prepare(messages, stop, kwargs)
        return _chat_result(call.model, await call.arun(self.http_async_client))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._prepare(messages, stop, kwargs).run(self.http_client)
        yield _last_chunk(message)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._prepare(messages, stop, kwargs)
        message = await call.arun(self.http_async_client)
        yield _last_chunk(message)


def _chat_result(model: str, message: AIMessage) -> ChatResult:
    return ChatResult(
        generations=[ChatGeneration(message=message)],
        llm_output=llm_output(model, [message]),
    )


def _last_chunk(message: AIMessage) -> ChatGenerationChunk:
    # Core merges `llm_output` into an invoked message's `response_metadata`;
    # the streamed answer carries the same `token_usage`, so both paths agree.
    chunk = to_last_chunk(message)
    usage = token_usage([message])
    if usage is not None:
        chunk.response_metadata = {**chunk.response_metadata, "token_usage": usage}
    return ChatGenerationChunk(message=chunk)


def _per_call_model(kwargs: Mapping[str, Any], default: str) -> Any:
    """A per-call `model=`, else `default`; an empty one is kept, to be refused."""
    model = kwargs.get("model")
    return default if model is None else model


def _input_error_in(error: ValidationError) -> SegmindInputError | None:
    """The package's own input error behind a pydantic `ValidationError`, if any."""
    for detail in error.errors(include_url=False, include_input=False):
        found = (detail.get("ctx") or {}).get("error")
        if isinstance(found, SegmindInputError):
            return found
    return None


class ChatSegmindClaude(ChatSegmind):
    """Claude 3.5 Sonnet on Segmind (slug `claude-3.5-sonnet`).

    Speaks Anthropic's rules: every system message is joined into Segmind's
    `instruction` field, turns are merged so user and assistant alternate,
    and temperature is 0-1. Any Claude slug works through `model`. Every
    field, tool calling, structured output and images: see `ChatSegmind`.

    Setup:
        ```bash
        pip install -U langchain-segmind
        export SEGMIND_API_KEY="your-api-key"
        ```

    Key init args:
        model: str
            Default `"claude-3.5-sonnet"`; e.g. `"claude-4.5-sonnet"`.
        temperature: float | None
            0 to 1.
        max_tokens, stop, timeout, max_retries, api_key, base_url
            As on `ChatSegmind`.

    Instantiate:
        ```python
        from langchain_segmind import ChatSegmindClaude

        llm = ChatSegmindClaude(temperature=0.1)
        ```

    Invoke:
        ```python
        msg = llm.invoke([("system", "Be playful."), ("human", "a joke on cats")])
        msg.content
        ```

    Stream:
        ```python
        for chunk in llm.stream("a joke on cats"):  # one chunk: no SSE
            print(chunk.content)
        ```

    Async:
        ```python
        msg = await llm.ainvoke("a joke on cats")
        ```

    Structured output:
        ```python
        llm.with_structured_output(Joke).invoke("a joke on cats")
        ```

    Token usage:
        ```python
        msg.usage_metadata
        # {'input_tokens': 31, 'output_tokens': 12, 'total_tokens': 43}
        ```

    Response metadata:
        ```python
        msg.response_metadata["stop_reason"]  # 'end_turn'
        msg.response_metadata["remaining_credits"]  # 5506.98
        ```
    """

    model: str = Field(default="claude-3.5-sonnet", alias="model_name")


class ChatSegmindGPT4o(ChatSegmind):
    """GPT-4o on Segmind (slug `gpt-4o`).

    Speaks OpenAI's rules: `system` role messages, message names kept,
    temperature 0-2. Every field, tool calling, structured output and
    images: see `ChatSegmind`.

    Setup:
        ```bash
        pip install -U langchain-segmind
        export SEGMIND_API_KEY="your-api-key"
        ```

    Key init args:
        model: str
            Default `"gpt-4o"`.
        temperature: float | None
            0 to 2.
        max_tokens, stop, timeout, max_retries, api_key, base_url
            As on `ChatSegmind`.

    Instantiate:
        ```python
        from langchain_segmind import ChatSegmindGPT4o

        llm = ChatSegmindGPT4o(temperature=0.1)
        ```

    Invoke:
        ```python
        msg = llm.invoke([("system", "Be playful."), ("human", "a joke on dogs")])
        msg.content
        ```

    Stream:
        ```python
        for chunk in llm.stream("a joke on dogs"):  # one chunk: no SSE
            print(chunk.content)
        ```

    Async:
        ```python
        msgs = await llm.abatch(["a joke on dogs", "a joke on owls"])
        ```

    Structured output:
        ```python
        llm.with_structured_output(Joke, method="json_mode").invoke(
            "a joke on dogs, as JSON with setup and punchline"
        )
        ```

    Token usage:
        ```python
        msg.usage_metadata
        # {'input_tokens': 289, 'output_tokens': 7, 'total_tokens': 296}
        ```

    Response metadata:
        ```python
        msg.response_metadata["finish_reason"]  # 'stop'
        msg.response_metadata["cost"]  # credits this call cost
        ```
    """

    model: str = Field(default="gpt-4o", alias="model_name")
