"""Downloads the app left unfinished (quit while running, or cancelled), so the next start can
offer to resume them.

A small JSON file beside the history lists each one as (call ID, segment index, partial file).
Only entries whose partial file is still there count; nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recbrowser.downloads import ACTIVE, CANCELLED, FAILED, QUEUED, DownloadItem
from recbrowser.models import Segment
from recbrowser.partfiles import is_regular_file
from recbrowser.paths import Paths
from recbrowser.privatefiles import write_private
from recbrowser.text import printable

if TYPE_CHECKING:
    from recbrowser.history import HistoryStore

FILE_NAME = "unfinished-downloads.json"
MAX_BYTES = 4 * 1024 * 1024  # a list of 10,000+ partial files; anything larger is not ours
RUNNING = (QUEUED, ACTIVE)


@dataclass(frozen=True)
class Unfinished:
    """One partial download: which segment it is, and where its bytes so far are."""

    call_id: str
    index: int
    part: Path

    def to_json(self) -> dict[str, object]:
        return {"call_id": self.call_id, "index": self.index, "part": str(self.part)}


def state_file(paths: Paths) -> Path:
    """Where the list is kept: next to the history (so ``--demo``, whose data dir is temporary,
    never touches the user's list; its log dir is the user's)."""
    return paths.data_dir / FILE_NAME


def running_count(items: Iterable[DownloadItem]) -> int:
    """How many of these downloads are queued or transferring."""
    return sum(1 for item in items if item.state in RUNNING)


def quit_question(running: int) -> str:
    """What quitting asks while downloads run."""
    verb = "download is" if running == 1 else "downloads are"
    return f"{running} {verb} running. Quit and keep the partial files for later?"


def of_items(items: Iterable[DownloadItem]) -> list[Unfinished]:
    """The downloads among ``items`` that have not finished (running, cancelled or failed with a partial file)."""
    return [
        Unfinished(item.call_id, item.segment.index, item.planned.part)
        for item in items
        if item.state in (*RUNNING, CANCELLED, FAILED)
    ]


def save(path: Path, entries: list[Unfinished]) -> None:
    """Replace the list (an empty list removes the file). Raises OSError."""
    if not entries:
        path.unlink(missing_ok=True)
        return
    write_private(path, json.dumps([entry.to_json() for entry in entries]).encode())


def load(path: Path) -> list[Unfinished]:
    """The listed downloads whose partial file is still there, in the order saved.

    A missing, unreadable or malformed list is empty: this is a convenience, never an error."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries: list[Unfinished] = []
    seen: set[tuple[str, int]] = set()
    for raw in data if isinstance(data, list) else []:
        if not isinstance(raw, dict):
            continue
        call_id, index, part = raw.get("call_id"), raw.get("index"), raw.get("part")
        if not (isinstance(call_id, str) and isinstance(index, int) and isinstance(part, str)):
            continue
        if (call_id, index) in seen or is_regular_file(Path(part)) is None:
            continue
        seen.add((call_id, index))
        entries.append(Unfinished(call_id, index, Path(part)))
    return entries


def where(entries: list[Unfinished]) -> str:
    """The folder holding the partial files (the first one's, with "and others" when they differ)."""
    folders = {entry.part.parent for entry in entries}
    first = entries[0].part.parent if entries else Path(".")
    return str(first) + (" and other folders" if len(folders) > 1 else "")


def resumable(
    entries: Iterable[Unfinished], history: HistoryStore
) -> tuple[list[tuple[str, Segment]], list[Unfinished]]:
    """The segments to download again (their partial files resume), found in each call's
    cached answer in ``history``; and the entries whose call has no cached answer with that
    segment. Reads the history."""
    wanted: list[tuple[str, Segment]] = []
    missing: list[Unfinished] = []
    for entry in entries:
        cached = history.cached(entry.call_id)
        segment = next((s for s in cached.recordings.segments if s.index == entry.index), None) if cached else None
        if segment is None:
            missing.append(entry)
        else:
            wanted.append((entry.call_id, segment))
    return wanted, missing


def missing_note(missing: list[Unfinished]) -> str:
    """What to say about partial files that cannot be resumed; "" when there are none."""
    if not missing:
        return ""
    where = printable(str(missing[0].part.parent), limit=120)
    return f"{len(missing)} partial file(s) in {where} cannot be resumed: their call has no cached answer."
