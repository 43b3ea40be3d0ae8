"""Turning untrusted API data into Rich Text for display: never parsed as markup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text

from recbrowser.models import PENDING, SYNCED, CallRecordings, Segment, format_duration, format_local_time
from recbrowser.text import printable
from recbrowser.tui.safe import guarded


def literal(value: object, *, style: str = "", limit: int | None = None) -> Text:
    """Text showing ``value`` exactly (control characters escaped), never interpreted as markup."""
    return Text(printable(value, limit=limit), style=style)


def status_cell(status: str | None) -> Text:
    if status == SYNCED:
        return Text("● synced", style="green")
    if status == PENDING:
        return Text("◐ pending", style="yellow")
    return literal(f"? {status}" if status else "—", style="dim", limit=16)


def status_summary(call: CallRecordings) -> str:
    return " · ".join(call.status_parts()) or "no segments"


def created_cell(segment: Segment) -> Text:
    """Local time to the minute; a zone marker when it cannot be shown locally (near year 1 or 9999)."""
    return Text(format_local_time(segment.created_at, seconds=False))


def local_zone() -> str:
    """The local time zone's short name (``CET``, ``UTC``, ``+03``) for column titles; "" when unknown."""
    try:
        return printable(datetime.now().astimezone().tzname() or "", limit=12)
    except (OSError, ValueError, OverflowError):
        return ""


def segment_cells(segment: Segment, local_file: str | None = None, failures: list[BaseException] | None = None) -> tuple[Text, ...]:
    """One row of the segments table: #, Status, Label, Length, File, Source, Created.

    A cell whose formatting raises is "?" (the error goes to ``failures``); the row is always whole."""
    builders = (
        lambda: Text(str(segment.index), style="dim"),
        lambda: status_cell(segment.status),
        lambda: literal(segment.friendly_label, limit=40),
        lambda: Text(format_duration(segment.duration_seconds), justify="right"),
        lambda: literal(f"✓ {Path(local_file).name}", style="green") if local_file else Text("—", style="dim"),
        lambda: literal(segment.source or "—", limit=14),
        lambda: created_cell(segment),
    )
    return tuple(guarded(build, failures) for build in builders)
