"""Checking files on disk."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks (hashlib.file_digest is 3.11+)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def wait_for_text(path: Path, timeout: float = 10.0) -> str:
    """Wait (bounded) for a file written by another process; the condition, not a fixed delay."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.01)
    raise AssertionError(f"{path} was not written within {timeout} s")
