"""Streaming one recording to disk (recbrowser.fetch) against the fake recordings host over loopback."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from recbrowser.errors import Cancelled, DiskError, HttpFailure, Incomplete, UrlExpired
from recbrowser.fakeapi import FakeMagpipe, big_sha256, segment_wav
from recbrowser.fakeapi.samples import MAIN_CALL as MAIN
from recbrowser.fakeapi.samples import TRANSFER_CALL as TRANSFER
from recbrowser.fetch import MAX_REDIRECTS, fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, PlannedName, plan
from recbrowser.progress import Transfer
from tests.files import sha256_of

FAST = FetchOptions(backoff_base=0.001, timeout=10)


def synced_path(call_id: str = MAIN, index: int = 1) -> str:
    return f"/storage/v1/object/public/recordings/{call_id}/{index}.wav"


def planned_for(
    base: Path, url: str | None, *, call_id: str = MAIN, index: int = 1, label: str = "main"
) -> PlannedName:
    return plan(base, DEFAULT_TEMPLATE, call_id, Segment(index, url, label, None, "signalwire", "synced", None))


def gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


# --- a plain download ---------------------------------------------------------------------


def test_download_is_byte_identical_and_leaves_no_partial_behind(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    transfer = Transfer()
    result = fetch(url, planned, transfer=transfer, options=FAST)
    body = segment_wav(MAIN, 1)
    assert result.path == tmp_path / MAIN / "01-main.wav" and not result.skipped
    assert result.path.read_bytes() == body and result.bytes == len(body)
    assert transfer.total == transfer.done == len(body)
    assert sorted(p.name for p in result.path.parent.iterdir()) == ["01-main.wav"]
    (request,) = gets(fake)
    assert request.authorization is None and "range" not in request.headers


def test_the_extension_comes_from_the_content_type_when_the_url_has_none(fake: FakeMagpipe, tmp_path: Path) -> None:
    planned = planned_for(tmp_path, "https://provider.example/recording?id=1")
    result = fetch(fake.storage_url + synced_path(), planned, options=FAST)
    assert result.path == tmp_path / MAIN / "01-main.wav"
    assert result.path.read_bytes() == segment_wav(MAIN, 1)
    assert fetch(fake.storage_url + synced_path(), planned, options=FAST).skipped  # found again under its real name


def test_an_unknown_content_type_without_url_extension_is_saved_as_bin(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = f"{fake.storage_url}/big/5000"
    result = fetch(url, planned_for(tmp_path, url), options=FAST)
    assert result.path.name == "01-main.bin" and sha256_of(result.path) == big_sha256(5000)


# --- never a truncated file under the final name ---------------------------------------------


def test_a_dropped_connection_never_leaves_a_truncated_file_under_the_final_name(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    fake.faults.drop_mid_body = 1
    total = len(segment_wav(MAIN, 1))
    expected = (
        f"The server sent {total // 2:,} of {total:,} bytes in 1 attempt; the partial file is kept for a later resume."
    )
    with pytest.raises(Incomplete) as raised:  # checked against Content-Length
        fetch(url, planned, options=replace(FAST, max_attempts=1))
    assert raised.value.message == expected and raised.value.retryable
    assert not planned.path.exists()
    assert planned.part.stat().st_size == total // 2
    assert planned.part.read_bytes() == segment_wav(MAIN, 1)[: total // 2]


def test_dropped_connection_resumes_from_bytes_written(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path(TRANSFER, 2)
    planned = planned_for(tmp_path, url, call_id=TRANSFER, index=2)
    body = segment_wav(TRANSFER, 2)
    fake.faults.drop_mid_body = 1
    transfer = Transfer()
    result = fetch(url, planned, transfer=transfer, options=FAST)
    assert result.path.read_bytes() == body
    first, second = gets(fake)
    assert "range" not in first.headers
    assert second.headers["range"] == f"bytes={len(body) // 2}-"
    assert second.headers["if-range"] == etag_of(body)
    assert transfer.resumed_from == len(body) // 2  # two GETs above: one attempt, one resume
    assert not planned.part.exists()


def test_retries_after_drops_are_bounded_and_a_later_run_resumes(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    body = segment_wav(MAIN, 1)
    fake.faults.drop_mid_body = 100
    with pytest.raises(Incomplete):
        fetch(url, planned, options=replace(FAST, max_attempts=3))
    assert len(gets(fake)) == 3
    written = planned.part.stat().st_size
    assert len(body) // 2 < written < len(body)  # each attempt kept what it got
    assert planned.part.read_bytes() == body[:written]
    fake.faults.drop_mid_body = 0
    result = fetch(url, planned, options=FAST)
    assert result.path.read_bytes() == body
    assert gets(fake)[-1].headers["range"] == f"bytes={written}-"


def test_an_interrupted_part_is_resumed_with_range_and_if_range(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path(TRANSFER, 1)
    planned = planned_for(tmp_path, url, call_id=TRANSFER)
    body = segment_wav(TRANSFER, 1)
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(url, planned, options=replace(FAST, max_attempts=1))
    result = fetch(url, planned, options=FAST)  # "the next run"
    assert result.path.read_bytes() == body and not result.skipped
    resumed = gets(fake)[-1]
    assert resumed.headers["range"] == f"bytes={len(body) // 2}-"
    assert resumed.headers["if-range"] == etag_of(body)
    assert resumed.authorization is None
    assert sorted(p.name for p in result.path.parent.iterdir()) == ["01-main.wav"]


def test_a_part_without_known_validators_is_resumed_with_range_only(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    body = segment_wav(MAIN, 1)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(body[:1000])
    assert fetch(url, planned, options=FAST).path.read_bytes() == body
    (request,) = gets(fake)
    assert request.headers["range"] == "bytes=1000-" and "if-range" not in request.headers


def test_a_changed_object_restarts_from_zero_instead_of_being_spliced(fake: FakeMagpipe, tmp_path: Path) -> None:
    old_url, new_url = f"{fake.storage_url}/big/300000", f"{fake.storage_url}/big/400000"
    planned = planned_for(tmp_path, old_url)
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(old_url, planned, options=replace(FAST, max_attempts=1))
    result = fetch(new_url, planned, options=FAST)  # same segment, the object behind it changed
    assert gets(fake)[-1].headers["if-range"] == '"big-300000"'
    assert result.bytes == 400000 and sha256_of(result.path) == big_sha256(400000)


def test_a_part_whose_recorded_size_differs_from_the_servers_restarts_without_validators(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    # No ETag or Last-Modified was recorded, so only the total size can tell the object changed.
    url = f"{fake.storage_url}/big/400000"
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(b"x" * 1000)
    planned.part.with_name(planned.part.name + ".json").write_text(json.dumps({"total": "300000"}))
    result = fetch(url, planned, options=FAST)
    assert [r.headers.get("range") for r in gets(fake)] == ["bytes=1000-", None]
    assert result.bytes == 400000 and sha256_of(result.path) == big_sha256(400000)


def test_a_server_that_ignores_range_restarts_from_zero_and_the_file_is_still_identical(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    url = fake.storage_url + synced_path(TRANSFER, 2)
    planned = planned_for(tmp_path, url, call_id=TRANSFER, index=2)
    body = segment_wav(TRANSFER, 2)
    fake.faults.range_unsupported = True
    fake.faults.drop_mid_body = 1
    transfer = Transfer()
    result = fetch(url, planned, transfer=transfer, options=FAST)
    assert result.path.read_bytes() == body and result.bytes == len(body)
    assert gets(fake)[-1].headers["range"] == f"bytes={len(body) // 2}-"  # asked, got a 200
    assert transfer.resumed_from == 0


def test_a_part_that_is_already_complete_is_finished_from_the_416(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    body = segment_wav(MAIN, 1)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(body)  # a run that died between the last byte and the rename
    result = fetch(url, planned, options=FAST)
    assert result.path.read_bytes() == body and not planned.part.exists()
    assert [r.headers["range"] for r in gets(fake)] == [f"bytes={len(body)}-"]


def test_a_complete_file_is_skipped_without_a_request_unless_forced(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    fetch(url, planned, options=FAST)
    skipped = fetch(url, planned, options=FAST)
    assert skipped.skipped and skipped.bytes == len(segment_wav(MAIN, 1))
    assert len(gets(fake)) == 1
    planned.path.write_bytes(b"edited locally")
    forced = fetch(url, planned, force=True, options=FAST)
    assert not forced.skipped and forced.path.read_bytes() == segment_wav(MAIN, 1)
    assert len(gets(fake)) == 2 and "range" not in gets(fake)[-1].headers


def test_a_forced_download_that_fails_leaves_the_complete_file_untouched(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    fetch(url, planned, options=FAST)
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(url, planned, force=True, options=replace(FAST, max_attempts=1))
    assert planned.path.read_bytes() == segment_wav(MAIN, 1)


def test_force_discards_a_stale_partial_instead_of_resuming_it(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(b"garbage" * 100)
    assert fetch(url, planned, force=True, options=FAST).path.read_bytes() == segment_wav(MAIN, 1)
    assert "range" not in gets(fake)[-1].headers


# --- HTTP failures -----------------------------------------------------------------------------


def test_a_missing_object_is_an_expired_url_error_without_retries(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path(MAIN, 2)
    planned = planned_for(tmp_path, url, index=2)
    with pytest.raises(UrlExpired) as raised:
        fetch(url, planned, options=FAST)
    assert raised.value.status == 404 and "404" in raised.value.message
    assert len(gets(fake)) == 1 and not planned.path.exists()


def test_cancelled_before_the_first_byte_raises_cancelled(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        fetch(url, planned_for(tmp_path, url), cancel=cancel, options=FAST)
    assert gets(fake) == []


# --- redirects -------------------------------------------------------------------------------


def test_fetch_follows_two_redirects_without_credentials_and_keeps_range_on_every_hop(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    url = f"{fake.storage_url}/redirect/2{synced_path()}?sig=abc"
    planned = planned_for(tmp_path, url)
    body = segment_wav(MAIN, 1)
    fake.faults.drop_mid_body = 1  # the first body is cut; the resume goes through both hops again
    assert fetch(url, planned, options=FAST).path.read_bytes() == body
    requests = gets(fake)
    assert [r.path for r in requests] == [
        f"/redirect/2{synced_path()}?sig=abc",
        f"/redirect/1{synced_path()}?sig=abc",
        f"{synced_path()}?sig=abc",
    ] * 2
    assert all(r.headers["range"] == f"bytes={len(body) // 2}-" for r in requests[3:])
    assert all(r.authorization is None for r in requests)


def test_redirects_are_bounded(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = f"{fake.storage_url}/redirect/{MAX_REDIRECTS}{synced_path()}"
    assert fetch(url, planned_for(tmp_path, url), options=FAST).path.read_bytes() == segment_wav(MAIN, 1)
    too_far = f"{fake.storage_url}/redirect/{MAX_REDIRECTS + 1}{synced_path(TRANSFER, 1)}"
    planned = planned_for(tmp_path, too_far, call_id=TRANSFER)
    with pytest.raises(HttpFailure, match="Too many redirects"):
        fetch(too_far, planned, options=FAST)
    assert not planned.path.exists() and not planned.part.exists()


def test_a_redirect_loop_fails_cleanly_with_too_many_redirects(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = f"{fake.storage_url}/redirect-loop"
    planned = planned_for(tmp_path, url)
    with pytest.raises(HttpFailure, match="Too many redirects") as raised:
        fetch(url, planned, options=FAST)
    assert not raised.value.retryable
    assert len(gets(fake)) == MAX_REDIRECTS + 1
    assert not planned.path.exists() and not planned.part.exists()


def test_a_redirect_to_a_non_http_scheme_is_refused(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = f"{fake.storage_url}/redirect-scheme"
    planned = planned_for(tmp_path, url)
    with pytest.raises(HttpFailure, match=r"non-http\(s\) URL \(ftp:\)"):
        fetch(url, planned, options=FAST)
    assert len(gets(fake)) == 1 and not planned.part.exists()


# --- disk errors -------------------------------------------------------------------------------


def test_a_file_where_the_call_folder_should_be_is_a_disk_error(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    (tmp_path / MAIN).write_text("not a folder")
    with pytest.raises(DiskError, match=f"Cannot write {tmp_path / MAIN}") as raised:
        fetch(url, planned_for(tmp_path, url), options=FAST)
    assert raised.value.code == "disk_error"
    assert (tmp_path / MAIN).read_text() == "not a folder"
    assert gets(fake) == []


def test_a_partial_that_cannot_be_written_is_a_disk_error_and_is_kept(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    os.symlink("/dev/full", planned.part)
    with pytest.raises(DiskError, match=r"Cannot write .*01-main\.wav\.part"):
        fetch(url, planned, options=FAST)
    assert planned.part.is_symlink() and not planned.path.exists()


# --- scale -------------------------------------------------------------------------------------


def test_memory_stays_flat_while_a_64_mib_file_streams_to_disk(fake: FakeMagpipe, tmp_path: Path) -> None:
    size = 64 * 1024 * 1024 + 12345
    url = f"{fake.storage_url}/big/{size}"
    planned = planned_for(tmp_path, url)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fetch(url, planned, options=FAST)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.bytes == size == result.path.stat().st_size
    assert peak < 8 * 1024 * 1024, f"peak Python allocations {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB file"
    assert sha256_of(result.path) == big_sha256(size)


def test_no_meta_file_is_left_once_complete(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = fake.storage_url + synced_path()
    planned = planned_for(tmp_path, url)
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(url, planned, options=replace(FAST, max_attempts=1))
    meta = planned.part.with_name(planned.part.name + ".json")
    assert json.loads(meta.read_text())["etag"] == etag_of(segment_wav(MAIN, 1))
    fetch(url, planned, options=FAST)
    assert not meta.exists()


@pytest.mark.parametrize("direct", [True, False], ids=["direct-io", "page-cache"])
def test_a_big_file_dropped_at_an_unaligned_offset_resumes_byte_identical(
    fake: FakeMagpipe, tmp_path: Path, direct: bool
) -> None:
    size = 3 * 1024 * 1024 + 12345  # the drop leaves the part at an unaligned size, 2,020 bytes past a block
    url = f"{fake.storage_url}/big/{size}"
    planned = planned_for(tmp_path, url)
    options = replace(FAST, chunk_size=256 * 1024, direct_writes=direct)  # many buffers through the writer
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(url, planned, options=replace(options, max_attempts=1))
    assert planned.part.stat().st_size == size // 2
    result = fetch(url, planned, options=options)
    assert gets(fake)[-1].headers["range"] == f"bytes={size // 2}-"
    assert result.bytes == size == result.path.stat().st_size
    assert sha256_of(result.path) == big_sha256(size)
    assert not planned.part.exists()
