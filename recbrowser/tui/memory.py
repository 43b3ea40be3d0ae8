"""Keeping the garbage collector off a huge answer.

A call of 100,000 segments is about a million long-lived objects. Python's full collections
walk all of them, and did so every few seconds while the app redrew (300 ms and more each,
the worst stalls of a call switch). The segments hold no reference cycles, so moving them out
of the collector's view (``gc.freeze``) loses nothing: they are still freed by reference
counting when the answer is replaced. The cost: reference cycles that were already garbage at
that moment are never collected (a few of the app's own objects, once per huge answer).
"""

from __future__ import annotations

import gc

from recbrowser.models import CallRecordings

LARGE_ANSWER = 5_000
"""Segments from which an answer is frozen; below it, full collections cost little."""


def keep_out_of_gc(recordings: CallRecordings | None) -> None:
    """Freeze what is alive now (this answer among it) when the answer is large."""
    if recordings is not None and len(recordings.segments) >= LARGE_ANSWER:
        gc.freeze()
