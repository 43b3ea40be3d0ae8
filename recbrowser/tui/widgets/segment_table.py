"""The segments of one call, as a table, plus a detail line for the highlighted one."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static

from recbrowser.models import Segment
from recbrowser.text import printable
from recbrowser.tui.cells import segment_cells
from recbrowser.tui.safe import guarded
from recbrowser.tui.state import CallState

# "File" (downloaded or not) before Source and Created, so it stays in view at 80 columns.
COLUMNS = ("#", "Status", "Label", "Length", "File", "Source", "Created")


class SegmentTable(DataTable):
    """One row per segment; the row key is the segment's 1-based index."""

    DEFAULT_CSS = """
    SegmentTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*COLUMNS)

    def show(self, state: CallState | None) -> None:
        """Replace the rows with this call's segments, keeping the cursor on the same row."""
        previous = self.cursor_row
        self.clear()
        if state is None or state.recordings is None:
            return
        failures: list[BaseException] = []
        for segment in state.recordings.segments:
            self.add_row(*segment_cells(segment, state.local_files.get(segment.index), failures), key=str(segment.index))
        if failures:
            self.app.log_display_errors(failures, where="segments table")
        if self.row_count:
            self.move_cursor(row=min(max(previous, 0), self.row_count - 1))


def detail_text(segment: Segment | None) -> Text:
    if segment is None:
        return Text("")
    text = Text()
    text.append("URL ", style="bold")
    text.append(printable(segment.url or "— (the API gave no URL)"))
    if segment.is_pending:
        text.append("\n")
        text.append("Pending: the provider's URL may expire; recbrowser looks again until it is synced.", style="yellow")
    return text


class SegmentDetail(Static):
    """The full URL of the highlighted segment, and what its status means."""

    DEFAULT_CSS = """
    SegmentDetail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """

    def show(self, segment: Segment | None) -> None:
        failures: list[BaseException] = []
        self.update(guarded(lambda: detail_text(segment), failures))
        if failures:
            self.app.log_display_errors(failures, where="segment detail")
