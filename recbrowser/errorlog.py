"""The log of unexpected failures: a private, size-bounded file that holds full tracebacks,
so the user sees one line and a developer still gets the details.

No Textual here: the app writes to it, and the commands can too.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from recbrowser.text import printable

MAX_BYTES = 1024 * 1024
"""Past this size the log is moved to ``NAME.1`` (replacing the previous one) and restarted."""

SUMMARY_LIMIT = 160


def summary(error: BaseException) -> str:
    """``ValueError: bad thing``: the exception's first line, escaped and bounded."""
    words = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {words[0]}" if words else type(error).__name__
    return printable(text, limit=SUMMARY_LIMIT)


class ErrorLog:
    """Appends tracebacks to ``path`` (0600, parent 0700), rotating at ``max_bytes``.

    Writing never raises: a log that cannot be written must not become a second failure.
    Strings passed as ``secrets`` are replaced by ``…`` in what is written.
    """

    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES, secrets: Iterable[str] = ()) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.secrets = [s for s in secrets if s]
        self._lock = threading.Lock()

    def record(self, error: BaseException, *, context: str = "") -> bool:
        """Append ``error`` with its traceback and what was going on; False if it could not be written."""
        lines = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        stamp = time.strftime("%Y-%m-%d %H:%M:%S%z")
        entry = f"--- {stamp} pid {os.getpid()}{': ' + context if context else ''}\n{lines}\n"
        for secret in self.secrets:
            entry = entry.replace(secret, "…")
        with self._lock:
            try:
                self._rotate_if_full()
                self._append(entry.encode("utf-8", "backslashreplace"))
            except OSError:
                return False
        return True

    def _rotate_if_full(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size >= self.max_bytes:
            os.replace(self.path, self.path.with_name(self.path.name + ".1"))

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # a log created earlier with a looser mode
            os.write(fd, data)
        finally:
            os.close(fd)
