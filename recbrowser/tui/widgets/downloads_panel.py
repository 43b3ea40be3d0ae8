"""The downloads panel: it queues downloads, runs them in a worker group of their own, and
shows one row per file with a progress bar, bytes, speed, ETA and state."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

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
from recbrowser.progress import human_bytes, human_eta
from recbrowser.text import printable
from recbrowser.tui.safe import guarded
from recbrowser.threads import DaemonThreads

if TYPE_CHECKING:
    from recbrowser.client import MagpipeClient
    from recbrowser.history import HistoryStore

PROGRESS_EVERY = 0.25  # seconds between redraws of the live rows (progress is polled, not pushed)
QUIT_GRACE = 2.0  # seconds quitting waits for cancelled transfers to stop; their threads never hold the process

BAR_WIDTH = 12
STATE_STYLE = {QUEUED: "dim", ACTIVE: "cyan", DONE: "green", SKIPPED: "green", FAILED: "red", CANCELLED: "yellow"}


def bar(item: DownloadItem) -> Text:
    transfer = item.transfer
    if item.state in (DONE, SKIPPED):
        fraction = 1.0
    elif transfer.total:
        fraction = min(1.0, transfer.done / transfer.total)
    else:
        fraction = 0.0
    filled = int(round(fraction * BAR_WIDTH))
    text = Text("█" * filled, style=STATE_STYLE.get(item.state, ""))
    text.append("░" * (BAR_WIDTH - filled), style="dim")
    text.append(f" {fraction * 100:3.0f}%")
    return text


def state_text(item: DownloadItem) -> Text:
    label = {SKIPPED: "done (already)", DONE: "done"}.get(item.state, item.state)
    text = Text(label, style=STATE_STYLE.get(item.state, ""))
    if item.state in (FAILED, CANCELLED) and item.error is not None:
        text.append(f": {printable(item.error.message, limit=80)}", style="dim")
    return text


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
        self.add_columns("File", "Progress", "Bytes", "Speed", "ETA", "State")
        self.items: dict[str, DownloadItem] = {}
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
    ) -> int:
        """Start downloading these segments (skipping those already queued or running); how many."""
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
            self.run_worker(self._run(items, client, history), group="downloads", description="downloads")
        return len(items)

    async def _run(self, items: list[DownloadItem], client: MagpipeClient, history: HistoryStore | None) -> None:
        try:
            async for item in run_downloads(
                items, client=client, gate=self._gate, on_change=self.refresh_row_of, history=history, executor=self._threads
            ):
                self._in_flight.discard(self.key_of(item))
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
        if key in self.items:
            self.items[key] = item
            self.refresh_row_of(item)
            return
        self.items[key] = item
        self.add_row(*self._cells(item), key=key)
        self.display = True

    def refresh_row_of(self, item: DownloadItem) -> None:
        key = self.key_of(item)
        for column, cell in zip(self.columns.keys(), self._cells(item)):
            self.update_cell(key, column, cell, update_width=True)

    def refresh_all(self) -> None:
        for item in self.items.values():
            self.refresh_row_of(item)

    def highlighted_item(self) -> DownloadItem | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.items.get(key) if key else None

    def _cells(self, item: DownloadItem) -> tuple[Text, ...]:
        """The row's cells; one that cannot be formatted is "?" (and logged), never an error."""
        transfer = item.transfer
        active = item.state == ACTIVE
        builders = (
            lambda: Text(f"{item.call_id[:8]}…/{printable((item.path or item.planned.path).name, limit=40)}"),
            lambda: bar(item),
            lambda: Text(f"{human_bytes(transfer.done)} / {human_bytes(transfer.total)}" if item.state != QUEUED else "—"),
            lambda: Text(f"{human_bytes(transfer.speed)}/s" if active and transfer.speed else "—"),
            lambda: Text(human_eta(transfer.eta) if active else "—"),
            lambda: state_text(item),
        )
        failures: list[BaseException] = []
        cells = tuple(guarded(build, failures) for build in builders)
        if failures:
            self.app.log_display_errors(failures, where="downloads panel")
        return cells
