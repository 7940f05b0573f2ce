"""The last credit balance Segmind reported, per account, and the low-balance guard.

Accounts are told apart by a hash of the base URL and the key; the key itself
is never stored. Answers to concurrent calls can be read out of order, so
balances reported close together keep the lowest: a stale, higher figure read
late must not hide a low balance, while a top-up shows once the burst is over.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from pydantic import SecretStr

from langchain_segmind._warnings import warn_at_caller
from langchain_segmind.errors import SegmindInsufficientCreditsError

__all__ = [
    "SegmindLowCreditsWarning",
    "account_id",
    "check_balance",
    "forget_known_balances",
    "record_balance",
]

# Reports closer together than this are treated as one burst of calls.
BURST_SECONDS = 30.0


class SegmindLowCreditsWarning(UserWarning):
    """The account's last known balance is below `min_remaining_credits`."""


@dataclass(frozen=True)
class _Report:
    credits: float
    at: float


_lock = threading.Lock()
_reports: dict[str, _Report] = {}


def account_id(base_url: str, api_key: SecretStr) -> str:
    """An opaque, stable name for the account behind `api_key` at `base_url`."""
    digest = hashlib.sha256(f"{base_url}\0".encode())
    digest.update(api_key.get_secret_value().encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def record_balance(account: str, remaining_credits: object) -> None:
    """Remember the balance an answer reported (ignored when absent)."""
    if not isinstance(remaining_credits, float | int):
        return
    now = time.monotonic()
    with _lock:
        known = _reports.get(account)
        if known is not None and now - known.at < BURST_SECONDS:
            credits = min(known.credits, float(remaining_credits))
        else:
            credits = float(remaining_credits)
        _reports[account] = _Report(credits, now)


def last_balance(account: str) -> float | None:
    """The last balance seen for `account`, if any."""
    with _lock:
        known = _reports.get(account)
    return None if known is None else known.credits


def forget_known_balances() -> None:
    """Forget every balance seen, e.g. after topping up the account.

    A model with `raise_on_low_credits=True` refuses to call once a low
    balance was seen, so it cannot see a top-up by itself: call this first.
    """
    with _lock:
        _reports.clear()


def check_balance(account: str, minimum: float | None, *, raise_error: bool) -> None:
    """Warn, or raise before sending, when the last balance is below `minimum`.

    Raises:
        SegmindInsufficientCreditsError: If `raise_error` and the balance is low.
    """
    if minimum is None:
        return
    balance = last_balance(account)
    if balance is None or balance >= minimum:
        return
    message = (
        f"the Segmind account's last known balance, {balance:.6g} credits, is "
        f"below min_remaining_credits={minimum:g}"
    )
    if raise_error:
        raise SegmindInsufficientCreditsError(
            f"{message}; the request was not sent. After topping up, call "
            "langchain_segmind.forget_known_balances()."
        )
    warn_at_caller(message, SegmindLowCreditsWarning)
