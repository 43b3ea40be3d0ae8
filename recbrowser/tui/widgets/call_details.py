"""The selected call's side: its one-line header, its segments, the highlighted segment's
detail, and the welcome text before any call is listed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from recbrowser.callstate import CallState
from recbrowser.models import Segment
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.segment_table import SHOWN_ROWS, SegmentDetail, SegmentTable


class CallDetails(Vertical):
    """Shows one call (``show``); the welcome while there is none to show."""

    def __init__(self, welcome: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._welcome = welcome
        self._state: CallState | None = None

    def compose(self) -> ComposeResult:
        yield CallHeader(id="call-header")
        yield SegmentTable(id="segments")
        yield SegmentDetail(id="segment-detail")
        yield Static(self._welcome, id="welcome")

    def show_empty(self, empty: bool) -> None:
        self.query_one("#welcome").display = empty
        for selector in ("#call-header", "#segments", "#segment-detail"):
            self.query_one(selector).display = not empty

    def show(self, state: CallState | None) -> None:
        """Show ``state`` (again, after it changed): header, segments, the highlighted one's detail."""
        self._state = state
        self.query_one(CallHeader).show(state)
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
