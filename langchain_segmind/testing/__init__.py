"""A loopback emulator of Segmind's LLM gateway, for your own tests.

The emulator is a real HTTP server on `127.0.0.1` (standard library only) that
speaks Segmind's wire protocol: `POST /v1/<slug>` answered in the slug's
provider shape (Anthropic for `claude-*`, Gemini for `gemini-*`, OpenAI for
the rest) and the v2 queue API. It checks requests in one order (method, key,
content type, slug, body, messages, credits, then the provider's own rules;
Segmind documents none), bills credits, and sends the same headers as the service, plus
`x-segmind-emulator: 1`. It is not a model: by default it replies
`"Segmind emulator reply (not a model) to: ..."`; script texts
(`script_replies`), whole provider answers (`script_payloads`) or failures
(`inject`), a small context window (`context_window`) and slow v2 jobs
(`queue_polls_until_complete`).

Installing the package gives pytest a `segmind_emulator` fixture: a fresh
running emulator per test, stopped afterwards. Inside a test that uses it,
every call of the package's default clients goes to that emulator with its
key (models built in the test or at import of your app, with no arguments,
sync and async), so no call can reach Segmind; retries and polls wait no real
time, on the fake clock `segmind_emulator.clock`. Outside it nothing changes.

```python
from langchain_segmind import ChatSegmind
from langchain_segmind.testing import Fault

llm = ChatSegmind(model="gpt-4o")  # your app's model


def test_my_chain(segmind_emulator):
    segmind_emulator.script_replies("Paris")
    assert llm.invoke("Capital of France?").content == "Paris"
    assert segmind_emulator.requests_to("/gpt-4o")[0].body["messages"]


def test_retries(segmind_emulator):
    segmind_emulator.inject(Fault.server_error(503))
    llm.invoke("hi")
    assert len(segmind_emulator.clock.waits) == 1  # no real sleep
```

Without pytest, or for other settings (credits, latency, catalogue), start one
yourself: `with SegmindEmulator(credits=5.0) as emulator,
emulator.capture_default_clients(): ...`. `FakeClock` is the virtual clock on
its own (`langchain_segmind.transport.deadline.replaced_clock(FakeClock())`).
Run with `pytest --allow-hosts=127.0.0.1` if you use pytest-socket. From a
shell, `python -m langchain_segmind.testing --port 8080` serves on loopback
until Ctrl-C.

The names below are loaded on first use, so importing this package (as pytest
does with the plugin in every session) costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_segmind._lazy import lazy_exports

if TYPE_CHECKING:
    from ._clock import FakeClock
    from ._emulator import DEFAULT_API_KEY, DEFAULT_CATALOGUE, SegmindEmulator
    from ._faults import Fault
    from ._state import RecordedRequest

_EXPORTS = {
    "DEFAULT_API_KEY": "_emulator",
    "DEFAULT_CATALOGUE": "_emulator",
    "FakeClock": "_clock",
    "Fault": "_faults",
    "RecordedRequest": "_state",
    "SegmindEmulator": "_emulator",
}

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CATALOGUE",
    "FakeClock",
    "Fault",
    "RecordedRequest",
    "SegmindEmulator",
]


if not TYPE_CHECKING:  # type checkers read the imports above: a typo fails
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
