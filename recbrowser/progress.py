"""Human-readable sizes, speeds and times, and the CLI's one-line live progress display."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from recbrowser.models import format_local_time


@dataclass
class Transfer:
    """Live progress of one file, written by its worker thread and read by the UI on a timer."""

    total: int | None = None
    done: int = 0
    resumed_from: int = 0
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0

    @property
    def speed(self) -> float:
        """Bytes per second over this run (resumed bytes excluded)."""
        elapsed = time.monotonic() - self.started
        fetched = self.done - self.resumed_from
        return fetched / elapsed if elapsed > 0 and fetched > 0 else 0.0

    @property
    def eta(self) -> float | None:
        if self.total is None or self.speed <= 0 or self.total - self.done > MAX_BYTES:
            return None
        return max(0.0, (self.total - self.done) / self.speed)


MAX_BYTES = 1024**6
"""Sizes from a server (a Content-Length of 400 digits) are shown bounded: beyond this, "?"."""
MAX_ETA = 100 * 86400


def human_bytes(count: float | None) -> str:
    """``512 B``, ``1.5 MiB``; ``?`` when unknown or beyond any real size (never the raw digits)."""
    if count is None or not -MAX_BYTES <= count <= MAX_BYTES:  # also NaN; compared before float()
        return "?"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover


def human_eta(seconds: float | None) -> str:
    """``7s``, ``3m05s``, ``2h10m``; ``—`` when unknown, ``> 100 days`` beyond that."""
    if seconds is None or seconds != seconds:
        return "—"
    if seconds > MAX_ETA:
        return "> 100 days"
    seconds = int(max(0.0, seconds) + 0.5)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def relative_time(moment: datetime, now: datetime | None = None, *, utc: bool = False) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``, or a date (local, or UTC with
    ``utc``) for older times."""
    now = now or datetime.now(timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{round(seconds / 60)} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 7 * 86400:
        days = round(seconds / 86400)
        return f"{days} day{'s' if days != 1 else ''} ago"
    return format_local_time(moment, utc=utc)[:10]


class StatusLine:
    """One line on a terminal, rewritten in place; ``print_above`` keeps finished lines."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self._shown = False

    def update(self, text: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r\x1b[K" + text[: max(10, width - 1)])
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def print_above(self, text: str, out: TextIO) -> None:
        self.clear()
        print(text, file=out, flush=True)


def summary(parts: Sequence[str]) -> str:
    return " · ".join(part for part in parts if part)
