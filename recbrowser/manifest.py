"""The archive's manifest: one row per downloaded file, beside the files, as JSON Lines or CSV.

Rows are keyed by (call ID, segment index): a re-run replaces a file's row in place instead of
adding another. Every save writes the whole manifest to a temporary file and renames it over
the old one, so an interrupted run leaves a complete manifest, never half of one; the archive
saves it every ``SAVE_EVERY`` seconds and when it ends, Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
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
        self._changed = False
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
            self._changed = True

    def flush(self) -> None:
        """Save the rows when they changed since the last save. Blocking.

        Saving rewrites the whole file, so an archive saves at most every ``SAVE_EVERY`` seconds
        and once at its end (however it ends), not once per file: 10,000 files would
        otherwise write the manifest 10,000 times."""
        with self._lock:
            if self._changed:
                self._save()
                self._changed = False

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = io.StringIO(newline="")
        if self.fmt == "csv":
            writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({name: _cell(value) for name, value in row.items()} for row in self.rows.values())
        else:
            text.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in self.rows.values())
        write_atomically(self.path, text.getvalue().encode("utf-8"))
