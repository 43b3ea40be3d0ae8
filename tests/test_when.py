"""WHEN for --since and --until: ISO dates and times, relative forms, and clear refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recbrowser.when import BadWhen, parse_when

NOW = datetime(2026, 11, 30, 7, 15, 30, tzinfo=timezone.utc)
PARIS = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "end_of_day", "expected"),
    [
        ("2026-11-02", False, datetime(2026, 11, 2, tzinfo=PARIS)),
        ("2026-11-02", True, datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=PARIS)),
        ("2026-11-02T14:30", False, datetime(2026, 11, 2, 14, 30, tzinfo=PARIS)),
        ("2026-11-02T14:30", True, datetime(2026, 11, 2, 14, 30, tzinfo=PARIS)),
        ("2026-11-02T14:30:05Z", False, datetime(2026, 11, 2, 14, 30, 5, tzinfo=timezone.utc)),
        ("2026-11-02 14:30+05:30", False, datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)),
        ("today", False, datetime(2026, 11, 30, tzinfo=PARIS)),
        ("Today", True, datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=PARIS)),
        ("yesterday", False, datetime(2026, 11, 29, tzinfo=PARIS)),
        ("yesterday", True, datetime(2026, 11, 29, 23, 59, 59, 999999, tzinfo=PARIS)),
        ("7d", False, NOW - timedelta(days=7)),
        ("24h", True, NOW - timedelta(hours=24)),
        (" 30m ", False, NOW - timedelta(minutes=30)),
    ],
)
def test_forms(text, end_of_day, expected):
    assert parse_when(text, now=NOW, end_of_day=end_of_day, zone=PARIS) == expected


def test_today_is_the_local_day_not_the_utc_one():
    late = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # already 1 December in Paris
    assert parse_when("today", now=late, zone=PARIS) == datetime(2026, 12, 1, tzinfo=PARIS)


def test_without_a_zone_argument_the_system_zone_is_used():
    moment = parse_when("2026-11-02", now=NOW)
    assert moment.tzinfo is not None
    assert moment.replace(tzinfo=None) == datetime(2026, 11, 2)


@pytest.mark.parametrize(
    "text", ["", "soon", "7", "7w", "-7d", "2026-13-01", "2026-02-30", "2026/11/02", "last week", "99999999d", "d7"]
)
def test_anything_else_is_refused_with_the_accepted_forms(text):
    with pytest.raises(BadWhen) as caught:
        parse_when(text, now=NOW, zone=PARIS)
    assert "\n" not in str(caught.value)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31)), st.booleans())
def test_an_iso_time_round_trips(moment, with_zone):
    aware = moment.replace(tzinfo=timezone.utc) if with_zone else moment
    parsed = parse_when(aware.isoformat(), now=NOW, zone=PARIS)
    assert parsed == (aware if with_zone else moment.replace(tzinfo=PARIS))


@given(st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2999, 12, 31).date()))
def test_a_date_spans_its_whole_day(day):
    start = parse_when(day.isoformat(), now=NOW, zone=PARIS)
    end = parse_when(day.isoformat(), now=NOW, end_of_day=True, zone=PARIS)
    assert start.date() == end.date() == day
    assert end - start == timedelta(days=1, microseconds=-1)


@given(st.integers(min_value=0, max_value=9_999_999), st.sampled_from("dhm"))
def test_relative_forms_go_back_from_now_or_are_refused(amount, unit):
    try:
        moment = parse_when(f"{amount}{unit}", now=NOW, zone=PARIS)
    except BadWhen:
        assert unit == "d" and amount > 700_000  # before the year 1
        return
    seconds = {"d": 86400, "h": 3600, "m": 60}[unit] * amount
    assert NOW - moment == timedelta(seconds=seconds)


@given(st.text(max_size=30))
def test_any_text_is_a_moment_or_bad_when(text):
    try:
        moment = parse_when(text, now=NOW, zone=PARIS)
    except BadWhen as problem:
        assert str(problem)
    else:
        assert moment.tzinfo is not None
