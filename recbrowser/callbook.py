"""The calls the app lists: their states, which lookups are current, and what each answer changes (no Textual).

Every lookup of a call gets a generation; an answer from an older generation (a lookup that a
refresh superseded) changes nothing. The book also rebuilds the last session's calls from the
history, so the app shows them at once, marked cached, before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recbrowser.callstate import CallState, RetryState
from recbrowser.errors import NoApiKey, NoRecording, NotFound, RecBrowserError, Unauthorized
from recbrowser.lookups import DetailsResult, LookupResult
from recbrowser.models import Segment
from recbrowser.outcomes import last_outcome_error

if TYPE_CHECKING:
    from recbrowser.history import HistoryStore

KEY_CODES = frozenset({NoApiKey.code, Unauthorized.code})
"""Failures a new key can fix."""
ANSWERS = frozenset({NoRecording.code, NotFound.code})
"""Error codes that are a call's answer, not a failure to act on (its row and header say so)."""
NOTHING_TO_DOWNLOAD = {
    "segment": "No segment selected.",
    "call": "The selected call has no segments to download.",
    "all": "No looked-up call has segments to download.",
}
"""What to say when a download of the selected ``segment``, the selected ``call`` or ``all`` calls finds none."""


@dataclass(frozen=True)
class Listed:
    """What listing some call IDs did: how many were new, how many listed already, which to look up."""

    new: int
    old: int
    to_look_up: list[str]


@dataclass(frozen=True)
class Answered:
    """What one lookup's answer changed. ``current`` is False when a newer lookup superseded it."""

    state: CallState
    current: bool
    resolved: bool = False
    """The call has an answer now: what was said about its failures is obsolete."""
    now_synced: bool = False
    """The call had pending segments and every one is synced now."""
    failure: RecBrowserError | None = None
    """A failure worth telling (not an answer such as "no recording")."""


class CallBook:
    """The listed calls by ID, in the order they were first listed."""

    def __init__(self, *, rejected_key: Callable[[Unauthorized], str] | None = None) -> None:
        """``rejected_key`` words a rejected key for this face (which key, how to change it)."""
        self.calls: dict[str, CallState] = {}
        self._generation: dict[str, int] = {}
        self._rejected_key = rejected_key

    def get(self, call_id: str | None) -> CallState | None:
        return self.calls.get(call_id) if call_id else None

    def add(self, call_ids: Iterable[str]) -> Listed:
        """List these calls (new ones appended); those not being looked up already are to look up."""
        call_ids = list(call_ids)
        new = sum(1 for call_id in call_ids if call_id not in self.calls)
        to_look_up: list[str] = []
        for call_id in call_ids:
            state = self.calls.setdefault(call_id, CallState(call_id))
            if not state.loading and call_id not in to_look_up:  # a call pasted twice is looked up once
                to_look_up.append(call_id)
        return Listed(new, len(call_ids) - new, to_look_up)

    def start(self, call_id: str) -> int:
        """A lookup of ``call_id`` starts (listing it if needed); its generation, which supersedes any before."""
        state = self.calls.setdefault(call_id, CallState(call_id))
        generation = self._generation.get(call_id, 0) + 1
        self._generation[call_id] = generation
        state.loading, state.retry = True, None
        return generation

    def is_current(self, call_id: str, generation: int) -> bool:
        return self._generation.get(call_id) == generation

    def finished(self, call_id: str, generation: int, result: LookupResult) -> Answered:
        """Take a lookup's answer: the call's new state, and what the user should hear of it."""
        state = self.calls[call_id]
        if not self.is_current(call_id, generation):
            return Answered(state, current=False)
        state.loading, state.retry = False, None
        if result.error is None:
            was_pending = state.has_pending
            state.recordings, state.error, state.cached_at = result.recordings, None, None
            return Answered(state, current=True, resolved=True, now_synced=was_pending and not state.has_pending)
        state.error = result.error
        if isinstance(result.error, NotFound) and state.details_cached_at is not None:
            state.details = state.details_cached_at = None  # the API's "not found" is not hidden behind the cache
        if isinstance(result.error, Unauthorized) and self._rejected_key is not None:
            state.error = Unauthorized(self._rejected_key(result.error), status=result.error.status)
        failure = None if state.error.code in ANSWERS else state.error
        return Answered(state, current=True, failure=failure)

    def stopped(self, call_id: str, generation: int) -> bool:
        """A current lookup ended without an answer (it failed unexpectedly): the call is no longer loading."""
        state = self.calls.get(call_id)
        if state is None or not self.is_current(call_id, generation):
            return False
        state.loading, state.retry = False, None
        return True

    def details_due(self, call_ids: Iterable[str], *, again: bool = False) -> list[str]:
        """Of these listed calls, those whose details to get now (marked loading): those without
        details yet, or, ``again``, every one; never one whose details are being got already."""
        due = []
        for call_id in dict.fromkeys(call_ids):
            state = self.calls.get(call_id)
            fresh = state is not None and state.details is not None and state.details_cached_at is None
            if state is None or state.details_loading or (fresh and not again):
                continue
            state.details_loading = True
            due.append(call_id)
        return due

    def details_finished(self, result: DetailsResult) -> CallState | None:
        """Take get-call's answer (or the history's copy, when the API could not be reached); the
        call, or None when it is not listed. A failure keeps the details had before, if any, and
        says why they are not fresh; but "not found" is never hidden behind cached details."""
        state = self.calls.get(result.call_id)
        if state is None:
            return None
        state.details_loading = False
        if result.details is not None:
            state.details, state.details_error = result.details, result.error
            state.details_cached_at = result.cached_at
        else:
            state.details_error = result.error
            if isinstance(result.error, NotFound) and state.details_cached_at is not None:
                state.details = state.details_cached_at = None
        return state

    def details_stopped(self, call_id: str) -> CallState | None:
        """Getting the call's details ended without an answer: it is no longer loading."""
        state = self.calls.get(call_id)
        if state is not None:
            state.details_loading = False
        return state

    def retrying(self, call_id: str | None, attempt: int, max_tries: int, at: float) -> CallState | None:
        """A running lookup waits to make try ``attempt`` at ``at``; the call, or None when it is not listed or running."""
        state = self.get(call_id)
        if state is None or not state.loading:
            return None
        state.retry = RetryState(attempt, max_tries, at)
        return state

    def key_failures(self) -> list[str]:
        """The calls whose lookup failed for want of a (valid) key and is not running again."""
        return [
            s.call_id
            for s in self.calls.values()
            if s.error is not None and s.error.code in KEY_CODES and not s.loading
        ]

    def pending(self) -> list[str]:
        """The calls with segments still pending sync and no lookup running: due for a refresh."""
        return [s.call_id for s in self.calls.values() if s.has_pending and not s.loading]

    def restore(self, states: Iterable[CallState]) -> list[str]:
        """Add calls rebuilt from the history; a listed call without an answer takes the cached one.
        The IDs of the calls given, in order."""
        given: list[str] = []
        for state in states:
            current = self.calls.setdefault(state.call_id, state)
            if current is not state and state.recordings is not None and current.recordings is None:
                current.recordings, current.cached_at = state.recordings, state.cached_at
            if current is not state and state.details is not None and current.details is None:
                current.details, current.details_cached_at = state.details, state.details_cached_at
            given.append(state.call_id)
        return given

    def to_download(
        self, what: str, selected: CallState | None, segment: Segment | None
    ) -> list[tuple[str, Segment]] | str:
        """The (call ID, segment) pairs to download for ``what``: the ``segment`` selected, every
        segment of the ``call`` selected, or of ``all`` listed calls; the words to say when there are none."""
        if what == "segment":
            wanted = [(selected.call_id, segment)] if selected is not None and segment is not None else []
        elif what == "call":
            wanted = _segments_of([selected] if selected is not None else [])
        elif what == "all":
            wanted = _segments_of(self.calls.values())
        else:
            raise ValueError(f"unknown download scope {what!r}")
        return wanted or NOTHING_TO_DOWNLOAD[what]

    def downloaded(self, call_id: str, index: int, path: Path) -> CallState | None:
        """Segment ``index`` of the call is on disk at ``path``; the call, or None when it is not listed."""
        state = self.calls.get(call_id)
        if state is not None:
            state.local_files[index] = str(path)
        return state


def cached_state(history: HistoryStore, call_id: str) -> CallState:
    """A call's state as the history has it: the last answer and details (marked cached), the
    downloaded files still on disk, and the error its last lookup ended with. Reads the database and the disk."""
    state = CallState(call_id)
    cached = history.cached(call_id)
    if cached is not None:
        state.recordings, state.cached_at = cached.recordings, cached.fetched_at
    details = history.cached_details(call_id)
    if details is not None:
        state.details, state.details_cached_at = details.details, details.fetched_at
    state.local_files = {i: p for i, p in history.downloads(call_id).items() if Path(p).exists()}
    entry = history.get(call_id)
    state.error = last_outcome_error(entry.outcome if entry is not None else None)
    return state


def last_session(history: HistoryStore) -> list[CallState]:
    """The calls of the last session, from the history (no network), kept in this session too,
    so that they are still the "last session" next time."""
    call_ids = history.last_session_call_ids()
    if not call_ids:
        return []
    history.add_to_session(call_ids)
    return [cached_state(history, call_id) for call_id in call_ids]


def _segments_of(states: Iterable[CallState]) -> list[tuple[str, Segment]]:
    return [(state.call_id, s) for state in states if state.recordings is not None for s in state.recordings.segments]
