"""The downloads panel: it queues downloads, runs them in a worker group of their own, and
shows one row per file with a progress bar, bytes, speed, ETA and state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, Static

from recbrowser.downloads import (
    ACTIVE,
    CANCELLED,
    DEFAULT_JOBS,
    DONE,
    FAILED,
    QUEUED,
    SKIPPED,
    DownloadItem,
    run_downloads,
    unexpected_failure,
)
from recbrowser.errors import Cancelled
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, TemplateError, plan
from recbrowser.progress import Transfer, human_bytes, human_eta
from recbrowser.settings import display_path
from recbrowser.text import printable
from recbrowser.threads import DaemonThreads
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.fit import drop, fit_columns, shrink
from recbrowser.tui.safe import guarded

if TYPE_CHECKING:
    from recbrowser.client import MagpipeClient
    from recbrowser.history import HistoryStore

PROGRESS_EVERY = 0.25  # seconds between redraws of the live rows (progress is polled, not pushed)
QUIT_GRACE = 2.0  # seconds quitting waits for cancelled transfers to stop; their threads never hold the process

BAR_WIDTH = 12
STATE_STYLE = {QUEUED: "dim", ACTIVE: "cyan", DONE: "green", SKIPPED: "green", FAILED: "red", CANCELLED: "yellow"}
STATE_WORD = {SKIPPED: "skipped"}  # the others are their own word: queued, active, done, failed, cancelled

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


def fraction_of(item: DownloadItem) -> float:
    transfer = item.transfer
    if item.state in (DONE, SKIPPED):
        return 1.0
    if transfer.total:
        return min(1.0, transfer.done / transfer.total)
    return 0.0


def bar(item: DownloadItem) -> Text:
    filled = round(fraction_of(item) * BAR_WIDTH)
    text = Text("█" * filled, style=STATE_STYLE.get(item.state, ""))
    text.append("░" * (BAR_WIDTH - filled), style="dim")
    return text


def percent(item: DownloadItem) -> Text:
    return Text(f"{fraction_of(item) * 100:3.0f}%", justify="right")


def state_text(item: DownloadItem) -> Text:
    """One short word; the full message is in the detail line (``detail_line``)."""
    return Text(STATE_WORD.get(item.state, item.state), style=STATE_STYLE.get(item.state, ""))


def average_speed(transfer: Transfer, finished_at: float | None) -> float | None:
    """Bytes per second of a finished transfer (resumed bytes excluded); None when nothing was fetched."""
    if finished_at is None:
        return None
    elapsed = finished_at - transfer.started
    fetched = transfer.done - transfer.resumed_from
    return fetched / elapsed if elapsed > 0 and fetched > 0 else None


def speed_text(item: DownloadItem, finished_at: float | None) -> Text:
    """The current speed while active; once done, the average over the transfer."""
    if item.state == ACTIVE and item.transfer.speed:
        return Text(f"{human_bytes(item.transfer.speed)}/s", justify="right")
    average = average_speed(item.transfer, finished_at) if item.state == DONE else None
    if average:
        return Text(f"{human_bytes(average)}/s", style="dim", justify="right")
    return Text("—", style="dim", justify="right")


def file_name(item: DownloadItem) -> str:
    return f"{item.call_id[:8]}…/{printable((item.path or item.planned.path).name, limit=40)}"


def detail_line(item: DownloadItem, finished_at: float | None = None) -> Text:
    """Everything about one download on one line: where it goes and its whole message."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"#{item.segment.index} ", style="dim")
    text.append(STATE_WORD.get(item.state, item.state), style=STATE_STYLE.get(item.state, ""))
    if item.state in (FAILED, CANCELLED) and item.error is not None:
        text.append(f": {printable(item.error.message, limit=200)}")
    elif item.state == SKIPPED:
        text.append(": already complete")
    elif item.state == DONE:
        text.append(f": {human_bytes(item.transfer.done)}")
        average = average_speed(item.transfer, finished_at)
        if average:
            text.append(f" at {human_bytes(average)}/s")
    text.append(f"  → {printable(display_path(item.path or item.planned.path), limit=200)}", style="dim")
    return text


class DownloadDetail(Static):
    """The highlighted download's full state and path, shown while the downloads panel has focus."""

    DEFAULT_CSS = """
    DownloadDetail { height: 1; padding: 0 1; color: $text-muted; display: none; text-wrap: nowrap; text-overflow: ellipsis; }
    """


class DownloadsPanel(DataTable):
    """Every download of this session; ``x`` cancels the highlighted one."""

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
        self.items: dict[str, DownloadItem] = {}
        self._finished_at: dict[str, float] = {}  # for the average speed of a finished file
        self._file_width = len("File")
        self._fitted_for: int | None = None
        self._layout()
        self.display = False
        self._gate = asyncio.Semaphore(DEFAULT_JOBS)  # one bound for every batch
        self._threads = DaemonThreads()
        self._in_flight: set[str] = set()  # handed to run_downloads and not yet given back (even if cancelled)
        self._ticker = self.set_interval(PROGRESS_EVERY, self._tick, pause=True, name="download-progress")

    def enqueue(
        self,
        wanted: Sequence[tuple[str, Segment]],
        directory: Path,
        *,
        client: MagpipeClient,
        history: HistoryStore | None = None,
        records: Path | None = None,
    ) -> int:
        """Start downloading these segments (skipping those already queued or running); how many.

        ``records``: where completed downloads are recorded (default: the platform's state dir)."""
        items = []
        for call_id, segment in wanted:
            key = f"{call_id}:{segment.index}"
            if key in self._in_flight:
                continue  # queued, running, or cancelled but its transfer has not stopped yet
            try:
                planned = plan(directory, DEFAULT_TEMPLATE, call_id, segment)
            except TemplateError as exc:
                self.notify(str(exc), severity="error", markup=False)
                continue
            item = DownloadItem(call_id, segment, planned)
            self.track(item)
            self._in_flight.add(key)
            items.append(item)
        if items:
            self._ticker.resume()
            self.run_worker(self._run(items, client, history, records), group="downloads", description="downloads")
        return len(items)

    async def _run(
        self, items: list[DownloadItem], client: MagpipeClient, history: HistoryStore | None, records: Path | None
    ) -> None:
        options: dict[str, object] = {"records": records} if records is not None else {}
        try:
            async for item in run_downloads(
                items,
                client=client,
                gate=self._gate,
                on_change=self.refresh_row_of,
                history=history,
                executor=self._threads,
                fetch_options=options,
            ):
                self._in_flight.discard(self.key_of(item))
                self._finished_at.setdefault(self.key_of(item), time.monotonic())
                self.refresh_row_of(item)
                self.post_message(self.Finished(item))
        except Exception as exc:
            # Whatever broke the batch, no file of it stays "queued" or "active".
            for item in items:
                if not item.finished:
                    item.cancel_event.set()
                    item.state, item.error = FAILED, unexpected_failure(exc)
                    self.refresh_row_of(item)
            raise  # the app logs it and says so, once for the batch
        finally:
            self._in_flight.difference_update(self.key_of(item) for item in items)

    def cancel(self, item: DownloadItem) -> bool:
        """Cancel a queued or running download (its partial file is kept); False if it was not.

        The row says "cancelled" at once, even while a transfer stuck in a slow read has not noticed yet."""
        if item.state not in (QUEUED, ACTIVE):
            return False
        item.cancel()
        if item.state == ACTIVE:
            item.state, item.error = CANCELLED, Cancelled("Cancelled; the partial file is kept for a later resume.")
        self.refresh_row_of(item)
        return True

    async def on_unmount(self) -> None:
        """Quitting: every transfer is told to stop, and given at most QUIT_GRACE seconds to."""
        for item in self.items.values():
            item.cancel_event.set()
        if self._threads.running():
            await asyncio.to_thread(self._threads.wait_idle, QUIT_GRACE)

    def _tick(self) -> None:
        self.refresh_all()
        if not any(item.state in (QUEUED, ACTIVE) for item in self.items.values()):
            self._ticker.pause()

    @staticmethod
    def key_of(item: DownloadItem) -> str:
        return f"{item.call_id}:{item.segment.index}"

    def track(self, item: DownloadItem) -> None:
        key = self.key_of(item)
        self._finished_at.pop(key, None)
        if key in self.items:
            self.items[key] = item
            self.refresh_row_of(item)
            return
        self.items[key] = item
        name_width = cell_len(file_name(item))
        if name_width > self._file_width:
            self._file_width = name_width
            self._fitted_for = None  # fitted again once this batch is tracked (see _tick and on_resize)
            self.call_after_refresh(self._refit)
        self.add_row(*self._cells(item), key=key)
        self.display = True

    def refresh_row_of(self, item: DownloadItem) -> None:
        key = self.key_of(item)
        if key not in self.rows:
            return
        for column, cell in zip(self.columns.keys(), self._cells(item), strict=False):
            self.update_cell(key, column, cell)
        if self.has_focus and self.highlighted_item() is item:
            self._show_detail()

    def refresh_all(self) -> None:
        for item in self.items.values():
            self.refresh_row_of(item)

    # --- fitting the columns to the width --------------------------------------------------

    def _room(self) -> int:
        """The width the columns may take: the panel's, less a vertical scrollbar once rows overflow."""
        height = self.scrollable_content_region.height
        scrolls = height > 0 and len(self.items) + self.header_height > height
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
        for key, item in self.items.items():
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
                finished_at = self._finished_at.get(self.key_of(item))
                detail.update(guarded(lambda: detail_line(item, finished_at)))  # noqa: B023 - called at once

    def highlighted_item(self) -> DownloadItem | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.items.get(key) if key else None

    def _cells(self, item: DownloadItem) -> tuple[Text, ...]:
        """The row's cells for the columns shown; one that cannot be formatted is "?" (and logged), never an error."""
        transfer = item.transfer
        finished_at = self._finished_at.get(self.key_of(item))
        builders = {
            "File": lambda: Text(file_name(item)),
            "%": lambda: percent(item),
            "Progress": lambda: bar(item),
            "Bytes": lambda: Text(
                f"{human_bytes(transfer.done)} / {human_bytes(transfer.total)}" if item.state != QUEUED else "—",
                justify="right",
            ),
            "Speed": lambda: speed_text(item, finished_at),
            "ETA": lambda: Text(human_eta(transfer.eta) if item.state == ACTIVE else "—", justify="right"),
            "State": lambda: state_text(item),
        }
        failures: list[BaseException] = []
        cells = tuple(guarded(builders[str(key.value)], failures) for key in self.columns)
        for cell in cells:
            cell.no_wrap, cell.overflow = True, "ellipsis"
        if failures:
            self.post_message(DisplayFailed(failures, where="downloads panel"))
        return cells
