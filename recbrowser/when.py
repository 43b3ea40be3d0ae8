"""WHEN for `--since` and `--until`: ISO dates and times, or ``7d``, ``24h``, ``30m``, ``today``, ``yesterday``.

Pure: the current time and the local zone are passed in, so tests pin them.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo

from recbrowser.text import printable

WHEN_FORMS = (
    "an ISO date (2026-11-02), an ISO time (2026-11-02T14:30, with or without a zone), 7d, 24h, 30m, today or yesterday"
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE = re.compile(r"(\d{1,7})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_END_OF_DAY = time(23, 59, 59, 999999)


class BadWhen(ValueError):
    """Text that is no WHEN; the message says what is accepted."""


_DURATION = re.compile(r"(\d{1,7}(?:\.\d{1,3})?)([smh]?)")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``1h`` or a plain number of seconds; BadWhen otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise BadWhen(f"{printable(text, limit=40)!r} is not a duration: use 30s, 10m, 1h or seconds.")
    return float(match[1]) * _SECONDS[match[2]]


def parse_when(text: str, *, now: datetime, end_of_day: bool = False, zone: tzinfo | None = None) -> datetime:
    """The moment ``text`` names, as an aware datetime.

    ``now`` is aware; ``zone`` is the local zone (None: the system's), used for dates and for
    times written without a zone. A date (``2026-11-02``, ``today``, ``yesterday``) means the
    start of that day, or its last microsecond with ``end_of_day`` (what ``--until`` asks for).
    """
    word = text.strip().lower()
    local_now = now.astimezone(zone)
    if word in ("today", "yesterday"):
        day = local_now.date() - timedelta(days=1 if word == "yesterday" else 0)
        return _on_day(datetime(day.year, day.month, day.day), end_of_day, zone)
    relative = _RELATIVE.fullmatch(word)
    if relative is not None:
        amount, unit = int(relative[1]), _UNITS[relative[2]]
        try:
            return now - timedelta(**{unit: amount})
        except OverflowError:
            raise BadWhen(f"{printable(text, limit=40)!r} reaches before the year 1.") from None
    if _DATE.fullmatch(word):
        try:
            day = datetime.strptime(word, "%Y-%m-%d")
        except ValueError:
            raise BadWhen(f"{printable(text, limit=40)!r} is not a date on the calendar.") from None
        return _on_day(day, end_of_day, zone)
    if "t" in word or " " in word:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo is not None else _localise(moment, zone)
    raise BadWhen(f"{printable(text, limit=40)!r} is not a time: use {WHEN_FORMS}.")


def _on_day(day: datetime, end_of_day: bool, zone: tzinfo | None) -> datetime:
    return _localise(datetime.combine(day.date(), _END_OF_DAY if end_of_day else time()), zone)


def _localise(moment: datetime, zone: tzinfo | None) -> datetime:
    """A naive wall-clock time in ``zone`` (None: the system's local zone)."""
    if zone is not None:
        return moment.replace(tzinfo=zone)
    try:
        return moment.astimezone()
    except (OverflowError, ValueError, OSError):
        raise BadWhen(f"{moment.isoformat()} has no form in the local time zone.") from None
