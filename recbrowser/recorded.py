"""A call's recordings in one word: all synced, some pending, none, or a status recbrowser does
not know. The calls list and the calls view mark each call with it once a lookup has told."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING

from recbrowser.errors import NoRecording

if TYPE_CHECKING:
    from recbrowser.callstate import CallState
    from recbrowser.history import HistoryEntry, HistoryStore


class Recorded(Enum):
    """What a call's last answered lookup said about its recordings."""

    SYNCED = "synced"
    """Every segment is in permanent storage."""
    PENDING = "pending"
    """At least one segment is still on the provider's URL, which may expire."""
    OTHER = "other"
    """None pending, and at least one segment with a status recbrowser does not know (shown as is)."""
    NONE = "none"
    """The call has no recording (404 no_recording), or an answer without segments."""


def recorded(segments: int, synced: int, pending: int) -> Recorded:
    """The word for a call with these counts (unknown statuses are the segments neither synced nor pending)."""
    if pending:
        return Recorded.PENDING
    if segments == 0:
        return Recorded.NONE
    return Recorded.SYNCED if synced == segments else Recorded.OTHER


def recorded_of_state(state: CallState) -> Recorded | None:
    """What the app's current answer for a call says; None while nothing is known."""
    counts = state.counts
    if counts is not None:
        return recorded(counts.segments, counts.synced, counts.pending)
    if isinstance(state.error, NoRecording):
        return Recorded.NONE
    return None


def recorded_of_entry(entry: HistoryEntry) -> Recorded | None:
    """What a call's last lookup in the history said; None when it failed without an answer about the call."""
    if entry.outcome == NoRecording.code:
        return Recorded.NONE
    if entry.outcome != "ok" or entry.segments is None:
        return None
    return recorded(entry.segments, entry.synced or 0, entry.pending or 0)


def recorded_in_history(history: HistoryStore, call_ids: Iterable[str]) -> dict[str, Recorded]:
    """What the history knows of these calls (blocking: run it in a thread). Calls it does not know are left out."""
    known: dict[str, Recorded] = {}
    for call_id, entry in history.get_many(list(call_ids)).items():
        mark = recorded_of_entry(entry)
        if mark is not None:
            known[call_id] = mark
    return known
