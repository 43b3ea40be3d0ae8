"""The live progress of one file being downloaded (shown by the CLI's status line and the app)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from recbrowser.formatting import MAX_BYTES


@dataclass
class Transfer:
    """Live progress of one file, written by its worker thread and read by the UI on a timer."""

    total: int | None = None
    done: int = 0
    resumed_from: int = 0
    started: float = field(default_factory=time.monotonic)

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
