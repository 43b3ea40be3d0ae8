"""Keep-alive ``http.client`` connections for the recordings hosts, shared by download threads.

A batch of downloads usually hits one storage host many times; reusing a connection saves a
TCP (and TLS) handshake per file. A connection goes back to the pool only after its response
was read to the end and the server did not ask to close it; anything else is closed. Idle
connections are dropped after ``IDLE_SECONDS``, and a request that fails on a reused
connection before any answer (the server had closed it meanwhile) is sent again on a fresh one.

Proxies come from the environment (HTTP(S)_PROXY, NO_PROXY), as httpx does for the API.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IDLE_SECONDS = 15.0  # below the keep-alive timeouts of common servers and object stores
MAX_IDLE_PER_HOST = 8
MAX_IDLE = 32

# Failures that mean "the server closed this idle connection", seen on send or on the status line.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

Key = tuple[str, str, int, str]


@dataclass
class Lease:
    """A connection lent for one request; ``target`` is what goes on the request line."""

    key: Key
    connection: http.client.HTTPConnection
    target: str
    reused: bool


class ConnectionPool:
    """Idle connections by (scheme, host, port, proxy). Thread-safe; a connection is lent to one
    thread at a time."""

    def __init__(self, *, idle_seconds: float = IDLE_SECONDS, max_per_host: int = MAX_IDLE_PER_HOST, max_idle: int = MAX_IDLE) -> None:
        self._idle: dict[Key, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._idle_seconds = idle_seconds
        self._max_per_host = max_per_host
        self._max_idle = max_idle

    def lease(self, parts: SplitResult, timeout: float) -> Lease:
        """An idle connection for ``parts`` if there is a fresh one, else a new one (not yet connected)."""
        key, proxy = _key(parts)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if proxy and parts.scheme == "http":
            target = parts.geturl()  # a plain-HTTP proxy takes the absolute URL
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                since, connection = idle.pop()
                if now - since < self._idle_seconds:
                    _set_timeout(connection, timeout)
                    return Lease(key, connection, target, reused=True)
                connection.close()
        return Lease(key, _new_connection(parts, proxy, timeout), target, reused=False)

    def give_back(self, lease: Lease) -> None:
        """Keep ``lease``'s connection for the next request to the same host."""
        now = time.monotonic()
        with self._lock:
            for each in self._idle.values():  # close what expired, rather than hold it until exit
                while each and now - each[0][0] >= self._idle_seconds:
                    each.pop(0)[1].close()
            idle = self._idle.setdefault(lease.key, [])
            idle.append((now, lease.connection))
            while len(idle) > self._max_per_host:
                idle.pop(0)[1].close()
            while sum(len(each) for each in self._idle.values()) > self._max_idle:
                oldest = min((each for each in self._idle.values() if each), key=lambda each: each[0][0])
                oldest.pop(0)[1].close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            for idle in self._idle.values():
                for _since, connection in idle:
                    connection.close()
            self._idle.clear()


POOL = ConnectionPool()


def request(
    parts: SplitResult, headers: dict[str, str], timeout: float, pool: ConnectionPool = POOL
) -> tuple[Lease, http.client.HTTPResponse]:
    """GET ``parts`` on a pooled connection; one fresh retry when a reused one turns out closed.

    Raises OSError or http.client.HTTPException when the server cannot be reached.
    """
    lease = pool.lease(parts, timeout)
    try:
        return lease, _get(lease, headers)
    except _STALE:
        if not lease.reused:
            raise
    fresh = Lease(lease.key, _new_connection(parts, _key(parts)[1], timeout), lease.target, reused=False)
    return fresh, _get(fresh, headers)


def finished_with(lease: Lease, response: http.client.HTTPResponse, pool: ConnectionPool = POOL) -> None:
    """Pool the connection if its response was read to the end and may be followed by another
    request; otherwise close it."""
    if response.isclosed() and not response.will_close:
        pool.give_back(lease)
    else:
        lease.connection.close()


def _get(lease: Lease, headers: dict[str, str]) -> http.client.HTTPResponse:
    """Send the GET and read the status line; the connection is closed if either fails."""
    try:
        lease.connection.request("GET", lease.target, headers=headers)
        return lease.connection.getresponse()
    except BaseException:
        lease.connection.close()
        raise


def _key(parts: SplitResult) -> tuple[Key, str | None]:
    host = parts.hostname or ""
    proxy = None if urllib.request.proxy_bypass(host) else urllib.request.getproxies().get(parts.scheme)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, host, port, proxy or ""), proxy


def _new_connection(parts: SplitResult, proxy: str | None, timeout: float) -> http.client.HTTPConnection:
    if proxy:
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(proxy_parts.hostname, proxy_parts.port or 8080, timeout=timeout, context=ssl_context())
            connection.set_tunnel(parts.hostname, parts.port or 443)
            return connection
        return http.client.HTTPConnection(proxy_parts.hostname, proxy_parts.port or 8080, timeout=timeout)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=ssl_context())
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def _set_timeout(connection: http.client.HTTPConnection, timeout: float) -> None:
    connection.timeout = timeout
    if connection.sock is not None:
        connection.sock.settimeout(timeout)


_ssl_lock = threading.Lock()
_ssl_cached: ssl.SSLContext | None = None


def ssl_context() -> ssl.SSLContext:
    """Verified TLS with certifi's roots (what httpx uses), shared by all threads."""
    global _ssl_cached
    with _ssl_lock:
        if _ssl_cached is None:
            try:
                import certifi

                _ssl_cached = ssl.create_default_context(cafile=certifi.where())
            except ImportError:  # pragma: no cover - certifi comes with httpx
                _ssl_cached = ssl.create_default_context()
        return _ssl_cached
