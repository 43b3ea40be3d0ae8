"""The recordings transport against hostile hosts, over real loopback HTTP: bytes beyond a
Content-Length, malformed URLs and redirects, a host that drips or stalls, cancelling."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from recbrowser import cli, connections
from recbrowser.abort import Abort
from recbrowser.connections import ConnectionPool
from recbrowser.downloads import CANCELLED, DONE, FAILED, DownloadItem, run_downloads
from recbrowser.errors import Cancelled, TransferInterrupted
from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe, SegmentSpec, segment_wav
from recbrowser.fakeapi.samples import TRANSFER_CALL as CALL  # segments 1 and 2 are in the bucket
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan
from recbrowser.progress import Transfer
from tests.polling import wait_until
from tests.tui_hostile import call_with

FAST = FetchOptions(backoff_base=0.001, timeout=10)


@pytest.fixture(autouse=True)
def no_idle_connections() -> None:
    connections.POOL.clear()


def segment_url(fake: FakeMagpipe, index: int) -> str:
    return f"{fake.storage_url}/storage/v1/object/public/recordings/{CALL}/{index}.wav"


def item_for(fake: FakeMagpipe, tmp_path: Path, index: int, url: str | None = None) -> DownloadItem:
    segment = Segment(index, url or segment_url(fake, index), f"seg{index}", None, None, "synced", None)
    return DownloadItem(CALL, segment, plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment))


def storage_gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


# --- 5: bytes beyond a Content-Length ------------------------------------------------------


def test_bytes_beyond_the_content_length_never_become_the_next_files_answer(fake: FakeMagpipe, tmp_path: Path) -> None:
    fake.faults.extra_after_body = 1
    first, second = item_for(fake, tmp_path, 1), item_for(fake, tmp_path, 2)
    assert fetch(first.url, first.planned, force=True, options=FAST).path.read_bytes() == segment_wav(CALL, 1)
    one_try = replace(FAST, max_attempts=1)  # a failed attempt would raise
    result = fetch(second.url, second.planned, force=True, options=one_try)
    assert result.path.read_bytes() == segment_wav(CALL, 2)
    gets = storage_gets(fake)
    assert len(gets) == 2 and gets[0].client_port != gets[1].client_port  # not sent on the spoiled connection


def read_as_fetch_does(response) -> bytes:  # type: ignore[no-untyped-def]
    """One receive at a time (read1), which leaves what follows the body on the socket."""
    body = b""
    while data := response.read1(1 << 20):
        body += data
    response.read()
    return body


def test_the_answer_after_one_with_extra_bytes_is_the_real_one(fake: FakeMagpipe) -> None:
    read = read_as_fetch_does
    fake.faults.extra_after_body = 1
    pool = ConnectionPool()
    parts = urlsplit(segment_url(fake, 1))
    lease, response = connections.request(parts, {}, 10, pool)
    assert read(response) == segment_wav(CALL, 1)
    connections.finished_with(lease, response, pool)
    lease, response = connections.request(parts, {}, 10, pool)
    assert response.status == 200 and read(response) == segment_wav(CALL, 1)
    connections.finished_with(lease, response, pool)
    assert connections.request(parts, {}, 10, pool)[0].reused  # a clean connection still is


# --- 8: malformed recording URLs and redirects ------------------------------------------------

BAD_URLS = ["http://127.0.0.1:99999/x.wav", "http://127.0.0.1:eighty/x.wav", "http://[bad/x.wav"]


@pytest.fixture
def bad_url_fake(request: pytest.FixtureRequest) -> FakeMagpipe:
    call = call_with(
        "e0000000-0000-4000-8000-000000000008",
        [SegmentSpec("main"), SegmentSpec("broken", url=request.param), SegmentSpec("leg")],
        "a call whose second segment has a malformed URL",
    )
    with FakeMagpipe(calls=[call]) as server:
        yield server


@pytest.mark.parametrize("bad_url_fake", BAD_URLS, indirect=True)
def test_a_malformed_recording_url_fails_that_segment_only(
    bad_url_fake: FakeMagpipe, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", bad_url_fake.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    call_id = "e0000000-0000-4000-8000-000000000008"
    code = cli.main(["download", "--json", "--jobs", "1", "-o", str(tmp_path), call_id])
    captured = capsys.readouterr()
    records = {r["index"]: r for r in map(json.loads, captured.out.splitlines())}
    assert code == 6 and "Traceback" not in captured.err
    assert [records[i]["status"] for i in (1, 2, 3)] == ["downloaded", "failed", "downloaded"]
    assert records[2]["error"]["code"] == "bad_url"
    assert "malformed" in records[2]["error"]["message"]
    for index in (1, 3):
        assert Path(records[index]["path"]).read_bytes() == segment_wav(call_id, index)
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize("location", ["http://[bad/", "http://127.0.0.1:99999/x", "http://127.0.0.1:no/x"])
async def test_a_redirect_to_a_malformed_url_fails_that_segment_only(
    fake: FakeMagpipe, tmp_path: Path, location: str
) -> None:
    fake.faults.malformed_redirect = 1
    fake.faults.malformed_location = location
    items = [item_for(fake, tmp_path, 1), item_for(fake, tmp_path, 2)]
    finished = [item async for item in run_downloads(items, jobs=1, fetch_options=FAST)]
    assert len(finished) == 2
    assert [i.state for i in items] == [FAILED, DONE]
    assert items[0].error is not None and items[0].error.code == "bad_url"
    assert "redirected to a malformed URL" in items[0].error.message
    assert items[1].path is not None and items[1].path.read_bytes() == segment_wav(CALL, 2)


# --- 13: a dripping or stalled host --------------------------------------------------------


def test_progress_moves_as_a_dripping_host_sends_and_cancel_stops_it_at_once(fake: FakeMagpipe, tmp_path: Path) -> None:
    fake.faults.drip_bytes, fake.faults.drip_interval = 100, 0.2  # the 16 KB file would take 30 s
    item = item_for(fake, tmp_path, 1)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fetch(item.url, item.planned, transfer=item.transfer, cancel=item.cancel_event, force=True, options=FAST)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    wait_until(lambda: item.transfer.done >= 200, timeout=3, what="progress from the dripping host")
    cancelled_at = time.monotonic()
    item.cancel()
    worker.join(timeout=2)
    assert not worker.is_alive(), "cancel did not stop the transfer within 2 s"
    assert time.monotonic() - cancelled_at < 2
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    kept = item.planned.part.read_bytes()
    assert len(kept) >= 200 and segment_wav(CALL, 1).startswith(kept)


def test_a_plain_event_cancels_a_dripping_transfer_too(fake: FakeMagpipe, tmp_path: Path) -> None:
    fake.faults.drip_bytes, fake.faults.drip_interval = 10, 0.1
    item = item_for(fake, tmp_path, 1)
    cancel = threading.Event()
    transfer = Transfer()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        fetch(item.url, item.planned, transfer=transfer, cancel=cancel, force=True, options=FAST)
    assert time.monotonic() - started < 2.5
    assert transfer.done > 0


async def test_cancelling_an_active_batch_item_on_a_dripping_host_finishes_it_within_2_s(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    fake.faults.drip_bytes, fake.faults.drip_interval = 1, 0.5
    item = item_for(fake, tmp_path, 1)
    runner = run_downloads([item], jobs=1, fetch_options=FAST)
    first = asyncio.ensure_future(runner.__anext__())
    deadline = time.monotonic() + 5
    while not storage_gets(fake):
        assert time.monotonic() < deadline, "the download never started"
        await asyncio.sleep(0.01)
    started = time.monotonic()
    item.cancel()
    finished = await asyncio.wait_for(first, timeout=2)
    assert finished is item and item.state == CANCELLED
    assert time.monotonic() - started < 2
    await runner.aclose()


def test_a_host_that_stops_sending_is_a_transfer_interruption(fake: FakeMagpipe, tmp_path: Path) -> None:
    fake.faults.drip_bytes, fake.faults.drip_interval = 1000, 5.0  # headers, then nothing for 5 s
    item = item_for(fake, tmp_path, 1)
    started = time.monotonic()
    with pytest.raises(TransferInterrupted, match="timed out"):
        fetch(item.url, item.planned, force=True, options=FetchOptions(timeout=0.5, max_attempts=1))
    assert time.monotonic() - started < 3


def test_an_abort_set_before_the_request_cancels_without_touching_the_host(fake: FakeMagpipe, tmp_path: Path) -> None:
    abort = Abort()
    abort.set()
    item = item_for(fake, tmp_path, 1)
    with pytest.raises(Cancelled):
        fetch(item.url, item.planned, cancel=abort, force=True, options=FAST)
    assert storage_gets(fake) == []


@pytest.fixture
def unanswering_host() -> str:
    """A loopback port whose accept queue is full, so a new connect waits for an answer that never comes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = []
    while True:  # fill the accept queue until a connect no longer completes
        client = socket.socket()
        client.settimeout(0.3)
        try:
            client.connect(("127.0.0.1", port))
        except OSError:
            client.close()
            break
        held.append(client)
        assert len(held) < 100, "the accept queue never filled"
    yield f"http://127.0.0.1:{port}/recording.wav"
    for client in held:
        client.close()
    listener.close()


@pytest.fixture
def silent_tls_host() -> str:
    """Accepts TCP connections and never says a word: a TLS handshake with it never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}/recording.wav"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.parametrize(
    "host", ["unanswering_host", "silent_tls_host"], ids=["a connect never answered", "a TLS handshake never answered"]
)
def test_cancel_stops_a_transfer_the_host_never_answers(
    host: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue(host)
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, Segment(1, url, "main", None, None, "synced", None))
    abort = Abort()
    timer = threading.Timer(0.5, abort.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        fetch(url, planned, cancel=abort, options=FetchOptions(timeout=10, max_attempts=1))
    assert time.monotonic() - started < 2
