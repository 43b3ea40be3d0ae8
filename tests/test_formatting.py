"""The shared words and numbers of the CLI and the app (recbrowser.formatting), driven directly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from recbrowser.formatting import (
    human_bytes,
    human_eta,
    joined,
    plural,
    relative_time,
    short_call_id,
    status_parts,
    status_summary,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("args", "kwargs", "shown"),
    [
        ((0, "file"), {}, "0 files"),
        ((1, "file"), {}, "1 file"),
        ((2, "call"), {}, "2 calls"),
        ((1, "entry", "entries"), {}, "1 entry"),
        ((3, "entry", "entries"), {}, "3 entries"),
        ((1250, "more segment"), {"thousands": True}, "1,250 more segments"),
        ((1250, "call"), {}, "1250 calls"),
    ],
)
def test_plural_agrees_with_the_count(args: tuple, kwargs: dict, shown: str) -> None:
    assert plural(*args, **kwargs) == shown


def test_a_short_call_id_is_its_start_and_an_ellipsis() -> None:
    call_id = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"
    assert short_call_id(call_id) == "7f3d8e00…"
    assert short_call_id(call_id, 4) == "7f3d…"


def test_joined_leaves_out_empty_parts_and_a_call_without_counts_has_no_segments() -> None:
    assert joined(["3/10 files", "", "2 active"]) == "3/10 files · 2 active"
    assert status_summary(["2 synced", "1 pending"]) == "2 synced · 1 pending"
    assert status_summary([]) == "no segments"


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=3), "3 h ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=30), "2026-01-31"),
    ],
)
def test_relative_time_says_how_long_ago(ago: timedelta, shown: str) -> None:
    assert relative_time(NOW - ago, NOW, utc=True) == shown


def test_sizes_and_etas_read_as_people_write_them() -> None:
    assert [human_bytes(n) for n in (512, 1536, 3 * 1024**3, None)] == ["512 B", "1.5 KiB", "3.0 GiB", "?"]
    assert [human_eta(s) for s in (7, 185, 7800, None)] == ["7s", "3m05s", "2h10m", "—"]


def test_status_parts_count_synced_pending_and_other_leaving_out_zeros() -> None:
    assert status_parts(2, 1, 4) == ["2 synced", "1 pending", "1 other"]
    assert status_parts(3, 0, 3) == ["3 synced"]
    assert status_parts(0, 0, 0) == []
