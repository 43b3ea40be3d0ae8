"""The calls view's list: calls loaded from list-calls a page at a time, when the user wants more (no Textual).

One listing pins its ``to_date`` when it starts (``calls.list_all``), so pages loaded later do
not shift; a failed page is kept as ``error`` and the next ``more`` starts the listing again
from the top under the same pin, skipping the calls already loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

from recbrowser.calls import PAGE_SIZE, CallFilters, CallLister, CallSummary, Listed, list_all
from recbrowser.errors import RecBrowserError
from recbrowser.formatting import plural


class CallListing:
    """The calls loaded so far, newest first, each once; the server's total; whether all are loaded."""

    def __init__(
        self,
        client: CallLister,
        filters: CallFilters | None = None,
        *,
        page_size: int = PAGE_SIZE,
        now: datetime | None = None,
    ) -> None:
        self._client = client
        self._filters = filters or CallFilters()
        self._page_size = page_size
        self._now = now or datetime.now(timezone.utc)
        self._pages: AsyncIterator[Listed] | None = None
        self.calls: list[CallSummary] = []
        self._ids: set[str] = set()
        self._search: list[str] = []  # each loaded call's searchable words, casefolded, in order
        self.total: int | None = None
        self.done = False
        self.error: RecBrowserError | None = None

    async def more(self) -> list[CallSummary]:
        """Load the next page: the calls it adds (none once every call is loaded, or when it failed: see ``error``)."""
        if self._pages is None:
            self._pages = list_all(self._client, self._filters, page_size=self._page_size, now=self._now)
        self.error = None
        try:
            while True:  # after a failure the listing starts again: pages of calls loaded already add nothing
                try:
                    page = await anext(self._pages)
                except StopAsyncIteration:
                    self.done = True
                    return []
                self.total = page.total
                fresh = [call for call in page.calls if call.id not in self._ids]
                if fresh:
                    self._add(fresh)
                    return fresh
        except RecBrowserError as exc:
            self.error, self._pages = exc, None
            return []

    def _add(self, calls: list[CallSummary]) -> None:
        self.calls.extend(calls)
        self._ids.update(call.id for call in calls)
        self._search.extend(searchable(call) for call in calls)

    def matching(self, text: str, start: int = 0) -> list[CallSummary]:
        """The loaded calls from position ``start`` whose numbers, agent, status, direction, summary
        or ID contain every word of ``text`` (any case); all of them for a blank text."""
        words = text.casefold().split()
        pairs = zip(self.calls[start:], self._search[start:], strict=True)
        return [call for call, haystack in pairs if all(word in haystack for word in words)]

    @property
    def complete(self) -> bool:
        """Every call is loaded, as far as is known: the listing ended, or holds the server's total."""
        return self.done or (self.total is not None and len(self.calls) >= self.total)

    def summary(self) -> str:
        """``9 calls`` when all are loaded, ``100 of 156 calls loaded`` while more are left."""
        loaded = len(self.calls)
        if self.complete:
            return plural(loaded, "call", thousands=True)
        of = f" of {self.total:,}" if self.total is not None else ""
        return f"{loaded:,}{of} calls loaded"


def searchable(call: CallSummary) -> str:
    """What the quick filter looks in, casefolded."""
    parts = (
        call.from_number,
        call.to_number,
        call.agent_name,
        call.status,
        call.friendly_status,
        call.direction,
        call.call_summary,
        call.id,
    )
    return " ".join(part for part in parts if part).casefold()
