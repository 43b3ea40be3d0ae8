"""A quiet HTTP/1.1 keep-alive server and handler base shared by both fake origins."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from recbrowser.fakeapi.shaping import Pacer
from recbrowser.fakeapi.state import FakeState, RequestRecord

_DISCONNECTS = (ConnectionError, TimeoutError)


class QuietServer(ThreadingHTTPServer):
    """Serves each connection in a daemon thread and can cut every open connection."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHandler],
        state: FakeState,
        stopping: threading.Event,
    ) -> None:
        super().__init__(address, handler)
        self.state = state
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.link = Pacer()
        """The bandwidth every connection of this server shares (``Faults.net_link_rate``)."""

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down open keep-alive connections so their threads end and clients see EOF."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (*_DISCONNECTS, OSError)):
            return
        super().handle_error(request, client_address)


class BaseHandler(BaseHTTPRequestHandler):
    """Keep-alive handler: reads bodies by length, always sends Content-Length, logs nothing."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 120  # idle keep-alive connections end after this
    origin = ""
    server: QuietServer

    @property
    def state(self) -> FakeState:
        return self.server.state

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except _DISCONNECTS:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log."""

    def do_GET(self) -> None:
        self.dispatch(self.received())

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def dispatch(self, request: RequestRecord) -> None:
        raise NotImplementedError

    def received(self) -> RequestRecord:
        """Read the request body and log the request under this origin."""
        request = RequestRecord(
            method=self.command,
            path=self.path,
            authorization=self.headers.get("Authorization"),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self._read_body(),
            client_port=self.client_address[1] if isinstance(self.client_address, tuple) else 0,
        )
        self.state.record(self.origin, request)
        return request

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def send_head(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """A complete response with Content-Length (body omitted for HEAD)."""
        self.send_head(
            status,
            [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
        )
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_body(status, json.dumps(payload).encode(), "application/json", headers)

    def send_error_json(self, status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_json(status, error_body(code, message), headers)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """Magpipe's error shape: ``{"error": {"code": ..., "message": ...}}``."""
    return {"error": {"code": code, "message": message}}
