"""The download queue: the files a session (the app's) or a command (the CLI's) downloads.

It takes items, runs them a few at a time on daemon threads (``downloads.run_downloads``),
cancels one on request, records when each finished, and tells its listeners about every
change. It never imports Textual: the app's downloads panel is a view subscribed to it.
Listeners are called on the event loop that runs the queue, never from a transfer's thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from recbrowser.downloads import (
    ACTIVE,
    CANCELLED,
    DEFAULT_JOBS,
    FAILED,
    QUEUED,
    DownloadItem,
    is_complete,
    run_downloads,
    unexpected_failure,
)
from recbrowser.errors import Cancelled
from recbrowser.fetchoptions import FetchOptions
from recbrowser.formatting import plural
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, TemplateError, plan
from recbrowser.progress import Transfer
from recbrowser.threads import DaemonThreads

if TYPE_CHECKING:
    from recbrowser.client import MagpipeClient
    from recbrowser.history import HistoryStore

QUIT_GRACE = 2.0  # seconds a stop waits for cancelled transfers to end; their threads never hold the process

Change = Literal["added", "changed", "finished"]
Listener = Callable[[Change, DownloadItem], None]
"""Told ``added`` when an item is queued, ``changed`` when its state moves, ``finished`` once it is over."""


def key_of(call_id: str, index: int) -> str:
    """The queue's key for one segment of one call: one download of it at a time."""
    return f"{call_id}:{index}"


def item_key(item: DownloadItem) -> str:
    return key_of(item.call_id, item.segment.index)


def average_speed(transfer: Transfer, finished_at: float | None) -> float | None:
    """Bytes per second of a finished transfer (resumed bytes excluded); None when nothing was fetched."""
    if finished_at is None:
        return None
    elapsed = finished_at - transfer.started
    fetched = transfer.done - transfer.resumed_from
    return fetched / elapsed if elapsed > 0 and fetched > 0 else None


def downloading_note(count: int, complete: int, where: str) -> str:
    """``Downloading 10 files to ~/x (4 already complete).``; "" when there is nothing to say."""
    files = plural(count, "file")
    if count and complete:
        return f"Downloading {files} to {where} ({complete} already complete)."
    if count:
        return f"Downloading {files} to {where}."
    if complete:
        return (
            f"Nothing to download: {'the file is' if complete == 1 else f'all {complete} files are'} already complete."
        )
    return ""


@dataclass
class Request:
    """What a request to download some segments came to."""

    items: list[DownloadItem] = field(default_factory=list)
    """Queued now (not complete on disk, and not already queued or running)."""
    complete: int = 0
    """Already complete on disk (``downloads.is_complete``), so not queued."""
    problems: list[str] = field(default_factory=list)
    """Why a segment could not be given a file name (each is said to the user)."""

    def note(self, where: str) -> str:
        """What to tell the user about this request (see ``downloading_note``)."""
        return downloading_note(len(self.items), self.complete, where)


def split_complete(
    wanted: Sequence[tuple[str, Segment]], directory: Path, records: Path | None
) -> tuple[list[DownloadItem], int, list[str]]:
    """Plan ``wanted`` into ``directory``: the items still to download, how many are complete
    there already, and the planning errors. Completion is the check every download makes first,
    so a file truncated or replaced since is downloaded again, not counted. Reads the disk."""
    todo: list[DownloadItem] = []
    complete = 0
    problems: list[str] = []
    for call_id, segment in wanted:
        try:
            planned = plan(directory, DEFAULT_TEMPLATE, call_id, segment)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        if is_complete(planned, records):
            complete += 1
        else:
            todo.append(DownloadItem(call_id, segment, planned))
    return todo, complete, problems


class DownloadQueue:
    """Every download of a session, bounded to ``jobs`` transfers at once across all batches.

    ``records``: where completed downloads are recorded (default: the platform's state dir);
    ``history``: where each finished file is noted for its call."""

    def __init__(
        self,
        *,
        jobs: int = DEFAULT_JOBS,
        force: bool = False,
        history: HistoryStore | None = None,
        records: Path | None = None,
    ) -> None:
        self.items: dict[str, DownloadItem] = {}
        """Every item queued, by ``key_of``, in the order first queued (a later one replaces its row's item)."""
        self.records = records
        self._jobs = max(1, jobs)
        self._force = force
        self._history = history
        self._finished_at: dict[str, float] = {}
        self._in_flight: set[str] = set()  # handed to run() and not yet given back (even if cancelled)
        self._gate: asyncio.Semaphore | None = None  # made in the running loop, on the first run
        self._threads = DaemonThreads()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _tell(self, change: Change, item: DownloadItem) -> None:
        for listener in self._listeners:
            listener(change, item)

    def get(self, call_id: str, index: int) -> DownloadItem | None:
        return self.items.get(key_of(call_id, index))

    def finished_at(self, item: DownloadItem) -> float | None:
        """When ``item`` finished (the queue's clock), None while it has not."""
        return self._finished_at.get(item_key(item))

    def average_speed(self, item: DownloadItem) -> float | None:
        """The finished item's average speed (see ``average_speed``)."""
        return average_speed(item.transfer, self.finished_at(item))

    def busy(self) -> bool:
        """Whether any item is queued or transferring."""
        return any(item.state in (QUEUED, ACTIVE) for item in self.items.values())

    def add(self, items: Sequence[DownloadItem]) -> list[DownloadItem]:
        """Queue these items, leaving out those whose segment is already queued or running
        (or cancelled but not stopped yet); the ones queued. Run them with ``run``."""
        added = []
        for item in items:
            key = item_key(item)
            if key in self._in_flight:
                continue
            self._in_flight.add(key)
            self._finished_at.pop(key, None)
            self.items[key] = item
            added.append(item)
            self._tell("added", item)
        return added

    async def request(self, wanted: Sequence[tuple[str, Segment]], directory: Path) -> Request:
        """Queue the segments of ``wanted`` not already complete in ``directory`` nor queued
        (the disk is read in a thread); what came of it. Run ``Request.items`` with ``run``."""
        todo, complete, problems = await asyncio.to_thread(split_complete, wanted, directory, self.records)
        return Request(self.add(todo), complete, problems)

    async def run(self, items: Sequence[DownloadItem], *, client: MagpipeClient | None) -> AsyncIterator[DownloadItem]:
        """Run items queued with ``add``; yield each as it finishes (in completion order).

        ``client`` looks a call up again when a pending URL has expired. Whatever breaks the
        batch, none of its items stays "queued" or "active"."""
        if self._gate is None:
            self._gate = asyncio.Semaphore(self._jobs)
        options = FetchOptions(records=self.records)
        try:
            async for item in run_downloads(
                items,
                client=client,
                force=self._force,
                gate=self._gate,
                on_change=lambda changed: self._tell("changed", changed),
                history=self._history,
                executor=self._threads,
                fetch_options=options,
            ):
                self._in_flight.discard(item_key(item))
                self._finished_at.setdefault(item_key(item), time.monotonic())
                self._tell("finished", item)
                yield item
        except Exception as exc:
            for item in items:
                if not item.finished:
                    item.cancel_event.set()
                    item.state, item.error = FAILED, unexpected_failure(exc)
                    self._tell("changed", item)
            raise  # the caller's error path reports it, once for the batch
        finally:
            self._in_flight.difference_update(item_key(item) for item in items)

    async def run_all(self, items: Sequence[DownloadItem], *, client: MagpipeClient | None) -> None:
        """``run`` to the end, for a caller that follows the items through the listeners."""
        async for _item in self.run(items, client=client):
            pass

    async def download(
        self,
        wanted: Sequence[tuple[str, Segment]],
        directory: Path,
        *,
        client: MagpipeClient | None,
        told: Callable[[Request], None],
    ) -> None:
        """``request`` then ``run_all``: ``told`` hears what the request came to before any transfer starts."""
        request = await self.request(wanted, directory)
        told(request)
        await self.run_all(request.items, client=client)

    def cancel(self, item: DownloadItem) -> bool:
        """Cancel a queued or running download (its partial file is kept); False if it was not.

        It says "cancelled" at once, even while a transfer stuck in a slow read has not noticed yet."""
        if item.state not in (QUEUED, ACTIVE):
            return False
        item.cancel()
        if item.state == ACTIVE:
            item.state, item.error = CANCELLED, Cancelled("Cancelled; the partial file is kept for a later resume.")
        self._tell("changed", item)
        return True

    async def stop(self, grace: float = QUIT_GRACE) -> None:
        """Tell every transfer to stop, and give them at most ``grace`` seconds to."""
        for item in self.items.values():
            item.cancel_event.set()
        if self._threads.running():
            await asyncio.to_thread(self._threads.wait_idle, grace)
