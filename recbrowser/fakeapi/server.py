"""``FakeMagpipe``: the API origin and the recordings origin, on loopback, in daemon threads."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType

from recbrowser.fakeapi.api import API_PREFIX, ApiHandler
from recbrowser.fakeapi.faults import Faults
from recbrowser.fakeapi.httpbase import BaseHandler, QuietServer
from recbrowser.fakeapi.samples import DEFAULT_KEYS, SAMPLE_CALLS, SampleCall
from recbrowser.fakeapi.state import FakeState, RequestRecord
from recbrowser.fakeapi.storage import StorageHandler
from recbrowser.fakeapi.week import week_calls

_POLL_SECONDS = 0.05


class FakeMagpipe:
    """A real HTTP fake of the Magpipe API plus the separate host its recordings live on.

    ``with FakeMagpipe() as fake:`` binds free ports; point a client at ``fake.api_url``.
    """

    def __init__(
        self,
        *,
        api_port: int = 0,
        storage_port: int = 0,
        host: str = "127.0.0.1",
        keys: Mapping[str, str] | None = None,
        calls: Iterable[SampleCall] | None = None,
        public_storage_url: str | None = None,
        week_ending: datetime | None = None,
    ) -> None:
        """``public_storage_url`` makes the API advertise recordings on another server (e.g. an
        nginx serving the same paths, for benchmarks) instead of the built-in recordings host.
        ``week_ending`` adds, besides ``calls``, the demo account's realistic week of calls before
        that moment (``week.week_calls``)."""
        self.host = host
        self.week_ending = week_ending
        self._public_storage_url = public_storage_url.rstrip("/") if public_storage_url else None
        self._ports = {"api": api_port, "storage": storage_port}
        self.faults = Faults()
        served = list(SAMPLE_CALLS if calls is None else calls)
        if week_ending is not None:
            served += week_calls(week_ending)
        self._state = FakeState(served, DEFAULT_KEYS if keys is None else keys, self.faults)
        self.requests: dict[str, list[RequestRecord]] = self._state.requests
        self._stopping = threading.Event()
        self._servers: list[QuietServer] = []
        self._threads: list[threading.Thread] = []
        self._lifecycle = threading.Lock()

    @property
    def api_url(self) -> str:
        """Base URL of the API; endpoints are ``POST {api_url}/<name>``."""
        return f"http://{self.host}:{self._bound_port('api')}{API_PREFIX}"

    @property
    def storage_url(self) -> str:
        """Origin of the recordings host (a different port, hence a different origin)."""
        return f"http://{self.host}:{self._bound_port('storage')}"

    def _bound_port(self, origin: str) -> int:
        if not self._ports[origin]:
            raise RuntimeError("FakeMagpipe is not started")
        return self._ports[origin]

    def start(self) -> FakeMagpipe:
        """Bind both servers and serve them in daemon threads (no-op when running)."""
        with self._lifecycle:
            if self._servers:
                return self
            self._stopping.clear()
            handlers: dict[str, type[BaseHandler]] = {"api": ApiHandler, "storage": StorageHandler}
            for origin, handler in handlers.items():
                server = QuietServer((self.host, self._ports[origin]), handler, self._state, self._stopping)
                self._ports[origin] = server.server_address[1]
                self._servers.append(server)
            self._state.storage_url = self._public_storage_url or self.storage_url
            for server in self._servers:
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": _POLL_SECONDS},
                    name=f"fakemagpipe-{server.server_address[1]}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
            return self

    def stop(self) -> None:
        """Stop serving, cut open connections and close the sockets; idempotent."""
        with self._lifecycle:
            self._stopping.set()
            for server in self._servers:
                server.shutdown()
                server.server_close()
                server.close_connections()
            for thread in self._threads:
                thread.join(timeout=5)
            self._servers.clear()
            self._threads.clear()

    def __enter__(self) -> FakeMagpipe:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Faults back to defaults; lookups, signed URLs and request logs forgotten."""
        self._state.reset()

    def auth_headers(self, origin: str) -> list[str | None]:
        """The Authorization header of every request ``origin`` ("api"|"storage") saw."""
        return [request.authorization for request in list(self.requests[origin])]

    def lookup_count(self, call_id: str) -> int:
        """How many get-signed-recording-url lookups found this call."""
        return self._state.lookup_count(call_id)

    @property
    def calls(self) -> dict[str, SampleCall]:
        """The served calls by lowercase ID."""
        return self._state.calls
