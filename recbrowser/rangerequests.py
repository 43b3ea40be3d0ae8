"""Range requests for resumable downloads, as pure functions: the headers that ask for the rest
of a partial file, and what the recordings host's answer means for it.

``fetch`` does the I/O around them: it reads the partial file's size and sidecar, sends
``resume_headers``, and acts on the ``classify``-ed answer (after httpie's downloads.py, whose
``parse_content_range()`` checks a 206 against what was asked; ours is in ``contentrange``).
"""

from __future__ import annotations

from dataclasses import dataclass

from recbrowser import __version__
from recbrowser.contentrange import ContentRangeError, parse_content_range, unsatisfied_total
from recbrowser.errors import BadDownloadResponse, HttpFailure, Incomplete, UrlExpired
from recbrowser.partfiles import PartInfo, parse_size
from recbrowser.text import printable

EXPIRED = frozenset({403, 404, 410})


class ShortBody(Incomplete):
    """The body ended before the size the server announced; resumable."""


@dataclass(frozen=True)
class Answer:
    """The parts of the recordings host's answer (status line and headers) that decide what to do."""

    status: int
    reason: str = ""
    content_range: str | None = None
    content_length: str | None = None
    etag: str | None = None


@dataclass(frozen=True)
class AlreadyWhole:
    """A 416 to a resume whose partial file already holds the whole recording: rename it."""

    size: int


@dataclass(frozen=True)
class StartAgain:
    """The partial file no longer fits the recording: remove it (and its sidecar), then retry."""

    reason: str


@dataclass(frozen=True)
class Body:
    """An answer whose body goes into the partial file from ``offset``.

    ``end`` is where the body should stop (exclusive) and ``total`` the recording's size, each
    None when the server did not say."""

    offset: int
    end: int | None
    total: int | None

    @property
    def starts_fresh(self) -> bool:
        """True when the body starts a new partial file, whose sidecar is then written."""
        return self.offset == 0

    def check_written(self, written: int) -> None:
        """ShortBody when the partial file ends (``written``) short of or beyond what was announced."""
        if (self.end is not None and written != self.end) or (self.total is not None and written != self.total):
            expected = self.total if self.total is not None else self.end
            raise ShortBody(f"Got {written:,} of {expected:,} bytes; resuming.")


Decision = AlreadyWhole | StartAgain | Body


def resume_headers(offset: int, info: PartInfo) -> dict[str, str]:
    """The GET's headers: the body as stored (no compression), and the rest from ``offset`` when
    there is a partial file, only if the object is still the one ``info`` describes."""
    headers = {"User-Agent": f"recbrowser/{__version__}", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if info.validator:
            headers["If-Range"] = info.validator
    return headers


def classify(answer: Answer, offset: int, info: PartInfo) -> Decision:
    """What ``answer`` to a GET sent with ``resume_headers(offset, info)`` means for the partial file.

    Raises the FetchError that fails this attempt: UrlExpired (403/404/410), a retryable
    HttpFailure (429, 5xx), an HttpFailure for any other status, or BadDownloadResponse for an
    answer that contradicts itself or what was asked."""
    status = answer.status
    if status == 416 and offset:
        total = unsatisfied_total(answer.content_range)
        if total == offset and info.total in (None, offset):
            return AlreadyWhole(offset)
        return StartAgain("The partial file no longer matches the recording; starting again.")
    if status in EXPIRED:
        raise UrlExpired(f"The recordings host answered {status} (the link may have expired).", status)
    if status == 429 or status >= 500:
        raise HttpFailure(f"The recordings host answered {status}.", status, retryable=True)
    if status == 206:
        return _partial(answer, offset, info)
    if status == 200:  # the whole body: start from zero (the server ignored Range, or the object changed)
        total = parse_size(answer.content_length)
        if answer.content_length is not None and total is None:
            raise BadDownloadResponse("The recordings host sent an invalid Content-Length.")
        return Body(0, total, total)
    raise HttpFailure(f"The recordings host answered {status} {printable(answer.reason, limit=60)}.", status)


def _partial(answer: Answer, offset: int, info: PartInfo) -> StartAgain | Body:
    """A 206, checked against the range asked for, the saved ETag and the size first announced."""
    try:
        span = parse_content_range(answer.content_range, asked_from=offset, content_length=answer.content_length)
    except ContentRangeError as exc:
        if not exc.restart:
            raise BadDownloadResponse(str(exc)) from None
        return StartAgain(f"{exc} Starting again.")
    if info.etag and answer.etag and answer.etag != info.etag:
        return StartAgain("The recording changed since the partial file was written; starting again.")
    if span.total is not None and info.total is not None and span.total != info.total:
        # A server without validators can still give away a changed object by its size.
        return StartAgain("The recording changed size since the partial file was written; starting again.")
    total = span.total if span.total is not None else info.total
    if total is None:
        raise BadDownloadResponse(
            "The recordings host did not say how large the recording is (Content-Range total '*'), "
            "so the download cannot be checked."
        )
    if span.last >= total:
        raise BadDownloadResponse("The recordings host sent bytes beyond the recording's size.")
    return Body(offset, span.last + 1, total)


def part_info(*, etag: str | None, last_modified: str | None, content_type: str | None, total: int | None) -> PartInfo:
    """The sidecar for a partial file that starts now, from its first answer's headers
    (bounded like a sidecar read back, a weak ETag dropped: it cannot go in If-Range)."""
    return PartInfo.from_json(
        {"etag": etag, "last_modified": last_modified, "content_type": content_type, "total": total}
    )
