"""Downloads go through HTTP_PROXY when it is set (as httpx does for the API), and NO_PROXY wins."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.fetch import fetch
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan

CALL = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"


class ForwardProxy(BaseHTTPRequestHandler):
    """A minimal forward proxy for plain http: relays absolute-URI GETs and remembers them."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.path)
        target = urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=dict(self.headers))
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy():
    ForwardProxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ForwardProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _segment(fake: FakeMagpipe) -> Segment:
    url = f"{fake.storage_url}/storage/v1/object/public/recordings/{CALL}/1.wav"
    return Segment(1, url, "main", None, None, "synced", None)


def test_download_goes_through_http_proxy(proxy, tmp_path, monkeypatch):
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with FakeMagpipe() as fake:
        segment = _segment(fake)
        result = fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))
    assert result.path.read_bytes() == segment_wav(CALL, 1)
    assert ForwardProxy.seen == [segment.url]


def test_no_proxy_bypasses_the_proxy(proxy, tmp_path, monkeypatch):
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with FakeMagpipe() as fake:
        segment = _segment(fake)
        result = fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))
    assert result.path.read_bytes() == segment_wav(CALL, 1)
    assert ForwardProxy.seen == []
