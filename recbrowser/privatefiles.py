"""Files only the user may read: a 0700 directory, and 0600 files replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

from recbrowser.durable import write_atomically


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it readable by the user only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, readable by the user only (0600 in a 0700 dir)."""
    private_dir(path.parent)
    write_atomically(path, data, mode=0o600)
