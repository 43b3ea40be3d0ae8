"""Making a rename survive a crash: after ``os.replace`` the directory holding the new name is
fsynced too, or a power cut may bring back the old file (or none)."""

from __future__ import annotations

import os
from pathlib import Path


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
