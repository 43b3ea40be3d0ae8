"""A small scripted recordings host for the answers the fake will not give (bad 206s and the like).

``with HostileHost() as host:`` binds an ephemeral loopback port; ``host.route(path, answer)``
makes ``answer(request)`` decide the response to GETs of ``path``. Every request is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Answer:
    """What to send: the body is cut after ``send_bytes`` bytes (then the connection closes)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    send_bytes: int | None = None


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


Route = Callable[[Seen], Answer]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
        with self.server.lock:
            self.server.seen.append(seen)
            route = self.server.routes.get(urlsplit(self.path).path)
        answer = route(seen) if route else Answer(404, [("Content-Length", "0")])
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        body = answer.body if answer.send_bytes is None else answer.body[: answer.send_bytes]
        self.wfile.write(body)
        if answer.send_bytes is not None:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-body (as recbrowser does on a refused answer) is not news."""


class HostileHost:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def seen(self) -> list[Seen]:
        with self._server.lock:
            return list(self._server.seen)

    def route(self, path: str, answer: Route) -> str:
        """Answer GETs of ``path`` with ``answer``; returns the full URL."""
        with self._server.lock:
            self._server.routes[path] = answer
        return self.url + path

    def __enter__(self) -> HostileHost:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def whole(body: bytes, *, content_type: str = "audio/wav", etag: str | None = None) -> Answer:
    """A plain 200 with the whole body and its length."""
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if etag:
        headers.append(("ETag", etag))
    return Answer(200, headers, body)


def asked_from(seen: Seen) -> int | None:
    """The start of a ``Range: bytes=N-`` request, or None."""
    value = seen.headers.get("range", "")
    if value.startswith("bytes=") and value.endswith("-") and value[6:-1].isdigit():
        return int(value[6:-1])
    return None
