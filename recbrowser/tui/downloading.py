"""Deciding what a download request in the app still has to fetch, and how to say it (no Textual)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from recbrowser.models import Segment


def split_complete(
    wanted: Sequence[tuple[str, Segment]], local_files: Mapping[str, Mapping[int, str]]
) -> tuple[list[tuple[str, Segment]], int]:
    """The segments still to download, and how many are already complete: downloaded in
    this session or an earlier one (``local_files``: call ID -> index -> path) and still on disk."""
    todo: list[tuple[str, Segment]] = []
    complete = 0
    for call_id, segment in wanted:
        path = local_files.get(call_id, {}).get(segment.index)
        if path is not None and Path(path).is_file():
            complete += 1
        else:
            todo.append((call_id, segment))
    return todo, complete


def downloading_note(count: int, complete: int, where: str) -> str:
    """``Downloading 10 files to ~/x (4 already complete).``; "" when there is nothing to say."""
    files = f"{count} file{'s' if count != 1 else ''}"
    if count and complete:
        return f"Downloading {files} to {where} ({complete} already complete)."
    if count:
        return f"Downloading {files} to {where}."
    if complete:
        return f"Nothing to download: {'the file is' if complete == 1 else f'all {complete} files are'} already complete."
    return ""
