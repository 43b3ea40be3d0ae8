"""The segments of one call, as a table, plus a detail line for the highlighted one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.timer import Timer
from textual.widgets import DataTable, Static

from recbrowser.callstate import CallState
from recbrowser.formatting import local_zone, plural
from recbrowser.models import Segment
from recbrowser.text import printable
from recbrowser.tui.cells import natural_widths, segment_cells
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.fit import drop, ellipsize_middle, fit_columns, shrink
from recbrowser.tui.safe import guarded

# "File" (downloaded or not) before Source and Created, so it stays in view at 80 columns.
COLUMNS = ("#", "Status", "Label", "Length", "File", "Source", "Created")

SACRIFICES = (
    shrink("File", 16),
    shrink("Label", 20),
    drop("Source"),
    drop("Created"),
    shrink("File", 6),
    shrink("Label", 10),
    shrink("File", 4),
    shrink("Label", 6),
    shrink("Status", 8),
)
"""What gives way when the columns are wider than the table, least useful first (see ``fit_columns``)."""

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
        Text(plural(hidden, "more segment", thousands=True), style="italic"),
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
    """One row per segment (the row key is its 1-based index), at most SHOWN_ROWS of them.

    The columns are fitted to the width on every change of rows or size (see ``fit``): the
    least useful are shortened (ellipsized) or dropped first, so nothing is clipped at the edge."""

    DEFAULT_CSS = """
    SegmentTable { height: 1fr; }
    """

    hidden = 0
    """How many segments of the shown call are beyond SHOWN_ROWS (not listed)."""
    _rest_timer: Timer | None = None
    _cursor_wanted: int | None = None
    _fitted_for: tuple[int, bool] | None = None
    _layouts = 0

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self._state: CallState | None = None
        self._segments: Sequence[Segment] = []
        self._natural: dict[str, int] = {}
        self._headers = column_headers()
        self._layout()

    def show(self, state: CallState | None) -> None:
        """Replace the rows with this call's segments, keeping the cursor on the same row.

        The first BATCH_ROWS rows are added at once, the rest (up to SHOWN_ROWS) in batches
        from REST_AFTER seconds later, unless another call is shown by then."""
        previous = self.cursor_row
        self.hidden = 0
        self._state = state
        self._segments = []
        widths = [header.cell_len for header in self._headers]
        if state is not None and state.recordings is not None:
            segments = state.recordings.segments
            self._segments = segments[:SHOWN_ROWS]
            widths = [
                max(pair) for pair in zip(widths, natural_widths(self._segments, state.local_files), strict=False)
            ]
            if len(segments) > SHOWN_ROWS:
                self.hidden = len(segments) - SHOWN_ROWS
                widths = [max(w, cell.cell_len) for w, cell in zip(widths, more_cells(self.hidden), strict=False)]
        self._natural = dict(zip(COLUMNS, widths, strict=False))
        self._cursor_wanted = max(previous, 0) if self._segments else None
        self._layout(REST_AFTER)

    @property
    def _row_total(self) -> int:
        return len(self._segments) + (1 if self.hidden else 0)

    def on_resize(self) -> None:
        if self._fitted_for != self._room():
            self._cursor_wanted = max(self.cursor_row, 0) if self._segments else None
            self._layout()
        elif self.row_count:
            # Shorter (a longer detail line below): keep the highlighted row in view.
            self.call_after_refresh(self.move_cursor, row=self.cursor_row)

    def _room(self) -> tuple[int, bool]:
        """The width the columns may take, and whether a vertical scrollbar takes part of it."""
        scrolls = self._row_total > max(0, self.size.height - self.header_height)
        width = self.size.width - (self.styles.scrollbar_size_vertical if scrolls else 0)
        return width, scrolls

    def _layout(self, then: float = BATCH_EVERY) -> None:
        """Fit the columns to the width, then add the rows again (the first batch at once)."""
        if self._rest_timer is not None:
            self._rest_timer.stop()
            self._rest_timer = None
        self._layouts += 1  # a batch whose timer had already fired is for the rows cleared here
        room = self._room()
        self._fitted_for = room
        natural = self._natural or {name: header.cell_len for name, header in zip(COLUMNS, self._headers, strict=False)}
        widths = fit_columns(natural, room[0], SACRIFICES, padding=2 * self.cell_padding) if room[0] > 0 else natural
        self.clear(columns=True)
        for name, width in widths.items():
            self.add_column(self._headers[COLUMNS.index(name)], width=width, key=name)
        self._shown_columns = [COLUMNS.index(name) for name in widths]
        if self._segments:
            self._add_rows(0, then)

    def _add_rows(self, start: int, then: float = BATCH_EVERY, layout: int | None = None) -> None:
        """Add a batch of rows from ``start``; the next one ``then`` seconds later, until all are in.
        ``layout``: the layout the batch is for; none when the table was laid out again since."""
        if layout is not None and layout != self._layouts:
            return
        self._rest_timer = None
        state = self._state
        assert state is not None
        end = min(start + BATCH_ROWS, len(self._segments))
        failures: list[BaseException] = []
        for segment in self._segments[start:end]:
            self._add_row(str(segment.index), segment_cells(segment, state.local_files.get(segment.index), failures))
        if failures:
            self.post_message(DisplayFailed(failures, where="segments table"))
        done = end >= len(self._segments)
        if done and self.hidden:
            self._add_row(MORE_KEY, more_cells(self.hidden))
        if self._cursor_wanted is not None and self.row_count and (self._cursor_wanted < self.row_count or done):
            if self._cursor_wanted != self.cursor_row:
                self.move_cursor(row=min(self._cursor_wanted, self.row_count - 1))
            self._cursor_wanted = None
        if not done:
            layout = self._layouts
            self._rest_timer = self.set_timer(then, lambda: self._add_rows(end, layout=layout))

    def _add_row(self, key: str, cells: tuple[Text, ...]) -> None:
        for cell in cells:
            cell.no_wrap, cell.overflow = True, "ellipsis"  # cut to the fitted width with "…"
        self.add_row(*(cells[i] for i in self._shown_columns), key=key)

    @property
    def hidden_at_cursor(self) -> int:
        """The number of unlisted segments when the cursor is on the last ("more") row, else 0."""
        return self.hidden if self.hidden and self.cursor_row == SHOWN_ROWS else 0


def column_headers() -> tuple[Text, ...]:
    """The column titles; Created names the local time zone its times are in."""
    return tuple(
        Text(
            f"Created ({zone})" if name == "Created" and (zone := local_zone()) else name,
            overflow="ellipsis",
            no_wrap=True,
        )
        for name in COLUMNS
    )


PENDING_NOTES = (
    "Pending: the provider's URL may expire; recbrowser looks again until it is synced.",
    "Pending: this URL may expire; looked up again until synced.",
    "Pending: URL may expire; looked up until synced.",
    "Pending: the URL may expire.",
)
URL_LINES = 3
"""Lines the URL may wrap over (2 on terminals under VERY_SHORT rows); a longer URL is shortened in the middle."""
VERY_SHORT = 22
SHORTENED = " (c copies it whole)"


def detail_text(segment: Segment | None, width: int = 0, *, url_lines: int = URL_LINES) -> Text:
    """The URL wrapped at ``width`` (0: unbounded) over at most ``url_lines`` lines, then what pending means."""
    if segment is None:
        return Text("")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("URL ", style="bold")
    url = printable(segment.url or "— (the API gave no URL)")
    if width > 0:
        room = width * url_lines - len("URL ")
        if cell_len(url) > room:
            url = ellipsize_middle(url, max(1, room - len(SHORTENED))) + SHORTENED
        text.append(url)
        text = Text("\n").join(text.divide(range(width, cell_len(text.plain), width)))
        text.no_wrap, text.overflow = True, "ellipsis"
    else:
        text.append(url)
    if segment.is_pending:
        note = next((n for n in PENDING_NOTES if width <= 0 or cell_len(n) <= width), PENDING_NOTES[-1])
        text.append("\n")
        text.append(note, style="yellow")
    return text


class SegmentDetail(Static):
    """The full URL of the highlighted segment, and what its status means."""

    DEFAULT_CSS = """
    SegmentDetail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    _segment: Segment | None = None
    _hidden = 0

    def show(self, segment: Segment | None, *, hidden: int = 0) -> None:
        """The segment's URL; with no segment but ``hidden`` ones (the table's last row), what to do about them."""
        self._segment, self._hidden = segment, hidden
        if segment is None and hidden:
            self.update(more_text(hidden))
            return
        failures: list[BaseException] = []
        width = self.content_size.width or max(0, self.app.size.width - 40)
        url_lines = URL_LINES - 1 if self.app.size.height < VERY_SHORT else URL_LINES
        self.update(guarded(lambda: detail_text(segment, width, url_lines=url_lines), failures))
        if failures:
            self.post_message(DisplayFailed(failures, where="segment detail"))

    def on_resize(self) -> None:
        self.show(self._segment, hidden=self._hidden)
