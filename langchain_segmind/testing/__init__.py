"""A loopback emulator of Segmind's LLM gateway, for your own tests.

The emulator is a real HTTP server on `127.0.0.1` (standard library only) that
speaks Segmind's wire protocol: `POST /v1/<slug>` answered in the slug's
provider shape (Anthropic for `claude-*`, Gemini for `gemini-*`, OpenAI for
the rest), the OpenAI-compatible `POST /v1/chat/completions`, and the v2 queue
API. It checks requests in the gateway's order (method, key, content type, slug,
body, messages, credits, then the provider's own rules), bills credits, and sends
the same headers as the service, plus `x-segmind-emulator: 1`. It is not a
model: by default it replies `"Segmind emulator reply (not a model) to: ..."`.

Installing the package gives pytest a `segmind_emulator` fixture (the plugin
`langchain_segmind.testing.pytest_plugin`): a fresh running emulator per
test, stopped afterwards.

```python
from langchain_segmind import ChatSegmind
from langchain_segmind.testing import Fault


def test_my_chain(segmind_emulator):
    segmind_emulator.script_replies("Paris")
    model = ChatSegmind(
        model="gpt-4o",
        base_url=segmind_emulator.base_url,
        api_key=segmind_emulator.api_key,
    )
    assert model.invoke("Capital of France?").content == "Paris"
    assert segmind_emulator.requests_to("/gpt-4o")[0].body["messages"]


def test_retries(segmind_emulator):
    segmind_emulator.inject(Fault.rate_limit(reset_in=0.1))
    segmind_emulator.inject(Fault.server_error(503))
    ...
```

For other settings (credits, latency, catalogue) start one yourself:
`with SegmindEmulator(credits=5.0) as emulator: ...`. Run with
`pytest --allow-hosts=127.0.0.1` if you use pytest-socket. From a shell,
`python -m langchain_segmind.testing --port 8080` serves until Ctrl-C.

The names below are loaded on first use, so importing this package (as pytest
does with the plugin in every session) costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_segmind._lazy import lazy_exports

if TYPE_CHECKING:
    from ._emulator import DEFAULT_API_KEY, DEFAULT_CATALOGUE, SegmindEmulator
    from ._faults import Fault
    from ._state import RecordedRequest

_EXPORTS = {
    "DEFAULT_API_KEY": "_emulator",
    "DEFAULT_CATALOGUE": "_emulator",
    "SegmindEmulator": "_emulator",
    "Fault": "_faults",
    "RecordedRequest": "_state",
}

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CATALOGUE",
    "Fault",
    "RecordedRequest",
    "SegmindEmulator",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
