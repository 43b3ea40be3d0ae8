"""Reading a worker's state changes as they happened."""

from __future__ import annotations

from textual.worker import Worker, WorkerState

FINISHED = frozenset({WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED})


def has_ended(event: Worker.StateChanged) -> bool:
    """True for the change that ended the worker. Not ``event.worker.is_finished``: that is the
    worker's state now, so a worker that ended before its earlier changes were handled would
    look ended in each of them (and its PENDING change be taken for its failure)."""
    return event.state in FINISHED
