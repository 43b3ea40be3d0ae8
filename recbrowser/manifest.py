"""The archive's manifest: one row per downloaded file, beside the files, as JSON Lines or CSV.

Rows are keyed by (call ID, segment index): a re-run replaces a file's row instead of adding
another. While an archive runs, its first save writes the whole manifest to a temporary file and
renames it over the old one; later saves (every ``SAVE_EVERY`` seconds) append only the rows
put since, so a run of n files writes O(n) bytes, not O(n²). ``compact`` rewrites it whole, one
row per file, when the run ends (Ctrl-C and SIGTERM included); a run killed before that leaves
a row appended twice at worst, and loading keeps the last one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from recbrowser.durable import write_atomically

Format = Literal["jsonl", "csv"]

COLUMNS = (
    "call_id",
    "started_at",
    "direction",
    "from",
    "to",
    "agent",
    "status",
    "duration",
    "index",
    "label",
    "segment_status",
    "segment_duration",
    "path",
    "size",
    "sha256",
)
"""Every row's fields, in the CSV's column order."""

Key = tuple[str, int]

SAVE_EVERY = 0.5
"""Seconds between two saves of a manifest while an archive runs."""

_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def manifest_path(directory: Path, fmt: Format) -> Path:
    return directory / f"manifest.{fmt}"


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex, read 1 MiB at a time (blocking: run it off the event loop)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _key(row: Mapping[str, Any]) -> Key | None:
    call_id, index = row.get("call_id"), row.get("index")
    if not isinstance(call_id, str) or not call_id or not isinstance(index, (int, str)) or isinstance(index, bool):
        return None
    try:
        return (call_id, int(index))  # CSV gives "1"
    except (TypeError, ValueError):
        return None


_FORMULA = re.compile(r"[=@\t\r]|[+-](?![\d.])")


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: API text that would start a formula
    (``=HYPERLINK(…)``, ``@SUM``, ``-x``) gets a leading ``'``; numbers (``+14155550123``) do not."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


class Manifest:
    """The rows of one manifest file, loaded from it when it exists. Thread-safe."""

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path = path
        self.fmt = fmt
        self.rows: dict[Key, dict[str, Any]] = {}
        self.unreadable = 0
        """Lines of the existing file that were no row (they are dropped on the next save)."""
        self._unsaved: dict[Key, None] = {}  # rows put since the last save, in order
        self._written = False  # saved whole since loaded: the file is ours, and later saves append to it
        self._appended = False  # rows appended since the last whole save: a re-put row may be there twice
        self._lock = threading.Lock()

    @classmethod
    def load(cls, directory: Path, fmt: Format) -> Manifest:
        """The manifest in ``directory`` (empty when there is none yet). Blocking."""
        manifest = cls(manifest_path(directory, fmt), fmt)
        try:
            text = manifest.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return manifest
        rows: list[Any]
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        else:
            rows = []
            for line in text.splitlines():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    rows.append(None)
        for row in rows:
            key = _key(row) if isinstance(row, Mapping) else None
            if key is None:
                manifest.unreadable += 1
            else:
                manifest.rows[key] = dict(row)
        return manifest

    def put(self, row: Mapping[str, Any]) -> None:
        """Add or replace the row of its (call ID, segment index), in memory (``flush`` saves)."""
        key = _key(row)
        if key is None:
            raise ValueError("a manifest row needs a call_id and an index")
        with self._lock:
            self.rows[key] = {name: row.get(name) for name in COLUMNS}
            self._unsaved[key] = None

    def flush(self) -> None:
        """Save the rows put since the last save. Blocking.

        The first save writes the whole file (atomically: dropping unreadable lines, replacing
        whatever was at its name); the next ones append the new rows to it."""
        with self._lock:
            if not self._unsaved:
                return
            if self._written:
                try:
                    self._append([self.rows[key] for key in self._unsaved])
                except FileNotFoundError:  # removed meanwhile: write it whole again
                    self._save()
                else:
                    self._appended = True
            else:
                self._save()
            self._unsaved.clear()

    def compact(self) -> None:
        """Save the whole file, one row per file, when anything was put or appended since it was
        last written whole. Blocking; an archive calls it once, when it is over."""
        with self._lock:
            if self._unsaved or self._appended:
                self._save()
                self._unsaved.clear()

    def _lines(self, rows: list[dict[str, Any]], *, header: bool) -> bytes:
        text = io.StringIO(newline="")
        if self.fmt == "csv":
            writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore")
            if header:
                writer.writeheader()
            writer.writerows({name: _cell(value) for name, value in row.items()} for row in rows)
        else:
            text.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        return text.getvalue().encode("utf-8")

    def _append(self, rows: list[dict[str, Any]]) -> None:
        """Append rows to the file this run wrote (never through a link put at its name), fsynced."""
        fd = os.open(self.path, _APPEND)
        with os.fdopen(fd, "ab") as handle:
            handle.write(self._lines(rows, header=False))
            handle.flush()
            os.fsync(handle.fileno())

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, self._lines(list(self.rows.values()), header=True))
        self._written, self._appended = True, False
