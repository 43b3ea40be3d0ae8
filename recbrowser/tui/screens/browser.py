"""The main screen: call-ID input, the list of calls, and the selected call's segments."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList
from textual.worker import Worker

from recbrowser.apikey import rejected_key_message
from recbrowser.callbook import Answered, CallBook, Listed, last_session
from recbrowser.callids import scan
from recbrowser.callstate import CallState
from recbrowser.lister import ListerWhenNeeded
from recbrowser.listing import CallListing, FilterForm
from recbrowser.models import Segment
from recbrowser.recorded import Recorded, recorded_of_state
from recbrowser.tui.bindings import BROWSER_BINDINGS, help_rows
from recbrowser.tui.lookup_workers import LookupWorkers
from recbrowser.tui.memory import keep_out_of_gc
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.welcome import default_welcome
from recbrowser.tui.widgets.call_details import CallDetails
from recbrowser.tui.widgets.call_entry import CallEntry
from recbrowser.tui.widgets.call_input import CallIdInput
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.downloads import Downloads
from recbrowser.tui.widgets.segment_table import SegmentTable

if TYPE_CHECKING:
    from recbrowser.client import RetryNotice
    from recbrowser.tui.app import RecBrowserApp


class BrowserScreen(Screen[None]):
    """Look up calls and browse their recording segments."""

    app: RecBrowserApp

    # Below 32 rows (an 80x24 terminal) the chrome shrinks so the segments keep room: see app.tcss.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    # Under 70 columns the calls list narrows, so the segments keep their room (see CallList).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]

    BINDINGS = BROWSER_BINDINGS

    def __init__(self, *, welcome: Text | None = None, prefill: str = "") -> None:
        super().__init__()
        self.book = CallBook(
            rejected_key=lambda error: rejected_key_message(error.status, self.app.resolved.key_source, in_app=True)
        )
        self._lookups = LookupWorkers(
            self, self.book, lambda: self.app.lookups, changed=self._redraw, answered=self._answered
        )
        self._welcome = welcome
        self._prefill = prefill
        self._listing: CallListing | None = None  # the calls view's calls, kept between visits

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield CallEntry(prefill=self._prefill, id="entry")
        with Horizontal(id="main"):
            yield CallList(id="calls")
            yield CallDetails(self._welcome or default_welcome(), id="details")
        yield Downloads()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(CallDetails).show_empty(True)
        self.query_one("#ids", Input).focus()
        interval = self.app.settings.refresh_interval
        self.set_interval(interval, self._refresh_pending, name="auto-refresh")
        if self.app.open_calls:  # `recbrowser ID…`: those calls, not the last session or the calls view
            self.lookup(self.app.open_calls)
            self.query_one(CallList).focus()
            return
        self.set_timer(0.05, self._restore_last_session)  # after the first frame
        if self.app.start_on_calls and self.app.resolved.key is not None:
            self.action_calls_view()  # Escape (or l) comes back here, to the call-ID input

    def on_resize(self) -> None:
        self.query_one(CallDetails).show_detail()  # the URL may wrap over fewer lines on a short terminal

    # --- input --------------------------------------------------------------------------

    def action_focus_input(self) -> None:
        self.query_one("#ids", Input).focus()

    @on(Input.Submitted, "#ids")
    def _submitted(self, event: Input.Submitted) -> None:
        found = scan(event.value)
        listed = self.lookup(found.ids) if found.ids else None
        continues_paste = isinstance(event, CallIdInput.Submitted) and event.continues_paste
        self.query_one(CallEntry).said(found, listed, continues_paste=continues_paste)
        if found.ids and not event.input.value:  # more typed (the next line of a paste) stays where it goes
            self.query_one(CallList).focus()

    def on_paste(self, event: events.Paste) -> None:
        """A paste anywhere on this screen goes into the call-ID input, every line of it."""
        event.stop()
        self.query_one(CallEntry).take_paste(event.text)

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and isinstance(self.focused, Input):
            event.stop()
            self.query_one(CallList).focus()

    # --- lookups ------------------------------------------------------------------------

    def lookup(self, call_ids: list[str]) -> Listed:
        """List the calls (new ones appended) and look each of them up; select the first."""
        self._remember_listed(call_ids)
        listed = self.book.add(call_ids)
        self._lookups.look_up(*listed.to_look_up)
        self.query_one(CallDetails).show_empty(False)
        self.query_one(CallList).select_call(call_ids[0])
        self._show_selected()
        return listed

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        self._lookups.ended(event)

    def _answered(self, answer: Answered) -> None:
        if answer.resolved:
            keep_out_of_gc(answer.state.recordings)
        self.app.toasts.answered(answer)
        self._redraw(answer.state.call_id)

    def retry_key_failures(self) -> int:
        """Look up again every call that failed for want of a (valid) key; how many."""
        failed = self.book.key_failures()
        self._lookups.look_up(*failed)
        return len(failed)

    def retrying(self, notice: RetryNotice) -> bool:
        """Show a lookup's coming retry in its row and header; False when it is not about a listed call."""
        state = self.book.retrying(
            notice.call_id, notice.attempt + 1, notice.max_tries, time.monotonic() + notice.delay
        )
        if state is not None:
            self._redraw(state.call_id)
        return state is not None

    def action_refresh(self) -> None:
        call_id = self.query_one(CallList).current_call_id
        if call_id is None:
            self.notify("No call selected. Press / to enter call IDs.", severity="warning")
            return
        self._lookups.look_up(call_id, details_again=True)

    def _refresh_pending(self) -> None:
        self._lookups.look_up(*self.book.pending())

    # --- showing ----------------------------------------------------------------------

    def _redraw(self, call_id: str) -> None:
        self.query_one(CallList).upsert(self.book.calls[call_id])
        if self.query_one(CallList).current_call_id == call_id:
            self._show_selected()

    def _show_selected(self) -> None:
        self.query_one(CallDetails).show(self.selected_call)

    @on(OptionList.OptionHighlighted, "#calls")
    def _call_highlighted(self) -> None:
        self._show_selected()

    @on(OptionList.OptionSelected, "#calls")
    def _call_selected(self) -> None:
        self.query_one(SegmentTable).focus()

    @property
    def selected_call(self) -> CallState | None:
        return self.book.get(self.query_one(CallList).current_call_id)

    @property
    def selected_segment(self) -> Segment | None:
        return self.query_one(CallDetails).selected_segment

    # --- history ---------------------------------------------------------------------

    @work(thread=True, group="history-read")
    def _restore_last_session(self) -> None:
        """List the calls of the last session again, from the cache (no network)."""
        self.app.call_from_thread(self._add_states, last_session(self.app.history), None)

    @work(thread=True, group="history-write")
    def _remember_listed(self, call_ids: list[str]) -> None:
        self.app.history.add_to_session(call_ids, at=time.time())

    def _add_states(self, states: list[CallState], select: str | None) -> None:
        if not states:
            return
        restored = [self.book.calls[call_id] for call_id in self.book.restore(states)]
        for state in restored:
            keep_out_of_gc(state.recordings)
        self.query_one(CallList).add_restored(restored, select)
        self.query_one(CallDetails).show_empty(False)
        self._show_selected()

    def action_history(self) -> None:
        from recbrowser.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(), self._chosen_in_history)

    def _chosen_in_history(self, state: CallState | None) -> None:
        """List a call chosen in the history at once, as the history has it, and look it up again."""
        if state is None:
            return
        self._remember_listed([state.call_id])
        self._add_states([state], state.call_id)
        self._lookups.look_up(state.call_id)
        self.query_one(CallList).focus()

    # --- open, copy, downloads, key, help ----------------------------------------------

    def action_open(self) -> None:
        self.query_one(CallDetails).open_selected()

    def action_copy(self) -> None:
        self.query_one(CallDetails).copy_selected()

    def action_download(self, what: str) -> None:
        """Download the selected ``segment``, every segment of the selected ``call``, or of ``all`` listed calls."""
        wanted = self.book.to_download(what, self.selected_call, self.selected_segment)
        if isinstance(wanted, str):
            self.notify(wanted, severity="warning")
            return
        self.query_one(Downloads).download(wanted)

    @on(Downloads.Downloaded)
    def _downloaded(self, message: Downloads.Downloaded) -> None:
        state = self.book.downloaded(message.call_id, message.index, message.path)
        if state is not None and self.selected_call is state:
            self._show_selected()

    def action_cancel_download(self) -> None:
        self.query_one(Downloads).cancel(self.selected_call, self.selected_segment)

    def action_key(self) -> None:
        self.app.ask_for_key()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(self)))

    # --- the calls view -----------------------------------------------------------------

    def action_calls_view(self) -> None:
        """Browse the account's calls (list-calls); the calls loaded stay for the next visit."""
        from recbrowser.tui.screens.calls import CallsScreen

        if self._listing is None:
            self._listing = self._new_listing()
        self.app.push_screen(
            CallsScreen(self._listing, self._new_listing, self._recorded, self.query_one(CallEntry).take_paste),
            self._chosen_in_calls,
        )

    def _recorded(self, call_id: str) -> Recorded | None:
        state = self.book.get(call_id)
        return recorded_of_state(state) if state is not None else None

    def _new_listing(self, form: FilterForm | None = None) -> CallListing:
        lister = ListerWhenNeeded(lambda: self.app.client)  # made after the first frame: the app may open here
        self._listing = CallListing(lister, form, page_size=self.app.calls_page_size)
        return self._listing

    def _chosen_in_calls(self, call_id: str | None) -> None:
        """List a call chosen in the calls view, as if its ID had been entered, and show it."""
        if call_id is None:
            return
        self.lookup([call_id])
        self.query_one(CallList).focus()
