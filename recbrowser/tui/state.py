"""What the browser knows about each looked-up call (view state, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from recbrowser.errors import RecBrowserError
from recbrowser.models import CallRecordings


@dataclass
class CallState:
    """One call in the list: its latest answer or error, and whether a lookup is running."""

    call_id: str
    recordings: CallRecordings | None = None
    error: RecBrowserError | None = None
    loading: bool = False
    cached_at: datetime | None = None  # set while the answer shown comes from the history
    local_files: dict[int, str] = field(default_factory=dict)

    @property
    def has_pending(self) -> bool:
        return self.recordings is not None and self.recordings.pending_count > 0
