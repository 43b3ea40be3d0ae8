"""What a history entry shows, as text: the CLI's table and the app's list both take it from here."""

from __future__ import annotations

from dataclasses import dataclass

from recbrowser.formatting import relative_time
from recbrowser.history import HistoryEntry
from recbrowser.text import printable

NONE = "—"
EMPTY = "No lookups in the history.\n"
TABLE_COLUMNS = (
    "Call ID",
    "Last lookup",
    "Number",
    "Agent",
    "Lookups",
    "Outcome",
    "Segments",
    "Synced",
    "Pending",
    "Downloaded",
)
LIST_COLUMNS = ("Call ID", "Last lookup", "Number", "Agent", "Lookups", "Outcome", "Segments", "Sync", "Downloaded")
NUMBER_CHARS = 20  # E.164 is at most 16
AGENT_CHARS = 24


def _count(value: int | None) -> str:
    return NONE if value is None else str(value)


@dataclass(frozen=True)
class HistoryRow:
    """One entry's values as shown; ``sync`` and ``downloads`` are the app's summaries."""

    call_id: str
    last_lookup: str
    number: str  # the other party's number, when the call's details were got
    agent: str  # the agent's name (its ID without one), when known
    lookups: str
    outcome: str
    segments: str
    synced: str
    pending: str
    downloaded: str
    sync: str  # "2 synced · 1 pending", or — for a call without an answer
    downloads: str  # the number downloaded, or — for none

    @classmethod
    def of(cls, entry: HistoryEntry, *, utc: bool = False) -> HistoryRow:
        meta = entry.meta
        if entry.segments is None:
            sync = NONE
        else:
            sync = f"{entry.synced or 0} synced" + (f" · {entry.pending} pending" if entry.pending else "")
        return cls(
            call_id=entry.call_id,
            last_lookup=relative_time(entry.last_looked_up_at, utc=utc),
            number=printable(entry.other_number, limit=NUMBER_CHARS) or NONE,
            agent=printable(meta.agent_name or meta.agent_id, limit=AGENT_CHARS) or NONE if meta else NONE,
            lookups=str(entry.lookups),
            outcome=entry.outcome,
            segments=_count(entry.segments),
            synced=_count(entry.synced),
            pending=_count(entry.pending),
            downloaded=str(entry.downloaded),
            sync=sync,
            downloads=str(entry.downloaded) if entry.downloaded else NONE,
        )

    def table_cells(self) -> tuple[str, ...]:
        """The cells under TABLE_COLUMNS (the CLI)."""
        return (
            self.call_id,
            self.last_lookup,
            self.number,
            self.agent,
            self.lookups,
            self.outcome,
            self.segments,
            self.synced,
            self.pending,
            self.downloaded,
        )

    def list_cells(self) -> tuple[str, ...]:
        """The cells under LIST_COLUMNS (the app)."""
        return (
            self.call_id,
            self.last_lookup,
            self.number,
            self.agent,
            self.lookups,
            self.outcome,
            self.segments,
            self.sync,
            self.downloads,
        )


def format_history(entries: list[HistoryEntry], *, utc: bool = False) -> str:
    """The entries as a plain-text table, columns padded to fit; a sentence when there are none."""
    if not entries:
        return EMPTY
    rows = [TABLE_COLUMNS, *(HistoryRow.of(e, utc=utc).table_cells() for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows)


def count_note(total: int, shown: int, search: str, *, limit: int) -> str:
    """The line over the app's list: how many calls there are and which of them are shown."""
    note = f"{total} call{'s' if total != 1 else ''} in the history · showing {shown}"
    if search:
        note += f" matching {search!r}"
    if shown == limit:
        note += " (the newest; type to narrow)"
    return note
