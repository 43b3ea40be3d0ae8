"""A call lister that makes its client on first use, in a thread.

The app can open on the calls view; its client (httpx, a TLS context: 100 ms and more) is then
made when the first page is asked for, after the first frame, and off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from recbrowser.calls import CallFilters, CallLister, CallSummary, Page


class ListerWhenNeeded:
    """A ``CallLister`` that asks ``make`` for the client it forwards to, once, when first used."""

    def __init__(self, make: Callable[[], CallLister]) -> None:
        self._make = make
        self._client: CallLister | None = None

    async def list_calls(self, filters: CallFilters, limit: int, offset: int) -> Page[CallSummary]:
        """``list_calls`` of the client ``make`` gives (made in a thread the first time)."""
        if self._client is None:
            self._client = await asyncio.to_thread(self._make)
        return await self._client.list_calls(filters, limit, offset)
