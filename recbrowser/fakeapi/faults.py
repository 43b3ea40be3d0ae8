"""Switchable misbehaviour of the fake API, changed by tests while the servers run."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from typing import ClassVar

EXTRA_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 16384\r\n\r\n" + b"NOT THE RECORDING" * 963 + b"!" * 13
)
"""What ``extra_after_body`` smuggles after a body: a whole answer a careless client would
take as the answer to its next request on that connection. Longer than a read buffer (8 KiB),
so a client cannot swallow all of it by chance while reading the body's end."""


@dataclass
class Faults:
    """Faults to inject. Counters ("next N requests") count down as they fire.

    API faults apply, after authentication, in this order: drop_connection, latency,
    rate_limit, fail_500, bad_json. Storage faults apply to the recordings host.
    """

    latency: float = 0.0
    """Seconds added before every API response."""
    fail_500: int = 0
    """Next N API requests answer 500 server_error."""
    rate_limit: int = 0
    """Next N API requests answer 429 (headers chosen by ``rate_limit_header``)."""
    retry_after: int = 1
    """Seconds announced by Retry-After / X-RateLimit-Reset."""
    rate_limit_header: str = "retry-after"
    """"retry-after" (Retry-After and X-RateLimit-Reset), "reset" (only X-RateLimit-Reset), "none"."""
    bad_json: int = 0
    """Next N API requests answer 200 with an HTML body."""
    drop_connection: int = 0
    """Next N API requests: the socket is closed without any response."""
    drop_mid_body: int = 0
    """Storage: next N GETs send full headers, half the body, then close the socket."""
    close_idle: bool = False
    """Storage: every connection is closed after one response without saying so (no
    ``Connection: close``), as when a server's keep-alive timeout passes between requests."""
    range_unsupported: bool = False
    """Storage ignores Range and always answers 200 with the whole body."""
    expire_pending_after_use: bool = False
    """Storage: a pending (provider) URL answers 403 once one GET has been served from it."""
    sync_after_lookups: int | None = None
    """A call's pending segments are synced once it has been looked up this many times
    (so with 1, the first lookup shows them pending and the second synced); None = never."""

    # --- transport faults
    drip_bytes: int = 0
    """Storage: bodies are sent this many bytes at a time, ``drip_interval`` seconds apart, as a
    slow or hostile host would (0 = at full speed). A reset or stop ends a drip."""
    drip_interval: float = 0.5
    """Seconds between two drips of ``drip_bytes``."""
    extra_after_body: int = 0
    """Storage: next N GETs send, right after their Content-Length's worth of body and in the same
    write, a complete second response nobody asked for (``EXTRA_RESPONSE``)."""
    malformed_redirect: int = 0
    """Storage: next N recordings GETs answer 302 with ``Location: malformed_location``."""
    malformed_location: str = "http://[bad/"
    """The Location sent by ``malformed_redirect`` (e.g. ``http://host:99999/x``)."""

    generation: int = field(default=0, compare=False, repr=False)
    """Bumped by every reset, so a request that slept through one can tell (see the API handler)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()

    def take(self, name: str) -> bool:
        """Consume one shot of the counter ``name``; True when the fault fires now."""
        with self._lock:
            remaining = getattr(self, name)
            if remaining > 0:
                setattr(self, name, remaining - 1)
                return True
            return False

    def reset(self) -> None:
        """Every switch back to its default, in place (holders of this object see it)."""
        defaults = Faults()
        with self._lock:
            for spec in fields(self):
                if spec.name != "generation":
                    setattr(self, spec.name, getattr(defaults, spec.name))
            self.generation += 1
