"""The downloads area: the panel of every download with the highlighted one's detail line, and
the routing around the app's download queue (``recbrowser.download_queue``): what to start, what
to tell, what to cancel. The queue does the work, in this widget's workers."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from recbrowser.callstate import CallState
from recbrowser.download_queue import Request
from recbrowser.downloads import CANCELLED, DONE, SKIPPED, UnexpectedFailure
from recbrowser.models import Segment
from recbrowser.paths import display_path
from recbrowser.text import printable
from recbrowser.tui.widgets.downloads_panel import DownloadDetail, DownloadsPanel
from recbrowser.unfinished import Unfinished, missing_note, resumable

if TYPE_CHECKING:
    from recbrowser.tui.app import RecBrowserApp


class Downloads(Vertical):
    """Starts downloads, says how they went, and tells the screen each file now on disk (``Downloaded``)."""

    app: RecBrowserApp

    DEFAULT_CSS = """
    Downloads { height: auto; }
    """

    class Downloaded(Message):
        """Segment ``index`` of ``call_id`` is on disk at ``path`` (downloaded now, or complete already)."""

        def __init__(self, call_id: str, index: int, path: Path) -> None:
            super().__init__()
            self.call_id = call_id
            self.index = index
            self.path = path

    def compose(self) -> ComposeResult:
        yield DownloadsPanel(id="downloads")
        yield DownloadDetail(id="download-detail")

    def download(self, wanted: list[tuple[str, Segment]]) -> None:
        """Queue these segments (those not already complete, queued or running) in the app's download queue."""
        directory = self.app.download_dir
        where = display_path(directory)
        if self.app.is_demo:
            where += ", a temporary folder deleted when the demo ends"
        told = partial(self._requested, where)
        job = self.app.downloads.download(wanted, directory, client=self.app.client, told=told)
        self.run_worker(job, group="downloads", description="downloads")

    def _requested(self, where: str, request: Request) -> None:
        for problem in request.problems:
            self.notify(problem, severity="error", markup=False)
        note = request.note(where)
        if note:
            self.app.toasts.show("downloading", note)

    @work(thread=True, group="history-read")
    def resume(self, entries: list[Unfinished]) -> None:
        """Download again the segments a previous session left unfinished (their partial files resume)."""
        wanted, missing = resumable(entries, self.app.history)
        if wanted:
            self.app.call_from_thread(self.download, wanted)
        if missing:
            self.app.call_from_thread(self.notify, missing_note(missing), severity="warning", markup=False)

    @on(DownloadsPanel.Finished)
    def _finished(self, message: DownloadsPanel.Finished) -> None:
        message.stop()
        item = message.item
        if item.state in (DONE, SKIPPED) and item.path is not None:
            self.post_message(self.Downloaded(item.call_id, item.segment.index, item.path))
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

    def cancel(self, state: CallState | None, segment: Segment | None) -> None:
        """Cancel the highlighted download while the panel has focus, else the given segment's."""
        panel, queue = self.query_one(DownloadsPanel), self.app.downloads
        item = panel.highlighted_item() if panel.has_focus else None
        if item is None and state is not None and segment is not None:
            item = queue.get(state.call_id, segment.index)
        if item is None or not queue.cancel(item):
            self.notify("No running download selected.", severity="warning")
            return
        self.app.toasts.show("cancelling", "Cancelling; the partial file is kept and the next download resumes it.")
