"""Archives by date: every segment of every listed call, pipelined listing → lookup → download.

Each listed call gets a task as soon as its page arrives; its lookup waits for the lookups'
gate (``BoundedLookups``) and its files for the download queue's, so the first calls download
while later pages are still being listed. Each finished file's row goes into the manifest at
once, which is saved every ``manifest.SAVE_EVERY`` seconds (the new rows appended) and compacted
when the run ends, however it ends, so an interrupted archive keeps the record of what it finished.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recbrowser.calls import CallDetails, CallSummary, Listed
from recbrowser.downloads import DONE, FAILED, SKIPPED, DownloadItem
from recbrowser.durable import write_atomically
from recbrowser.errors import DiskError, NameTaken, NoRecording, RecBrowserError
from recbrowser.lookups import DEFAULT_CONCURRENCY, BoundedLookups
from recbrowser.manifest import SAVE_EVERY, Manifest, file_sha256
from recbrowser.models import CallRecordings, Segment, label_matches
from recbrowser.naming import DEFAULT_TEMPLATE, NameClaims, TemplateError, inside, plan, render
from recbrowser.text import os_reason

if TYPE_CHECKING:
    from recbrowser.client import MagpipeClient
    from recbrowser.download_queue import DownloadQueue
    from recbrowser.history import HistoryStore

POLL_EVERY = 10.0
"""Seconds between two lookups of a call whose segments are pending (the dashboard's interval)."""

CALLS_IN_HAND = 200
"""Calls listed and not yet archived, at most: the listing runs ahead of the downloads by this much."""

TRANSCRIPT = Segment(
    index=0, url=None, label="transcript", duration_seconds=None, source=None, status=None, created_at=None
)
"""What the name template is filled with for a call's transcript: ``{call_id}/00-transcript.txt`` by default."""


@dataclass(frozen=True)
class ArchiveOptions:
    directory: Path
    template: str = DEFAULT_TEMPLATE
    labels: tuple[str, ...] = ()
    transcripts: bool = False
    wait_synced: float | None = None
    """Seconds to wait for pending segments to be synced; None: do not wait."""
    poll_every: float = POLL_EVERY


@dataclass
class ArchiveReport:
    """What an archive came to."""

    calls: int = 0
    no_recording: int = 0
    transcripts: int = 0
    no_transcript: int = 0
    items: list[DownloadItem] = field(default_factory=list)
    stayed_pending: list[DownloadItem] = field(default_factory=list)
    """Files downloaded from a provider's copy because the segment was still pending after the wait."""
    errors: list[tuple[str, RecBrowserError]] = field(default_factory=list)
    listing_error: RecBrowserError | None = None
    """Why the listing stopped early (the calls listed before it were still archived)."""


FileListener = Callable[[DownloadItem, "str | None"], None]
"""Told each file once it is over, with its SHA-256 when it is on disk."""
ErrorListener = Callable[[str, RecBrowserError], None]


def try_template(template: str) -> None:
    """Fill the template once with a made-up call, so a template that cannot be filled
    (``{index:%Y}``) is a TemplateError before anything is listed."""
    sample = CallSummary(
        id="00000000-0000-4000-8000-000000000000",
        direction="inbound",
        status="completed",
        from_number="+15550000000",
        to_number="+15550000001",
        agent_id=None,
        agent_name="Agent",
        duration=1,
        sentiment=None,
        call_summary=None,
        started_at="2026-01-01T00:00:00Z",
        ended_at=None,
        created_at=None,
    )
    render(template, sample.id, TRANSCRIPT, "wav", sample)


def manifest_row(call: CallSummary, item: DownloadItem, directory: Path, size: int, sha256: str) -> dict[str, Any]:
    """One manifest row: the call's metadata, the segment's, and the file's."""
    path = item.path or item.planned.path
    return {
        "call_id": item.call_id,
        "started_at": call.started_at or call.created_at,
        "direction": call.direction,
        "from": call.from_number,
        "to": call.to_number,
        "agent": call.agent_name or call.agent_id,
        "status": call.status,
        "duration": call.duration,
        "index": item.segment.index,
        "label": item.segment.label,
        "segment_status": item.segment.status,
        "segment_duration": item.segment.duration_seconds,
        "path": Path(os.path.relpath(path, directory)).as_posix(),
        "size": size,
        "sha256": sha256,
    }


def transcript_text(transcript: str) -> str:
    """The transcript as a text file holds it: no control characters but newlines and tabs."""
    kept = "".join(ch for ch in transcript if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return kept.rstrip("\n") + "\n"


def _save_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"))


def _size_and_sha256(path: Path) -> tuple[int, str]:
    return path.stat().st_size, file_sha256(path)


class Archive:
    """One archive run: ``run`` takes the listing and returns the report."""

    def __init__(
        self,
        client: MagpipeClient,
        queue: DownloadQueue,
        manifest: Manifest,
        options: ArchiveOptions,
        *,
        history: HistoryStore | None = None,
        lookups: int = DEFAULT_CONCURRENCY,
        on_file: FileListener | None = None,
        on_error: ErrorListener | None = None,
        save_every: float = SAVE_EVERY,
    ) -> None:
        self.report = ArchiveReport()
        self._save_interval = save_every
        self._room = asyncio.Semaphore(CALLS_IN_HAND)
        self._client = client
        self._queue = queue
        self._manifest = manifest
        self._options = options
        self._history = history
        self._lookups = BoundedLookups(lambda: client, history, concurrency=lookups)
        self._claims = NameClaims()
        self._on_file = on_file
        self._on_error = on_error

    async def run(self, listing: AsyncIterator[Listed]) -> ArchiveReport:
        """Archive every call of ``listing`` as its page arrives; a listing that fails midway
        (``listing_error``) still lets the calls listed before it finish."""
        tasks: list[asyncio.Task[None]] = []
        saver = asyncio.ensure_future(self._save_every(self._save_interval))
        try:
            try:
                async for page in listing:
                    for call in page.calls:
                        await self._room.acquire()  # the listing waits while too many calls are in hand
                        self.report.calls += 1
                        tasks.append(asyncio.ensure_future(self._archive_within_room(call)))
            except RecBrowserError as exc:
                self.report.listing_error = exc
            await asyncio.gather(*tasks)
        finally:
            saver.cancel()
            for task in tasks:
                task.cancel()
            try:
                # On the loop, at once: an interrupted run may not get another turn of it.
                self._manifest.compact()
            except OSError as exc:
                self._error("", DiskError(f"The manifest could not be saved: {os_reason(exc)}."))
            await asyncio.gather(saver, *tasks, return_exceptions=True)
        return self.report

    async def _save_every(self, seconds: float) -> None:
        """Save the manifest's new rows every ``seconds`` (off the event loop)."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await asyncio.to_thread(self._manifest.flush)
            except OSError as exc:
                self._error("", DiskError(f"The manifest could not be saved: {os_reason(exc)}."))

    def _error(self, call_id: str, error: RecBrowserError) -> None:
        self.report.errors.append((call_id, error))
        if self._on_error is not None:
            self._on_error(call_id, error)

    async def _archive_within_room(self, call: CallSummary) -> None:
        try:
            await self._archive(call)
        finally:
            self._room.release()

    async def _archive(self, call: CallSummary) -> None:
        result = await self._lookups.lookup(call.id)
        if self._history is not None:
            # What list-calls said keeps every archived call findable in the history, with or
            # without a recording; get-call's answer (--transcripts) adds the transcript.
            await asyncio.to_thread(self._history.record_details, call.id, call)
        if isinstance(result.error, NoRecording) or (result.recordings and not result.recordings.segments):
            self.report.no_recording += 1
            return
        if result.error is not None or result.recordings is None:
            self._error(call.id, result.error or NoRecording("No recording available for this call."))
            return
        recordings = result.recordings
        details: CallSummary = call
        if self._options.transcripts:
            got = await self._lookups.details(call.id)
            if got.details is not None:
                details = got.details
            elif got.error is not None:  # the recordings are still archived
                self._error(call.id, got.error)
        if self._options.wait_synced is not None and recordings.pending_count:
            recordings = await self._wait_synced(recordings)
        items = self._plan(recordings, details)
        if isinstance(details, CallDetails):
            await self._save_transcript(details)
        self.report.items.extend(items)
        for item in items:
            if item.finished:  # its name could not be given
                self._tell(item, None)
        queued = self._queue.add([item for item in items if not item.finished])
        async for finished in self._queue.run(queued, client=self._client):
            await self._record(finished, details)

    async def _wait_synced(self, recordings: CallRecordings) -> CallRecordings:
        """Look the call up every ``poll_every`` seconds until nothing is pending or the wait is over."""
        assert self._options.wait_synced is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._options.wait_synced
        while recordings.pending_count:
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(min(self._options.poll_every, left))
            again = await self._lookups.lookup(recordings.call_id)
            if again.recordings is None or not again.recordings.segments:
                break  # what the first lookup gave is downloaded
            recordings = again.recordings
        return recordings

    def _plan(self, recordings: CallRecordings, details: CallSummary) -> list[DownloadItem]:
        """The call's files; one whose name is not its own is failed here, the others go on."""
        items = []
        for segment in recordings.segments:
            if self._options.labels and not any(label_matches(segment.label, w) for w in self._options.labels):
                continue
            try:
                planned = plan(self._options.directory, self._options.template, details.id, segment, details)
            except TemplateError as exc:
                item = DownloadItem(
                    details.id, segment, plan(self._options.directory, DEFAULT_TEMPLATE, details.id, segment)
                )
                item.state, item.error = FAILED, NameTaken(str(exc))
                items.append(item)
                continue
            item = DownloadItem(details.id, segment, planned, claims=self._claims)
            other = self._claims.claim(planned.path, planned.owner)
            if other is not None:
                item.state = FAILED
                item.error = NameTaken(
                    f"The name template gives this file the name of {other[0]} #{other[1]}'s; "
                    "add {call_id} and {index} to it."
                )
            items.append(item)
        if self._options.wait_synced is not None:
            self.report.stayed_pending.extend(item for item in items if item.segment.is_pending)
        return items

    async def _save_transcript(self, details: CallDetails) -> None:
        if not details.transcript or not details.transcript.strip():
            self.report.no_transcript += 1
            return
        try:
            relative = render(self._options.template, details.id, TRANSCRIPT, "txt", details)
            path = inside(self._options.directory, relative)
        except TemplateError as exc:
            self._error(details.id, NameTaken(f"The transcript has no file name: {exc}"))
            return
        other = self._claims.claim(path, (details.id, TRANSCRIPT.index))
        if other is not None:
            self._error(details.id, NameTaken(f"The transcript's file name is {other[0]} #{other[1]}'s."))
            return
        try:
            await asyncio.to_thread(_save_text, path, transcript_text(details.transcript))
        except OSError as exc:
            self._error(details.id, DiskError(f"The transcript could not be saved: {os_reason(exc)}."))
            return
        self.report.transcripts += 1

    async def _record(self, item: DownloadItem, details: CallSummary) -> None:
        """The finished file's row into the manifest (hashed and written off the event loop)."""
        sha256 = None
        if item.state in (DONE, SKIPPED) and item.path is not None:
            try:
                size, sha256 = await asyncio.to_thread(_size_and_sha256, item.path)
            except OSError as exc:
                self._error(item.call_id, DiskError(f"The file could not be read back: {os_reason(exc)}."))
            else:
                self._manifest.put(manifest_row(details, item, self._options.directory, size, sha256))
        self._tell(item, sha256)

    def _tell(self, item: DownloadItem, sha256: str | None) -> None:
        if self._on_file is not None:
            self._on_file(item, sha256)
