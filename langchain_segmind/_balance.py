"""The last credit balance Segmind reported, per account, and the low-balance guard.

Accounts are told apart by a hash of the base URL and the key; the key itself
is never stored.
"""

from __future__ import annotations

import hashlib
import threading
import warnings

from langchain_segmind.errors import SegmindInsufficientCreditsError

__all__ = ["SegmindLowCreditsWarning", "account_id", "check_balance", "record_balance"]


class SegmindLowCreditsWarning(UserWarning):
    """The account's last known balance is below `min_remaining_credits`."""


_lock = threading.Lock()
_last_balance: dict[str, float] = {}


def account_id(base_url: str, api_key: str) -> str:
    """An opaque, stable name for the account behind `api_key` at `base_url`."""
    return hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:24]


def record_balance(account: str, remaining_credits: object) -> None:
    """Remember the balance an answer reported (ignored when absent)."""
    if isinstance(remaining_credits, float | int):
        with _lock:
            _last_balance[account] = float(remaining_credits)


def last_balance(account: str) -> float | None:
    """The last balance seen for `account`, if any."""
    with _lock:
        return _last_balance.get(account)


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
        raise SegmindInsufficientCreditsError(f"{message}; the request was not sent")
    warnings.warn(message, SegmindLowCreditsWarning, stacklevel=6)
