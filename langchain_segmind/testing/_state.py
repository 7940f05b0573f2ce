"""The emulator's shared, lock-guarded state."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._faults import Fault
from ._queue import QueueJob

# Answer ids count across every emulator of the process, so that no two answers
# share one (LangGraph's `add_messages` takes a known id for a replacement).
_SEQUENCE = itertools.count(1)

ACTIVE = "active"
RETIRED = "retired"

Script = str | dict[str, Any]
"""A scripted reply: a text, or a whole provider payload sent verbatim."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it.

    Attributes:
        method: HTTP method.
        path: Request target as sent (path and any query string).
        headers: Header names lower-cased; `x-api-key` and `authorization`
            values are masked as `"***"`.
        body: The body parsed as JSON, or `None` if it is not JSON.
        raw_body: The body's bytes.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw_body: bytes


@dataclass
class _ArmedFault:
    fault: Fault
    remaining: int
    slug: str | None


def insufficient_credits(balance: float, cost: float) -> str:
    """The gateway's message for a balance below the cost of a call."""
    return (
        f"Insufficient credits. Your balance is {balance} credits, "
        f"this request costs {cost} credits."
    )


class GatewayState:
    """Everything the request threads share, each access under one lock."""

    def __init__(
        self,
        *,
        credits: float,
        latency: float,
        catalogue: Mapping[str, str],
        context_window: int | None,
        polls_until_complete: int,
    ) -> None:
        self._lock = threading.Lock()
        self._credits = credits
        self._latency = latency
        self._catalogue = dict(catalogue)
        # Plain values, read and written whole: no lock needed.
        self.context_window = context_window
        self.polls_until_complete = polls_until_complete
        self._log: list[RecordedRequest] = []
        self._scripts: dict[str | None, deque[Script]] = {}
        self._faults: list[_ArmedFault] = []
        self._queue_failures: deque[str] = deque()
        self._jobs: dict[str, QueueJob] = {}
        self._connections = 0

    # -- plain values -------------------------------------------------------

    @property
    def credits(self) -> float:
        with self._lock:
            return self._credits

    @credits.setter
    def credits(self, value: float) -> None:
        with self._lock:
            self._credits = value

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        with self._lock:
            self._latency = value

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def connection_opened(self) -> None:
        with self._lock:
            self._connections += 1

    def next_sequence(self) -> int:
        return next(_SEQUENCE)

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._scripts.clear()
            self._faults.clear()
            self._queue_failures.clear()
            self._jobs.clear()
            self._connections = 0

    # -- request log --------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._log.append(request)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    # -- catalogue and billing ----------------------------------------------

    def set_model(self, slug: str, status: str) -> None:
        with self._lock:
            self._catalogue[slug] = status

    def model_status(self, slug: str) -> str | None:
        with self._lock:
            return self._catalogue.get(slug)

    def charge(self, cost: float) -> tuple[float, float] | str:
        """Bill one call: `(cost, remaining)`, or why it cannot be billed."""
        with self._lock:
            return self._charge_locked(cost)

    def _charge_locked(self, cost: float) -> tuple[float, float] | str:
        if self._credits < cost:
            return insufficient_credits(self._credits, cost)
        # Segmind's balances are decimals: ten calls at 0.1 spend 1.0 exactly.
        self._credits = float(Decimal(repr(self._credits)) - Decimal(repr(cost)))
        return cost, self._credits

    # -- scripted replies and faults ----------------------------------------

    def add_script(self, slug: str | None, scripts: tuple[Script, ...]) -> None:
        with self._lock:
            self._scripts.setdefault(slug, deque()).extend(scripts)

    def next_script(self, slug: str) -> Script | None:
        """The next scripted reply for `slug`: its own queue first, then the global."""
        with self._lock:
            for key in (slug, None):
                queue = self._scripts.get(key)
                if queue:
                    return queue.popleft()
            return None

    def arm_fault(self, fault: Fault, times: int, slug: str | None) -> None:
        if times < 1:
            return
        with self._lock:
            self._faults.append(_ArmedFault(fault, times, slug))

    def take_fault(self, slug: str | None) -> Fault | None:
        """The oldest armed fault that matches `slug`, used up once."""
        with self._lock:
            for armed in self._faults:
                if armed.slug is None or armed.slug == slug:
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._faults.remove(armed)
                    return armed.fault
            return None

    # -- queue (v2) jobs ----------------------------------------------------

    def fail_next_job(self, message: str) -> None:
        with self._lock:
            self._queue_failures.append(message)

    def add_job(
        self, request_id: str, slug: str, output: dict[str, Any], cost: float
    ) -> None:
        with self._lock:
            failure = self._queue_failures.popleft() if self._queue_failures else None
            job = QueueJob(request_id, slug, output, fail_message=failure)
            job.advance(self.polls_until_complete, lambda: self._charge_locked(cost))
            self._jobs[request_id] = job

    def job_slug(self, request_id: str) -> str | None:
        with self._lock:
            job = self._jobs.get(request_id)
            return None if job is None else job.slug

    def poll_job(self, request_id: str, cost: float) -> dict[str, Any] | None:
        """Count one status poll and answer it; `None` for an unknown job."""
        with self._lock:
            job = self._jobs.get(request_id)
            if job is None:
                return None
            job.polls += 1
            job.advance(self.polls_until_complete, lambda: self._charge_locked(cost))
            return job.status_payload()

    def fetch_job(self, request_id: str) -> tuple[int, dict[str, Any]] | None:
        """A job's result (status and body); `None` for an unknown job."""
        with self._lock:
            job = self._jobs.get(request_id)
            return None if job is None else job.response_payload()
