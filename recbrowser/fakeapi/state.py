"""What the fake remembers between requests: calls, lookups, signed URLs, request logs."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from recbrowser.fakeapi.faults import Faults
from recbrowser.fakeapi.samples import FRONT_DESK, JWT_ACCOUNT, OUR_NUMBER, SampleCall, SegmentSpec

SIGNED_URL_LIFETIME = 3600
"""Seconds a provider (pending) URL stays valid."""


@dataclass(frozen=True)
class RequestRecord:
    """One request as a server received it (header names lowercased)."""

    method: str
    path: str
    authorization: str | None
    headers: dict[str, str]
    body: bytes
    client_port: int = 0
    """The client's port: the same for requests sent over one kept-alive connection."""


@dataclass(frozen=True)
class _SignedUrl:
    call_id: str
    index: int
    expires: int


def synced_path(call_id: str, index: int) -> str:
    """Storage path of a synced segment (index is 1-based)."""
    return f"/storage/v1/object/public/recordings/{call_id}/{index}.wav"


def provider_path(call_id: str, index: int) -> str:
    """Provider path of a pending segment, before its signature query."""
    return f"/provider/recordings/{call_id}/{index}.wav"


def _is_jwt(token: str) -> bool:
    parts = token.split(".")
    return token.startswith("eyJ") and len(parts) == 3 and all(parts[:2])


class FakeState:
    """Shared, lock-protected state of both fake servers."""

    def __init__(self, calls: Iterable[SampleCall], keys: Mapping[str, str], faults: Faults) -> None:
        self.calls: dict[str, SampleCall] = {call.call_id.lower(): call for call in calls}
        self.keys = dict(keys)
        self.faults = faults
        self.storage_url = ""
        self.requests: dict[str, list[RequestRecord]] = {"api": [], "storage": []}
        self._lock = threading.Lock()
        self._lookups: dict[str, int] = {}
        self._synced: set[str] = set()
        self._signed: dict[str, _SignedUrl] = {}
        self._used: set[str] = set()
        self._list_pages = 0
        self._arrived: list[str] = []

    def reset(self) -> None:
        """Forget lookups, signatures, request logs and arrived calls; faults back to defaults."""
        self.faults.list_calls_release.set()  # a held list-calls page goes before its fault is gone
        self.faults.reset()
        with self._lock:
            for call_id in self._arrived:
                self.calls.pop(call_id, None)
            self._arrived.clear()
            self._list_pages = 0
            for log in self.requests.values():
                log.clear()
            self._lookups.clear()
            self._synced.clear()
            self._signed.clear()
            self._used.clear()

    def count_list_page(self) -> int:
        """How many list-calls pages were served before this one (this one is counted)."""
        with self._lock:
            self._list_pages += 1
            return self._list_pages - 1

    def arrive(self, account: str) -> SampleCall:
        """A new call, created now (to the microsecond): the newest of ``account``'s calls."""
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        call = SampleCall(
            call_id=str(uuid.uuid4()),
            description="a call that arrived during a listing",
            recordings=[],
            started_at=now,
            duration=30,
            agent_id=FRONT_DESK[0],
            agent_name=FRONT_DESK[1],
            from_number="+14155550199",
            to_number=OUR_NUMBER,
            account=account,
        )
        with self._lock:
            self.calls[call.call_id] = call
            self._arrived.append(call.call_id)
        return call

    def record(self, origin: str, request: RequestRecord) -> None:
        with self._lock:
            self.requests[origin].append(request)

    def account_for(self, token: str) -> str | None:
        """The account a bearer token belongs to, or None when it is not valid."""
        if token in self.keys:
            return self.keys[token]
        return JWT_ACCOUNT if _is_jwt(token) else None

    def lookup_count(self, call_id: str) -> int:
        with self._lock:
            return self._lookups.get(call_id.lower(), 0)

    def segments(self, call: SampleCall, *, count_lookup: bool) -> list[dict[str, Any]]:
        """The call's recordings as the API reports them now; pending ones freshly signed.

        ``count_lookup`` counts this as a get-signed-recording-url lookup, which is
        what ``Faults.sync_after_lookups`` watches.
        """
        if count_lookup:
            return self.render_segments(call, self.note_lookup(call))
        with self._lock:
            synced = self._is_synced(call.call_id, self._lookups.get(call.call_id, 0))
        return self.render_segments(call, synced)

    def note_lookup(self, call: SampleCall) -> bool:
        """Count a get-signed-recording-url lookup of ``call``; True when its pending segments count as synced."""
        with self._lock:
            done = self._lookups.get(call.call_id, 0)
            self._lookups[call.call_id] = done + 1
            return self._is_synced(call.call_id, done)

    def render_segments(self, call: SampleCall, synced: bool) -> list[dict[str, Any]]:
        """The call's recordings as the API reports them with ``synced`` (``note_lookup``'s answer)."""
        with self._lock:
            return [
                self._render(call.call_id, index, spec, synced) for index, spec in enumerate(call.recordings, start=1)
            ]

    @staticmethod
    def signs(call: SampleCall, synced: bool) -> bool:
        """True when rendering the call's recordings with ``synced`` signs a URL (a fresh one each time)."""
        return not synced and any(spec.url is None and spec.status == "pending_sync" for spec in call.recordings)

    def _is_synced(self, call_id: str, lookups_done: int) -> bool:
        threshold = self.faults.sync_after_lookups
        if threshold is not None and lookups_done >= threshold:
            self._synced.add(call_id)
        return call_id in self._synced

    def _render(self, call_id: str, index: int, spec: SegmentSpec, synced: bool) -> dict[str, Any]:
        status = "synced" if synced and spec.status == "pending_sync" else spec.status
        if spec.url is not None:
            url = spec.url
        elif status == "pending_sync":
            url = self.storage_url + provider_path(call_id, index) + self._sign(call_id, index)
        else:
            url = self.storage_url + synced_path(call_id, index)
        return {
            "url": url,
            "label": spec.label,
            "duration_seconds": spec.duration_seconds,
            "source": spec.source,
            "status": status,
            "created_at": spec.created_at,
        }

    def _sign(self, call_id: str, index: int) -> str:
        token = secrets.token_hex(16)
        expires = int(time.time()) + SIGNED_URL_LIFETIME
        self._signed[token] = _SignedUrl(call_id, index, expires)
        return f"?token={token}&expires={expires}"

    def segment(self, call_id: str, index: int) -> SegmentSpec | None:
        call = self.calls.get(call_id)
        if call is None or not 1 <= index <= len(call.recordings):
            return None
        return call.recordings[index - 1]

    def stored(self, call_id: str, index: int) -> bool:
        """True when the segment is on the storage path (synced, or synced since)."""
        spec = self.segment(call_id, index)
        if spec is None:
            return False
        if spec.status != "pending_sync":
            return True
        with self._lock:
            return self._is_synced(call_id, self._lookups.get(call_id, 0))

    def provider_status(self, call_id: str, index: int, token: str | None) -> int:
        """200 when ``token`` is a live signature for this segment, else 403 (404: no segment)."""
        if self.segment(call_id, index) is None:
            return 404
        with self._lock:
            signed = self._signed.get(token or "")
            if signed is None or (signed.call_id, signed.index) != (call_id, index):
                return 403
            if signed.expires < time.time():
                return 403
            if self.faults.expire_pending_after_use and token in self._used:
                return 403
            return 200

    def mark_used(self, token: str) -> None:
        with self._lock:
            self._used.add(token)
