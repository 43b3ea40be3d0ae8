"""TLS for the API: an https origin is verified (certifi, or SSL_CERT_FILE) exactly as httpx
does; an http origin builds no CA context at all, so a one-shot command does not pay for one."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from recbrowser.errors import NetworkError
from recbrowser.fakeapi.samples import MAIN_CALL

ANSWER = {
    "call_id": MAIN_CALL,
    "recording_url": "https://storage.example/1.wav",
    "recordings": [{"url": "https://storage.example/1.wav", "label": "main", "status": "synced"}],
}


@pytest.fixture
def https_api(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An API origin on loopback over TLS, with a throwaway self-signed certificate;
    yields (its base URL, the certificate's path)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: cannot make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [openssl, *request, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    body = json.dumps(ANSWER).encode()

    class Api(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/functions/v1", cert
    finally:
        server.shutdown()
        server.server_close()


async def test_an_https_api_with_an_untrusted_certificate_is_refused(https_api, make_client, monkeypatch):
    base, _cert = https_api
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    client = make_client(api_url=base, max_tries=1)
    with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
        await client.get_recordings(MAIN_CALL)


async def test_an_https_api_is_trusted_through_ssl_cert_file(https_api, make_client, monkeypatch):
    base, cert = https_api
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    client = make_client(api_url=base, max_tries=1)
    answer = await client.get_recordings(MAIN_CALL)
    assert [segment.label for segment in answer.segments] == ["main"]


async def test_an_http_api_reads_no_ca_bundle(make_client, monkeypatch, tmp_path):
    """Proof that no CA context is built for http: an unreadable SSL_CERT_FILE, which httpx
    would load (and fail on) while building one, does not stop a plain-http lookup."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    client = make_client()
    answer = await client.get_recordings(MAIN_CALL)
    assert answer.call_id == MAIN_CALL
