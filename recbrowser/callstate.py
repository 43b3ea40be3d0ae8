"""What is known about each looked-up call: its answer or error, its counts, a coming retry (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from recbrowser.calls import CallDetails, Turn, transcript_turns
from recbrowser.errors import RecBrowserError
from recbrowser.formatting import status_parts
from recbrowser.models import CallRecordings


@dataclass(frozen=True)
class Counts:
    """A call's totals, counted once per answer: a call of 100,000 segments is redrawn on every
    switch and refresh, and counting it each time froze the app."""

    segments: int
    synced: int
    pending: int
    total_duration: int | float | None

    @classmethod
    def of(cls, call: CallRecordings) -> Counts:
        tally = call.tally  # a big answer's was counted where it was parsed, off the event loop
        return cls(len(call.segments), tally.synced, tally.pending, tally.total_duration)

    def status_parts(self) -> list[str]:
        """``["2 synced", "1 pending", "1 other"]``, leaving out zero counts."""
        return status_parts(self.synced, self.pending, self.segments)


@dataclass(frozen=True)
class RetryState:
    """A lookup waiting to try again: try ``attempt`` of ``max_tries`` at ``at`` (time.monotonic())."""

    attempt: int
    max_tries: int
    at: float


@dataclass
class CallState:
    """One call in the list: its latest answer or error, and whether a lookup is running."""

    call_id: str
    recordings: CallRecordings | None = None
    error: RecBrowserError | None = None
    loading: bool = False
    retry: RetryState | None = None  # set while a lookup waits to try again
    cached_at: datetime | None = None  # set while the answer shown comes from the history
    local_files: dict[int, str] = field(default_factory=dict)
    details: CallDetails | None = None  # get-call's answer: numbers, agent, status, summary, transcript
    details_error: RecBrowserError | None = None  # why get-call failed (the segments are unaffected)
    details_cached_at: datetime | None = None  # set while the details shown come from the history
    details_loading: bool = False
    _turns: tuple[CallDetails, list[Turn]] | None = field(default=None, repr=False, compare=False)

    @property
    def counts(self) -> Counts | None:
        """The totals of the current answer (None without one); the answer counts itself once (``tally``)."""
        return Counts.of(self.recordings) if self.recordings is not None else None

    @property
    def turns(self) -> list[Turn]:
        """The transcript's turns (none without details or a transcript), split once per answer."""
        if self.details is None or not self.details.transcript:
            return []
        if self._turns is None or self._turns[0] is not self.details:
            self._turns = (self.details, transcript_turns(self.details.transcript))
        return self._turns[1]

    @property
    def has_pending(self) -> bool:
        counts = self.counts
        return counts is not None and counts.pending > 0
