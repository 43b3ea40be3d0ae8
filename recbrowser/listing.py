"""The calls view's list: calls loaded from list-calls a page at a time, when the user wants more (no Textual).

One listing pins its ``to_date`` when it starts (``calls.list_all``), so pages loaded later do
not shift; a failed page is kept as ``error`` and the next ``more`` starts the listing again
from the top under the same pin, skipping the calls already loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from datetime import datetime, timezone

from recbrowser.calls import E164, PAGE_SIZE, CallFilters, CallLister, CallSummary, Listed, list_all
from recbrowser.errors import RecBrowserError
from recbrowser.formatting import plural
from recbrowser.recorded import Recorded
from recbrowser.text import printable
from recbrowser.when import BadWhen, parse_when

DIRECTIONS = ("inbound", "outbound")


class BadFilter(ValueError):
    """A filter of the calls view's form that list-calls cannot take; the message says why, in one line."""


@dataclass(frozen=True)
class FilterForm:
    """The calls view's server-side filters as the user wrote them (empty: no filter)."""

    since: str = ""
    until: str = ""
    direction: str = ""
    status: str = ""
    agent_id: str = ""
    agent_name: str = ""
    number: str = ""

    def filters(self, *, now: datetime) -> CallFilters:
        """The list-calls filters the form asks for; BadFilter when a field cannot be one."""
        try:
            since = parse_when(self.since, now=now) if self.since.strip() else None
            until = parse_when(self.until, now=now, end_of_day=True) if self.until.strip() else None
        except BadWhen as problem:
            raise BadFilter(str(problem)) from None
        if since is not None and until is not None and since > until:
            raise BadFilter("Since is after until: nothing can match.")
        if self.direction and self.direction not in DIRECTIONS:
            raise BadFilter("The direction is inbound or outbound.")
        number = self.number.strip()
        if number and not E164.fullmatch(number):
            raise BadFilter(
                f"The number is an E.164 number such as +15551234567 (got {printable(number, limit=40)!r})."
            )
        return CallFilters(
            direction=self.direction or None,
            status=self.status.strip() or None,
            agent_id=self.agent_id or None,
            phone_number=number or None,
            from_date=since,
            to_date=until,
        )

    def summary(self) -> str:
        """``since 7d · inbound · agent Front Desk``: the filters set, for the line above the table."""
        parts = [
            f"since {self.since.strip()}" if self.since.strip() else "",
            f"until {self.until.strip()}" if self.until.strip() else "",
            self.direction,
            f"status {self.status.strip()}" if self.status.strip() else "",
            f"agent {self.agent_name or self.agent_id}" if self.agent_id else "",
            self.number.strip(),
        ]
        return " · ".join(printable(part, limit=60) for part in parts if part)

    def is_empty(self) -> bool:
        return not any(str(getattr(self, spec.name)).strip() for spec in fields(self))


class CallListing:
    """The calls loaded so far, newest first, each once; the server's total; whether all are loaded."""

    def __init__(
        self,
        client: CallLister,
        form: FilterForm | None = None,
        *,
        page_size: int = PAGE_SIZE,
        now: datetime | None = None,
    ) -> None:
        """Lists the calls ``form`` asks for (BadFilter when it cannot be list-calls' filters)."""
        self._client = client
        self._now = now or datetime.now(timezone.utc)
        self.form = form or FilterForm()
        self._filters = self.form.filters(now=self._now)
        self._page_size = page_size
        self._pages: AsyncIterator[Listed] | None = None
        self.calls: list[CallSummary] = []
        self._ids: set[str] = set()
        self._search: list[str] = []  # each loaded call's searchable words, casefolded, in order
        self.total: int | None = None
        self.done = False
        self.error: RecBrowserError | None = None
        self.recorded: dict[str, Recorded] = {}  # what the history said of loaded calls' recordings
        self.chosen: str | None = None  # the call last chosen, where the view opens again

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
