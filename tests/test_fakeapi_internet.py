"""The fake's ``# --- internet`` faults: handshakes, round trips, bandwidth caps, sized recordings.

Timing is checked by ordering and by byte counts against an upper bound where possible (a slow,
loaded machine only makes an upper bound easier to meet); a lower bound on elapsed time is used
only for delays the fake itself adds.
"""

from __future__ import annotations

import http.client
import io
import select
import threading
import time
import wave
from urllib.parse import urlsplit

import httpx

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.fakeapi.shaping import BURST_SECONDS
from recbrowser.fakeapi.storage import _PACED_CHUNK
from tests.polling import wait_until

PIECE = 64 * 1024


def _path(call_id: str, index: int) -> str:
    return f"/storage/v1/object/public/recordings/{call_id}/{index}.wav"


def _connect(fake: FakeMagpipe) -> http.client.HTTPConnection:
    parts = urlsplit(fake.storage_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    connection.connect()
    return connection


def test_a_new_connection_answers_after_a_kept_alive_one_asked_later(fake: FakeMagpipe) -> None:
    fake.faults.net_handshake = 1.0
    warm = _connect(fake)
    warm.request("GET", _path(MAIN_CALL, 1))
    warm.getresponse().read()
    fresh = _connect(fake)
    fresh.request("GET", _path(MAIN_CALL, 1))  # asked first, on a connection with its handshakes due
    warm.request("GET", _path(MAIN_CALL, 1))
    readable, _, _ = select.select([fresh.sock, warm.sock], [], [], 30)
    assert readable == [warm.sock]
    assert warm.getresponse().read() == fresh.getresponse().read()
    ports = sorted(request.client_port for request in fake.requests["storage"])
    warm_port, fresh_port = warm.sock.getsockname()[1], fresh.sock.getsockname()[1]
    assert ports == sorted([warm_port, warm_port, fresh_port])  # the warm one's two requests were kept alive
    warm.close()
    fresh.close()


def test_every_request_waits_its_round_trip_and_api_latency_covers_listing_and_lookups(fake: FakeMagpipe) -> None:
    fake.faults.net_first_byte = 0.3
    fake.faults.latency = 0.3
    connection = _connect(fake)
    for _ in range(2):
        started = time.monotonic()
        connection.request("GET", _path(MAIN_CALL, 1))
        connection.getresponse().read()
        assert time.monotonic() - started >= 0.3
    connection.close()
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}
    with httpx.Client(base_url=fake.api_url, headers=headers, timeout=30) as api:
        for endpoint, body in (("list-calls", {}), ("get-signed-recording-url", {"call_id": MAIN_CALL})):
            started = time.monotonic()
            assert api.post(f"/{endpoint}", json=body).status_code == 200
            assert time.monotonic() - started >= 0.3, endpoint


def _download(fake: FakeMagpipe, path: str, log: list[tuple[float, int]], lock: threading.Lock) -> int:
    """GET ``path``, noting (when, bytes) after every read in the shared ``log``; the body's size."""
    connection = _connect(fake)
    connection.request("GET", path)
    response = connection.getresponse()
    got = 0
    while piece := response.read1(PIECE):
        got += len(piece)
        with lock:
            log.append((time.monotonic(), len(piece)))
    connection.close()
    return got


def _parallel(fake: FakeMagpipe, paths: list[str]) -> tuple[list[list[tuple[float, int]]], list[int]]:
    logs: list[list[tuple[float, int]]] = [[] for _ in paths]
    sizes = [0] * len(paths)
    lock = threading.Lock()

    def run(slot: int) -> None:
        sizes[slot] = _download(fake, paths[slot], logs[slot], lock)

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return logs, sizes


def _allowance(rate: int) -> float:
    """Bytes a capped sender may be ahead of its rate: the bucket's burst and the pieces in flight."""
    return rate * BURST_SECONDS + 2 * _PACED_CHUNK + PIECE


def _assert_within(events: list[tuple[float, int]], rate: int) -> None:
    """Bytes received by each moment never exceed the rate since the first one, plus the allowance."""
    events = sorted(events)
    first, total = events[0][0], 0
    for when, count in events:
        total += count
        assert total <= rate * (when - first) + _allowance(rate), (total, when - first)


def test_each_connection_is_capped_and_connections_add_up(fake: FakeMagpipe) -> None:
    rate, size = 2_000_000, 1_000_000
    fake.faults.net_connection_rate = rate
    fake.faults.recording_bytes = size
    started = time.monotonic()
    logs, sizes = _parallel(fake, [_path(MAIN_CALL, 1), _path(TRANSFER_CALL, 1), _path(TRANSFER_CALL, 2)])
    elapsed = time.monotonic() - started
    assert sizes == [size] * 3
    for log in logs:
        _assert_within(log, rate)
    # Not one cap shared by all: that could not bring the three bodies this soon (1.3 s; ~0.5 s expected).
    assert elapsed < (3 * size - _allowance(rate)) / rate


def test_the_link_cap_is_shared_by_every_connection(fake: FakeMagpipe) -> None:
    rate, size = 3_000_000, 1_000_000
    fake.faults.net_link_rate = rate
    fake.faults.recording_bytes = size
    logs, sizes = _parallel(fake, [_path(MAIN_CALL, 1), _path(TRANSFER_CALL, 1), _path(TRANSFER_CALL, 2)])
    assert sizes == [size] * 3
    _assert_within([event for log in logs for event in log], rate)
    # Shared, not taken in turn: every connection had bytes before any of them was done.
    finished = min(log[-1][0] for log in logs)
    assert all(log[0][0] < finished for log in logs)


def test_sized_recordings_are_wavs_of_that_size_with_their_own_header_and_ranges(fake: FakeMagpipe) -> None:
    size = 300_001
    fake.faults.recording_bytes = size
    with httpx.Client(base_url=fake.storage_url, timeout=30) as storage:
        first = storage.get(_path(TRANSFER_CALL, 1))
        second = storage.get(_path(TRANSFER_CALL, 2))
        part = storage.get(_path(TRANSFER_CALL, 1), headers={"Range": "bytes=50-150999"})
    assert len(first.content) == len(second.content) == size
    assert first.content != second.content and first.headers["etag"] != second.headers["etag"]
    with wave.open(io.BytesIO(first.content)) as audio:
        assert audio.getnframes() > 0
    assert part.status_code == 206 and part.content == first.content[50:151000]


def test_a_held_lookup_answers_once_released(fake: FakeMagpipe) -> None:
    fake.faults.lookup_hold = MAIN_CALL.upper()
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}
    answers: list[int] = []
    with httpx.Client(base_url=fake.api_url, headers=headers, timeout=30) as api:
        held = threading.Thread(
            target=lambda: answers.append(
                api.post("/get-signed-recording-url", json={"call_id": MAIN_CALL}).status_code
            )
        )
        held.start()
        wait_until(
            lambda: any(MAIN_CALL.encode() in request.body for request in fake.requests["api"]), "the held lookup"
        )
        other = api.post("/get-signed-recording-url", json={"call_id": TRANSFER_CALL})
        assert other.status_code == 200 and answers == []
        fake.faults.lookup_release.set()
        held.join(30)
    assert answers == [200]
