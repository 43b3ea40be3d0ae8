"""The recordings origin: storage bucket, provider signed URLs, ``/big/<n>`` and redirects.

Redirects (302) for download tests: ``/redirect/<n>/<rest>`` takes n hops to ``/<rest>``
(query kept), ``/redirect-loop`` points at itself, ``/redirect-scheme`` at an ftp:// URL.

It never asks for credentials (it records any it is sent, so tests can prove none leak).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from recbrowser.fakeapi.audio import segment_wav
from recbrowser.fakeapi.bigfile import iter_big
from recbrowser.fakeapi.faults import EXTRA_RESPONSE
from recbrowser.fakeapi.httpbase import BaseHandler
from recbrowser.fakeapi.ranges import UNSATISFIABLE, if_range_matches, parse_range
from recbrowser.fakeapi.shaping import Pacer, sized_wav
from recbrowser.fakeapi.state import RequestRecord

_SYNCED = re.compile(r"/storage/v1/object/public/recordings/([0-9a-f-]{36})/([1-9][0-9]*)\.wav")
_PROVIDER = re.compile(r"/provider/recordings/([0-9a-f-]{36})/([1-9][0-9]*)\.wav")
_BIG = re.compile(r"/big/([0-9]{1,15})")
_REDIRECT = re.compile(r"/redirect/([0-9]{1,4})/(.*)")
REDIRECT_SCHEME_TARGET = "ftp://example.invalid/x"
_EPOCH_2026 = datetime(2026, 1, 1, tzinfo=timezone.utc)
_CHUNK = 64 * 1024
_PACED_CHUNK = 128 * 1024  # a shaped body goes out in pieces this big, each when its bytes are due

Chunks = Callable[[int, int], Iterable[bytes | memoryview]]


@lru_cache(maxsize=64)
def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _spans(parts: tuple[bytes | memoryview, ...], start: int, stop: int) -> Iterable[memoryview]:
    """Bytes ``start:stop`` of the parts laid end to end, as views (nothing is copied)."""
    at = 0
    for part in parts:
        view = memoryview(part)
        low, high = max(start - at, 0), min(stop - at, len(view))
        if low < high:
            yield view[low:high]
        at += len(view)


def _http_date(iso: str | None) -> str:
    """Last-Modified from a segment's created_at; 2026-01-01 when it has none or no UTC form
    (an offset, or a far date such as 9999-12-31T23:59:59-05:00 that overflows in UTC)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc) if iso else _EPOCH_2026
    except (ValueError, OverflowError):
        moment = _EPOCH_2026
    return format_datetime(moment, usegmt=True)


class StorageHandler(BaseHandler):
    """GET/HEAD of recordings with validators, Range support and the storage faults."""

    origin = "storage"

    def setup(self) -> None:
        super().setup()
        self._fresh = True  # no answer sent on this connection yet: the handshakes are still due
        self._pacer = Pacer()

    def dispatch(self, request: RequestRecord) -> None:
        self._wait_first_byte()
        url = urlsplit(self.path)
        if self.command not in ("GET", "HEAD"):
            self.send_error_json(405, "method_not_allowed", "Method not allowed", [("Allow", "GET, HEAD")])
        elif self.command == "GET" and self.state.faults.take("malformed_redirect"):
            self._send_redirect(self.state.faults.malformed_location)
        elif match := _SYNCED.fullmatch(url.path):
            self._serve_stored(match.group(1), int(match.group(2)))
        elif match := _PROVIDER.fullmatch(url.path):
            token = parse_qs(url.query).get("token", [None])[0]
            self._serve_provider(match.group(1), int(match.group(2)), token)
        elif match := _REDIRECT.fullmatch(url.path):
            self._redirect(int(match.group(1)), match.group(2), url.query)
        elif url.path == "/redirect-loop":
            self._send_redirect("/redirect-loop")
        elif url.path == "/redirect-scheme":
            self._send_redirect(REDIRECT_SCHEME_TARGET)
        elif match := _BIG.fullmatch(url.path):
            size = int(match.group(1))
            self.serve_entity(
                size,
                f'"big-{size}"',
                _http_date(None),
                "application/octet-stream",
                lambda start, stop: iter_big(start, stop, _CHUNK),
            )
        else:
            self._not_found()

    def _wait_first_byte(self) -> None:
        """The ``# --- internet`` delays: the handshakes on a new connection, the round trip on each request."""
        faults = self.state.faults
        delay = faults.net_first_byte + (faults.net_handshake if self._fresh else 0.0)
        self._fresh = False
        if delay > 0:
            self.server.stopping.wait(delay)

    def _redirect(self, hops: int, rest: str, query: str) -> None:
        """``/redirect/<n>/<rest>``: 302 to ``/redirect/<n-1>/<rest>``, and from n=1 (or 0) to ``/<rest>``."""
        target = f"/redirect/{hops - 1}/{rest}" if hops > 1 else f"/{rest}"
        self._send_redirect(target + (f"?{query}" if query else ""))

    def _send_redirect(self, location: str) -> None:
        self.send_head(302, [("Location", location), ("Content-Length", "0")])

    def _not_found(self) -> None:
        self.send_error_json(404, "not_found", "Object not found")

    def _serve_stored(self, call_id: str, index: int) -> None:
        if not self.state.stored(call_id, index):
            self._not_found()
            return
        self._serve_wav(call_id, index)

    def _serve_provider(self, call_id: str, index: int, token: str | None) -> None:
        status = self.state.provider_status(call_id, index, token)
        if status == 404:
            self._not_found()
        elif status == 403:
            self.send_error_json(403, "forbidden", "Signed URL is invalid or has expired")
        else:
            if token and self.command == "GET":
                # Used from the moment its answer starts: marked after the body, a client that had
                # read the whole body could ask again before this thread marked it, and be served.
                self.state.mark_used(token)
            self._serve_wav(call_id, index)

    def _serve_wav(self, call_id: str, index: int) -> None:
        spec = self.state.segment(call_id, index)
        size = self.state.faults.recording_bytes
        if size > 0:
            parts = sized_wav(call_id, index, size)
            self.serve_entity(
                size,
                f'"sized-{size}-{_etag(parts[0])[1:-1]}"',
                _http_date(spec.created_at if spec else None),
                "audio/wav",
                lambda start, stop: _spans(parts, start, stop),
            )
            return
        data = segment_wav(call_id, index)
        self.serve_entity(
            len(data),
            _etag(data),
            _http_date(spec.created_at if spec else None),
            "audio/wav",
            lambda start, stop: (data[start:stop],),
        )

    def serve_entity(self, total: int, etag: str, last_modified: str, content_type: str, chunks: Chunks) -> None:
        """Send a representation, whole or one range of it."""
        faults = self.state.faults
        headers = [
            ("Content-Type", content_type),
            ("Accept-Ranges", "none" if faults.range_unsupported else "bytes"),
            ("ETag", etag),
            ("Last-Modified", last_modified),
        ]
        status, start, stop = 200, 0, total
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        current = if_range is None or if_range_matches(if_range, etag, last_modified)
        if wanted and current and not faults.range_unsupported:
            span = parse_range(wanted, total)
            if span == UNSATISFIABLE:
                self.send_head(416, [*headers, ("Content-Range", f"bytes */{total}"), ("Content-Length", "0")])
                return
            if isinstance(span, tuple):
                status, (start, stop) = 206, span
                headers.append(("Content-Range", f"bytes {start}-{stop - 1}/{total}"))
        self.send_head(status, [*headers, ("Content-Length", str(stop - start))])
        if self.command == "HEAD":
            return
        if faults.take("drop_mid_body"):
            stop = start + (stop - start) // 2
            self.close_connection = True
        if faults.take("pause_mid_body"):
            middle = min(stop, start + faults.pause_after_bytes)
            self._send_chunks(chunks, start, middle)
            self.wfile.flush()
            faults.body_paused.set()
            faults.resume_body.wait(60)
            start = middle
        extra = EXTRA_RESPONSE if faults.take("extra_after_body") else b""
        if faults.drip_bytes > 0:
            self._drip(chunks(start, stop), faults.drip_bytes, faults.drip_interval)
        elif extra:
            self.wfile.write(
                b"".join(chunks(start, stop)) + extra
            )  # one write: the extra bytes arrive with the body's end
        else:
            self._send_chunks(chunks, start, stop)
        if faults.close_idle:
            self.close_connection = True

    def _send_chunks(self, chunks: Chunks, start: int, stop: int) -> None:
        faults = self.state.faults
        for chunk in chunks(start, stop):
            if faults.net_connection_rate > 0 or faults.net_link_rate > 0:
                self._send_paced(memoryview(chunk))
            else:
                self.wfile.write(chunk)

    def _send_paced(self, data: memoryview) -> None:
        """Send ``data`` within the connection's and the link's rates (``Faults.net_*_rate``):
        each piece goes once both token buckets have room for it."""
        faults = self.state.faults
        for at in range(0, len(data), _PACED_CHUNK):
            piece = data[at : at + _PACED_CHUNK]
            own, link = faults.net_connection_rate, faults.net_link_rate
            due = max(
                self._pacer.take(len(piece), own) if own > 0 else 0.0,
                self.server.link.take(len(piece), link) if link > 0 else 0.0,
            )
            if due > 0 and self.server.stopping.wait(due):
                self.close_connection = True
                return
            self.wfile.write(piece)

    def _drip(self, chunks: Iterable[bytes | memoryview], size: int, interval: float) -> None:
        """Send ``size`` bytes every ``interval`` seconds until done, a reset, or the server stops."""
        generation = self.state.faults.generation
        for chunk in chunks:
            for at in range(0, len(chunk), size):
                if self.server.stopping.wait(interval) or self.state.faults.generation != generation:
                    self.close_connection = True
                    return
                self.wfile.write(chunk[at : at + size])
