"""Looking up many calls at once, with a bound on concurrency, answering in input order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from recbrowser.errors import BadResponse, RecBrowserError
from recbrowser.models import CallRecordings

if TYPE_CHECKING:
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
        try:
            await asyncio.to_thread(history.record_lookup, call_id, result.recordings, result.error)
        except Exception as exc:  # the answer stands even when it cannot be remembered
            history.warnings.append(f"A lookup could not be recorded in the history ({type(exc).__name__}).")
    return result


async def lookup_many(
    client: MagpipeClient,
    call_ids: Sequence[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    history: HistoryStore | None = None,
) -> AsyncIterator[LookupResult]:
    """Yield one result per call ID, in input order, as soon as each (and those before it) is ready."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def bounded(call_id: str) -> LookupResult:
        async with gate:
            return await lookup_one(client, call_id, history)

    tasks = [asyncio.ensure_future(bounded(call_id)) for call_id in call_ids]
    try:
        for task in tasks:
            yield await task
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
