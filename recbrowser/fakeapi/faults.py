"""Switchable misbehaviour of the fake API, changed by tests while the servers run."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from typing import ClassVar

EXTRA_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 16384\r\n\r\n"
    + b"NOT THE RECORDING" * 963
    + b"!" * 13
)
"""What ``extra_after_body`` smuggles after a body: a whole answer a careless client would
take as the answer to its next request on that connection. Longer than a read buffer (8 KiB),
so a client cannot swallow all of it by chance while reading the body's end."""

INTERNET: dict[str, float | int] = {
    "latency": 0.3,
    "net_handshake": 0.08,
    "net_first_byte": 0.04,
    "net_connection_rate": 8_000_000,
    "net_link_rate": 40_000_000,
}
"""Faults that make the fake behave like Magpipe over the internet: the API answers in ~300 ms;
the recordings host costs ~80 ms per new connection, ~40 ms per request to its first byte, and
sends at most 8 MB/s a connection and 40 MB/s in all."""


@dataclass
class Faults:
    """Faults to inject. Counters ("next N requests") count down as they fire.

    API faults apply, after authentication, in this order: drop_connection, latency,
    rate_limit, fail_500, bad_json, api_hang, api_body; then the endpoint answers and
    api_nesting, api_gzip_bomb, api_huge_body, api_drip shape a 200 answer. Storage faults
    apply to the recordings host.
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

    # --- fetchsafe faults
    pause_mid_body: int = 0
    """Storage: next N GETs send their headers and ``pause_after_bytes`` of the body, set
    ``body_paused``, then wait for ``resume_body`` (at most 60 s) before sending the rest, so
    a test can act while a download is provably in the middle of its file."""
    pause_after_bytes: int = 1 << 20
    """Where ``pause_mid_body`` stops a body (bytes into the answer)."""
    body_paused: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    """Set by the recordings host when a body has paused (see ``pause_mid_body``)."""
    resume_body: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    """Set by the test to let paused bodies go on."""

    # --- apibounds faults
    api_body: bytes | None = None
    """While set, get-signed-recording-url answers exactly these bytes (after authentication)
    with ``api_status`` and ``api_headers``: any answer a hostile or broken server could give.
    Content-Length is always the body's length; Content-Type is application/json unless
    ``api_headers`` names one."""
    api_status: int = 200
    """The status of the ``api_body`` answer."""
    api_headers: tuple[tuple[str, str], ...] = ()
    """Extra headers of the ``api_body`` answer, as (name, value) pairs."""
    api_body_call: str | None = None
    """Give the ``api_body`` answer only to lookups of this call ID (any case); None: every lookup."""
    api_nesting: int = 0
    """While above 0, every 200 get-signed-recording-url answer gives its first recording an
    unknown field ``"extra"`` nested this deep in lists (``[[[...]]]``), as a server may."""
    api_gzip_bomb: int = 0
    """Next N API requests answer 200 ``Content-Encoding: gzip`` with a body of about
    ``api_bomb_bytes / 1000`` that inflates to ``api_bomb_bytes`` of valid JSON (the answer
    padded with spaces). Streamed: the fake never holds more than 1 MiB of it."""
    api_bomb_bytes: int = 2 * 1024**3
    """Inflated size of the ``api_gzip_bomb`` answer (whole MiB)."""
    api_huge_body: int = 0
    """Next N API requests answer 200 with the real answer plus a ``"padding"`` string, in
    all ``api_huge_bytes`` of valid JSON, streamed chunked: no Content-Length warns the client."""
    api_huge_bytes: int = 200 * 1000**2
    """Size of the ``api_huge_body`` answer."""
    api_drip: int = 0
    """Next N API requests answer 200 with full headers, then the body one byte every
    ``api_drip_interval`` seconds (until it is done, the faults are reset or the server stops)."""
    api_drip_interval: float = 1.0
    """Seconds between two bytes of an ``api_drip`` answer."""
    api_hang: int = 0
    """Next N API requests are read and never answered: the connection stays open and silent
    until the faults are reset or the server stops."""
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
    # --- list-calls faults
    list_calls_lying_has_more: bool = False
    """list-calls says ``has_more: true`` on every page, the last (and empty ones) included."""
    list_calls_empty_from: int | None = None
    """list-calls answers an empty page (total and ``has_more: true`` as before) from this offset on."""
    list_calls_row_cap: int | None = None
    """list-calls returns at most this many calls a page, whatever ``limit`` asks; ``has_more``
    stays ``total > offset + limit``, as a server-side row cap leaves it."""
    list_calls_arrival_after: int | None = None
    """After serving this many list-calls pages, a new call arrives (created now, so it is the
    newest): every later offset shifts by one, as when a call ends during a long listing."""
    list_calls_hold_after_first: bool = False
    """list-calls pages past the first wait for ``list_calls_release`` (at most 60 s), so a test
    can see what a client shows while the rest of a listing is still coming."""
    list_calls_release: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    """Set by the test to let held list-calls pages go."""
    list_calls_query_error: int = 0
    """Next N list-calls requests answer 500 ``query_error`` with the database's words, as the
    real server does for a date its database cannot read."""
    get_call_error: int = 0
    """Next N get-call requests answer 500 ``server_error`` (get-signed-recording-url is unaffected),
    so a test can see a call's segments without its details."""
    extra_agents: tuple[tuple[str, str], ...] = ()
    """More (id, name) agents list-agents reports for every account (to make a name ambiguous)."""

    # --- internet
    net_handshake: float = 0.0
    """Storage: seconds before the first answer on each new connection, as the TCP and TLS
    handshakes cost a client over the internet (``INTERNET``: 0.08)."""
    net_first_byte: float = 0.0
    """Storage: seconds before every answer's first byte, the round trip (``INTERNET``: 0.04)."""
    net_connection_rate: int = 0
    """Storage: bytes per second one connection's bodies go out at most (0: no cap; ``INTERNET``: 8 MB/s)."""
    net_link_rate: int = 0
    """Storage: bytes per second the bodies of all connections together go out at most, one
    token bucket shared by them (0: no cap; ``INTERNET``: 40 MB/s)."""
    recording_bytes: int = 0
    """Storage: every recording (synced or provider copy) is a WAV of this many bytes (at least
    128) instead of its 1-3 s tone; the samples are built once and shared (0: the tones)."""
    lookup_hold: str | None = None
    """get-signed-recording-url of this call ID (any case) waits for ``lookup_release`` (at most
    60 s, until a reset or the server stops) before it answers."""
    lookup_release: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    """Set by the test to let a held lookup answer."""

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
