"""Trying again: how long to wait before the next attempt, and how to say that it is coming.

Shared by the API client (lookups) and ``fetch`` (recording downloads).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from recbrowser.text import printable

if TYPE_CHECKING:
    from recbrowser.client import RetryNotice

BACKOFF_CAP = 8.0
"""Seconds: the longest wait between two attempts, however many came before."""


def backoff(
    attempt: int, *, base: float, cap: float = BACKOFF_CAP, jitter: Callable[[float, float], float] = random.uniform
) -> float:
    """Seconds to wait after failed ``attempt`` (from 1): ``base`` doubled for each attempt before,
    at most ``cap``, then scaled by a random half to whole so that clients do not retry in step."""
    return min(cap, base * 2.0 ** (attempt - 1)) * jitter(0.5, 1.0)


def retry_message(notice: RetryNotice, *, limit: int | None = None, say_wait: bool = False) -> str:
    """The error and that it is tried again: ``"<error> Retrying (2/3)."``, or with ``say_wait``
    ``"<error> Retrying in 1.5 s (try 2 of 3)."`` (for a line that shows no countdown)."""
    error = printable(notice.error.message, limit=limit)
    if say_wait:
        return f"{error} Retrying in {notice.delay:.1f} s (try {notice.attempt + 1} of {notice.max_tries})."
    return f"{error} Retrying ({notice.attempt + 1}/{notice.max_tries})."
