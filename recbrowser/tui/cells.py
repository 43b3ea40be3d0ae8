"""Turning untrusted API data into Rich Text for display: never parsed as markup."""

from __future__ import annotations

from rich.text import Text

from recbrowser.models import PENDING, SYNCED, CallRecordings
from recbrowser.text import printable


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
