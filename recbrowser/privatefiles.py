"""Files only the user may read: a 0700 directory, and 0600 files replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from recbrowser.durable import fsync_dir


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it readable by the user only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, readable by the user only (0600 in a 0700 dir)."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
