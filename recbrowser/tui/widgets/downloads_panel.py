"""The downloads panel: a view of the app's download queue, one row per file with a progress
bar, bytes, speed, ETA and state. The queue (``recbrowser.download_queue``) does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, Static

from recbrowser.download_queue import Change, DownloadQueue, item_key
from recbrowser.downloads import DownloadItem
from recbrowser.tui.download_cells import (
    BAR_WIDTH,
    bar,
    bytes_text,
    detail_line,
    eta_text,
    file_name,
    percent,
    speed_text,
    state_text,
)
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.fit import drop, fit_columns, shrink
from recbrowser.tui.safe import guarded

if TYPE_CHECKING:
    from recbrowser.tui.app import RecBrowserApp

PROGRESS_EVERY = 0.25  # seconds between redraws of the live rows (progress is polled, not pushed)

COLUMNS = ("File", "%", "Progress", "Bytes", "Speed", "ETA", "State")
WIDTHS = {"%": 4, "Progress": BAR_WIDTH, "Bytes": 21, "Speed": 12, "ETA": 6, "State": 9}
"""Every column but File has a width of its own, so a tick of progress never moves the columns."""
RIGHT = {"%", "Bytes", "Speed", "ETA"}
SACRIFICES = (
    drop("Progress"),  # the percentage says as much
    shrink("File", 24),
    drop("ETA"),
    drop("Speed"),
    shrink("File", 12),
    drop("Bytes"),
    shrink("File", 6),
)
"""What gives way on a narrow terminal, least useful first; the State column always stays."""


class DownloadDetail(Static):
    """The highlighted download's full state and path, shown while the downloads panel has focus."""

    DEFAULT_CSS = """
    DownloadDetail { height: 1; padding: 0 1; color: $text-muted; display: none; text-wrap: nowrap; text-overflow: ellipsis; }
    """


class DownloadsPanel(DataTable):
    """Every download of this session (the app's queue); ``x`` cancels the highlighted one."""

    app: RecBrowserApp

    class Finished(Message):
        """One file is done, skipped, failed or cancelled."""

        def __init__(self, item: DownloadItem) -> None:
            super().__init__()
            self.item = item

    DEFAULT_CSS = """
    DownloadsPanel { height: auto; max-height: 8; border-top: solid $primary 40%; }
    DownloadsPanel:focus { border-top: solid $primary; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.queue: DownloadQueue = self.app.downloads
        self._file_width = len("File")
        self._fitted_for: int | None = None
        self._layout()
        self.display = False
        self._ticker = self.set_interval(PROGRESS_EVERY, self._tick, pause=True, name="download-progress")
        self.queue.subscribe(self._queue_changed)

    def _queue_changed(self, change: Change, item: DownloadItem) -> None:
        """The queue calls this on the event loop (it runs in this app's workers)."""
        if change == "added":
            self._ticker.resume()
            self.track(item)
            return
        self.refresh_row_of(item)
        if change == "finished":
            self.post_message(self.Finished(item))

    async def on_unmount(self) -> None:
        """Quitting: every transfer is told to stop, and given a moment to (``DownloadQueue.stop``)."""
        await self.queue.stop()

    def _tick(self) -> None:
        self.refresh_all()
        if not self.queue.busy():
            self._ticker.pause()

    def track(self, item: DownloadItem) -> None:
        """Show ``item``'s row: a new one, or the row of an earlier download of the same segment."""
        key = item_key(item)
        if key in self.rows:
            self.refresh_row_of(item)
            return
        name_width = cell_len(file_name(item))
        if name_width > self._file_width:
            self._file_width = name_width
            self._fitted_for = None  # fitted again once this batch is tracked (see _tick and on_resize)
            self.call_after_refresh(self._refit)
        self.add_row(*self._cells(item), key=key)
        self.display = True

    def refresh_row_of(self, item: DownloadItem) -> None:
        key = item_key(item)
        if key not in self.rows:
            return
        for column, cell in zip(self.columns.keys(), self._cells(item), strict=False):
            self.update_cell(key, column, cell)
        if self.has_focus and self.highlighted_item() is item:
            self._show_detail()

    def refresh_all(self) -> None:
        for item in self.queue.items.values():
            self.refresh_row_of(item)

    # --- fitting the columns to the width --------------------------------------------------

    def _room(self) -> int:
        """The width the columns may take: the panel's, less a vertical scrollbar once rows overflow."""
        height = self.scrollable_content_region.height
        scrolls = height > 0 and len(self.queue.items) + self.header_height > height
        return self.size.width - (self.styles.scrollbar_size_vertical if scrolls else 0)

    def on_resize(self) -> None:
        self._refit()

    def _refit(self) -> None:
        if self._fitted_for != self._room():
            self._layout()

    def _layout(self) -> None:
        """Fit the columns to the width and add every row again (on a resize, or a longer file name)."""
        room = self._room()
        self._fitted_for = room
        natural = {"File": self._file_width, **WIDTHS}
        widths = fit_columns(natural, room, SACRIFICES, padding=2 * self.cell_padding) if room > 0 else natural
        cursor = self.cursor_row
        self.clear(columns=True)
        for name, width in widths.items():
            self.add_column(Text(name, justify="right" if name in RIGHT else "left"), width=width, key=name)
        for key, item in self.queue.items.items():
            self.add_row(*self._cells(item), key=key)
        if 0 < cursor < self.row_count:
            self.move_cursor(row=cursor)

    # --- the detail line ----------------------------------------------------------------------

    def on_focus(self) -> None:
        self._show_detail()

    def on_blur(self) -> None:
        for detail in self.screen.query(DownloadDetail):
            detail.display = False

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.has_focus:
            self._show_detail()

    def _show_detail(self) -> None:
        item = self.highlighted_item()
        for detail in self.screen.query(DownloadDetail):
            detail.display = item is not None
            if item is not None:
                average = self.queue.average_speed(item)
                detail.update(guarded(lambda: detail_line(item, average)))  # noqa: B023 - called at once

    def highlighted_item(self) -> DownloadItem | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.queue.items.get(key) if key else None

    def _cells(self, item: DownloadItem) -> tuple[Text, ...]:
        """The row's cells for the columns shown; one that cannot be formatted is "?" (and logged), never an error."""
        builders = {
            "File": lambda: Text(file_name(item)),
            "%": lambda: percent(item),
            "Progress": lambda: bar(item),
            "Bytes": lambda: bytes_text(item),
            "Speed": lambda: speed_text(item, self.queue.average_speed(item)),
            "ETA": lambda: eta_text(item),
            "State": lambda: state_text(item),
        }
        failures: list[BaseException] = []
        cells = tuple(guarded(builders[str(key.value)], failures) for key in self.columns)
        for cell in cells:
            cell.no_wrap, cell.overflow = True, "ellipsis"
        if failures:
            self.post_message(DisplayFailed(failures, where="downloads panel"))
        return cells
