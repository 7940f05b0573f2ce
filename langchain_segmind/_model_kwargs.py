"""Constructor arguments that are not fields go to `model_kwargs`, as in ChatOpenAI.

`ChatSegmindGPT4o(top_p=0.9)` warns and sends `top_p` as a body field, so
neither a provider parameter nor a typo (`temprature=0.2`) disappears silently.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from langchain_segmind._warnings import warn_at_caller
from langchain_segmind.errors import SegmindInputError

# Names of arguments that would carry a credential: never a body field, which
# would show in reprs, serialized models and traces.
_SECRET_NAME = re.compile(r"api[-_]?key|secret|password|passwd|authorization", re.I)


def _warn(message: str) -> None:
    warn_at_caller(message)


def collect_model_kwargs(
    values: dict[str, Any], field_names: Collection[str]
) -> dict[str, Any]:
    """Move unknown constructor arguments into `model_kwargs`, with a warning.

    Field names found inside `model_kwargs` are moved out to their fields
    (also with a warning), so they are validated like any field.

    Args:
        values: The constructor arguments; not modified.
        field_names: The model's field names and aliases.

    Returns:
        The arguments with `model_kwargs` completed.

    Raises:
        SegmindInputError: If an argument is given both directly and in
            `model_kwargs`, or an unknown one is named like a credential.
    """
    model_kwargs = values.get("model_kwargs", {})
    if not isinstance(model_kwargs, dict):
        return values  # pydantic reports the wrong type
    result = {key: value for key, value in values.items() if key != "model_kwargs"}
    extra = dict(model_kwargs)
    twice = sorted(set(result).intersection(extra))
    if twice:
        raise SegmindInputError(
            f"{', '.join(twice)} given both as an argument and in model_kwargs"
        )
    unknown = [key for key in result if key not in field_names]
    for name in [*unknown, *(key for key in extra if key not in field_names)]:
        if _SECRET_NAME.search(name):
            raise SegmindInputError(
                f"{name!r} is not an argument of the model and looks like a "
                "credential, so it is not sent as a body field: pass the key "
                "as api_key=... or set SEGMIND_API_KEY"
            )
    for name in unknown:
        _warn(
            f"{name} is not a default parameter of the model; it was transferred "
            f"to model_kwargs and will be sent in the request body. Please "
            f"confirm that {name} is what you intended."
        )
        extra[name] = result.pop(name)
    for name in [key for key in extra if key in field_names]:
        _warn(
            f"{name} should be given as an argument of the model, not in "
            f"model_kwargs; it was moved out of model_kwargs."
        )
        result[name] = extra.pop(name)
    if extra or "model_kwargs" in values:
        result["model_kwargs"] = extra
    return result
