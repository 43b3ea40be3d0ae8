"""Looking up many calls at once, with a bound on concurrency, answering in input order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from recbrowser.errors import BadResponse, NetworkError, RecBrowserError, ServerError
from recbrowser.models import CallRecordings

if TYPE_CHECKING:
    from recbrowser.calls import CallDetails
    from recbrowser.client import MagpipeClient
    from recbrowser.history import HistoryStore

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class LookupResult:
    """One call's answer: recordings, or the error that stopped it."""

    call_id: str
    recordings: CallRecordings | None = None
    error: RecBrowserError | None = None


async def lookup_one(client: MagpipeClient, call_id: str, history: HistoryStore | None = None) -> LookupResult:
    """Look one call up; record the outcome in ``history`` (off the event loop) when given.

    Never raises (short of cancellation): any failure is this call's ``error``.
    """
    try:
        result = LookupResult(call_id, recordings=await client.get_recordings(call_id))
    except RecBrowserError as exc:  # ApiError, or InvalidCallId when the API rejects the ID (400)
        result = LookupResult(call_id, error=exc)
    except Exception as exc:  # the client types its failures; this keeps one call's surprise its own
        result = LookupResult(call_id, error=BadResponse(f"The lookup failed unexpectedly ({type(exc).__name__})."))
    if history is not None:
        await remember(history, result)
    return result


async def remember(history: HistoryStore, result: LookupResult) -> None:
    """Record a lookup's outcome in ``history``, off the event loop; never raises (short of cancellation)."""
    try:
        await asyncio.to_thread(history.record_lookup, result.call_id, result.recordings, result.error)
    except Exception as exc:  # the answer stands even when it cannot be remembered
        history.warnings.append(f"A lookup could not be recorded in the history ({type(exc).__name__}).")


@dataclass(frozen=True)
class DetailsResult:
    """One call's get-call answer, or the error that stopped it. With ``cached_at``, ``details``
    are the history's copy from that time and ``error`` says why they are not fresh."""

    call_id: str
    details: CallDetails | None = None
    error: RecBrowserError | None = None
    cached_at: datetime | None = None


UNREACHABLE = (NetworkError, ServerError)
"""get-call failures the history's copy stands in for: the API was not reached, timed out or
kept failing (5xx). A 404 is the API's answer and is never replaced."""


async def cached_details(history: HistoryStore, call_id: str, why: RecBrowserError) -> DetailsResult | None:
    """The history's copy of a call's details (read off the event loop), marked cached, ``why``
    saying why they are not fresh; None when the history has none."""
    cached = await asyncio.to_thread(history.cached_details, call_id)
    if cached is None:
        return None
    return DetailsResult(call_id, cached.details, why, cached_at=cached.fetched_at)


async def details_one(
    client: MagpipeClient, call_id: str, history: HistoryStore | None = None, *, offline_cache: bool = False
) -> DetailsResult:
    """Get one call's details (get-call) and record them in ``history`` (off the event loop);
    with ``offline_cache``, an unreachable API answers the history's copy, marked cached.
    Never raises (short of cancellation): a failure is the ``error``."""
    try:
        details = await client.get_call(call_id)
    except RecBrowserError as exc:
        if offline_cache and history is not None and isinstance(exc, UNREACHABLE):
            cached = await cached_details(history, call_id, exc)
            if cached is not None:
                return cached
        return DetailsResult(call_id, error=exc)
    except Exception as exc:  # the client types its failures; this keeps one call's surprise its own
        return DetailsResult(
            call_id, error=BadResponse(f"Getting the call failed unexpectedly ({type(exc).__name__}).")
        )
    if history is not None:
        try:
            await asyncio.to_thread(history.record_details, call_id, details)
        except Exception as exc:  # the details stand even when they cannot be remembered
            history.warnings.append(f"A call's details could not be recorded in the history ({type(exc).__name__}).")
    return DetailsResult(call_id, details=details)


class BoundedLookups:
    """Lookups that run at most ``concurrency`` at a time, however many are started.

    ``client`` is asked for the client only once a lookup's turn comes, so a lookup that waited
    uses the client of that moment (the app replaces its client when the key changes)."""

    def __init__(
        self,
        client: Callable[[], MagpipeClient],
        history: HistoryStore | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._client = client
        self._history = history
        self._gate = asyncio.Semaphore(max(1, concurrency))

    async def lookup(self, call_id: str, *, record: bool = True) -> LookupResult:
        """Look one call up when a place is free (see ``lookup_one``: never raises). ``record=False``
        leaves the history to ``remember``, so an app can show a huge answer before it is stored."""
        async with self._gate:
            return await lookup_one(self._client(), call_id, self._history if record else None)

    async def remember(self, result: LookupResult) -> None:
        """Record a lookup made with ``record=False`` in the history (when there is one)."""
        if self._history is not None:
            await remember(self._history, result)

    async def cached_details(self, call_id: str, unreachable: RecBrowserError) -> DetailsResult:
        """The history's copy of the call's details (marked cached, ``unreachable`` saying why),
        for a call whose lookup could not reach the API; no details and no error without one."""
        cached = None if self._history is None else await cached_details(self._history, call_id, unreachable)
        return cached or DetailsResult(call_id)

    async def details(self, call_id: str, *, offline_cache: bool = False) -> DetailsResult:
        """Get one call's details when a place is free (see ``details_one``: never raises)."""
        async with self._gate:
            return await details_one(self._client(), call_id, self._history, offline_cache=offline_cache)


async def lookup_many(
    client: MagpipeClient,
    call_ids: Sequence[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    history: HistoryStore | None = None,
) -> AsyncIterator[LookupResult]:
    """Yield one result per call ID, in input order, as soon as each (and those before it) is ready."""
    bounded = BoundedLookups(lambda: client, history, concurrency=concurrency)
    tasks = [asyncio.ensure_future(bounded.lookup(call_id)) for call_id in call_ids]
    try:
        for task in tasks:
            yield await task
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
