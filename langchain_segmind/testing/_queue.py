"""Jobs of the asynchronous (v2) queue API and their life cycle."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

QUEUED = "QUEUED"
PROCESSING = "PROCESSING"
COMPLETED = "COMPLETED"
FAILED = "FAILED"


@dataclass
class QueueJob:
    """One submitted job; not thread-safe: the emulator guards it with its lock.

    The job moves QUEUED -> PROCESSING -> COMPLETED (or FAILED) as its status is
    polled: it settles on the status poll that brings its count of polls to the
    emulator's `queue_polls_until_complete` at that moment.
    """

    request_id: str
    slug: str
    output: dict[str, Any]
    fail_message: str | None = None
    polls: int = 0
    status: str = QUEUED
    error: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    submitted_at: float = field(default_factory=time.monotonic)

    def advance(
        self, polls_needed: int, charge: Callable[[], tuple[float, float] | str]
    ) -> None:
        """Move the job on after its polls so far.

        Args:
            polls_needed: The status polls after which a job settles.
            charge: Bills the job when it completes; returns `(cost, remaining)`
                or an error message when it cannot be billed.
        """
        if self.status in (COMPLETED, FAILED):
            return
        if self.polls < polls_needed:
            self.status = PROCESSING if self.polls else QUEUED
            return
        if self.fail_message is not None:
            self._fail(self.fail_message)
            return
        billed = charge()
        if isinstance(billed, str):
            self._fail(billed)
            return
        cost, remaining = billed
        self.status = COMPLETED
        self.metrics = {
            "inference_time": round(time.monotonic() - self.submitted_at, 6),
            "cost": cost,
            "remaining_credits": remaining,
        }

    def status_payload(self) -> dict[str, Any]:
        """The body of a status poll."""
        payload: dict[str, Any] = {"status": self.status, "metrics": dict(self.metrics)}
        if self.error is not None:
            payload["error"] = self.error
        return payload

    def response_payload(self) -> tuple[int, dict[str, Any]]:
        """The HTTP status and body of a response fetch."""
        if self.status == FAILED:
            return 422, {"status": FAILED, "error": self.error}
        if self.status != COMPLETED:
            return 200, {"status": self.status}
        return 200, {
            "status": COMPLETED,
            "metrics": dict(self.metrics),
            "output": json.dumps(self.output),
        }

    def _fail(self, message: str) -> None:
        self.status = FAILED
        self.error = message
        self.metrics = {
            "inference_time": round(time.monotonic() - self.submitted_at, 6)
        }
