"""The main screen: call-ID input, the list of calls, and the selected call's segments."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from recbrowser.apikey import rejected_key_message
from recbrowser.callbook import CallBook, Listed, cached_state, last_session
from recbrowser.callids import scan
from recbrowser.callstate import CallState
from recbrowser.clipboard import copy_text
from recbrowser.downloads import CANCELLED, DONE, SKIPPED, DownloadItem, UnexpectedFailure
from recbrowser.errors import ClipboardUnavailable
from recbrowser.lookups import LookupResult
from recbrowser.models import Segment
from recbrowser.paths import display_path
from recbrowser.player import (
    NEEDS_TERMINAL,
    InTerminal,
    Said,
    open_segment,
    opened,
)
from recbrowser.text import printable
from recbrowser.tui.bindings import help_rows
from recbrowser.tui.entry import entry_note
from recbrowser.tui.failure import Failure
from recbrowser.tui.memory import keep_out_of_gc
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.welcome import default_welcome
from recbrowser.tui.widgets.call_details import CallDetails
from recbrowser.tui.widgets.call_input import CallIdInput
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.downloads_panel import DownloadDetail, DownloadsPanel
from recbrowser.tui.widgets.segment_table import SegmentTable
from recbrowser.unfinished import Unfinished, missing_note, resumable

if TYPE_CHECKING:
    from recbrowser.client import RetryNotice
    from recbrowser.tui.app import RecBrowserApp

NOTHING_TO_DOWNLOAD = {
    "segment": "No segment selected.",
    "call": "The selected call has no segments to download.",
    "all": "No looked-up call has segments to download.",
}


class BrowserScreen(Screen[None]):
    """Look up calls and browse their recording segments."""

    app: RecBrowserApp

    # Below 32 rows (an 80x24 terminal) the chrome shrinks so the segments keep room: see app.tcss.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    # Under 70 columns the calls list narrows, so the segments keep their room (see CallList).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]

    BINDINGS = [
        Binding(
            "slash",
            "focus_input",
            "Call IDs",
            id="browser.input",
            tooltip="Type or paste call IDs, or any text with them",
        ),
        # Help and quit come first so that the footer keeps them in view on narrow terminals.
        Binding("question_mark", "help", "Help", id="browser.help", tooltip="Show every key"),
        Binding("q", "app.quit", "Quit", id="browser.quit", tooltip="Quit recbrowser (asks first while downloads run)"),
        Binding("r", "refresh", "Refresh", id="browser.refresh", tooltip="Look the selected call up again"),
        Binding(
            "o",
            "open",
            "Open",
            id="browser.open",
            tooltip="Play the selected segment (RECBROWSER_PLAYER or the system opener)",
        ),
        Binding("c", "copy", "Copy", id="browser.copy", tooltip="Copy the selected segment's URL to the clipboard"),
        Binding("d", "download('segment')", "Download", id="browser.download", tooltip="Download the selected segment"),
        Binding(
            "D",
            "download('call')",
            "Download call",
            show=False,
            id="browser.download_call",
            tooltip="Download every segment of the selected call",
        ),
        Binding(
            "x",
            "cancel_download",
            "Cancel download",
            id="browser.cancel",
            show=False,
            tooltip="Cancel the highlighted download (or the selected segment's); the partial file is kept",
        ),
        Binding(
            "h", "history", "History", id="browser.history", tooltip="Past lookups: search, show cached results, forget"
        ),
        Binding("k", "key", "Key", show=False, id="browser.key", tooltip="Set or change the Magpipe API key"),
    ]

    def __init__(self, *, welcome: Text | None = None, prefill: str = "") -> None:
        super().__init__()
        self.book = CallBook(
            rejected_key=lambda error: rejected_key_message(error.status, self.app.resolved.key_source, in_app=True)
        )
        self._workers: dict[str, tuple[Worker[LookupResult], int]] = {}  # each call's running lookup, its generation
        self._welcome = welcome
        self._prefill = prefill
        self._last_added = (0, 0)  # new and already listed calls, counted by the last Enter

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="entry"):
            yield CallIdInput(
                prefill=self._prefill,
                placeholder="Call IDs, or any text that contains them — Enter looks them up",
                id="ids",
            )
            yield Static("", id="input-message")
        with Horizontal(id="main"):
            yield CallList(id="calls")
            yield CallDetails(self._welcome or default_welcome(), id="details")
        yield DownloadsPanel(id="downloads")
        yield DownloadDetail(id="download-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(CallDetails).show_empty(True)
        self.query_one("#ids", Input).focus()
        interval = self.app.settings.refresh_interval
        self.set_interval(interval, self._refresh_pending, name="auto-refresh")
        self.set_timer(0.05, self._restore_last_session)  # after the first frame

    def on_resize(self) -> None:
        self.query_one(CallDetails).show_detail()  # the URL may wrap over fewer lines on a short terminal

    # --- input --------------------------------------------------------------------------

    def action_focus_input(self) -> None:
        self.query_one("#ids", Input).focus()

    @on(Input.Submitted, "#ids")
    def _submitted(self, event: Input.Submitted) -> None:
        found = scan(event.value)
        if found.ids:
            listed = self.lookup(found.ids)
            counted = (listed.new, listed.old)
            if isinstance(event, CallIdInput.Submitted) and event.continues_paste:  # one paste, one count
                counted = (counted[0] + self._last_added[0], counted[1] + self._last_added[1])
            self._last_added = counted
        style, note = entry_note(found, self._last_added)
        message = self.query_one("#input-message", Static)
        message.set_classes(style)
        message.update(Text(note))
        if found.ids and not event.input.value:  # more typed (the next line of a paste) stays where it goes
            self.query_one(CallList).focus()

    def on_paste(self, event: events.Paste) -> None:
        """A paste anywhere on this screen goes into the call-ID input, every line of it."""
        event.stop()
        ids = self.query_one("#ids", CallIdInput)
        ids.value = ""
        ids.insert_pasted(event.text)
        ids.focus()
        self.call_after_refresh(ids.action_end)  # focusing selects everything; typing on appends

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and isinstance(self.focused, Input):
            event.stop()
            self.query_one(CallList).focus()

    # --- lookups ------------------------------------------------------------------------

    def lookup(self, call_ids: list[str]) -> Listed:
        """List the calls (new ones appended) and look each of them up; select the first."""
        self._remember_listed(call_ids)
        listed = self.book.add(call_ids)
        for call_id in listed.to_look_up:
            self._start_lookup(call_id)
        self.query_one(CallDetails).show_empty(False)
        self.query_one(CallList).select_call(call_ids[0])
        self._show_selected()
        return listed

    def _start_lookup(self, call_id: str) -> None:
        previous = self._workers.pop(call_id, None)
        if previous is not None and previous[0].is_running:
            previous[0].cancel()
        generation = self.book.start(call_id)
        self._redraw(call_id)
        worker = self.run_worker(
            self.app.lookups.lookup(call_id), name=call_id, group="lookup", description=f"lookup {call_id}"
        )
        self._workers[call_id] = (worker, generation)

    @on(Worker.StateChanged)
    def _lookup_ended(self, event: Worker.StateChanged) -> None:
        """Route a lookup's answer to the book; a failed one is reported by the app and stops loading here."""
        call_id = event.worker.name
        running = self._workers.get(call_id)
        if running is None or running[0] is not event.worker or not event.worker.is_finished:
            return
        del self._workers[call_id]
        if event.state is not WorkerState.SUCCESS or event.worker.result is None:
            if self.book.stopped(call_id, running[1]):
                self._redraw(call_id)
            return
        answer = self.book.finished(call_id, running[1], event.worker.result)
        if answer.current:
            if answer.resolved:
                keep_out_of_gc(answer.state.recordings)
            self.app.toasts.answered(answer)
            self._redraw(call_id)

    def retry_key_failures(self) -> int:
        """Look up again every call that failed for want of a (valid) key; how many."""
        failed = self.book.key_failures()
        for call_id in failed:
            self._start_lookup(call_id)
        return len(failed)

    def running_downloads(self) -> list[DownloadItem]:
        """Every download of this session, for quitting to count and remember."""
        return list(self.app.downloads.items.values())

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
        self._start_lookup(call_id)

    def _refresh_pending(self) -> None:
        for call_id in self.book.pending():
            self._start_lookup(call_id)

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

    @on(DataTable.RowSelected, "#segments")
    def _segment_chosen(self) -> None:
        self.action_open()

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
        calls = self.query_one(CallList)
        for call_id in self.book.restore(states):
            keep_out_of_gc(self.book.calls[call_id].recordings)
            calls.upsert(self.book.calls[call_id])
        self.query_one(CallDetails).show_empty(False)
        if select is not None:
            calls.select_call(select)
        elif calls.highlighted is None:
            calls.highlighted = 0
        self._show_selected()

    def action_history(self) -> None:
        from recbrowser.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(), self._history_chosen)

    def _history_chosen(self, call_id: str | None) -> None:
        if call_id is not None:
            self._show_from_history(call_id)

    @work(thread=True, group="history-read")
    def _show_from_history(self, call_id: str) -> None:
        self.app.call_from_thread(self._shown_from_history, cached_state(self.app.history, call_id))

    def _shown_from_history(self, state: CallState) -> None:
        self._remember_listed([state.call_id])
        self._add_states([state], state.call_id)
        self._start_lookup(state.call_id)
        self.query_one(CallList).focus()

    def action_clear_history(self) -> None:
        from recbrowser.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._clear_history()

        self.app.push_screen(ConfirmScreen("Remove every entry from the lookup history?", yes="Clear"), answered)

    @work(thread=True, group="history-write")
    def _clear_history(self) -> None:
        removed = self.app.history.clear()
        self.app.call_from_thread(self.notify, f"Removed {removed} entries from the history.")

    # --- open, copy, key, help ---------------------------------------------------------

    def action_open(self) -> None:
        segment, state = self.selected_segment, self.selected_call
        if segment is None or state is None:
            self.notify("No segment selected.", severity="warning")
            return
        self._open(segment, state.local_files.get(segment.index))

    @work(thread=True, group="open")
    def _open(self, segment: Segment, local: str | None) -> None:
        self.app.call_from_thread(self._opened, open_segment(segment, local))

    def _opened(self, outcome: Said | InTerminal) -> None:
        if isinstance(outcome, InTerminal):  # lynx, w3m…: the app steps aside so they do not share the screen
            try:
                with self.app.suspend():
                    outcome = opened(outcome.browser.open(outcome.url), outcome.what)
            except SuspendNotSupported:
                outcome = Said(NEEDS_TERMINAL, "warning")
        self.notify(outcome.message, severity=outcome.severity, markup=False)

    # --- downloads ----------------------------------------------------------------------

    def action_download(self, what: str) -> None:
        """Download the selected ``segment``, every segment of the selected ``call``, or of ``all`` listed calls."""
        wanted = self._to_download(what)
        if not wanted:
            self.notify(NOTHING_TO_DOWNLOAD[what], severity="warning")
            return
        self.download(wanted)

    def _to_download(self, what: str) -> list[tuple[str, Segment]]:
        state, segment = self.selected_call, self.selected_segment
        if what == "segment":
            return [(state.call_id, segment)] if state is not None and segment is not None else []
        if what == "call":
            return _segments_of([state] if state is not None else [])
        if what == "all":
            return _segments_of(self.book.calls.values())
        raise ValueError(f"unknown download scope {what!r}")

    def download(self, wanted: list[tuple[str, Segment]]) -> None:
        """Queue these segments (those not already complete, queued or running) in the app's download queue."""
        queue, directory = self.app.downloads, self.app.download_dir
        where = display_path(directory)
        if self.app.is_demo:
            where += ", a temporary folder deleted when the demo ends"

        async def queue_and_run() -> None:
            request = await queue.request(wanted, directory)
            for problem in request.problems:
                self.notify(problem, severity="error", markup=False)
            note = request.note(where)
            if note:
                self.app.toasts.show("downloading", note)
            await queue.run_all(request.items, client=self.app.client)

        self.run_worker(queue_and_run(), group="downloads", description="downloads")

    @work(thread=True, group="history-read")
    def resume_downloads(self, entries: list[Unfinished]) -> None:
        """Download again the segments a previous session left unfinished (their partial files resume)."""
        wanted, missing = resumable(entries, self.app.history)
        if wanted:
            self.app.call_from_thread(self.download, wanted)
        if missing:
            self.app.call_from_thread(self.notify, missing_note(missing), severity="warning", markup=False)

    @on(DownloadsPanel.Finished)
    def _download_finished(self, message: DownloadsPanel.Finished) -> None:
        item = message.item
        if item.state in (DONE, SKIPPED) and item.path is not None:
            state = self.book.downloaded(item.call_id, item.segment.index, item.path)
            if state is not None and self.selected_call is state:
                self._show_selected()
        elif item.state != CANCELLED and item.error is not None:
            if isinstance(item.error, UnexpectedFailure) and item.error.__cause__ is not None:
                self.app.report_unexpected(
                    item.error.__cause__, context=f"download of {item.call_id} #{item.segment.index}"
                )
                return
            said = printable(item.error.message, limit=300)
            title = f"Download of segment {item.segment.index} failed"
            self.app.toasts.show(
                f"download:{said}", said, title=title, severity="error", many="{count} downloads failed"
            )

    def action_cancel_download(self) -> None:
        panel = self.query_one(DownloadsPanel)
        item = panel.highlighted_item() if panel.has_focus else None
        if item is None and self.selected_call is not None and self.selected_segment is not None:
            item = self.app.downloads.get(self.selected_call.call_id, self.selected_segment.index)
        if item is None or not self.app.downloads.cancel(item):
            self.notify("No running download selected.", severity="warning")
            return
        self.app.toasts.show("cancelling", "Cancelling; the partial file is kept and the next download resumes it.")

    def action_copy(self) -> None:
        segment = self.selected_segment
        if segment is None or not segment.url:
            self.notify("No segment URL to copy.", severity="warning")
            return
        self._copy(segment.url, segment.index)

    @work(thread=True, group="copy")
    def _copy(self, url: str, index: int) -> None:
        """A clipboard tool when there is one (it runs a process); else the terminal's OSC 52,
        said as possibly unsupported, since the app cannot know whether the terminal took it."""
        try:
            copied = copy_text(url, terminal=lambda _escape: self.app.call_from_thread(self.app.copy_to_clipboard, url))
        except ClipboardUnavailable as exc:
            raise Failure(exc.message, severity="warning") from exc
        self.app.call_from_thread(self.notify, f"URL of segment {index}: {copied.message}", markup=False)

    def action_key(self) -> None:
        self.app.ask_for_key()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(self)))


def _segments_of(states: Iterable[CallState]) -> list[tuple[str, Segment]]:
    return [(state.call_id, s) for state in states if state.recordings is not None for s in state.recordings.segments]
