"""LangChain chat models for Segmind's LLM gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

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
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    WrapSerializer,
    field_validator,
    model_validator,
)

from langchain_segmind import arguments, callbacks, conversion
from langchain_segmind.catalogue.profiles import (
    CatalogueProfile,
    profile_for,
    profile_of_call,
    profile_of_copy,
)
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.tokens import TokenEstimates
from langchain_segmind.tools.binding import (
    ToolBinding,
    apply_protocol,
    described_tools,
    one_call_only,
    read_tool_calls,
)
from langchain_segmind.tools.structured import (
    StructuredMethod,
    structured_runnable,
    tools_and_format,
)
from langchain_segmind.transport import clients, queue
from langchain_segmind.transport.failures import error_for_unreadable
from langchain_segmind.transport.queue import SegmindJob
from langchain_segmind.transport.send import (
    Answer,
    Call,
    check_api_key,
    check_base_url,
    check_body_fields,
    check_caller_headers,
    check_default_headers,
    check_max_retries,
    check_slug,
    check_timeout,
    checked,
    masked_key,
    redacted_for_traces,
)

DEFAULT_BASE_URL = "https://api.segmind.com/v1"
DEFAULT_TIMEOUT_SECONDS = 120.0
_default_base_url = from_env("SEGMIND_BASE_URL", default=DEFAULT_BASE_URL)


def _base_url_or_default(url: object) -> object:
    return _default_base_url() if url is None else url  # as ChatOpenAI takes None


class ChatSegmind(TokenEstimates):
    """Chat model for any LLM served by Segmind's gateway.

    The request dialect follows the slug: `claude-*` slugs get Anthropic's
    rules (system text in `instruction`, alternating turns, temperature 0-1),
    every other slug OpenAI's. Answers are read by their shape (Anthropic,
    OpenAI or Gemini). The README and docs/guide.md have every field and feature.

    Setup:
        ```bash
        pip install "langchain-segmind @ git+<repository URL>"
        export SEGMIND_API_KEY="your-api-key"
        ```

    Key init args — completion params:
        model: The Segmind slug, e.g. `"claude-4.5-sonnet"` (alias `model_name`;
            `llm.model_name` reads it too, as in `ChatOpenAI`).
        temperature: 0-1 for Claude slugs, 0-2 for others; refused for a slug
            whose provider takes no sampling (Claude Opus 4.7, GPT-5...), but
            for the OpenAI ones' default, 1.
        max_tokens: The most tokens to generate (alias `max_tokens_to_sample`).
        stop: Stop sequences, one string or a list (alias `stop_sequences`).
        model_kwargs: Other body fields, such as `top_p`; unknown constructor
            arguments land here, with langchain-core's warning.

    Key init args — client params:
        api_key: The Segmind key (alias `segmind_api_key`); `SEGMIND_API_KEY`
            by default. Never shown in a repr, error, trace or the package's
            logs.
        base_url: `https://api.segmind.com/v1`, or `SEGMIND_BASE_URL` (also
            when `None`).
        timeout: Seconds for the whole call, retries included (120; alias
            `request_timeout`).
        max_retries: Extra attempts after a 429, a 500/502/503/504 or a
            connection that never reached Segmind (2).
        api_version: `"v2"` runs each call as a job of Segmind's queue API.
        http_client: Your own `httpx2.Client`, used as given
            (`http_async_client` for async calls).

    Instantiate:
        ```python
        from langchain_segmind import ChatSegmind

        llm = ChatSegmind(model="claude-4.5-sonnet", temperature=0.1)
        ```

    Invoke:
        ```python
        msg = llm.invoke([("system", "Be playful."), ("human", "a joke on cats")])
        msg.content
        ```

    Token usage:
        The provider's counts (`None` if its answer has none); cached and
        reasoning tokens go in `input_token_details` and `output_token_details`
        when it reports them.

        ```python
        msg.usage_metadata
        # {'input_tokens': 6, 'output_tokens': 11, 'total_tokens': 17}
        ```

    Response metadata:
        `cost`, `remaining_credits` (both in credits), `request_id` and
        `generation_time` come from Segmind's headers (`None` when absent);
        `finish_reason` is normalised (`stop`, `length`, `tool_calls`,
        `content_filter`), the provider's own is in `stop_reason`.

        ```python
        msg.response_metadata
        # {'model_name': 'claude-4.5-sonnet', 'token_usage': {...},
        #  'model_provider': 'segmind', 'finish_reason': 'stop',
        #  'stop_reason': 'end_turn', 'id': 'msg_...',
        #  'upstream_model': 'claude-4.5-sonnet', 'remaining_credits': 9999.98,
        #  'cost': 0.0123, 'request_id': '...', 'generation_time': 1.92}
        ```

    Stream and async:
        The gateway has no token streaming: `stream` yields one final chunk.

        ```python
        msg = await llm.ainvoke("a joke on cats")
        ```

    Tool calling and structured output:
        The gateway forwards no `tools`: they travel in the prompt and the
        reply's `<tool_call>` blocks become `tool_calls` (see `bind_tools`
        and `with_structured_output`).
    """

    # hide_input_in_errors: a validation error must not print the API key.
    model_config = ConfigDict(populate_by_name=True, hide_input_in_errors=True)

    model: str = Field(alias="model_name")
    """The Segmind slug of the model, e.g. `"claude-4.5-sonnet"`."""
    api_key: Annotated[
        SecretStr | None, AfterValidator(check_api_key), WrapSerializer(masked_key)
    ] = Field(
        default_factory=secret_from_env("SEGMIND_API_KEY", default=None),
        validation_alias=AliasChoices(*arguments.KEY_ARGUMENTS),
        validate_default=True,
    )
    """Segmind API key (alias `segmind_api_key`); from `SEGMIND_API_KEY` by default."""
    base_url: Annotated[
        str, BeforeValidator(_base_url_or_default), AfterValidator(check_base_url)
    ] = Field(default_factory=_default_base_url, validate_default=True)
    """Gateway base URL; from `SEGMIND_BASE_URL` by default (also when `None`)."""
    temperature: float | None = None
    """Sampling temperature: 0-1 for Claude slugs, 0-2 for others."""
    max_tokens: int | None = Field(default=None, gt=0, alias="max_tokens_to_sample")
    """Maximum number of tokens to generate (alias `max_tokens_to_sample`)."""
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    """Stop sequences (one string, or a list); sent where the slug takes them,
    and applied to the text."""
    timeout: Annotated[float | None, checked(check_timeout)] = Field(
        default=DEFAULT_TIMEOUT_SECONDS, alias="request_timeout"
    )
    """Seconds for the whole call, retries included (at most a day); alias
    `request_timeout`."""
    max_retries: Annotated[int, checked(check_max_retries)] = 2
    """Extra attempts after a 429, a 500/502/503/504, or a connection that never
    reached Segmind; a v2 job's polls, safe to repeat, get at least 3."""
    default_headers: (
        Annotated[dict[str, str], AfterValidator(check_default_headers)] | None
    ) = None
    """Headers added to every request."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body fields, such as `top_p`; other constructor arguments land here."""
    extra_body: Annotated[dict[str, Any] | None, AfterValidator(check_body_fields)] = (
        None
    )
    """Fields merged into every request's body, as `ChatOpenAI`'s (also per call)."""
    http_client: Annotated[Any, AfterValidator(clients.check_client)] = Field(
        default=None, exclude=True, repr=False
    )
    """Your own `httpx2.Client` (or legacy `httpx.Client`), used as given and
    never modified: its transport, timeouts, proxies, hooks and mocks."""
    http_async_client: Annotated[Any, AfterValidator(clients.check_client)] = Field(
        default=None, exclude=True, repr=False
    )
    """Your own `httpx2.AsyncClient` (or legacy `httpx.AsyncClient`)."""
    async_transport: Literal["httpx2", "aiohttp"] = "httpx2"
    """The default async clients' transport; `"aiohttp"` (the `aiohttp` extra)
    costs less client CPU (docs/benchmarks.md). Ignored with `http_async_client`."""
    streaming: bool = False
    """Whether `invoke` goes through `stream` (the answer is still one chunk)."""
    stream_usage: bool | None = None
    """As in `ChatOpenAI`; usage always comes with the answer's one chunk."""
    api_version: Literal["v1", "v2"] = "v1"
    """`"v2"` runs each call as a job of Segmind's queue API, as Segmind advises
    for generations over about 10 seconds; `timeout` bounds the whole job, and
    one that outlives it can be collected with `resume(error.job)`."""
    min_remaining_credits: float | None = Field(default=None, allow_inf_nan=False)
    """Warn (or raise) before a call when the last balance seen is below this."""
    raise_on_low_credits: bool = False
    """With `min_remaining_credits`: raise `SegmindInsufficientCreditsError`
    instead of warning, before the request is sent (without it, refused)."""

    @arguments.typed_as(arguments.chat_segmind_arguments)
    def __init__(self, **kwargs: Any) -> None:
        # The key is wrapped at once; a refused value is in no frame's locals.
        arguments.construct(super().__init__, kwargs)

    def __repr_args__(self) -> Any:
        # The slug first, even when it is the class's default; no profile; a
        # key set as a plain string past the checks is masked all the same.
        args = super().__repr_args__()
        return [("model", self.__dict__.get("model"))] + [
            (k, SecretStr(v) if k == "api_key" and isinstance(v, str) else v)
            for k, v in args
            if k not in ("model", "profile")
        ]

    @field_validator("model", mode="before")
    @classmethod
    def _check_model(cls, value: object) -> str:
        return check_slug(value)

    @field_validator(
        "temperature", "max_tokens", "timeout", "max_retries", mode="before"
    )
    @classmethod
    def _refuse_bools(cls, value: object, info: ValidationInfo) -> object:
        # Pydantic reads `True` as 1; refused, as it is per call.
        if isinstance(value, bool):
            raise SegmindInputError(f"{info.field_name} must be a number, got {value}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        return arguments.collect_model_kwargs(cls, values)

    @model_validator(mode="after")
    def _check_settings(self) -> Self:
        conversion.check_sampling(
            self.model, self.temperature, self.model_kwargs, self.profile
        )
        conversion.check_extra_fields({**self.model_kwargs, **(self.extra_body or {})})
        if self.async_transport == "aiohttp":
            clients.check_aiohttp_installed()
        arguments.check_credit_guard(
            self.min_remaining_credits, self.raise_on_low_credits
        )
        return self

    @property
    def model_name(self) -> str:
        """The slug, as `model`: `ChatOpenAI`'s name for it (read-only).

        To change the slug, use `model`: in `model_copy(update=...)` and
        `configurable_fields`, `model_name` is not a field.
        """
        return self.model

    def _resolve_model_profile(self) -> ModelProfile | None:
        return profile_for(self.model)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        """A copy, as pydantic makes it, with the profile of the copy's slug.

        A profile you passed is kept; the catalogue's is the new slug's (or
        `None` outside the catalogue), as a model built for that slug has.
        """
        fields = dict(update or {})  # older pydantic types `update` as a dict
        copy = super().model_copy(update=fields, deep=deep)
        copy.profile = profile_of_copy(copy.model, copy.profile, self.model, fields)
        return copy

    @property
    def _llm_type(self) -> str:
        return "segmind-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Serialized models name the key's environment variable, never its value."""
        return {"api_key": "SEGMIND_API_KEY"}

    @property
    def lc_attributes(self) -> dict[str, Any]:
        """A `profile=` given is serialized (core leaves the field out)."""
        if self.profile is None or isinstance(self.profile, CatalogueProfile):
            return {}
        return {"profile": dict(self.profile)}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Whether `dumpd` can serialize the model: yes, without its key."""
        return True

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            **self.model_kwargs,
            **(self.extra_body or {}),
        }

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        stop = conversion.stop_sequences_of(self.stop if stop is None else stop) or None
        if type(self).dict is not BaseChatModel.dict:  # core reads a subclass's own
            return super()._get_invocation_params(stop, **redacted_for_traces(kwargs))
        return {**self.asdict(), "stop": stop, **redacted_for_traces(kwargs)}

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        stop = conversion.stop_sequences_of(self.stop if stop is None else stop) or None
        params = super()._get_ls_params(stop=stop, **kwargs)
        for field in ("temperature", "max_tokens"):  # unset for this call
            if field in kwargs and kwargs[field] is None:
                params.pop(f"ls_{field}", None)  # type: ignore[misc]
        return {**params, "ls_provider": callbacks.PROVIDER}

    def _combine_llm_outputs(
        self, llm_outputs: list[dict[str, Any] | None], /
    ) -> dict[str, Any]:
        return conversion.combine_llm_outputs(llm_outputs, self.model)

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

        The gateway forwards no `tools`: they go in the system prompt, and the
        reply's tagged calls become `tool_calls` (the README's "Tool calling").

        Args:
            tools: `BaseTool`s, functions, pydantic models, TypedDicts or JSON
                schemas, named with 1-64 letters, digits, `_` or `-`.
            tool_choice: `"auto"` (default), `"any"`/`"required"`/`True`,
                `"none"`/`False`, or a tool's name (or a provider's dict naming it;
                Anthropic's `disable_parallel_tool_use` acts as below).
            strict: Kept on the tool descriptions, as LangChain does.
            parallel_tool_calls: `False` asks for one call per answer, and
                keeps only the first.
            **kwargs: Further arguments bound to the model.

        Returns:
            A runnable that calls the model with the tools.

        Raises:
            SegmindInputError: A tool cannot be described, is a provider's
                built-in (or free-text) tool, has arguments other than a JSON
                object or an unusable name; or `tool_choice` names no bound tool
                (or is a dict of another form).
        """
        formatted, choice = described_tools(tools, tool_choice, strict)
        if one_call_only(tool_choice):
            parallel_tool_calls = False
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
    ) -> Runnable[LanguageModelInput, Any]:  # the schema's type, or a dict
        """Return a runnable whose output follows `schema`.

        Args:
            schema: A pydantic class (v2 or v1), a TypedDict or a JSON schema.
            method: `"json_schema"` (Segmind's `response_format`, the default),
                `"function_calling"` (the tool protocol) or `"json_mode"` (an
                instruction, and `json_object` for non-Claude slugs).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` rather
                than raising `OutputParserException` on a bad answer.
            strict: `"json_schema"`'s `strict` flag; the other methods ignore it.
            **kwargs: Not supported; raises if given.

        Returns:
            A runnable yielding a pydantic object or the answer's JSON value
            (with `include_raw`, a dict).

        Raises:
            SegmindInputError: `kwargs` are given; `method` is unknown; or
                `schema` is missing or undescribable (not with `"json_mode"`),
                nests itself (a TypedDict), has a root `"json_mode"` cannot ask
                for (not an object) or `strict=True` cannot close, or is refused
                as `bind_tools` refuses a tool (`"function_calling"`).
        """
        if kwargs:
            raise SegmindInputError(f"unexpected arguments: {sorted(kwargs)}")
        return structured_runnable(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Any
    ) -> tuple[Call, ToolBinding | None, list[str]]:
        """Check the input and build the request; nothing is sent yet."""
        model = check_slug(kwargs.get("model", self.model))  # a bare id's too
        stop_sequences = conversion.stop_sequences_of(
            self.stop if stop is None else stop
        )
        if "resume_job" in kwargs:
            job = queue.job_to_resume(model, self.base_url, kwargs)
            binding = tools_and_format(kwargs, {})[0]
            call = self._build_call(job.model, None, kwargs, job)
            return call, binding, stop_sequences
        extra_body = {**self.model_kwargs, **(self.extra_body or {})}
        extra_body.update(
            (k, v) for k, v in kwargs.items() if k not in arguments.CALL_OPTIONS
        )
        if not isinstance(nested := kwargs.get("extra_body") or {}, Mapping):
            raise SegmindInputError("extra_body must be a mapping of body fields")
        extra_body.update(nested)
        check_body_fields(extra_body)
        options = kwargs.keys() - arguments.CALL_OPTIONS
        if fields := sorted(options & arguments.field_names(type(self))):
            raise SegmindInputError(
                f"{fields} cannot be set per call: set them on the model, or use "
                "configurable_fields (per call: model, temperature, max_tokens, "
                "stop, timeout, max_retries, extra_headers and body fields)"
            )
        binding, response_format, json_mode = tools_and_format(kwargs, extra_body)
        body = conversion.render_request(
            apply_protocol(conversion.to_turns(messages, model), binding),
            model,
            temperature=kwargs.get("temperature", self.temperature),
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            stop=stop_sequences,
            response_format=response_format,
            json_mode=json_mode,
            extra_body=extra_body,
            profile=profile_of_call(model, self.model, self.profile),
        )
        call = self._build_call(model, body, kwargs)
        arguments.check_credit_guard(  # also when set past the checks
            self.min_remaining_credits, self.raise_on_low_credits
        )
        if self.min_remaining_credits is not None:
            callbacks.check_balance(
                call.account,
                self.min_remaining_credits,
                raise_error=self.raise_on_low_credits,
            )
        return call, binding, stop_sequences

    def _build_call(
        self,
        model: str,
        body: dict[str, Any] | None,
        kwargs: Any,
        job: SegmindJob | None = None,
    ) -> Call:
        v2 = self.api_version == "v2"
        base_url = queue.v2_base_url(self.base_url) if v2 else self.base_url
        headers = check_caller_headers(kwargs.get("extra_headers"))
        return Call(
            f"{base_url}/{model}",
            self.api_key,
            body,
            {**(self.default_headers or {}), **headers},
            timeout=kwargs.get("timeout", self.timeout),
            max_retries=kwargs.get("max_retries", self.max_retries),
            model=model,
            async_backend=self.async_transport,
            job=job,
            queued=v2 or job is not None,
            account=callbacks.account_id(self.base_url, self.api_key),
        )

    def _read(
        self,
        answer: Answer,
        call: Call,
        binding: ToolBinding | None,
        stop: list[str],
    ) -> AIMessage:
        # Read even from an unreadable answer; a resumed job's balance is old.
        credits = callbacks.read_credits(
            answer.headers, call.account, resumed_job=call.job
        )
        message = conversion.read_answer(answer.payload)
        if message is None:
            raise error_for_unreadable(
                answer.payload, answer.status_code, answer.headers, answer.job
            )
        named = {"model_name": call.model, "model_provider": callbacks.PROVIDER}
        message.response_metadata = {**named, **message.response_metadata, **credits}
        return read_tool_calls(conversion.cut_at_stop(message, stop), binding)

    def _send(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Any
    ) -> AIMessage:
        call, binding, stop_sequences = self._prepare(messages, stop, kwargs)
        with callbacks.balance_of_failure(call.account, call.job):
            answer = queue.exchange(call, self.http_client)
        return self._read(answer, call, binding, stop_sequences)

    async def _asend(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: Any
    ) -> AIMessage:
        call, binding, stop_sequences = self._prepare(messages, stop, kwargs)
        with callbacks.balance_of_failure(call.account, call.job):
            answer = await queue.aexchange(call, self.http_async_client)
        return self._read(answer, call, binding, stop_sequences)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return conversion.chat_result(self._send(messages, stop, kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return conversion.chat_result(await self._asend(messages, stop, kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield conversion.last_chunk(self._send(messages, stop, kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        yield conversion.last_chunk(await self._asend(messages, stop, kwargs))

    def resume(self, job: SegmindJob | str, **kwargs: Any) -> AIMessage:
        """Collect the answer of a v2 job Segmind already accepted; never submits again.

        A v2 call that fails after its job was accepted (out of `timeout`,
        polls that keep failing, a cancelled task) raises an error whose `.job`
        names the job, which goes on at Segmind and is billed:

        ```python
        llm = ChatSegmind(model="claude-4.5-sonnet", api_version="v2", timeout=60)
        try:
            msg = llm.invoke("a long essay")
        except SegmindTimeoutError as error:
            if error.job is None:  # no job id came: nothing to collect
                raise
            msg = llm.resume(error.job)  # or llm.resume("<request id>")
        ```

        Args:
            job: The `SegmindJob` of an error, or a request id (logged at INFO
                by the `langchain_segmind` logger).
            **kwargs: `timeout`, `max_retries`, `extra_headers` and `stop`;
                `model` with a bare request id; `config` as `invoke` takes it;
                `tools` (with `tool_choice`, `strict`, `parallel_tool_calls`,
                `response_format`), as bound for the job, to read its calls.

        Returns:
            The message the call would have returned (same `request_id` and
            cost, cut at `stop`; its calls in `tool_calls` when given `tools`).

        Raises:
            SegmindTimeoutError: The job still runs after `timeout` (`.job` set).
            SegmindJobFailedError: The job failed; the message is Segmind's.
            SegmindContextOverflowError: The job failed on a prompt too long.
            SegmindInsufficientCreditsError: The job failed for want of credits.
            SegmindNotFoundError: Segmind has no such job (or no longer).
            SegmindInputError: Not a job, or an option that would change it.
        """
        return self.invoke([], **queue.resume_options(job, kwargs))

    async def aresume(self, job: SegmindJob | str, **kwargs: Any) -> AIMessage:
        """The async form of `resume`, with the same arguments, result and errors.

        Args:
            job: The `SegmindJob` of an error, or a request id.
            **kwargs: As `resume` takes them.

        Returns:
            The message the call would have returned.

        Raises:
            SegmindError: The errors `resume` raises, for the same reasons.
        """
        return await self.ainvoke([], **queue.resume_options(job, kwargs))


class ChatSegmindClaude(ChatSegmind):
    """Claude 3.5 Sonnet on Segmind (slug `claude-3.5-sonnet`; others via `model`).

    Anthropic's rules: system messages go to Segmind's `instruction`, turns
    alternate, temperature is 0-1. See `ChatSegmind`.

    ```python
    from langchain_segmind import ChatSegmindClaude

    ChatSegmindClaude(temperature=0.1).invoke("a joke on cats").content
    ```
    """

    model: str = Field(default="claude-3.5-sonnet", alias="model_name")

    if TYPE_CHECKING:
        # Re-declaring `model` would have type checkers build `__init__` from
        # the fields, refusing aliases and body fields: ChatSegmind's it is.
        @arguments.typed_as(arguments.chat_segmind_arguments)
        def __init__(self, **kwargs: Any) -> None: ...


class ChatSegmindGPT4o(ChatSegmind):
    """GPT-4o on Segmind (slug `gpt-4o`).

    OpenAI's rules: `system` messages, message names, temperature 0-2. See
    `ChatSegmind`.

    ```python
    from langchain_segmind import ChatSegmindGPT4o

    ChatSegmindGPT4o(temperature=0.1).invoke("a joke on dogs").content
    ```
    """

    model: str = Field(default="gpt-4o", alias="model_name")

    if TYPE_CHECKING:
        # As in ChatSegmindClaude.
        @arguments.typed_as(arguments.chat_segmind_arguments)
        def __init__(self, **kwargs: Any) -> None: ...
