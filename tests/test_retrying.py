"""Waiting before trying again and saying so (recbrowser.retrying), shared by lookups and downloads."""

from __future__ import annotations

import pytest

from recbrowser.client import RetryNotice
from recbrowser.errors import ServerError
from recbrowser.retrying import BACKOFF_CAP, backoff, retry_message


def highest(low: float, high: float) -> float:
    return high


def lowest(low: float, high: float) -> float:
    return low


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (40, 8.0)]
)
def test_the_wait_doubles_per_attempt_up_to_the_cap(attempt: int, ceiling: float) -> None:
    assert backoff(attempt, base=0.5, jitter=highest) == ceiling
    assert backoff(attempt, base=0.5, jitter=lowest) == ceiling / 2


def test_the_cap_can_be_chosen() -> None:
    assert backoff(10, base=0.002, cap=0.003, jitter=highest) == 0.003
    assert BACKOFF_CAP == 8.0


def test_the_jitter_keeps_each_wait_between_half_and_all_of_its_ceiling() -> None:
    waits = [backoff(3, base=0.5) for _ in range(200)]
    assert all(1.0 <= wait <= 2.0 for wait in waits)
    assert len(set(waits)) > 1  # not in step with every other client


def notice(call_id: str | None = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef") -> RetryNotice:
    return RetryNotice(call_id, 1, 3, 1.25, ServerError("The Magpipe API had a server error (503): \x1b[2Jbusy."))


def test_the_retry_message_counts_the_coming_try_and_shows_the_error_safely() -> None:
    assert retry_message(notice()) == "The Magpipe API had a server error (503): \\x1b[2Jbusy. Retrying (2/3)."


def test_the_retry_message_can_say_how_long_it_waits() -> None:
    assert retry_message(notice(), say_wait=True) == (
        "The Magpipe API had a server error (503): \\x1b[2Jbusy. Retrying in 1.2 s (try 2 of 3)."
    )


def test_a_long_error_is_shortened_before_the_retry_words() -> None:
    assert retry_message(notice(), limit=10) == "The Magpi… Retrying (2/3)."
