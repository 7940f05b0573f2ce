"""A loopback emulator of Segmind's LLM gateway, for your own tests.

The emulator is a real HTTP server on ``127.0.0.1`` (standard library only) that
speaks Segmind's wire protocol: ``POST /v1/<slug>`` answered in the slug's
provider shape (Anthropic for ``claude-*``, Gemini for ``gemini-*``, OpenAI for
the rest), the OpenAI-compatible ``POST /v1/chat/completions``, and the v2 queue
API. It checks requests in the gateway's order (method, key, content type, slug,
body, messages, credits, then the provider's own rules), bills credits, and sends
the same headers as the service, plus ``x-segmind-emulator: 1``. It is not a
model: by default it replies ``"Segmind emulator reply (not a model) to: ..."``.

Use it in a pytest fixture::

    import pytest
    from langchain_segmind.testing import Fault, SegmindEmulator

    @pytest.fixture
    def segmind():
        with SegmindEmulator() as emulator:
            yield emulator

    def test_my_chain(segmind):
        segmind.script_replies("Paris")
        model = ChatSegmind(model="gpt-4o", base_url=segmind.base_url,
                            api_key=segmind.api_key)
        assert model.invoke("Capital of France?").content == "Paris"
        assert segmind.requests_to("/gpt-4o")[0].body["messages"]

    def test_retries(segmind):
        segmind.inject(Fault.rate_limit(reset_in=0.1))
        segmind.inject(Fault.server_error(503))
        ...

Run with ``pytest --allow-hosts=127.0.0.1`` if you use pytest-socket. From a shell,
``python -m langchain_segmind.testing --port 8080`` serves until Ctrl-C.
"""

from __future__ import annotations

from ._emulator import DEFAULT_API_KEY, DEFAULT_CATALOGUE, SegmindEmulator
from ._faults import Fault
from ._state import RecordedRequest

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CATALOGUE",
    "Fault",
    "RecordedRequest",
    "SegmindEmulator",
]
