"""The calls view: the account's calls from list-calls, newest first, loaded a page at a time as
the user scrolls; a quick filter over what is loaded; Enter lists the call in the browser."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from recbrowser.calls import Agent, CallSummary
from recbrowser.errors import RecBrowserError
from recbrowser.formatting import format_duration, format_local_time
from recbrowser.listing import CallListing, FilterForm
from recbrowser.recorded import Recorded, recorded_in_history
from recbrowser.text import printable
from recbrowser.tui.bindings import CALLS_VIEW_BINDINGS, help_rows
from recbrowser.tui.cells import recorded_mark
from recbrowser.tui.screens.call_filters import FilterScreen
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.widgets.playback_bar import PlaybackBar
from recbrowser.tui.workers import has_ended

if TYPE_CHECKING:
    from recbrowser.tui.app import RecBrowserApp

COLUMNS = (
    (" ", "rec"),
    ("Time", "time"),
    ("Dir", "dir"),
    ("Number", "number"),
    ("Agent", "agent"),
    ("Length", "length"),
    ("Status", "status"),
)
DIRECTIONS = {"inbound": Text("↙ in", style="cyan"), "outbound": Text("↗ out", style="magenta")}
STATUS_STYLES = {"completed": "green", "failed": "red", "no-answer": "yellow", "busy": "yellow"}
MORE_WHEN_WITHIN = 10
"""Rows from the end of the table at which the next page is loaded."""


def call_cells(call: CallSummary, *, utc: bool = False, recorded: Recorded | None = None) -> tuple[Text, ...]:
    """One row: the recordings' mark once a lookup told it, time, direction, the other party's number, agent,
    duration, status (the dashboard's name)."""
    direction = DIRECTIONS.get(call.direction or "", Text(printable(call.direction or "—", limit=10), style="dim"))
    status = call.friendly_status or "—"
    return (
        recorded_mark(recorded),
        Text(format_local_time(call.started, seconds=False, utc=utc)),
        direction,
        Text(printable(call.other_number or "—", limit=20)),
        Text(printable(call.agent_name or call.agent_id or "—", limit=30)),
        Text(format_duration(call.duration), justify="right"),
        Text(printable(status, limit=30), style=STATUS_STYLES.get(call.status or "", "")),
    )


class CallsScreen(Screen[str | None]):
    """Browse the calls list-calls gives; dismissed with the chosen call's ID (None: back)."""

    app: RecBrowserApp

    BINDINGS = CALLS_VIEW_BINDINGS

    DEFAULT_CSS = """
    CallsScreen { overflow: hidden; }
    CallsScreen #calls-filter { margin: 1 1 0 1; }
    CallsScreen #calls-status { height: 1; padding: 0 2; color: $text-muted; }
    CallsScreen #calls-status.-error { color: $error; }
    CallsScreen #calls-table { height: 1fr; width: 100%; border: round $primary 40%; }
    CallsScreen #calls-table:focus { border: round $primary; }
    CallsScreen.-short #calls-filter { margin: 0 1; }
    """
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    def __init__(
        self,
        listing: CallListing,
        new_listing: Callable[[FilterForm], CallListing],
        known: Callable[[str], Recorded | None] = lambda _call_id: None,
        pasted: Callable[[str], None] | None = None,
    ) -> None:
        """``known``: what this session's lookups said of a call's recordings (the history is asked for the rest).
        ``pasted``: where a paste made outside the filter goes (the browser's call-ID input)."""
        super().__init__()
        self.listing = listing
        self._known = known
        self._pasted = pasted
        self._new_listing = new_listing
        self._loading: Worker[list[CallSummary]] | None = None  # the page being loaded, until its answer is taken
        self._upto = 0  # the loaded calls up to here are in the table (those the filter lets through)
        self._agents: list[Agent] | None = None  # list-agents' answer, got when the filters are first opened
        self._agents_got = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Filter the loaded calls: a number, an agent, a status, words of the summary", id="calls-filter"
        )
        yield Static(id="calls-status")
        yield DataTable(id="calls-table", cursor_type="row", zebra_stripes=True)
        yield PlaybackBar(id="calls-playback")  # what plays in the app, and its keys, here too
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title, key in COLUMNS:
            table.add_column(title, key=key)
        self._fill()
        if self.listing.chosen is not None and self.listing.chosen in table.rows:  # back where the user left
            table.move_cursor(row=table.get_row_index(self.listing.chosen), animate=False)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)
        if not self.listing.calls:
            self.action_more()

    # --- loading -----------------------------------------------------------------------

    @property
    def listing_now(self) -> bool:
        return self._loading is not None

    def action_more(self) -> None:
        """Load the next page (one at a time; nothing once every call is loaded)."""
        if self.listing_now or self.listing.done:
            return
        self._loading = self.run_worker(self.listing.more(), group="listing", description="list-calls page")
        self._say()

    def action_reload(self) -> None:
        """List the calls again from the newest (a new listing, pinned to now), with the same filters."""
        self._list(self.listing.form)

    def _list(self, form: FilterForm) -> None:
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
        self.listing = self._new_listing(form)
        self._fill()
        self.action_more()

    @on(Worker.StateChanged)
    def _page_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._loading or not has_ended(event):
            return
        self._loading = None
        if event.state is WorkerState.SUCCESS:
            self._append()
        self._say()
        if self.listing.error is not None:
            self.notify(
                f"Listing calls failed: {printable(self.listing.error.message, limit=200)}",
                severity="error",
                markup=False,
            )
        elif self._wants_more():
            self.action_more()

    def _wants_more(self) -> bool:
        """The cursor is near the end of the table, or the table does not fill its height."""
        table = self.query_one(DataTable)
        return table.cursor_row >= table.row_count - MORE_WHEN_WITHIN or table.row_count < table.size.height

    def _scrolled(self) -> None:
        """Scrolled (a wheel, a scrollbar) near the end: the next page."""
        table = self.query_one(DataTable)
        if table.scroll_y >= table.max_scroll_y - MORE_WHEN_WITHIN and self.listing.error is None:
            self.action_more()

    @on(DataTable.RowHighlighted, "#calls-table")
    def _moved(self) -> None:
        if self._wants_more() and self.listing.error is None:
            self.action_more()

    # --- showing -----------------------------------------------------------------------

    def _fill(self) -> None:
        """Show the loaded calls that match the filter, from scratch (the filter changed)."""
        table = self.query_one(DataTable)
        table.clear()
        self._upto = 0
        self._append()

    def _append(self) -> None:
        """Add the calls loaded since the last time that match the filter."""
        utc = bool(getattr(getattr(self.app, "settings", None), "utc", False))
        shown = self.listing.matching(self.query_one("#calls-filter", Input).value, self._upto)
        self._upto = len(self.listing.calls)
        table = self.query_one(DataTable)
        for call in shown:
            table.add_row(*call_cells(call, utc=utc, recorded=self._recorded(call.id)), key=call.id)
        self._say()
        unknown = [call.id for call in shown if self._recorded(call.id) is None]
        if unknown:
            self._ask_history(unknown)

    def _recorded(self, call_id: str) -> Recorded | None:
        return self._known(call_id) or self.listing.recorded.get(call_id)

    @work(group="recorded")
    async def _ask_history(self, call_ids: list[str]) -> None:
        """What past lookups said of these calls' recordings, marked in their rows. In the loop's
        thread pool, whose threads (and so their history connections) live on between pages."""
        history = getattr(self.app, "history", None)
        if history is not None:
            listing = self.listing
            self._mark(listing, await asyncio.to_thread(recorded_in_history, history, call_ids))

    def _mark(self, listing: CallListing, known: dict[str, Recorded]) -> None:
        listing.recorded.update(known)
        if listing is not self.listing:
            return  # a new listing replaced it meanwhile
        table = self.query_one(DataTable)
        for call_id, mark in known.items():
            if call_id in table.rows:
                table.update_cell(call_id, "rec", recorded_mark(mark))

    def _say(self) -> None:
        """The status line: how many calls are loaded of the total, how many the filter shows, what is happening."""
        listing, table = self.listing, self.query_one(DataTable)
        parts = [listing.summary()]
        if not listing.form.is_empty():
            parts.append(f"filters: {listing.form.summary()}")
        if self.query_one("#calls-filter", Input).value.strip():
            parts.append(f"{table.row_count:,} match the filter")
        if self.listing_now:
            parts.append("loading…")
        elif listing.error is not None:
            parts.append(f"✗ {printable(listing.error.message, limit=120)} (m: try again)")
        elif not listing.complete and listing.calls:
            parts.append("more as you scroll (m)")
        status = self.query_one("#calls-status", Static)
        status.set_class(listing.error is not None and not self.listing_now, "-error")
        status.update(Text(" · ".join(parts), no_wrap=True, overflow="ellipsis"))

    # --- filter, choose, leave -----------------------------------------------------------

    @work(group="agents", exclusive=True)
    async def action_filters(self) -> None:
        """The filter form; its agents come from list-agents, asked once (the form says when they could not be)."""
        if not self._agents_got:
            try:
                self._agents = await self.app.client.list_agents()
            except RecBrowserError as exc:
                self.notify(
                    f"The agents could not be listed: {printable(exc.message, limit=200)}",
                    severity="warning",
                    markup=False,
                )
            self._agents_got = True
        self.app.push_screen(FilterScreen(self.listing.form, self._agents), self._filtered)

    def _filtered(self, form: FilterForm | None) -> None:
        if form is not None and form != self.listing.form:
            self._list(form)

    def action_filter(self) -> None:
        self.query_one("#calls-filter", Input).focus()

    @on(Input.Changed, "#calls-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#calls-filter")
    def _filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def on_paste(self, event: events.Paste) -> None:
        """A paste outside the filter is call IDs (or text holding them), as on the first screen
        before: back to the browser, whose call-ID input takes every line of it."""
        if self._pasted is None or isinstance(self.focused, Input):
            return
        event.stop()
        self.dismiss(None)
        self._pasted(event.text)

    @on(DataTable.RowSelected, "#calls-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.listing.chosen = event.row_key.value
        self.dismiss(event.row_key.value)

    def action_close(self) -> None:
        if self.focused is self.query_one("#calls-filter", Input):
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(self)))
