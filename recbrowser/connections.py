"""Keep-alive ``http.client`` connections for the recordings hosts, shared by download threads.

A batch of downloads usually hits one storage host many times; reusing a connection saves a
TCP (and TLS) handshake per file. A connection goes back to the pool only after its response
was read to the end, the server did not ask to close it and nothing more is waiting on its
socket (a server that sent bytes beyond its Content-Length would otherwise hand them to the
next file as its answer); a pooled one is checked the same way again before reuse. Idle
connections are dropped after ``IDLE_SECONDS``, and a request that fails on a reused
connection before any answer (the server had closed it meanwhile) is sent again on a fresh one.

Proxies come from the environment (HTTP(S)_PROXY, NO_PROXY), as httpx does for the API; the
proxy URL's user and password become a Basic ``Proxy-Authorization``, sent with each request
for plain http and with the CONNECT for https. TLS trusts certifi's roots, or the
``SSL_CERT_FILE`` bundle when that is set (as httpx does).

Why not urllib3 (which has pooling, proxy auth and CONNECT): see README, *Performance*.
"""

from __future__ import annotations

import base64
import http.client
import os
import select
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urlsplit

from recbrowser.abort import Abort

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
    proxy_headers: dict[str, str] = field(default_factory=dict, repr=False)
    """Sent with the request itself (plain http through a proxy)."""
    detach: Callable[[], None] = lambda: None
    """Stops the cancel flag from closing this connection's socket (see ``request``)."""


class BadProxy(ValueError):
    """The proxy setting from the environment is not a usable URL (its text is never shown:
    it may hold a password)."""


@dataclass(frozen=True)
class Proxy:
    """Where to send requests instead, and the Basic credentials it wants (never printed)."""

    host: str
    port: int
    authorization: str | None = field(repr=False)

    @classmethod
    def parse(cls, url: str) -> Proxy:
        """``http://user:pass@host:port`` (percent-encoded user and password); port 8080 when absent."""
        try:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            port = parts.port
        except ValueError:
            raise BadProxy("malformed proxy URL") from None
        if not parts.hostname:
            raise BadProxy("proxy URL without a host")
        authorization = None
        if parts.username is not None:
            userinfo = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            authorization = "Basic " + base64.b64encode(userinfo.encode("utf-8")).decode("ascii")
        return cls(parts.hostname, port or 8080, authorization)


class ConnectionPool:
    """Idle connections by (scheme, host, port, proxy). Thread-safe; a connection is lent to one
    thread at a time."""

    def __init__(
        self, *, idle_seconds: float = IDLE_SECONDS, max_per_host: int = MAX_IDLE_PER_HOST, max_idle: int = MAX_IDLE
    ) -> None:
        self._idle: dict[Key, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._idle_seconds = idle_seconds
        self._max_per_host = max_per_host
        self._max_idle = max_idle

    def lease(self, parts: SplitResult, timeout: float) -> Lease:
        """An idle connection for ``parts`` if there is a fresh one, else a new one (not yet connected).

        Raises ValueError for a malformed URL (or proxy URL)."""
        key, proxy = _key(parts)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy_headers: dict[str, str] = {}
        if proxy and parts.scheme == "http":
            target = parts.geturl()  # a plain-HTTP proxy takes the absolute URL
            if proxy.authorization:
                proxy_headers["Proxy-Authorization"] = proxy.authorization
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                since, connection = idle.pop()
                if now - since < self._idle_seconds and not _is_dropped(connection):
                    _set_timeout(connection, timeout)
                    return Lease(key, connection, target, reused=True, proxy_headers=proxy_headers)
                connection.close()
        return Lease(key, _new_connection(parts, proxy, timeout), target, reused=False, proxy_headers=proxy_headers)

    def give_back(self, lease: Lease) -> None:
        """Keep ``lease``'s connection for the next request to the same host (unless data is
        already waiting on it, which no next answer may start with)."""
        if _is_dropped(lease.connection):
            lease.connection.close()
            return
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


class Aborted(ConnectionAbortedError):
    """The cancel flag was set while the request was being sent or answered."""


def request(
    parts: SplitResult,
    headers: dict[str, str],
    timeout: float,
    pool: ConnectionPool = POOL,
    abort: threading.Event | None = None,
) -> tuple[Lease, http.client.HTTPResponse]:
    """GET ``parts`` on a pooled connection; one fresh retry when a reused one turns out closed.

    With an ``Abort`` flag, setting it shuts the connection's socket down until
    ``finished_with``, so a read blocked on a slow server returns at once; any other event
    is checked before each step. Raises ValueError for a malformed URL, OSError or
    http.client.HTTPException when the server cannot be reached (``Aborted`` when cancelled).
    """
    lease = pool.lease(parts, timeout)
    try:
        return lease, _get(lease, headers, abort)
    except _STALE:
        if not lease.reused or (abort is not None and abort.is_set()):
            raise
    fresh = Lease(
        lease.key,
        _new_connection(parts, _key(parts)[1], timeout),
        lease.target,
        reused=False,
        proxy_headers=lease.proxy_headers,
    )
    return fresh, _get(fresh, headers, abort)


def finished_with(lease: Lease, response: http.client.HTTPResponse, pool: ConnectionPool = POOL) -> None:
    """Pool the connection if its response was read to the end and may be followed by another
    request; otherwise close it."""
    lease.detach()
    if response.isclosed() and not response.will_close:
        pool.give_back(lease)
    else:
        lease.connection.close()


def _get(lease: Lease, headers: dict[str, str], abort: threading.Event | None) -> http.client.HTTPResponse:
    """Send the GET and read the status line; the connection is closed if either fails."""
    connection = lease.connection
    try:
        if isinstance(abort, Abort):
            lease.detach = _abort_on(abort, connection)
        if abort is not None and abort.is_set():
            raise Aborted("cancelled")
        connection.request("GET", lease.target, headers={**headers, **lease.proxy_headers})
        return connection.getresponse()
    except BaseException:
        lease.detach()
        connection.close()
        raise


def _abort_on(abort: Abort, connection: http.client.HTTPConnection) -> Callable[[], None]:
    """Until the returned detach is called, setting ``abort`` shuts the connection's socket down,
    which wakes a thread blocked on it at once: in a connect, a TLS handshake, a CONNECT, a read.

    A new connection's socket is made through http.client's own hook so that a duplicate of it
    is kept: TLS wrapping detaches the original while the handshake runs, and the duplicate also
    means the descriptor shut down is always ours, never one reused by something else.
    """
    twins: list[socket.socket] = []
    if connection.sock is None:

        def create(
            address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
        ) -> socket.socket:
            error: OSError | None = None
            for family, kind, proto, _name, where in socket.getaddrinfo(*address, 0, socket.SOCK_STREAM):
                sock = socket.socket(family, kind, proto)
                twins.append(_twin(sock))
                if abort.is_set():  # set before the twin was there to be shut down
                    sock.close()
                    raise Aborted("cancelled")
                try:
                    sock.settimeout(timeout)
                    if source_address:
                        sock.bind(source_address)
                    sock.connect(where)
                    return sock
                except OSError as exc:
                    sock.close()
                    error = exc
            raise error or OSError(f"no address for {address[0]}")

        connection._create_connection = create  # type: ignore[attr-defined]
    else:
        twins.append(_twin(connection.sock))

    def shut_down() -> None:
        for twin in twins:
            try:
                twin.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    detach_callback = abort.on_set(shut_down)

    def detach() -> None:
        detach_callback()
        for twin in twins:
            twin.close()
        twins.clear()

    return detach


def _twin(sock: socket.socket) -> socket.socket:
    """Another descriptor for the same socket (``dup`` refuses TLS sockets): shutting it down
    shuts the connection down."""
    return socket.socket(fileno=os.dup(sock.fileno()))


def _is_dropped(connection: http.client.HTTPConnection) -> bool:
    """True when the connection is closed or has bytes waiting before any request was sent:
    end-of-file, a reset, or data beyond the last answer's length (urllib3's
    is_connection_dropped idea)."""
    sock = connection.sock
    if sock is None:
        return True
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        if hasattr(select, "poll"):  # select() cannot take descriptors above 1023
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _key(parts: SplitResult) -> tuple[Key, Proxy | None]:
    host = parts.hostname or ""
    url = None if urllib.request.proxy_bypass(host) else urllib.request.getproxies().get(parts.scheme)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, host, port, url or ""), Proxy.parse(url) if url else None


def _new_connection(parts: SplitResult, proxy: Proxy | None, timeout: float) -> http.client.HTTPConnection:
    """A connection (not yet made) to the URL's host, or to the proxy; ValueError for a URL without a host."""
    host = parts.hostname
    if not host:
        raise ValueError("URL without a host")
    if proxy:
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=timeout, context=ssl_context())
            tunnel_headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
            connection.set_tunnel(host, parts.port or 443, headers=tunnel_headers)
            return connection
        return http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=ssl_context())
    return http.client.HTTPConnection(host, parts.port, timeout=timeout)


def _set_timeout(connection: http.client.HTTPConnection, timeout: float) -> None:
    connection.timeout = timeout
    if connection.sock is not None:
        connection.sock.settimeout(timeout)


_ssl_lock = threading.Lock()
_ssl_cached: dict[str | None, ssl.SSLContext] = {}


def ssl_context() -> ssl.SSLContext:
    """Verified TLS with the ``SSL_CERT_FILE`` bundle when set, else certifi's roots (what httpx
    uses); one context per bundle, shared by all threads."""
    chosen = os.environ.get("SSL_CERT_FILE") or None
    with _ssl_lock:
        if chosen not in _ssl_cached:
            _ssl_cached[chosen] = ssl.create_default_context(cafile=chosen or _certifi())
        return _ssl_cached[chosen]


def _certifi() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return None
    return certifi.where()
