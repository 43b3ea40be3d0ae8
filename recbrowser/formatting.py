"""How numbers, times and IDs are written for people, the same in the CLI and the app.

Everything here returns plain text; the app adds only styling (``tui/cells``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from recbrowser.models import MAX_DURATION
from recbrowser.text import printable

MAX_BYTES = 1024**6
"""Sizes from a server (a Content-Length of 400 digits) are shown bounded: beyond this, "?"."""
MAX_ETA = 100 * 86400
SEP = " · "
SHORT_ID_CHARS = 8


def plural(count: int, word: str, many: str | None = None, *, thousands: bool = False) -> str:
    """``1 file``, ``3 files``; ``many`` when the plural is not ``word`` + s (``entries``);
    ``thousands`` groups the digits (``1,250 more segments``)."""
    number = f"{count:,}" if thousands else str(count)
    return f"{number} {word if count == 1 else many or word + 's'}"


def short_call_id(call_id: str, chars: int = SHORT_ID_CHARS) -> str:
    """The start of a call ID and an ellipsis (``7f3d8e00…``), where the whole ID does not fit."""
    return f"{call_id[:chars]}…"


def joined(parts: Iterable[str]) -> str:
    """The non-empty parts joined with a middle dot (``3/10 files · 2 active``)."""
    return SEP.join(part for part in parts if part)


def status_parts(synced: int, pending: int, segments: int) -> list[str]:
    """``["2 synced", "1 pending", "1 other"]`` for a call's segments, leaving out zero counts."""
    counts = ((synced, "synced"), (pending, "pending"), (segments - synced - pending, "other"))
    return [f"{count} {what}" for count, what in counts if count]


def status_summary(parts: Iterable[str]) -> str:
    """A call's sync counts (``2 synced · 1 pending``), or ``no segments``."""
    return joined(parts) or "no segments"


def human_bytes(count: float | None) -> str:
    """``512 B``, ``1.5 MiB``; ``?`` when unknown or beyond any real size (never the raw digits)."""
    if count is None or not -MAX_BYTES <= count <= MAX_BYTES:  # also NaN; compared before float()
        return "?"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover


def human_eta(seconds: float | None) -> str:
    """``7s``, ``3m05s``, ``2h10m``; ``—`` when unknown, ``> 100 days`` beyond that."""
    if seconds is None or seconds != seconds:
        return "—"
    if seconds > MAX_ETA:
        return "> 100 days"
    seconds = int(max(0.0, seconds) + 0.5)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def format_duration(seconds: int | float | None) -> str:
    """m:ss (or h:mm:ss), and an em dash when unknown (also for negative or absurd values)."""
    if seconds is None or not 0 <= seconds <= MAX_DURATION * 10**6:  # room for a sum of many segments
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def relative_time(moment: datetime, now: datetime | None = None, *, utc: bool = False) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``, or a date (local, or UTC with
    ``utc``) for older times."""
    now = now or datetime.now(timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{round(seconds / 60)} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{plural(round(seconds / 86400), 'day')} ago"
    return format_local_time(moment, utc=utc)[:10]


def format_local_time(moment: datetime | None, *, seconds: bool = True, zone: bool = False, utc: bool = False) -> str:
    """Local wall-clock time for display (UTC with ``utc``), or an em dash.

    ``zone`` adds the zone's name or offset (``2026-03-02 10:34:25 CET``, ``… UTC``,
    ``… UTC+05:30``). Near year 1 or 9999 the time may not exist as a datetime in that zone
    (``astimezone`` overflows): then the moment is shown in UTC, or failing that as the server
    wrote it, always with a zone marker (``9999-12-31 23:59:59 UTC-05:00``), never a wrong or
    missing time.
    """
    if moment is None:
        return "—"
    marker = ""
    try:
        shown = moment.astimezone(timezone.utc if utc else None)
    except (OverflowError, ValueError):
        try:
            shown = moment.astimezone(timezone.utc)
        except (OverflowError, ValueError):
            shown = moment
        marker = " " + zone_marker(shown.utcoffset())
    else:
        if zone:
            marker = " " + zone_name(shown)
    text = f"{shown.year:04d}-{shown.month:02d}-{shown.day:02d} {shown.hour:02d}:{shown.minute:02d}"
    if seconds:
        text += f":{shown.second:02d}"
    return text + marker


def local_zone() -> str:
    """The local time zone's short name (``CET``, ``UTC``, ``+03``) for column titles; "" when unknown."""
    try:
        return printable(datetime.now().astimezone().tzname() or "", limit=12)
    except (OSError, ValueError, OverflowError):
        return ""


def zone_name(moment: datetime) -> str:
    """The zone of an aware time as people write it: ``CET``, ``UTC``, or ``UTC+05:30`` when
    the system has no short name for it (some give ``+0530`` or ``-03``)."""
    name = moment.tzname() or ""
    if name.isalpha() and name.isascii() and 2 <= len(name) <= 6:
        return name
    return zone_marker(moment.utcoffset())


def zone_marker(offset: timedelta | None) -> str:
    """``UTC``, ``UTC+05:00`` or ``UTC-03:30`` for a UTC offset (naive counts as UTC)."""
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
