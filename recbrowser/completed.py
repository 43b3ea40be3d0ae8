"""Which segment each finished file belongs to, so "already complete" means *this* segment's bytes.

When a download is renamed into place, a small record (call ID, segment index, size, mtime,
inode) is kept under the state directory, one file per final path (nothing is added to the
download directory). A later run trusts a file without asking the server only when the
file is still exactly what was recorded and belongs to the same segment.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from recbrowser.partfiles import is_regular_file

Owner = tuple[str, int]  # (call ID, segment index)


class Verdict(Enum):
    MINE = "mine"  # the recorded file of this segment, unchanged
    FOREIGN = "foreign"  # the recorded file of another segment, unchanged
    UNKNOWN = "unknown"  # no record, or the file changed since: ask the server
    ABSENT = "absent"  # no regular file at that name (a symlink counts as absent)


@dataclass(frozen=True)
class Completed:
    call_id: str
    index: int
    size: int
    mtime_ns: int
    inode: int

    @property
    def owner(self) -> Owner:
        return (self.call_id, self.index)


def default_dir() -> Path:
    import platformdirs

    return platformdirs.user_state_path("recbrowser") / "downloads"


def _record_path(records: Path, final: Path) -> Path:
    key = hashlib.sha256(os.fsencode(os.path.abspath(final))).hexdigest()[:40]
    return records / f"{key}.json"


def load(records: Path, final: Path) -> Completed | None:
    try:
        data = json.loads(_record_path(records, final).read_text(encoding="utf-8"))
        record = Completed(**data)
    except (OSError, ValueError, TypeError):
        return None
    fields_ok = isinstance(record.call_id, str) and all(
        isinstance(v, int) and not isinstance(v, bool)
        for v in (record.index, record.size, record.mtime_ns, record.inode)
    )
    return record if fields_ok else None


def check(records: Path, final: Path, owner: Owner) -> tuple[Verdict, Completed | None]:
    """What the file at ``final`` is for the segment ``owner`` (and its record when trusted)."""
    info = is_regular_file(final)
    if info is None:
        return Verdict.ABSENT, None
    record = load(records, final)
    if record is None or (record.size, record.mtime_ns, record.inode) != (info.st_size, info.st_mtime_ns, info.st_ino):
        return Verdict.UNKNOWN, None
    return (Verdict.MINE if record.owner == owner else Verdict.FOREIGN), record


def find_mine(records: Path, candidates: list[Path], owner: Owner) -> tuple[Path, Completed] | None:
    """The first of ``candidates`` that is ``owner``'s recorded file, unchanged (no request)."""
    for candidate in candidates:
        verdict, record = check(records, candidate, owner)
        if verdict is Verdict.MINE and record is not None:
            return candidate, record
    return None


def save(records: Path, final: Path, owner: Owner) -> None:
    """Record that ``final``, as it is now, is ``owner``'s file. Best effort: without a record a
    later run asks the server for the size instead."""
    info = is_regular_file(final)
    if info is None:
        return
    record = Completed(owner[0], owner[1], info.st_size, info.st_mtime_ns, info.st_ino)
    path = _record_path(records, final)
    temporary = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        records.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary.write_text(json.dumps(asdict(record)), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass
