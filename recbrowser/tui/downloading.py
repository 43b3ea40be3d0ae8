"""Deciding what a download request in the app still has to fetch, and how to say it (no Textual)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from recbrowser.downloads import is_complete
from recbrowser.formatting import plural
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, TemplateError, plan


def split_complete(
    wanted: Sequence[tuple[str, Segment]], directory: Path, records: Path
) -> tuple[list[tuple[str, Segment]], int]:
    """The segments still to download into ``directory``, and how many are already complete
    there: by the same check as every download (``downloads.is_complete``), so a file that
    was truncated or replaced since is downloaded again, not counted."""
    todo: list[tuple[str, Segment]] = []
    complete = 0
    for call_id, segment in wanted:
        try:
            done = is_complete(plan(directory, DEFAULT_TEMPLATE, call_id, segment), records)
        except TemplateError:  # the downloads panel says why when it plans it
            done = False
        if done:
            complete += 1
        else:
            todo.append((call_id, segment))
    return todo, complete


def downloading_note(count: int, complete: int, where: str) -> str:
    """``Downloading 10 files to ~/x (4 already complete).``; "" when there is nothing to say."""
    files = plural(count, "file")
    if count and complete:
        return f"Downloading {files} to {where} ({complete} already complete)."
    if count:
        return f"Downloading {files} to {where}."
    if complete:
        return (
            f"Nothing to download: {'the file is' if complete == 1 else f'all {complete} files are'} already complete."
        )
    return ""
