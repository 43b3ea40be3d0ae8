"""A download's partial files on disk: one owner at a time, never through a symlink.

``NAME.part`` holds the bytes so far and ``NAME.part.json`` (a ``PartInfo``) what the server
said about them, for a later resume. ``NAME.part.lock`` is held (``flock``) by the one
download that owns both, from before the first check until after the rename; it is removed
by its owner, and a locker checks it still holds the file at that path (the owner may have
just removed it). Where ``fcntl`` is missing (Windows) there is no lock.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from recbrowser.errors import Busy, DiskError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO planted at the name must not hang
_LINK_ERRNOS = {errno.ELOOP, errno.EMLINK}
MAX_INFO_BYTES = 16 * 1024
MAX_DIGITS = 18  # sizes beyond this (an exabyte) are not sizes


def sidecar_of(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def lock_of(part: Path) -> Path:
    return part.with_name(part.name + ".lock")


def symlink_refused(path: Path) -> DiskError:
    return DiskError(f"Cannot write {path}: it is a symbolic link; refusing to write through it.")


def refuse_links(*paths: Path) -> None:
    """DiskError when any of ``paths`` is a symbolic link (dangling or not)."""
    for path in paths:
        if path.is_symlink():
            raise symlink_refused(path)


def is_regular_file(path: Path) -> os.stat_result | None:
    """The file's stat when ``path`` itself (not a link's target) is a regular file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


# --- ownership ---------------------------------------------------------------------------------


class PartLock:
    """The exclusive right to write ``part`` and rename it; release with ``release()`` or ``with``."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still held, so nobody locks the name we are leaving
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> PartLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock(part: Path) -> PartLock:
    """Take ``part``'s lock without waiting: Busy when another download holds it."""
    path = lock_of(part)
    if fcntl is None:  # pragma: no cover - Windows
        return PartLock(path, None)
    for _ in range(100):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC | _NONBLOCK, 0o600)
        except OSError as exc:
            if exc.errno in _LINK_ERRNOS or path.is_symlink():
                raise symlink_refused(path) from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Busy(
                f"Another recbrowser is downloading this file ({_final_name(part)}) right now; run again once it has finished."
            ) from None
        except OSError:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.lstat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return PartLock(path, fd)
        os.close(fd)  # the owner finished and removed it between our open and our lock: again
    raise Busy(f"Another recbrowser keeps taking this file ({_final_name(part)}); run again later.")  # pragma: no cover


def _final_name(part: Path) -> str:
    return part.name.removesuffix(".part")


# --- the partial file ---------------------------------------------------------------------------


def open_part(part: Path) -> BinaryIO:
    """``part`` for writing, created if missing; never through a symlink, never a non-file."""
    flags = os.O_WRONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK
    try:
        fd = os.open(part, flags)
    except FileNotFoundError:
        fd = _open_new(part, flags)
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS or part.is_symlink():
            raise symlink_refused(part) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DiskError(f"Cannot write {part}: it is not a regular file.")
    return os.fdopen(fd, "wb")


def _open_new(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # only a dangling symlink gets here (the name was free a moment ago)
        raise symlink_refused(path) from None


# --- the sidecar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartInfo:
    """What the first answer said about the object the partial file holds."""

    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    total: int | None = None

    @property
    def validator(self) -> str | None:
        """The If-Range value: a strong ETag, else Last-Modified."""
        return self.etag or self.last_modified

    @classmethod
    def from_json(cls, data: object) -> PartInfo:
        if not isinstance(data, dict):
            return cls()
        text = {k: v[:1024] for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        raw_total = data.get("total")
        total = (
            parse_size(str(raw_total))
            if isinstance(raw_total, (int, str)) and not isinstance(raw_total, bool)
            else None
        )
        etag = text.get("etag")
        return cls(
            etag=None if etag is None or etag.startswith("W/") else etag,  # weak ETags cannot go in If-Range
            last_modified=text.get("last_modified"),
            content_type=text.get("content_type"),
            total=total,
        )


def parse_size(text: str | None) -> int | None:
    """A byte count from a header or the sidecar: plain digits, at most MAX_DIGITS; else None."""
    if text is None:
        return None
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        return None
    return int(text)


def read_info(path: Path) -> PartInfo:
    """The sidecar, or an empty record when it is missing or unreadable; DiskError for a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK)
    except FileNotFoundError:
        return PartInfo()
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS or path.is_symlink():
            raise symlink_refused(path) from None
        return PartInfo()
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return PartInfo()
            data = handle.read(MAX_INFO_BYTES + 1)
    except OSError:
        return PartInfo()
    if len(data) > MAX_INFO_BYTES:
        return PartInfo()
    try:
        return PartInfo.from_json(json.loads(data.decode("utf-8")))
    except (ValueError, RecursionError):
        return PartInfo()


def write_info(path: Path, info: PartInfo) -> None:
    """Write the sidecar atomically (a temporary file renamed over it, which never follows a link).

    Raises OSError; the caller decides whether a missing sidecar matters."""
    data = json.dumps({k: v for k, v in asdict(info).items() if v is not None}).encode("utf-8")
    temporary = path.with_name(path.name + ".tmp")
    try:
        os.unlink(temporary)  # a leftover of a crash; we hold the lock, so it is nobody's
    except FileNotFoundError:
        pass
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
