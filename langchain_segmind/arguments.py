"""ChatSegmind's constructor arguments: collected, checked, refused keylessly."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any

from langchain_core.utils import get_pydantic_field_names
from langchain_core.utils.utils import _build_model_kwargs
from pydantic import BaseModel, SecretStr, ValidationError

from langchain_segmind.catalogue.profiles import without_catalogue_profile
from langchain_segmind.errors import SegmindInputError
from langchain_segmind.transport.send import check_body_fields

# The names the key may be given under (the second as in `openai_api_key`).
KEY_ARGUMENTS = ("api_key", "segmind_api_key")
field_names = functools.cache(get_pydantic_field_names)  # with aliases


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


def collect_model_kwargs(model: type[BaseModel], values: Any) -> Any:
    """Move unknown arguments into `model_kwargs`, as `ChatOpenAI` does."""
    if not isinstance(values, dict):
        return values
    slug = model.model_fields["model"]
    values = without_catalogue_profile(values, slug.default)
    extra = values.get("model_kwargs", {})
    names = [*values, *(extra if isinstance(extra, dict) else ())]
    fields = field_names(model) | set(KEY_ARGUMENTS)
    check_body_fields(name for name in names if name not in fields)
    if slug.is_required() and {"model", "model_name"}.isdisjoint(names):
        values = {**values, "model": None}  # refused by `check_slug`, naming it
    if not isinstance(extra, dict):
        return values  # pydantic reports the wrong type
    try:  # on a copy: core's helper fills in the dict it is given
        return _build_model_kwargs({**values, "model_kwargs": dict(extra)}, fields)
    except ValueError as error:  # given twice: ours, as pydantic's holds all
        raise SegmindInputError(str(error)) from error
