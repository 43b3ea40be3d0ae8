"""Replacing a file in one step that survives a crash: the data is fsynced before the rename,
and the directory holding the new name after it, or a power cut may bring back the old file (or none)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write_atomically(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never a part.

    The temporary file beside it has a fresh name and is created exclusively, so a file or a
    symbolic link planted there in advance is never written through; ``mode`` is masked by the
    umask as for any new file. Raises OSError, leaving no temporary file behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """fsync the directory ``path``; nothing where that cannot be done (it is gone, or the file
    system or OS, such as Windows, does not allow it): the rename itself has happened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
