"""The browser's lookup and get-call workers: which one is current for each call, and where its answer goes.

The work is the core's (``lookups``, ``callbook``); this keeps Textual's workers in step with the
book: a newer lookup of a call cancels the older one, a call's details (get-call) follow its
segments so its requests go one at a time, and every ending reaches the book exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from recbrowser.callbook import Answered, CallBook
from recbrowser.errors import NoRecording, RecBrowserError
from recbrowser.lookups import UNREACHABLE, DetailsResult, LookupResult
from recbrowser.tui.workers import has_ended

if TYPE_CHECKING:
    from textual.screen import Screen

    from recbrowser.lookups import BoundedLookups

LOOKUP, DETAILS, REMEMBER = "lookup", "details", "remember"


class LookupWorkers:
    """Starts a screen's lookup workers and routes their endings to the book."""

    def __init__(
        self,
        screen: Screen[None],
        book: CallBook,
        lookups: Callable[[], BoundedLookups],
        *,
        changed: Callable[[str], None],
        answered: Callable[[Answered], None],
    ) -> None:
        """``changed(call_id)``: redraw a call; ``answered``: a current answer, for toasts and redraw."""
        self._screen, self._book, self._lookups = screen, book, lookups
        self._changed, self._answered = changed, answered
        self._running: dict[str, tuple[Worker[LookupResult], int]] = {}  # each call's lookup and its generation
        self._details_again: set[str] = set()  # calls whose details to get again after their lookup (r)

    def look_up(self, *call_ids: str, details_again: bool = False) -> None:
        """Look these calls up (again), each in a worker that supersedes its earlier lookup."""
        for call_id in call_ids:
            previous = self._running.pop(call_id, None)
            if previous is not None and previous[0].is_running:
                previous[0].cancel()
            if details_again:
                self._details_again.add(call_id)
            generation = self._book.start(call_id)
            self._changed(call_id)
            work = self._lookups().lookup(call_id, record=False)  # recorded once shown (see _lookup_ended)
            worker = self._screen.run_worker(work, name=call_id, group=LOOKUP, description=f"lookup {call_id}")
            self._running[call_id] = (worker, generation)

    def ended(self, event: Worker.StateChanged) -> None:
        """A worker changed state: hand a finished lookup's or get-call's answer to the book."""
        if not has_ended(event):
            return
        if event.worker.group == DETAILS:
            self._details_ended(event)
        elif event.worker.group == LOOKUP:
            self._lookup_ended(event)

    def _lookup_ended(self, event: Worker.StateChanged) -> None:
        call_id = event.worker.name
        running = self._running.get(call_id)
        if running is None or running[0] is not event.worker:
            return  # superseded by a newer lookup of the call
        del self._running[call_id]
        again = call_id in self._details_again
        self._details_again.discard(call_id)
        if event.state is not WorkerState.SUCCESS or event.worker.result is None:
            if self._book.stopped(call_id, running[1]):  # the app's handler reports why
                self._changed(call_id)
            return
        self._remember(event.worker.result)
        answer = self._book.finished(call_id, running[1], event.worker.result)
        if not answer.current:
            return
        # Details only for a call the API answered for: after a failed lookup get-call would fail
        # too (and retry, and be told); the next lookup that succeeds gets them.
        # Offline, a call without details gets the history's copy instead (no request).
        error = answer.state.error
        if error is None or isinstance(error, NoRecording):
            self._get_details(*self._book.details_due([call_id], again=again))
        elif isinstance(error, UNREACHABLE) and answer.state.details is None:
            self._get_details(*self._book.details_due([call_id]), unreachable=error)
        self._answered(answer)

    def _remember(self, result: LookupResult) -> None:
        """Store the answer in the history once the screen has shown it: storing 100,000 segments
        takes a while (the worker runs from now on, so whoever waits for the workers waits for it)."""
        self._screen.run_worker(
            self._remember_after_refresh(result), name=result.call_id, group=REMEMBER, description="history write"
        )

    async def _remember_after_refresh(self, result: LookupResult) -> None:
        await self._screen.wait_for_refresh()
        await self._lookups().remember(result)

    def _get_details(self, *call_ids: str, unreachable: RecBrowserError | None = None) -> None:
        for call_id in call_ids:
            self._changed(call_id)
            if unreachable is not None:
                work = self._lookups().cached_details(call_id, unreachable)
            else:
                work = self._lookups().details(call_id, offline_cache=True)
            self._screen.run_worker(work, name=call_id, group=DETAILS, description=f"get-call {call_id}")

    def _details_ended(self, event: Worker.StateChanged) -> None:
        result = event.worker.result if event.state is WorkerState.SUCCESS else None
        if isinstance(result, DetailsResult):
            state = self._book.details_finished(result)
        else:
            state = self._book.details_stopped(event.worker.name)
        if state is not None:
            self._changed(state.call_id)
