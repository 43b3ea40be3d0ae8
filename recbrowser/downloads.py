"""Downloading many segments at once: planning, a bounded thread pool, expired-URL recovery.

The transfers themselves run in threads (``fetch``); this module is async so the TUI and
the CLI can drive it from their event loops and re-look a call up through the Magpipe client
when a pending provider URL has expired.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from recbrowser.abort import Abort
from recbrowser.errors import Cancelled, FetchError, RecBrowserError, UrlExpired
from recbrowser.fetchoptions import FetchOptions
from recbrowser.formatting import plural
from recbrowser.models import CallRecordings, Segment, friendly_label, label_matches
from recbrowser.naming import DEFAULT_TEMPLATE, NameClaims, PlannedName, TemplateError, plan
from recbrowser.progress import Transfer
from recbrowser.threads import DaemonThreads

if TYPE_CHECKING:
    from recbrowser.calls import CallSummary
    from recbrowser.client import MagpipeClient
    from recbrowser.history import HistoryStore

DEFAULT_JOBS = 3

ARCHIVE_JOBS = 8
"""Files an archive (``download --since``) downloads at once unless ``--jobs`` says otherwise.
Over the internet a storage host gives one connection a few MB/s (~8), so a 40 MB/s link needs
at least 5 transfers, and a few more for the round trip each file waits for its first byte; no
more than ``connections.MAX_IDLE_PER_HOST``, so every connection stays pooled between files."""

QUEUED, ACTIVE, DONE, SKIPPED, FAILED, CANCELLED = "queued", "active", "done", "skipped", "failed", "cancelled"


@dataclass
class DownloadItem:
    """One file to fetch, and what became of it. ``transfer`` is live while it runs."""

    call_id: str
    segment: Segment
    planned: PlannedName
    state: str = QUEUED
    path: Path | None = None
    bytes: int = 0
    error: RecBrowserError | None = None
    transfer: Transfer = field(default_factory=Transfer)
    cancel_event: threading.Event = field(default_factory=Abort)
    """An ``Abort``: setting it also closes the transfer's socket, so a cancel takes effect at
    once whatever the server does."""
    claims: NameClaims | None = None
    """Shared by a batch, so two segments never end under one name (see ``plan_items``)."""

    @property
    def url(self) -> str | None:
        return self.segment.url

    @property
    def finished(self) -> bool:
        return self.state in (DONE, SKIPPED, FAILED, CANCELLED)

    def cancel(self) -> None:
        self.cancel_event.set()
        if self.state == QUEUED:
            self.state = CANCELLED
            self.error = Cancelled("Cancelled before it started.")

    def to_json(self) -> dict[str, object]:
        status = {DONE: "downloaded", SKIPPED: "skipped"}.get(self.state, "failed")
        data: dict[str, object] = {
            "call_id": self.call_id,
            "index": self.segment.index,
            "label": self.segment.label,
            "url": self.segment.url,
            "path": str(self.path or self.planned.path),
            "bytes": self.bytes,
            "status": status,
        }
        if status == "failed":
            error = self.error or FetchError("unknown failure")
            data["error"] = {"code": getattr(error, "code", "download_failed"), "message": error.message}
        return data


def is_complete(planned: PlannedName, records: Path | None = None) -> bool:
    """Whether ``planned`` is already complete on disk: its segment's recorded file, unchanged
    (the check a download makes first, without a request). A file without a record may still
    turn out complete once the server gives its size."""
    from recbrowser import completed

    return completed.find_mine(records or completed.default_dir(), planned.candidates(), planned.owner) is not None


def already_complete(items: Sequence[DownloadItem], records: Path | None = None) -> int:
    """How many of ``items`` are already complete on disk (see ``is_complete``)."""
    return sum(1 for item in items if is_complete(item.planned, records))


def batch_summary(total: int, complete: int) -> str:
    """``14 files: 4 already complete, 10 to download`` (what a batch is about to do)."""
    files = plural(total, "file")
    if not complete:
        return f"{files} to download"
    return f"{files}: {complete} already complete, {total - complete} to download"


def unmatched_labels(calls: Iterable[CallRecordings], labels: Sequence[str]) -> list[str]:
    """The requested labels that name no segment of these calls (either form, any case)."""
    present = [segment.label for call in calls for segment in call.segments]
    return [wanted for wanted in labels if not any(label_matches(label, wanted) for label in present)]


def labels_in(calls: Iterable[CallRecordings]) -> list[tuple[str, str]]:
    """Every label these calls have, once each in first-seen order: (API label, shown label)."""
    found: dict[str, str] = {}
    for call in calls:
        for segment in call.segments:
            raw = segment.label or "main"
            found.setdefault(raw, friendly_label(raw))
    return list(found.items())


def plan_items(
    calls: Iterable[CallRecordings],
    directory: Path,
    *,
    template: str = DEFAULT_TEMPLATE,
    labels: Sequence[str] | None = None,
    metadata: Mapping[str, CallSummary] | None = None,
) -> list[DownloadItem]:
    """One item per segment (optionally only the given labels), in call and API order;
    ``metadata`` (by call ID) fills the template's call fields.

    Raises TemplateError when the template would give two segments the same file. A name
    that only clashes once a server's Content-Type picks the extension fails that segment
    when it is downloaded (the planned names are claimed first, so the outcome does not
    depend on which download finishes first)."""
    wanted = list(labels) if labels else None
    items: list[DownloadItem] = []
    taken: dict[str, DownloadItem] = {}
    claims = NameClaims()
    for call in calls:
        for segment in call.segments:
            if wanted is not None and not any(label_matches(segment.label, w) for w in wanted):
                continue
            details = metadata.get(call.call_id) if metadata else None
            planned = plan(directory, template, call.call_id, segment, details)
            item = DownloadItem(call.call_id, segment, planned, claims=claims)
            key = str(item.planned.path).casefold()  # case-insensitive file systems clash too
            if key in taken:
                other = taken[key]
                raise TemplateError(
                    f"the name template gives two segments the same file {item.planned.path.name!r} "
                    f"({other.call_id} #{other.segment.index} and {call.call_id} #{segment.index}); "
                    "add {call_id} and {index} to it"
                )
            taken[key] = item
            items.append(item)
    for item in items:
        claims.claim(item.planned.path, item.planned.owner)
    return items


async def run_downloads(
    items: Sequence[DownloadItem],
    *,
    client: MagpipeClient | None = None,
    jobs: int = DEFAULT_JOBS,
    force: bool = False,
    fetch_options: FetchOptions | None = None,
    on_change: Callable[[DownloadItem], None] | None = None,
    gate: asyncio.Semaphore | None = None,
    history: HistoryStore | None = None,
    executor: Executor | None = None,
) -> AsyncIterator[DownloadItem]:
    """Run the items ``jobs`` at a time; yield each as it finishes (in completion order).

    Pass a shared ``gate`` to bound several concurrent batches together (the TUI does), and an
    ``executor`` to run the transfers in threads of your own (it is not shut down here). By
    default each transfer gets a daemon thread (``threads.DaemonThreads``): a
    ThreadPoolExecutor's threads are joined at exit, so one blocked on a server that never
    answers kept the process alive after Ctrl-C.
    An unexpected exception fails its item only, as an UnexpectedFailure caused by it.
    """
    options = fetch_options or FetchOptions()
    gate = gate or asyncio.Semaphore(max(1, jobs))
    loop = asyncio.get_running_loop()
    threads = executor or DaemonThreads()

    def changed(item: DownloadItem) -> None:
        if on_change is not None:
            on_change(item)

    async def one(item: DownloadItem) -> DownloadItem:
        async with gate:
            if item.finished:
                return item
            item.state = ACTIVE
            changed(item)
            try:
                await _download(item, loop, threads, client, force, options)
                if history is not None and item.path is not None and item.state in (DONE, SKIPPED):
                    await asyncio.to_thread(
                        history.record_download,
                        item.call_id,
                        item.segment.index,
                        item.segment.label,
                        item.path,
                        item.bytes,
                    )
            except Exception as exc:  # a bug, not a transfer failure: this file fails, the others go on
                item.state, item.error = FAILED, unexpected_failure(exc)
            changed(item)
            return item

    tasks = [asyncio.ensure_future(one(item)) for item in items]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for item in items:
            if not item.finished:
                item.cancel_event.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class UnexpectedFailure(FetchError):
    """A download failed in a way nobody planned for (a bug); ``__cause__`` keeps it for the log."""

    code = "unexpected"


def unexpected_failure(exc: BaseException) -> UnexpectedFailure:
    from recbrowser.errorlog import summary

    error = UnexpectedFailure(f"Something went wrong: {summary(exc)}")
    error.__cause__ = exc
    return error


async def _download(
    item: DownloadItem,
    loop: asyncio.AbstractEventLoop,
    threads: Executor,
    client: MagpipeClient | None,
    force: bool,
    options: FetchOptions,
) -> None:
    from recbrowser.fetch import fetch  # http.client and ssl load with the first download, not at start-up

    refreshed = False
    while True:
        url = item.segment.url
        if not url:
            item.state, item.error = FAILED, FetchError("The API gave no URL for this segment.")
            return
        try:
            result = await loop.run_in_executor(
                threads,
                lambda: fetch(
                    url,  # noqa: B023 - the lambda runs and is awaited within this iteration
                    item.planned,
                    transfer=item.transfer,
                    cancel=item.cancel_event,
                    force=force,
                    claims=item.claims,
                    options=options,
                ),
            )
        except asyncio.CancelledError:
            item.cancel_event.set()
            raise
        except UrlExpired as exc:
            if refreshed or client is None or not item.segment.is_pending:
                item.state, item.error = FAILED, exc
                return
            refreshed = True
            fresh = await _fresh_segment(client, item)
            if isinstance(fresh, RecBrowserError):
                item.state, item.error = FAILED, fresh
                return
            item.segment = fresh
            continue
        except Cancelled as exc:
            item.state, item.error = CANCELLED, exc
            return
        except FetchError as exc:
            item.state, item.error = FAILED, exc
            return
        item.path, item.bytes = result.path, result.bytes
        item.state = SKIPPED if result.skipped else DONE
        return


async def _fresh_segment(client: MagpipeClient, item: DownloadItem) -> Segment | RecBrowserError:
    """Look the call up again: a pending segment may be synced or re-signed by now."""
    try:
        call = await client.get_recordings(item.call_id)
    except RecBrowserError as exc:
        return exc
    for segment in call.segments:
        if segment.index == item.segment.index and segment.label == item.segment.label and segment.url:
            if segment.url == item.segment.url:
                return FetchError("The link expired and a fresh lookup returned the same link.")
            return segment
    return FetchError("The segment is gone from a fresh lookup of the call.")
