"""The main screen: call-ID input, the list of calls, and the selected call's segments."""

from __future__ import annotations

import asyncio
import time
import webbrowser
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from recbrowser.apikey import rejected_key_message
from recbrowser.callids import EXPECTED, scan
from recbrowser.clipboard import copy_text
from recbrowser.downloads import CANCELLED, DONE, SKIPPED, DownloadItem, UnexpectedFailure
from recbrowser.errors import ClipboardUnavailable, PlayerError, RecBrowserError, Unauthorized
from recbrowser.formatting import short_call_id
from recbrowser.lookups import LookupResult, lookup_one
from recbrowser.models import Segment
from recbrowser.outcomes import last_outcome_error
from recbrowser.paths import display_path
from recbrowser.player import is_web_url, launch_checked, player_command, runs_in_terminal
from recbrowser.text import printable
from recbrowser.tui.bindings import help_rows
from recbrowser.tui.entry import counts_note, new_and_listed
from recbrowser.tui.keytext import KEY_CODES
from recbrowser.tui.memory import keep_out_of_gc
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.state import CallState, RetryState
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.call_input import CallIdInput
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.downloads_panel import DownloadDetail, DownloadsPanel
from recbrowser.tui.widgets.segment_table import SHOWN_ROWS, SegmentDetail, SegmentTable
from recbrowser.unfinished import Unfinished, missing_note, resumable

if TYPE_CHECKING:
    from recbrowser.client import RetryNotice
    from recbrowser.tui.app import RecBrowserApp

LOOKUP_CONCURRENCY = 4
ANSWERS = {"no_recording", "not_found"}
"""Error codes that are a call's answer, not a failure to act on: no toast for them."""
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

    class LookupFinished(Message):
        """A lookup worker's answer, tagged with the generation it belongs to."""

        def __init__(self, result: LookupResult, generation: int) -> None:
            super().__init__()
            self.result = result
            self.generation = generation

    def __init__(self, *, welcome: Text | None = None, prefill: str = "") -> None:
        super().__init__()
        self.calls: dict[str, CallState] = {}
        self._generation: dict[str, int] = {}
        self._workers: dict[str, Worker[None]] = {}
        self._gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)
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
            with Vertical(id="details"):
                yield CallHeader(id="call-header")
                yield SegmentTable(id="segments")
                yield SegmentDetail(id="segment-detail")
                yield Static(self._welcome or _default_welcome(), id="welcome")
        yield DownloadsPanel(id="downloads")
        yield DownloadDetail(id="download-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show_empty(True)
        self.query_one("#ids", Input).focus()
        interval = self.app.settings.refresh_interval
        self.set_interval(interval, self._refresh_pending, name="auto-refresh")
        self.set_timer(0.05, self._restore_last_session)  # after the first frame

    def on_resize(self) -> None:
        self._show_detail()  # the URL may wrap over fewer lines on a short terminal

    def _show_empty(self, empty: bool) -> None:
        self.query_one("#welcome").display = empty
        for selector in ("#call-header", "#segments", "#segment-detail"):
            self.query_one(selector).display = not empty

    # --- input --------------------------------------------------------------------------

    def action_focus_input(self) -> None:
        self.query_one("#ids", Input).focus()

    @on(Input.Submitted, "#ids")
    def _submitted(self, event: Input.Submitted) -> None:
        found = scan(event.value)
        message = self.query_one("#input-message", Static)
        if not found.ids:
            message.set_classes("-error")
            if found.rejected:
                message.update(Text(f"{printable(found.rejected[0], limit=60)!r} is not a valid call ID: {EXPECTED}."))
            else:
                message.update(Text(f"No call ID found. {EXPECTED[0].upper()}{EXPECTED[1:]}."))
            return
        new, old = new_and_listed(found.ids, self.calls)
        if isinstance(event, CallIdInput.Submitted) and event.continues_paste:  # one paste, one count
            new, old = new + self._last_added[0], old + self._last_added[1]
        self._last_added = (new, old)
        note = counts_note(new, old)
        if found.rejected:
            ignored = ", ".join(repr(printable(t, limit=40)) for t in found.rejected[:3])
            note += f" Ignored {ignored}: not a valid call ID."
        message.set_classes("-warning" if found.rejected else "-info")
        message.update(Text(note))
        self.lookup(found.ids)
        if not event.input.value:  # more typed (the next line of a paste) stays where it goes
            self.query_one(CallList).focus()

    def on_paste(self, event: events.Paste) -> None:
        """A paste anywhere on this screen goes into the call-ID input, every line of it."""
        event.stop()
        ids = self.query_one("#ids", CallIdInput)
        ids.value = ""
        ids.insert_pasted(event.text)
        ids.focus()
        self.call_after_refresh(ids.action_end)  # focusing selects everything; typing on appends

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key == "escape" and isinstance(self.focused, Input):
            event.stop()
            self.query_one(CallList).focus()

    # --- lookups ------------------------------------------------------------------------

    def lookup(self, call_ids: list[str]) -> None:
        """List the calls (new ones appended) and look each of them up; select the first."""
        self._remember_listed(call_ids)
        calls = self.query_one(CallList)
        for call_id in call_ids:
            state = self.calls.setdefault(call_id, CallState(call_id))
            if not state.loading:  # a call pasted twice in a row is looked up once
                self._start_lookup(call_id)
        self._show_empty(False)
        calls.select_call(call_ids[0])
        self._show_selected()

    def _start_lookup(self, call_id: str) -> None:
        state = self.calls[call_id]
        previous = self._workers.get(call_id)
        if previous is not None and previous.is_running:
            previous.cancel()
        generation = self._generation.get(call_id, 0) + 1
        self._generation[call_id] = generation
        state.loading, state.retry = True, None
        self._redraw(call_id)
        self._workers[call_id] = self.run_worker(
            self._lookup_worker(call_id, generation), group="lookup", description=f"lookup {call_id}"
        )

    async def _lookup_worker(self, call_id: str, generation: int) -> None:
        async with self._gate:
            result = await lookup_one(self.app.client, call_id, self.app.history)
        self.post_message(self.LookupFinished(result, generation))

    @on(LookupFinished)
    def _lookup_finished(self, message: LookupFinished) -> None:
        result = message.result
        if self._generation.get(result.call_id) != message.generation:
            return  # a newer lookup of this call has superseded this one
        state = self.calls[result.call_id]
        state.loading, state.retry = False, None
        if result.error is None:
            was_pending = state.has_pending
            state.recordings, state.error, state.cached_at = result.recordings, None, None
            keep_out_of_gc(result.recordings)
            self.app.toasts.resolved(result.call_id)
            if was_pending and not state.has_pending:
                self.app.toasts.show(
                    "synced",
                    f"{short_call_id(result.call_id)}: every segment is synced now.",
                    title="Synced",
                    many="Synced ({count})",
                )
        else:
            state.error = result.error
            if isinstance(result.error, Unauthorized):
                words = rejected_key_message(result.error.status, self.app.resolved.key_source, in_app=True)
                state.error = Unauthorized(words, status=result.error.status)
            self._notify_error(result.call_id, state.error)
        self._redraw(result.call_id)

    def retry_key_failures(self) -> int:
        """Look up again every call that failed for want of a (valid) key; how many."""
        failed = [
            state.call_id
            for state in self.calls.values()
            if state.error is not None and state.error.code in KEY_CODES and not state.loading
        ]
        for call_id in failed:
            self._start_lookup(call_id)
        return len(failed)

    def running_downloads(self) -> list[DownloadItem]:
        """Every download of this session, for quitting to count and remember."""
        return list(self.app.downloads.items.values())

    def _notify_error(self, call_id: str, error: RecBrowserError) -> None:
        """A toast for a failure the user may act on, one per message however many calls it hits.

        That a call has no recording or does not exist is its answer: its row and header say so."""
        if error.code in ANSWERS:
            return
        message = printable(error.message, limit=300)
        self.app.toasts.show(
            f"lookup:{message}",
            message,
            title=f"Call {short_call_id(call_id)}",
            severity="error",
            call_id=call_id,
            many="{count} calls",
        )

    def retrying(self, notice: RetryNotice) -> bool:
        """Show a lookup's coming retry in its row and header; False when it is not about a listed call."""
        state = self.calls.get(notice.call_id or "")
        if state is None or not state.loading:
            return False
        state.retry = RetryState(notice.attempt + 1, notice.max_tries, time.monotonic() + notice.delay)
        self._redraw(state.call_id)
        return True

    @on(Worker.StateChanged)
    def _lookup_failed(self, event: Worker.StateChanged) -> None:
        """A lookup that failed unexpectedly (the app reports it) stops showing "looking up"."""
        if event.state is WorkerState.ERROR:
            for state in self.calls.values():
                if self._workers.get(state.call_id) is event.worker:
                    state.loading = False
                    self._redraw(state.call_id)

    def action_refresh(self) -> None:
        call_id = self.query_one(CallList).current_call_id
        if call_id is None:
            self.notify("No call selected. Press / to enter call IDs.", severity="warning")
            return
        self._start_lookup(call_id)

    def _refresh_pending(self) -> None:
        for state in self.calls.values():
            if state.has_pending and not state.loading:
                self._start_lookup(state.call_id)

    # --- showing ----------------------------------------------------------------------

    def _redraw(self, call_id: str) -> None:
        self.query_one(CallList).upsert(self.calls[call_id])
        if self.query_one(CallList).current_call_id == call_id:
            self._show_selected()

    def _show_selected(self) -> None:
        state = self.selected_call
        self.query_one(CallHeader).show(state)
        table = self.query_one(SegmentTable)
        table.show(state)
        table.loading = state is not None and state.loading and state.recordings is None
        self._show_detail()

    @on(OptionList.OptionHighlighted, "#calls")
    def _call_highlighted(self) -> None:
        self._show_selected()

    @on(OptionList.OptionSelected, "#calls")
    def _call_selected(self) -> None:
        self.query_one(SegmentTable).focus()

    @on(DataTable.RowHighlighted, "#segments")
    def _segment_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        hidden = self.query_one(SegmentTable).hidden_at_cursor
        self.query_one(SegmentDetail).show(self.selected_segment, hidden=hidden)

    @on(DataTable.RowSelected, "#segments")
    def _segment_chosen(self) -> None:
        self.action_open()

    @property
    def selected_call(self) -> CallState | None:
        call_id = self.query_one(CallList).current_call_id
        return self.calls.get(call_id) if call_id else None

    @property
    def selected_segment(self) -> Segment | None:
        state = self.selected_call
        if state is None or state.recordings is None or not state.recordings.segments:
            return None
        row = self.query_one(SegmentTable).cursor_row
        segments = state.recordings.segments
        return segments[row] if 0 <= row < min(len(segments), SHOWN_ROWS) else None

    # --- history ---------------------------------------------------------------------

    @work(thread=True, group="history-read")
    def _restore_last_session(self) -> None:
        """List the calls of the last session again, from the cache (no network)."""
        history = self.app.history
        call_ids = history.last_session_call_ids()
        if not call_ids:
            return
        history.add_to_session(call_ids)  # still listed, so still part of the next "last session"
        restored = [self._cached_state(call_id) for call_id in call_ids]
        self.app.call_from_thread(self._add_states, restored, None)

    @work(thread=True, group="history-write")
    def _remember_listed(self, call_ids: list[str]) -> None:
        self.app.history.add_to_session(call_ids, at=time.time())

    def _cached_state(self, call_id: str) -> CallState:
        """A call's state from the history (runs in a thread: reads the database and the disk)."""
        state = CallState(call_id)
        cached = self.app.history.cached(call_id)
        if cached is not None:
            state.recordings, state.cached_at = cached.recordings, cached.fetched_at
        state.local_files = {i: p for i, p in self.app.history.downloads(call_id).items() if Path(p).exists()}
        entry = self.app.history.get(call_id)
        state.error = last_outcome_error(entry.outcome if entry is not None else None)
        return state

    def _add_states(self, states: list[CallState], select: str | None) -> None:
        for state in states:
            keep_out_of_gc(state.recordings)
            if state.call_id not in self.calls:
                self.calls[state.call_id] = state
            elif state.recordings is not None and self.calls[state.call_id].recordings is None:
                current = self.calls[state.call_id]
                current.recordings, current.cached_at = state.recordings, state.cached_at
            self.query_one(CallList).upsert(self.calls[state.call_id])
        self._show_empty(False)
        if select is not None:
            self.query_one(CallList).select_call(select)
        elif self.query_one(CallList).highlighted is None:
            self.query_one(CallList).highlighted = 0
        self._show_selected()

    def action_history(self) -> None:
        from recbrowser.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(), self._history_chosen)

    def _history_chosen(self, call_id: str | None) -> None:
        if call_id is not None:
            self._show_from_history(call_id)

    @work(thread=True, group="history-read")
    def _show_from_history(self, call_id: str) -> None:
        state = self._cached_state(call_id)
        self.app.call_from_thread(self._shown_from_history, state)

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
        segment = self.selected_segment
        state = self.selected_call
        if segment is None or state is None:
            self.notify("No segment selected.", severity="warning")
            return
        local = state.local_files.get(segment.index)
        if local and Path(local).exists():
            target = local
        elif not segment.url:
            self.notify("This segment has no URL to open.", severity="warning")
            return
        elif not is_web_url(segment.url):
            self.notify(
                f"Not opening {printable(segment.url, limit=60)}: only http and https links from the API are opened.",
                severity="warning",
                markup=False,
            )
            return
        else:
            target = segment.url
        self._open(target, f"segment {segment.index} ({printable(segment.friendly_label, limit=30)})")

    @work(thread=True, group="open")
    def _open(self, target: str, what: str) -> None:
        try:
            argv = player_command(target)
            if argv is not None:
                launch_checked(argv)  # a player that fails within a second is said with its own words
                opened = True
            else:
                url = Path(target).as_uri() if Path(target).is_absolute() else target
                browser = webbrowser.get()
                if runs_in_terminal(browser):
                    self.app.call_from_thread(self._open_in_terminal, browser, url, what)
                    return
                opened = browser.open(url)
        except PlayerError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        except webbrowser.Error:
            opened = False
        self.app.call_from_thread(self._opened, opened, what)

    def _open_in_terminal(self, browser: webbrowser.BaseBrowser, url: str, what: str) -> None:
        """Run a terminal browser (lynx, w3m…) with the app suspended, so they do not share the screen."""
        try:
            with self.app.suspend():
                opened = browser.open(url)
        except SuspendNotSupported:
            self.notify(
                "The system opener needs this terminal, which the app cannot hand over here. "
                "Set RECBROWSER_PLAYER, e.g. 'mpv --no-video {}'.",
                severity="warning",
                markup=False,
            )
            return
        self._opened(opened, what)

    def _opened(self, opened: bool, what: str) -> None:
        if opened:
            self.notify(f"Opening {what}.", markup=False)
        else:
            self.notify(
                "No player found. Set RECBROWSER_PLAYER, e.g. 'mpv --no-video {}'.", severity="warning", markup=False
            )

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
            return _segments_of(self.calls.values())
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
        state = self.calls.get(item.call_id)
        if item.state in (DONE, SKIPPED) and item.path is not None:
            if state is not None:
                state.local_files[item.segment.index] = str(item.path)
                if self.selected_call is state:
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
            self.app.call_from_thread(self.notify, exc.message, severity="warning", markup=False)
            return
        self.app.call_from_thread(self.notify, f"URL of segment {index}: {copied.message}", markup=False)

    def action_key(self) -> None:
        self.app.ask_for_key()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(self)))


def _segments_of(states: Iterable[CallState]) -> list[tuple[str, Segment]]:
    return [(state.call_id, s) for state in states if state.recordings is not None for s in state.recordings.segments]


def _default_welcome() -> Text:
    return Text.assemble(
        ("Welcome to recbrowser.\n\n", "bold"),
        "Paste one or more Magpipe call IDs above — or any text that holds them, such as a dashboard "
        "URL or a log line — and press Enter.\n\nPress ? for every key.",
    )
