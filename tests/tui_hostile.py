"""Hostile servers and odd calls for the app's (and the commands') tests: a recording host that
drips bytes, and calls with whatever segments a test needs, served by a FakeMagpipe of its own."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.fakeapi.samples import SampleCall, SegmentSpec

DRIP_EVERY = 0.2  # seconds between two bytes
DRIP_LIMIT = 120.0  # a dripping answer ends by itself after this long, so nothing outlives a test run


class DripServer:
    """Answers every GET with headers for a large body, then 1 byte every DRIP_EVERY seconds,
    until the client goes or the server stops. ``connected`` is set at the first request."""

    def __init__(self, size: int = 50_000_000) -> None:
        self.size = size
        self.connected = threading.Event()
        self.stopping = threading.Event()
        drip = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(drip.size))
                self.end_headers()
                self.wfile.flush()
                drip.connected.set()
                sent = 0
                while sent < drip.size and sent * DRIP_EVERY < DRIP_LIMIT and not drip.stopping.wait(DRIP_EVERY):
                    try:
                        self.wfile.write(b"\0")
                        self.wfile.flush()
                    except OSError:  # the client went away
                        return
                    sent += 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/drip.wav"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # every dripping answer ends, so the client's read gets EOF
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def call_with(call_id: str, segments: Sequence[SegmentSpec], description: str = "a test call") -> SampleCall:
    """A call of the demo account with exactly these segments."""
    return SampleCall(
        call_id=call_id,
        description=description,
        recordings=list(segments),
        started_at="2026-03-02T10:00:00Z",
        duration=60,
        agent_id="a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d",
        agent_name="Front Desk",
        from_number="+15550100",
        to_number="+15550101",
    )


def fake_serving(*calls: SampleCall) -> FakeMagpipe:
    """A FakeMagpipe (not started) that serves only these calls."""
    return FakeMagpipe(calls=calls)
