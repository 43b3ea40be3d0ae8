"""The selected call's side: its one-line header, its details (get-call), its segments, the
highlighted segment's detail, its transcript, and the welcome text before any call is listed;
opening and copying the selected segment."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from recbrowser.callstate import CallState
from recbrowser.clipboard import copy_text
from recbrowser.errors import ClipboardUnavailable
from recbrowser.models import Segment
from recbrowser.player import NEEDS_TERMINAL, InTerminal, Said, open_segment, opened
from recbrowser.tui.failure import Failure
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.call_info import CallInfo
from recbrowser.tui.widgets.playback_bar import PlaybackBar
from recbrowser.tui.widgets.segment_table import SHOWN_ROWS, SegmentDetail, SegmentTable
from recbrowser.tui.widgets.transcript import TranscriptPane


class CallDetails(Vertical):
    """Shows one call (``show``); the welcome while there is none to show."""

    def __init__(self, welcome: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._welcome = welcome
        self._state: CallState | None = None

    def compose(self) -> ComposeResult:
        yield CallHeader(id="call-header")
        yield CallInfo(id="call-info")
        yield SegmentTable(id="segments")
        yield SegmentDetail(id="segment-detail")
        yield PlaybackBar(id="playback-bar")
        yield TranscriptPane(id="transcript-pane")
        yield Static(self._welcome, id="welcome")

    def show_empty(self, empty: bool) -> None:
        self.query_one("#welcome").display = empty
        for selector in ("#call-header", "#call-info", "#segments", "#segment-detail", "#transcript-pane"):
            self.query_one(selector).display = not empty

    def show(self, state: CallState | None) -> None:
        """Show ``state`` (again, after it changed): header, segments, the highlighted one's detail."""
        self._state = state
        self.query_one(CallHeader).show(state)
        self.query_one(CallInfo).show(state)
        self.query_one(TranscriptPane).show(state)
        table = self.query_one(SegmentTable)
        table.show(state)
        table.loading = state is not None and state.loading and state.recordings is None
        self.show_detail()

    @property
    def selected_segment(self) -> Segment | None:
        """The segment under the table's cursor, among those the table lists."""
        state = self._state
        if state is None or state.recordings is None or not state.recordings.segments:
            return None
        row = self.query_one(SegmentTable).cursor_row
        segments = state.recordings.segments
        return segments[row] if 0 <= row < min(len(segments), SHOWN_ROWS) else None

    @on(DataTable.RowHighlighted, "#segments")
    def show_detail(self) -> None:
        hidden = self.query_one(SegmentTable).hidden_at_cursor
        self.query_one(SegmentDetail).show(self.selected_segment, hidden=hidden)

    # --- open and copy ----------------------------------------------------------------

    @on(DataTable.RowSelected, "#segments")
    def open_selected(self) -> None:
        """Play the selected segment: its downloaded file when there is one, else its URL."""
        segment, state = self.selected_segment, self._state
        if segment is None or state is None:
            self.notify("No segment selected.", severity="warning")
            return
        play_in_app = getattr(self.app, "play_in_app", None)  # mpv inside the app when it can
        if play_in_app is not None and play_in_app(state, self.query_one(SegmentTable).cursor_row):
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

    def copy_selected(self) -> None:
        """Copy the selected segment's URL to the clipboard."""
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
