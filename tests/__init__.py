"""langchain-segmind's tests: the unit tier, the emulator tier, and what they share."""

from __future__ import annotations

import os
import signal
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

# Deeper than the standard `json` module reads or writes on any supported
# Python (3.11 stops near 1,000 levels, 3.12 near 1,500, 3.13 near 10,000).
TOO_DEEP_FOR_JSON = 100_000


def exit_code_of_forked(work: Callable[[], object]) -> int:
    """Fork; the child runs `work` and exits 0 if it returns a true value.

    The test fails if the child has not exited within ten seconds.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        pid = os.fork()
        if pid == 0:
            try:
                os._exit(0 if work() else 1)
            except BaseException:
                os._exit(1)
    for _ in range(200):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child never exited")


class CallbackRecorder(BaseCallbackHandler):
    """What LangChain hands a chat model's callback handlers, run by run.

    For each run started: its `messages`, `metadata` (the `ls_*` trace fields),
    `invocation_params` and `options`; for each run ended, its `LLMResult` in
    `ends`; and each streamed token in `tokens`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[list[list[BaseMessage]]] = []
        self.metadata: list[dict[str, Any]] = []
        self.invocation_params: list[dict[str, Any]] = []
        self.options: list[dict[str, Any] | None] = []
        self.ends: list[LLMResult] = []
        self.tokens: list[str] = []

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        **kwargs: Any,
    ) -> None:
        self.messages.append(messages)
        self.metadata.append(kwargs.get("metadata") or {})
        self.invocation_params.append(kwargs.get("invocation_params") or {})
        self.options.append(kwargs.get("options"))

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.ends.append(response)
