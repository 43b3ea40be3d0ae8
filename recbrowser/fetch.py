"""Streaming one recording to disk: resumable, verified, atomic. Runs in a worker thread.

Why not httpx here: measured on this project's 2-core machines, httpx's async streaming
reached 0.4-0.5x curl's throughput and sync httpx about 0.9x, while the stdlib's
``http.client`` reading straight into one reused 1 MiB buffer keeps up with curl (see the
benchmarks). So each download runs in a thread with ``http.client``, and a second thread
writes what it receives (``bodywriter``); memory stays at a few buffers per download
whatever the file size.

No credentials are ever sent: this module has no notion of the API key, and redirects
(bounded, http/https only) carry only the headers built here.
"""

from __future__ import annotations

import errno
import http.client
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit

from recbrowser import completed, connections, partfiles
from recbrowser.bodywriter import BodyWriter
from recbrowser.durable import fsync_dir
from recbrowser.errors import (
    BadUrl,
    Busy,
    Cancelled,
    DiskError,
    FetchError,
    HttpFailure,
    Incomplete,
    NameTaken,
    TransferInterrupted,
)
from recbrowser.fetchoptions import FetchOptions
from recbrowser.formatting import plural
from recbrowser.naming import NameClaims, PlannedName, TemplateError
from recbrowser.partfiles import PartInfo
from recbrowser.progress import Transfer
from recbrowser.rangerequests import (
    AlreadyWhole,
    Answer,
    Body,
    ShortBody,
    StartAgain,
    classify,
    part_info,
    resume_headers,
)
from recbrowser.retrying import backoff
from recbrowser.text import os_reason, printable

DEFAULTS = FetchOptions()
SLOW_WRITE = 0.25  # seconds a slow server's bytes may wait in the buffer before being written
MAX_REDIRECTS = 5
_DISK_WORDS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded"}


@dataclass(frozen=True)
class Fetched:
    path: Path
    bytes: int
    skipped: bool = False


@dataclass
class _Job:
    """One segment's download: where, for whom, and how (shared by its attempts)."""

    url: str
    planned: PlannedName
    transfer: Transfer
    cancel: threading.Event
    force: bool
    claims: NameClaims | None
    records: Path
    options: FetchOptions

    @property
    def part(self) -> Path:
        return self.planned.part

    @property
    def sidecar(self) -> Path:
        return partfiles.sidecar_of(self.planned.part)


def fetch(
    url: str,
    planned: PlannedName,
    *,
    transfer: Transfer | None = None,
    cancel: threading.Event | None = None,
    force: bool = False,
    claims: NameClaims | None = None,
    options: FetchOptions = DEFAULTS,
) -> Fetched:
    """Download ``url`` to ``planned``: skip a completed file, resume a ``.part``, verify, rename.

    Only one download at a time owns a segment's ``.part`` (another gets Busy). A file is
    skipped only when it is this segment's: recorded (``options.records``, default under the
    state dir) when it was downloaded and unchanged since, or the size the server reports now.
    ``claims`` (shared by a batch) keeps two segments from ending under one name.
    Every failure is a FetchError (file-system trouble anywhere becomes a DiskError)."""
    job = _Job(
        url,
        planned,
        transfer or Transfer(),
        cancel or threading.Event(),
        force,
        claims,
        options.records or completed.default_dir(),
        options,
    )
    try:
        return _fetch(job, options)
    except Cancelled:
        raise Cancelled("Cancelled" + (_KEPT if _kept(planned.part) else ".")) from None
    except (Busy, NameTaken):
        raise
    except FetchError as exc:
        raise _with_kept_note(exc, planned.part) from None
    except OSError as exc:
        raise _with_kept_note(_disk_error(exc, planned.path), planned.part) from None


def _fetch(job: _Job, options: FetchOptions) -> Fetched:
    _make_dirs(job.part.parent)
    partfiles.refuse_links(job.part, job.sidecar)
    with partfiles.lock(job.part):
        if job.force:
            _remove(job.part)
            _remove(job.sidecar)
        else:
            done = _recorded_complete(job)
            if done is not None:
                return done
        for attempt in range(1, options.max_attempts + 1):
            if job.cancel.is_set():
                raise Cancelled("Cancelled.")
            try:
                return _attempt(job)
            except FetchError as exc:
                if not exc.retryable:
                    raise
                if attempt == options.max_attempts:
                    raise _gave_up(exc, job, attempt) from None
            delay = backoff(attempt, base=options.backoff_base)
            if job.cancel.wait(delay):
                raise Cancelled("Cancelled.")
    raise FetchError("download failed")  # pragma: no cover - the loop returns or raises


def _recorded_complete(job: _Job) -> Fetched | None:
    """This segment's file, recorded when it was downloaded and unchanged since (no request)."""
    found = completed.find_mine(job.records, job.planned.candidates(), job.planned.owner)
    if found is None:
        return None
    candidate, record = found
    job.transfer.total = job.transfer.done = record.size
    return Fetched(candidate, record.size, skipped=True)


def _attempt(job: _Job) -> Fetched:
    found = partfiles.is_regular_file(job.part)
    offset = found.st_size if found else 0
    info = partfiles.read_info(job.sidecar) if offset else PartInfo()
    lease, response = _open(job.url, resume_headers(offset, info), job.options.timeout, job.cancel)
    try:
        decision = classify(_answer(response), offset, info)
        if isinstance(decision, StartAgain):
            _restart(job)
            raise Incomplete(decision.reason)
        if isinstance(decision, AlreadyWhole):
            job.transfer.total = job.transfer.done = decision.size
            return _finish(job, _settle(job, info.content_type), decision.size)
        final = _settle(job, response.getheader("Content-Type") or info.content_type)
        if not offset and not job.force and decision.total is not None:
            skipped = _complete_by_size(job, final, decision.total)
            if skipped is not None:
                return skipped
        if decision.starts_fresh:
            _save_info(job, response, decision.total)
        written = _write_body(job, response, decision)
    finally:
        connections.finished_with(lease, response)
    decision.check_written(written)
    # No length at all (a 200 without Content-Length): complete when the server closed cleanly.
    return _finish(job, final, written)


def _answer(response: http.client.HTTPResponse) -> Answer:
    return Answer(
        response.status,
        response.reason,
        response.getheader("Content-Range"),
        response.getheader("Content-Length"),
        response.getheader("ETag"),
    )


def _write_body(job: _Job, response: http.client.HTTPResponse, body: Body) -> int:
    """Stream ``response`` into the partial file from ``body.offset``; the size the file ends at."""
    transfer = job.transfer
    transfer.total, transfer.done, transfer.resumed_from = body.total, body.offset, body.offset
    transfer.started = time.monotonic()
    return _stream(response, job.part, body.offset, transfer, job.cancel, job.options)


def _settle(job: _Job, content_type: str | None) -> Path:
    """The final name, decided before anything is written under it: claimed within the batch,
    and not a file recorded as another segment's."""
    try:
        final = job.planned.final(content_type)
    except TemplateError as exc:
        raise FetchError(f"No usable file name: {exc}.") from None
    owner = job.planned.owner
    other = job.claims.claim(final, owner) if job.claims is not None else None
    if other is not None:
        raise NameTaken(
            f"{final.name} is also the name of call {other[0]} #{other[1]}'s file once the server's "
            "Content-Type chose the extension; add {index} to --name."
        )
    verdict, record = completed.check(job.records, final, owner)
    if verdict is completed.Verdict.FOREIGN and record is not None:
        raise NameTaken(
            f"{final} holds call {record.call_id} #{record.index}'s recording; add {{call_id}} and {{index}} to --name."
        )
    return final


def _complete_by_size(job: _Job, final: Path, total: int) -> Fetched | None:
    """With no record to trust, a file at the final name is complete when it has the size the
    server reports now (never a symlink, never another segment's: see ``_settle``)."""
    found = partfiles.is_regular_file(final)
    if found is None or found.st_size != total:
        return None
    completed.save(job.records, final, job.planned.owner)
    job.transfer.total = job.transfer.done = total
    return Fetched(final, total, skipped=True)


def _save_info(job: _Job, response: http.client.HTTPResponse, total: int | None) -> None:
    """Validators for a later If-Range, so a changed object restarts instead of being spliced."""
    info = part_info(
        etag=response.getheader("ETag"),
        last_modified=response.getheader("Last-Modified"),
        content_type=response.getheader("Content-Type"),
        total=total,
    )
    try:
        partfiles.write_info(job.sidecar, info)
    except OSError:
        pass  # without validators a resume still works; it just cannot detect a changed object


def _restart(job: _Job) -> None:
    _remove(job.part)
    _remove(job.sidecar)


def _gave_up(exc: FetchError, job: _Job, attempts: int) -> FetchError:
    """The last attempt's failure, said as what happened overall (not "resuming")."""
    tries = plural(attempts, "attempt")
    found = partfiles.is_regular_file(job.part)
    have, total = (found.st_size if found else 0), job.transfer.total
    if total is not None and (isinstance(exc, ShortBody) or (isinstance(exc, TransferInterrupted) and have)):
        message = f"The server sent {have:,} of {total:,} bytes in {tries}."
        if isinstance(exc, TransferInterrupted):  # the body did not just end: say how it stopped
            message += f" {exc.message}"
    else:
        message = f"{exc.message.rstrip('.')} ({tries})."
    return _reworded(exc, message)


def _stream(
    response: http.client.HTTPResponse,
    part: Path,
    offset: int,
    transfer: Transfer,
    cancel: threading.Event,
    options: FetchOptions,
) -> int:
    """Write the body to ``part`` from ``offset``, then fsync it; the size the file ends at.
    Every byte received is written before this returns or raises (a resume starts after it)."""
    try:
        handle = partfiles.open_part(part)
    except OSError as exc:
        raise _disk_error(exc, part) from None
    with handle:
        try:
            handle.seek(offset)
            handle.truncate()
            writer = BodyWriter(handle.fileno(), offset, size=options.chunk_size, direct=options.direct_writes)
            try:
                position = _receive_into(response, writer, transfer, cancel)
            finally:
                writer.close()
            os.fsync(handle.fileno())
        except OSError as exc:
            raise _disk_error(exc, part) from None
    return position


def _receive_into(
    response: http.client.HTTPResponse, writer: BodyWriter, transfer: Transfer, cancel: threading.Event
) -> int:
    """Receive the body into ``writer``'s buffers, handing each over when full; where it ended."""
    position = writer.next_offset
    view = writer.take()
    pending = 0  # bytes received into ``view`` and not yet handed over
    handed_at = time.monotonic()
    while True:
        if cancel.is_set():
            writer.put(view, pending)
            raise Cancelled("Cancelled.")
        try:
            count = _receive(response, view[pending:])
        except (http.client.HTTPException, OSError) as exc:
            writer.put(view, pending)
            if cancel.is_set():
                raise Cancelled("Cancelled.") from None
            raise TransferInterrupted(f"The connection dropped after {position} bytes ({_reason(exc)}).") from None
        if not count:
            writer.put(view, pending)
            if cancel.is_set():
                raise Cancelled("Cancelled.")
            return position
        pending += count
        position += count
        transfer.done = position
        # Whole buffers for a fast server; a slow one's bytes are handed over within
        # SLOW_WRITE seconds, so a kill loses hardly any.
        if pending == len(view) or time.monotonic() - handed_at >= SLOW_WRITE:
            writer.put(view, pending)
            view = writer.take()
            pending = 0
            handed_at = time.monotonic()


def _receive(response: http.client.HTTPResponse, view: memoryview) -> int:
    """Read what has arrived of the body (one receive, at least a byte) into ``view``; 0 at its end.

    Unlike ``readinto``, which waits until ``view`` is full (for ever, with a host that drips),
    this returns as bytes come, so progress moves and a cancel is seen; unlike ``read1`` it
    allocates nothing (measured: read1 cost 25% more CPU per GiB). For a body of known length
    it reads the connection's buffered stream itself and keeps ``response.length`` as
    http.client does (an early end closes the response, as http.client's own reads do).
    """
    if response.fp is None:
        return 0
    if response.chunked or response.length is None:
        data = response.read1(len(view))
        view[: len(data)] = data
        return len(data)
    wanted = min(len(view), response.length)
    if not wanted:
        response.read()  # nothing left: marks the response complete, as http.client would
        return 0
    count = response.fp.readinto1(view[:wanted])
    if not count:  # the body ended early: the caller compares what it got with the length
        response.close()
        return 0
    response.length -= count
    if not response.length:
        response.read()
    return count


def _finish(job: _Job, final: Path, size: int) -> Fetched:
    """Rename the verified ``.part`` (ours: we hold its lock) to ``final``. A symlink at ``final``
    is replaced, never followed."""
    try:
        _make_dirs(final.parent)
        os.replace(job.part, final)
        fsync_dir(final.parent)
    except OSError as exc:
        raise _disk_error(exc, final) from None
    completed.save(job.records, final, job.planned.owner)
    _remove(job.sidecar)
    return Fetched(final, size)


# --- HTTP -------------------------------------------------------------------------------


def _open(
    url: str, headers: dict[str, str], timeout: float, cancel: threading.Event | None = None
) -> tuple[connections.Lease, http.client.HTTPResponse]:
    """GET ``url``, following up to MAX_REDIRECTS http(s) redirects; returns the open response.

    A malformed URL or Location is a BadUrl for this file only; a set ``cancel`` is Cancelled."""
    for hop in range(MAX_REDIRECTS + 1):
        parts = _parse(url, redirected=hop > 0)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpFailure(f"Refusing to download from a non-http(s) URL ({printable(parts.scheme, limit=10)}:).")
        try:
            lease, response = connections.request(parts, headers, timeout, abort=cancel)
        except connections.BadProxy:
            raise HttpFailure("The proxy setting (http_proxy / https_proxy) is not a valid URL.") from None
        except (http.client.InvalidURL, ValueError) as exc:
            raise BadUrl(f"The recording URL cannot be requested ({_reason(exc)}).") from None
        except (OSError, http.client.HTTPException) as exc:
            if cancel is not None and cancel.is_set():
                raise Cancelled("Cancelled.") from None
            raise TransferInterrupted(
                f"Could not reach {printable(parts.hostname, limit=80)}: {_reason(exc)}."
            ) from None
        if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
            location = response.getheader("Location", "")
            _drain_small(response)
            connections.finished_with(lease, response)
            try:
                url = urljoin(url, location)
            except ValueError as exc:
                raise BadUrl(f"The recordings host redirected to a malformed URL ({_reason(exc)}).") from None
            continue
        return lease, response
    raise HttpFailure(f"Too many redirects (more than {MAX_REDIRECTS}).")


def _parse(url: str, *, redirected: bool) -> SplitResult:
    """``url`` split, its port checked (urlsplit only checks it when asked)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as exc:
        what = "The recordings host redirected to a malformed URL" if redirected else "The recording URL is malformed"
        raise BadUrl(f"{what} ({_reason(exc)}).") from None
    return parts


def _drain_small(response: http.client.HTTPResponse) -> None:
    """Read a short body (a redirect's) so its connection can be reused; long ones are left."""
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) <= 64 * 1024:
        try:
            response.read()
        except (OSError, http.client.HTTPException):
            pass


def _reason(exc: BaseException) -> str:
    if isinstance(exc, http.client.IncompleteRead):
        return "the body ended early"
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return os_reason(exc)
    return printable(str(exc) or type(exc).__name__, limit=80)


# --- files ------------------------------------------------------------------------------

_KEPT = "; the partial file is kept for a later resume."


def _disk_error(exc: OSError, path: Path) -> FetchError:
    return DiskError(f"Cannot write {path}: {_DISK_WORDS.get(exc.errno or 0) or os_reason(exc)}.")


def _kept(part: Path) -> bool:
    """True when a non-empty partial file really is there to resume from."""
    found = partfiles.is_regular_file(part)
    return found is not None and found.st_size > 0


def _with_kept_note(exc: FetchError, part: Path) -> FetchError:
    if not _kept(part) or "partial file is kept" in exc.message:
        return exc
    return _reworded(exc, exc.message.rstrip(".") + _KEPT)


def _reworded(exc: FetchError, message: str) -> FetchError:
    error = type(exc).__new__(type(exc))  # same type and fields (status, retryable), new words
    error.__dict__.update(exc.__dict__)
    error.message = message
    error.args = (message,)
    return error


def _make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_error(exc, path) from None


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:  # already gone, or cannot be removed: either way nothing more to do
        pass
