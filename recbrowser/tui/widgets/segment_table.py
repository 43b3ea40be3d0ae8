"""The segments of one call, as a table, plus a detail line for the highlighted one."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import DataTable, Static

from recbrowser.models import Segment
from recbrowser.text import printable
from recbrowser.tui.cells import segment_cells
from recbrowser.tui.safe import guarded
from recbrowser.tui.state import CallState

# "File" (downloaded or not) before Source and Created, so it stays in view at 80 columns.
COLUMNS = ("#", "Status", "Label", "Length", "File", "Source", "Created")

SHOWN_ROWS = 500
"""At most this many segments are listed; beyond, one last row says how many more there are.
(A DataTable of 100,000 rows took seconds to build on every call switch.)"""

BATCH_ROWS = 50  # enough to fill a tall terminal: the first batch is added at once, so a switch paints at once
REST_AFTER = 0.3
"""Seconds after a switch before the rest (up to SHOWN_ROWS) is added, a batch per BATCH_EVERY:
every change to a DataTable re-renders its visible rows, so holding a key to run through the
calls only ever pays for one batch, and no later batch stalls the app for long."""
BATCH_EVERY = 0.05

MORE_KEY = "more"


def more_cells(hidden: int) -> tuple[Text, ...]:
    """The last row of a capped table: how many segments are not listed."""
    return (
        Text("…", style="dim"),
        Text(""),
        Text(f"{hidden:,} more segment{'s' if hidden != 1 else ''}", style="italic"),
        Text(""),
        Text("D: all", style="dim"),
        Text(""),
        Text(""),
    )


def more_text(hidden: int) -> Text:
    """The detail line under a capped table's last row."""
    return Text(
        f"{hidden:,} more segments are not listed here: D downloads every segment of the call, "
        "and `recbrowser lookup --json CALL_ID` lists them all.",
        style="italic",
    )


class SegmentTable(DataTable):
    """One row per segment (the row key is its 1-based index), at most SHOWN_ROWS of them."""

    DEFAULT_CSS = """
    SegmentTable { height: 1fr; }
    """

    hidden = 0
    """How many segments of the shown call are beyond SHOWN_ROWS (not listed)."""
    _rest_timer: Timer | None = None
    _cursor_wanted: int | None = None

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*COLUMNS)

    def show(self, state: CallState | None) -> None:
        """Replace the rows with this call's segments, keeping the cursor on the same row.

        The first BATCH_ROWS rows are added at once, the rest (up to SHOWN_ROWS) in batches
        from REST_AFTER seconds later, unless another call is shown by then."""
        previous = self.cursor_row
        self.clear()
        self.hidden = 0
        if self._rest_timer is not None:
            self._rest_timer.stop()
            self._rest_timer = None
        if state is None or state.recordings is None:
            return
        self._cursor_wanted = max(previous, 0)
        self._add_rows(state, 0, REST_AFTER)

    def _add_rows(self, state: CallState, start: int, then: float = BATCH_EVERY) -> None:
        """Add a batch of rows from ``start``; the next one ``then`` seconds later, until all are in."""
        self._rest_timer = None
        assert state.recordings is not None
        segments = state.recordings.segments
        end = min(start + BATCH_ROWS, len(segments), SHOWN_ROWS)
        failures: list[BaseException] = []
        for segment in segments[start:end]:
            self.add_row(*segment_cells(segment, state.local_files.get(segment.index), failures), key=str(segment.index))
        if failures:
            self.app.log_display_errors(failures, where="segments table")
        done = end >= min(len(segments), SHOWN_ROWS)
        if done and len(segments) > SHOWN_ROWS:
            self.hidden = len(segments) - SHOWN_ROWS
            self.add_row(*more_cells(self.hidden), key=MORE_KEY)
        if self._cursor_wanted is not None and self.row_count and (self._cursor_wanted < self.row_count or done):
            if self._cursor_wanted != self.cursor_row:
                self.move_cursor(row=min(self._cursor_wanted, self.row_count - 1))
            self._cursor_wanted = None
        if not done:
            self._rest_timer = self.set_timer(then, lambda: self._add_rows(state, end))

    @property
    def hidden_at_cursor(self) -> int:
        """The number of unlisted segments when the cursor is on the last ("more") row, else 0."""
        return self.hidden if self.hidden and self.cursor_row == SHOWN_ROWS else 0


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

    def show(self, segment: Segment | None, *, hidden: int = 0) -> None:
        """The segment's URL; with no segment but ``hidden`` ones (the table's last row), what to do about them."""
        if segment is None and hidden:
            self.update(more_text(hidden))
            return
        failures: list[BaseException] = []
        self.update(guarded(lambda: detail_text(segment), failures))
        if failures:
            self.app.log_display_errors(failures, where="segment detail")
