"""Downloads go through HTTP(S)_PROXY when it is set (as httpx does for the API), with the proxy
URL's credentials, and NO_PROXY wins: against a stdlib proxy and a real tinyproxy on loopback."""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from recbrowser.errors import FetchError
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.fakeapi.samples import MAIN_CALL as CALL
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan
from tests.loopback import free_port


class ForwardProxy(BaseHTTPRequestHandler):
    """A minimal forward proxy for plain http: relays absolute-URI GETs and remembers them."""

    seen: list[str] = []

    def do_GET(self) -> None:
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


# --- credentials in the proxy URL, and a real proxy (tinyproxy) for http and https ----------

PROXY_USER, PROXY_PASSWORD = "rec user", "p@ss:w/rd"  # both need percent-encoding in a URL
PROXY_USERINFO = "rec%20user:p%40ss%3Aw%2Frd"
EXPECTED_AUTH = "Basic " + base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()


class RecordingProxy(ForwardProxy):
    """The stdlib forward proxy, remembering the Proxy-Authorization each request carried."""

    authorizations: list[str | None] = []

    def do_GET(self) -> None:
        self.authorizations.append(self.headers.get("Proxy-Authorization"))
        del self.headers["Proxy-Authorization"]
        super().do_GET()


def test_plain_http_through_a_proxy_sends_the_urls_credentials_percent_decoded(tmp_path, monkeypatch):
    RecordingProxy.seen, RecordingProxy.authorizations = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("http_proxy", f"http://{PROXY_USERINFO}@127.0.0.1:{server.server_address[1]}")
    try:
        with FakeMagpipe() as fake:
            segment = _segment(fake)
            result = fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))
            storage_headers = [r.headers for r in fake.requests["storage"]]
    finally:
        server.shutdown()
        server.server_close()
    assert result.path.read_bytes() == segment_wav(CALL, 1)
    assert RecordingProxy.authorizations == [EXPECTED_AUTH]
    assert all("proxy-authorization" not in headers for headers in storage_headers)


def _wait_listening(port: int, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"nothing listening on {port} after {timeout} s")


# tinyproxy's config takes only [-a-z0-9._] in credentials; "%2E" still shows they are decoded.
TINY_USER, TINY_PASSWORD = "rec_user", "pa.ss-w0rd"
TINY_USERINFO = "rec_user:pa%2Ess-w0rd"


@pytest.fixture
def tinyproxy(tmp_path):
    """A real tinyproxy on loopback wanting Basic credentials; yields its port."""
    binary = shutil.which("tinyproxy") or ("/usr/bin/tinyproxy" if os.path.exists("/usr/bin/tinyproxy") else None)
    if binary is None:
        pytest.skip("tinyproxy is not installed (apt-get install -y tinyproxy; .ci/run installs it when it can)")
    for _try in range(3):  # the free port can be taken by another process before tinyproxy binds it
        port = free_port()
        conf = tmp_path / "tinyproxy.conf"
        conf.write_text(
            f"Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"
            f"BasicAuth {TINY_USER} {TINY_PASSWORD}\nLogLevel Critical\n"
            + (f"User {os.environ.get('USER', 'root')}\n" if os.geteuid() == 0 else "")
        )
        process = subprocess.Popen(
            [binary, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_listening(port, process)
        except AssertionError:
            process.kill()
            process.wait(timeout=10)
            continue
        try:
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    pytest.fail("tinyproxy did not start on a free loopback port in 3 tries")


def test_plain_http_through_tinyproxy_with_basic_auth(tinyproxy, tmp_path, monkeypatch, fake):
    monkeypatch.setenv("http_proxy", f"http://{TINY_USERINFO}@127.0.0.1:{tinyproxy}")
    segment = _segment(fake)
    result = fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))
    assert result.path.read_bytes() == segment_wav(CALL, 1)
    via = [r.headers.get("via", "") for r in fake.requests["storage"]]
    assert via and all("tinyproxy" in v for v in via)  # it really went through the proxy
    assert all("proxy-authorization" not in r.headers for r in fake.requests["storage"])


def test_wrong_proxy_credentials_fail_clearly_without_printing_them(tinyproxy, tmp_path, monkeypatch, fake):
    monkeypatch.setenv("http_proxy", f"http://rec_user:wrong%21pw@127.0.0.1:{tinyproxy}")
    segment = _segment(fake)
    with pytest.raises(FetchError) as raised:
        fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment), options=FetchOptions(max_attempts=1))
    assert "407" in raised.value.message or "401" in raised.value.message  # tinyproxy 1.11 says 401
    assert "wrong" not in raised.value.message and "rec_user" not in raised.value.message


@pytest.fixture
def https_origin(tmp_path):
    """An https recordings origin on loopback with a throwaway self-signed certificate;
    yields (base URL, the certificate's path, the body it serves)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: cannot make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    body = segment_wav(CALL, 1)

    class Origin(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert, body
    finally:
        server.shutdown()
        server.server_close()


def _https_segment(base: str) -> Segment:
    return Segment(1, f"{base}/recordings/{CALL}.wav", "main", None, None, "synced", None)


def test_https_through_tinyproxy_uses_connect_with_basic_auth(tinyproxy, https_origin, tmp_path, monkeypatch):
    base, cert, body = https_origin
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("https_proxy", f"http://{TINY_USERINFO}@127.0.0.1:{tinyproxy}")
    segment = _https_segment(base)
    result = fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))
    assert result.path.read_bytes() == body


def test_https_through_tinyproxy_with_wrong_credentials_is_refused_by_the_proxy(
    tinyproxy, https_origin, tmp_path, monkeypatch
):
    base, cert, _body = https_origin
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("https_proxy", f"http://rec_user:wrong%21pw@127.0.0.1:{tinyproxy}")
    segment = _https_segment(base)
    with pytest.raises(FetchError) as raised:
        fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment), options=FetchOptions(max_attempts=1))
    assert "407" in raised.value.message or "401" in raised.value.message  # tinyproxy 1.11 says 401
    assert "wrong" not in raised.value.message and "rec_user" not in raised.value.message


def test_no_proxy_bypasses_tinyproxy_for_https_too(tinyproxy, https_origin, tmp_path, monkeypatch):
    base, cert, body = https_origin
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("https_proxy", f"http://rec_user:wrong%21pw@127.0.0.1:{tinyproxy}")  # would be refused
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    segment = _https_segment(base)
    assert fetch(segment.url, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment)).path.read_bytes() == body
