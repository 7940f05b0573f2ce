"""ChatSegmind's arguments: the constructor's typed, collected and checked; per call.

`ChatSegmind.__init__` takes `**kwargs`, so that aliases (`model_name`,
`segmind_api_key`...) and body fields (`top_p=0.9`) pass; type checkers and
IDEs read the keyword arguments of `chat_segmind_arguments` instead.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, ParamSpec

from langchain_core.utils import get_pydantic_field_names
from langchain_core.utils.utils import _build_model_kwargs
from pydantic import BaseModel, SecretStr, ValidationError

from langchain_segmind.catalogue.profiles import without_catalogue_profile
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.transport.send import check_body_fields

if TYPE_CHECKING:
    from langchain_core.caches import BaseCache
    from langchain_core.callbacks import Callbacks
    from langchain_core.language_models import ModelProfile
    from langchain_core.rate_limiters import BaseRateLimiter

# The names the key may be given under (the second as in `openai_api_key`).
KEY_ARGUMENTS = ("api_key", "segmind_api_key")
# Per-call keyword arguments with a meaning of their own; others are body fields.
CALL_OPTIONS = frozenset(
    {"model", "temperature", "max_tokens", "timeout", "max_retries", "extra_headers"}
    | {"tools", "tool_choice", "strict", "parallel_tool_calls", "json_mode"}
    | {"response_format", "resume_job", "stream_usage", "extra_body"}
    | {"stream"}  # core reads it
)
field_names = functools.cache(get_pydantic_field_names)  # with aliases
_P = ParamSpec("_P")


# Never called: `typed_as` lends its parameters, and the docstring IDEs show
# with them, to the models' `__init__`.
def chat_segmind_arguments(
    self: object,
    *,
    # ChatSegmind's (`model` has a default in its subclasses, and `model_name`
    # may give it in its place, so type checkers cannot require it)
    model: str = ...,
    api_key: SecretStr | str | None = ...,
    base_url: str | None = ...,
    temperature: float | None = ...,
    max_tokens: int | None = ...,
    stop: list[str] | str | None = ...,
    timeout: float | None = ...,
    max_retries: int = ...,
    default_headers: dict[str, str] | None = ...,
    model_kwargs: dict[str, Any] = ...,
    extra_body: dict[str, Any] | None = ...,
    http_client: Any = ...,
    http_async_client: Any = ...,
    async_transport: Literal["httpx2", "aiohttp"] = ...,
    streaming: bool = ...,
    stream_usage: bool | None = ...,
    api_version: Literal["v1", "v2"] = ...,
    min_remaining_credits: float | None = ...,
    raise_on_low_credits: bool = ...,
    # langchain-core's fields
    name: str | None = ...,
    cache: BaseCache | bool | None = ...,
    verbose: bool = ...,
    callbacks: Callbacks = ...,
    tags: list[str] | None = ...,
    metadata: dict[str, Any] | None = ...,
    custom_get_token_ids: Callable[[str], list[int]] | None = ...,
    rate_limiter: BaseRateLimiter | None = ...,
    disable_streaming: bool | Literal["tool_calling"] = ...,
    output_version: str | None = ...,
    profile: ModelProfile | None = ...,
    **kwargs: Any,
) -> None:
    """Build the model; each field is a keyword argument (see the class).

    The aliases are taken too (`model_name`, `segmind_api_key`,
    `max_tokens_to_sample`, `stop_sequences`, `request_timeout`), and any
    other argument goes into `model_kwargs`, a body field sent with every
    request (`top_p=0.9`, with langchain-core's warning), as in `ChatOpenAI`.

    Raises:
        SegmindInputError: An argument is refused; the error names it.
    """
    ...


def typed_as(
    arguments: Callable[_P, None],
) -> Callable[[Callable[..., None]], Callable[_P, None]]:
    """Lend `arguments`' parameters to an `__init__(self, **kwargs)`, for type checkers.

    The `__init__` is returned unchanged.
    """
    return lambda init: init


def construct(init: Callable[..., None], kwargs: dict[str, Any]) -> None:
    """Call pydantic's `init`; a refused argument raises `SegmindInputError`."""
    # Wrapped at once, in the caller's dict too: no frame's locals show the key.
    for name in KEY_ARGUMENTS:
        if isinstance(kwargs.get(name), str):
            kwargs[name] = SecretStr(kwargs[name])
    try:
        init(**kwargs)
        return
    except ValidationError as error:
        # A refused value (a key under another name, a password in base_url)
        # stays in no frame: the model's, this one's, core's, pydantic's nor
        # the check's.
        kwargs.clear()
        traceback.clear_frames(error.__traceback__)
        # Our own checks raise SegmindInputError, which pydantic wraps.
        refused = [
            detail["ctx"]["error"]
            for detail in error.errors(include_url=False, include_input=False)
            if isinstance((detail.get("ctx") or {}).get("error"), SegmindInputError)
        ]
        if not refused:
            raise SegmindInputError(str(error)) from error
    # With its own cause, not pydantic's wrapper, which holds every argument.
    traceback.clear_frames(refused[0].__traceback__)
    raise refused[0] from refused[0].__cause__


def check_credit_guard(minimum: float | None, raise_error: bool) -> None:
    """Refuse `raise_on_low_credits=True` without a minimum: it would do nothing."""
    if raise_error and minimum is None:
        raise SegmindInputError(
            "raise_on_low_credits=True needs min_remaining_credits, the balance "
            "below which to raise (e.g. min_remaining_credits=100)"
        )


def collect_model_kwargs(model_class: type[BaseModel], values: Any) -> Any:
    """Move unknown arguments into `model_kwargs`, as `ChatOpenAI` does."""
    if not isinstance(values, dict):
        return values
    slug_field = model_class.model_fields["model"]
    values = without_catalogue_profile(values, slug_field.default)
    extra = values.get("model_kwargs", {})
    names = [*values, *(extra if isinstance(extra, dict) else ())]
    fields = field_names(model_class) | set(KEY_ARGUMENTS)
    check_body_fields(name for name in names if name not in fields)
    if slug_field.is_required() and {"model", "model_name"}.isdisjoint(names):
        values = {**values, "model": None}  # refused by `check_slug`, naming it
    if not isinstance(extra, dict):
        return values  # pydantic reports the wrong type
    try:  # on a copy: core's helper fills in the dict it is given
        return _build_model_kwargs({**values, "model_kwargs": dict(extra)}, fields)
    except ValueError as error:  # given twice: ours, as pydantic's holds all
        raise SegmindInputError(str(error)) from error
