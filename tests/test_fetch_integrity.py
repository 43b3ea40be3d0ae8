"""No partial or foreign bytes under a final name (issue 9 items 1-4): name clashes, two owners of
one partial file, 206s that do not answer the range asked, symlinks planted at our file names.

Over real loopback HTTP: the shipped fake, or a scripted hostile host for answers the fake never gives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from recbrowser import partfiles
from recbrowser.errors import BadDownloadResponse, Busy, Cancelled, DiskError, Incomplete, NameTaken
from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe, SegmentSpec, big_bytes, segment_wav
from recbrowser.fakeapi.samples import MAIN_CALL as MAIN
from recbrowser.fakeapi.samples import TRANSFER_CALL as TRANSFER
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, PlannedName, plan
from tests.cli_helpers import Run, child_env, run_main
from tests.hostile import Answer, HostileHost, Seen, asked_from, whole
from tests.tui_hostile import call_with

FAST = FetchOptions(backoff_base=0.001, timeout=10)


def synced_url(fake: FakeMagpipe, call_id: str = MAIN, index: int = 1) -> str:
    return f"{fake.storage_url}/storage/v1/object/public/recordings/{call_id}/{index}.wav"


def planned_for(
    base: Path, url: str, *, call_id: str = MAIN, index: int = 1, template: str = DEFAULT_TEMPLATE
) -> PlannedName:
    return plan(base, template, call_id, Segment(index, url, "main", None, "signalwire", "synced", None))


def storage_gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def host() -> Iterator[HostileHost]:
    with HostileHost() as server:
        yield server


# --- 1. a name is settled before anything is renamed, and "complete" means this segment's bytes ----------

CLASH = "c1a50000-0000-4000-8000-000000000001"
CLASH_TEMPLATE = "{created:%Y%m%d}-{call_id}.{ext}"  # the README's own example: no {index}


@pytest.fixture
def clash_api(host: HostileHost, monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileHost]:
    """A call whose first URL has no extension (the server's audio/wav picks it) and whose second ends in .wav."""
    first = host.route("/recording-a", lambda seen: whole(b"RIFF" + b"a" * 5000))
    second = host.route("/recording-b.wav", lambda seen: whole(b"RIFF" + b"b" * 7000))
    created = "2026-03-01T10:00:00Z"
    call = call_with(
        CLASH,
        [SegmentSpec("main", created_at=created, url=first), SegmentSpec("reconnect", created_at=created, url=second)],
        "two segments, one name once the extension is known",
    )
    with FakeMagpipe(calls=[call]) as api:
        monkeypatch.setenv("MAGPIPE_API_URL", api.api_url)
        monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
        yield host


def test_a_name_clash_found_from_the_content_type_fails_one_segment_and_replaces_nothing(
    clash_api: HostileHost, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    final = out / f"20260301-{CLASH}.wav"
    for run in (1, 2):
        result = run_main(capsys, "download", "--json", "--name", CLASH_TEMPLATE, "-o", str(out), CLASH)
        assert "Traceback" not in result.err
        by_index = {r["index"]: r for r in result.files}
        assert result.code == 6
        assert by_index[2]["status"] == ("downloaded" if run == 1 else "skipped") and by_index[2]["path"] == str(final)
        assert by_index[1]["status"] == "failed" and by_index[1]["error"]["code"] == "name_taken"
        assert final.name in by_index[1]["error"]["message"] and "{index}" in by_index[1]["error"]["message"]
        assert final.read_bytes() == b"RIFF" + b"b" * 7000  # the segment whose URL named the file keeps it
        assert names(out) == [final.name]


def test_a_file_recorded_as_another_segments_is_never_skipped_or_replaced(fake: FakeMagpipe, tmp_path: Path) -> None:
    template = "{call_id}.{ext}"
    first = planned_for(tmp_path, synced_url(fake, TRANSFER, 1), call_id=TRANSFER, index=1, template=template)
    second = planned_for(tmp_path, synced_url(fake, TRANSFER, 2), call_id=TRANSFER, index=2, template=template)
    assert first.path == second.path
    fetch(synced_url(fake, TRANSFER, 1), first, options=FAST)
    with pytest.raises(NameTaken, match=rf"holds call {TRANSFER} #1's recording"):
        fetch(synced_url(fake, TRANSFER, 2), second, options=FAST)
    with pytest.raises(NameTaken):
        fetch(synced_url(fake, TRANSFER, 2), second, force=True, options=FAST)
    assert first.path.read_bytes() == segment_wav(TRANSFER, 1)
    assert fetch(synced_url(fake, TRANSFER, 1), first, options=FAST).skipped


def test_a_truncated_final_file_is_downloaded_again_not_skipped(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path, url)
    fetch(url, planned, options=FAST)
    with open(planned.path, "r+b") as handle:
        handle.truncate(100)
    again = fetch(url, planned, options=FAST)
    assert not again.skipped and planned.path.read_bytes() == segment_wav(MAIN, 1)
    assert fetch(url, planned, options=FAST).skipped and len(storage_gets(fake)) == 2  # recorded: no request


def test_without_a_record_a_final_file_is_complete_only_at_the_size_the_server_reports(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    url, body = synced_url(fake), segment_wav(MAIN, 1)
    planned = planned_for(tmp_path, url)
    planned.path.parent.mkdir(parents=True)
    planned.path.write_bytes(body)  # e.g. downloaded before records were kept
    assert fetch(url, planned, options=FAST).skipped
    other = planned_for(tmp_path / "b", url)
    other.path.parent.mkdir(parents=True)
    other.path.write_bytes(body[:100])
    result = fetch(url, other, options=FAST)
    assert not result.skipped and other.path.read_bytes() == body
    assert names(other.path.parent) == ["01-main.wav"]


# --- 2. one owner per partial file ---------------------------------------------------------------------------


def test_a_partial_owned_by_another_download_is_left_alone_even_with_force(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(b"someone else's bytes")
    with partfiles.lock(planned.part):
        for force in (False, True):
            with pytest.raises(Busy, match="Another recbrowser is downloading this file") as raised:
                fetch(url, planned, force=force, options=FAST)
            assert raised.value.code == "busy" and raised.value.exit_code == 6
    assert planned.part.read_bytes() == b"someone else's bytes" and not planned.path.exists()
    assert storage_gets(fake) == []


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_two_download_processes_on_one_file_one_downloads_the_other_says_busy(
    fake: FakeMagpipe, tmp_path: Path, force: bool
) -> None:
    out = tmp_path / "out"
    env = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    command = [sys.executable, "-m", "recbrowser", "download", "--json", "-o", str(out), MAIN]
    fake.faults.pause_after_bytes = 16 * 1024
    fake.faults.pause_mid_body = 1
    first = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert fake.faults.body_paused.wait(60), "the first download never started"
        second_done = subprocess.run(
            [*command, *(["--force"] if force else [])],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    finally:
        fake.faults.resume_body.set()
        first_out, first_err = first.communicate(timeout=60)
    one, two = (
        Run(first.returncode, first_out, first_err),
        Run(second_done.returncode, second_done.stdout, second_done.stderr),
    )
    assert "Traceback" not in one.err + two.err
    assert one.code == 0 and [r["status"] for r in one.files] == ["downloaded"]
    assert two.code == 6 and [r["status"] for r in two.files] == ["failed"]
    assert two.files[0]["error"]["code"] == "busy" and "Another recbrowser" in two.files[0]["error"]["message"]
    final = out / MAIN / "01-main.wav"
    assert final.read_bytes() == segment_wav(MAIN, 1)
    assert names(final.parent) == ["01-main.wav"]
    assert len(storage_gets(fake)) == 1  # exactly one process downloaded it


# --- 3. every 206 checked against what was asked and the size already known -----------------------------------

TOTAL = 800_000
BODY = big_bytes(0, TOTAL)


def test_a_206_with_an_unknown_total_and_a_short_range_is_resumed_to_the_size_first_announced(
    host: HostileHost, tmp_path: Path
) -> None:
    def answer(seen: Seen) -> Answer:
        start = asked_from(seen)
        if start is None:  # the first answer announces the size, then the connection drops
            return Answer(200, [("Content-Length", str(TOTAL)), ("ETag", '"v1"')], BODY, send_bytes=300_000)
        end = min(start + 250_000, TOTAL) - 1  # less than asked for, and "*": total unknown
        headers = [
            ("Content-Range", f"bytes {start}-{end}/*"),
            ("Content-Length", str(end + 1 - start)),
            ("ETag", '"v1"'),
        ]
        return Answer(206, headers, BODY[start : end + 1])

    url = host.route("/rec.wav", answer)
    planned = planned_for(tmp_path, url)
    result = fetch(url, planned, options=replace(FAST, max_attempts=6))
    assert result.path.read_bytes() == BODY
    assert [s.headers.get("range") for s in host.seen] == [None, "bytes=300000-", "bytes=550000-"]


def test_a_206_with_an_unknown_total_and_nothing_stored_is_never_called_complete(
    host: HostileHost, tmp_path: Path
) -> None:
    url = host.route(
        "/rec.wav",
        lambda seen: Answer(
            206, [("Content-Range", "bytes 1000-599999/*"), ("Content-Length", "599000")], BODY[1000:600_000]
        ),
    )
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(BODY[:1000])
    with pytest.raises(BadDownloadResponse, match="did not say how large") as raised:
        fetch(url, planned, options=FAST)
    assert raised.value.message.endswith("the partial file is kept for a later resume.")
    assert not planned.path.exists() and planned.part.read_bytes() == BODY[:1000]


def test_a_206_whose_etag_differs_from_the_saved_one_restarts_from_zero(host: HostileHost, tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:  # a server that ignores If-Range
        start = asked_from(seen)
        if start is None:
            return whole(BODY, etag='"new"')
        headers = [
            ("Content-Range", f"bytes {start}-{TOTAL - 1}/{TOTAL}"),
            ("Content-Length", str(TOTAL - start)),
            ("ETag", '"new"'),
        ]
        return Answer(206, headers, BODY[start:])

    url = host.route("/rec.wav", answer)
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(b"\0" * 1000)  # bytes of the old object
    partfiles.write_info(partfiles.sidecar_of(planned.part), partfiles.PartInfo(etag='"old"', total=TOTAL))
    assert fetch(url, planned, options=FAST).path.read_bytes() == BODY
    assert [(s.headers.get("range"), s.headers.get("if-range")) for s in host.seen] == [
        ("bytes=1000-", '"old"'),
        (None, None),
    ]


def test_a_206_whose_length_contradicts_its_range_is_a_bad_response(host: HostileHost, tmp_path: Path) -> None:
    url = host.route(
        "/rec.wav",
        lambda seen: Answer(
            206, [("Content-Range", f"bytes 1000-{TOTAL - 1}/{TOTAL}"), ("Content-Length", "10")], BODY[1000:1010]
        ),
    )
    planned = planned_for(tmp_path, url)
    planned.part.parent.mkdir(parents=True)
    planned.part.write_bytes(BODY[:1000])
    with pytest.raises(BadDownloadResponse, match="Content-Length does not match") as raised:
        fetch(url, planned, options=FAST)
    assert not raised.value.retryable and len(host.seen) == 1
    assert planned.part.read_bytes() == BODY[:1000] and not planned.path.exists()


def test_a_300_digit_content_length_is_a_bad_response_not_echoed(host: HostileHost, tmp_path: Path) -> None:
    url = host.route("/rec.wav", lambda seen: Answer(200, [("Content-Length", "9" * 300)], BODY, send_bytes=1000))
    with pytest.raises(BadDownloadResponse) as raised:
        fetch(url, planned_for(tmp_path, url), options=FAST)
    assert "9999" not in raised.value.message and len(raised.value.message) < 100
    assert not (tmp_path / MAIN / "01-main.wav").exists()


# --- 4. never through a symlink at our names ---------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the download directory that a planted link points at."""
    path = tmp_path / "elsewhere" / "precious.txt"
    path.parent.mkdir()
    path.write_bytes(b"precious bytes")
    return path


@pytest.mark.parametrize("which", ["part", "sidecar"])
def test_a_symlink_at_the_partial_or_sidecar_name_is_refused_and_its_target_untouched(
    fake: FakeMagpipe, tmp_path: Path, outside: Path, which: str
) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path / "dl", url)
    link = planned.part if which == "part" else partfiles.sidecar_of(planned.part)
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    with pytest.raises(DiskError, match=f"{link.name}: it is a symbolic link; refusing to write through it") as raised:
        fetch(url, planned, options=FAST)
    assert "partial file is kept" not in raised.value.message
    assert outside.read_bytes() == b"precious bytes" and link.is_symlink() and not planned.path.exists()


@pytest.mark.parametrize("which", ["part", "sidecar"])
def test_a_dangling_symlink_at_the_partial_or_sidecar_name_creates_nothing(
    fake: FakeMagpipe, tmp_path: Path, which: str
) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path / "dl", url)
    link = planned.part if which == "part" else partfiles.sidecar_of(planned.part)
    link.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere" / "created.txt"
    target.parent.mkdir()
    link.symlink_to(target)
    with pytest.raises(DiskError, match="symbolic link"):
        fetch(url, planned, options=FAST)
    assert not target.exists()


def test_a_symlink_at_the_final_name_is_not_trusted_as_complete_and_is_replaced_not_followed(
    fake: FakeMagpipe, tmp_path: Path, outside: Path
) -> None:
    url, body = synced_url(fake), segment_wav(MAIN, 1)
    outside.write_bytes(b"x" * len(body))  # the size a complete file would have
    planned = planned_for(tmp_path / "dl", url)
    planned.path.parent.mkdir(parents=True)
    planned.path.symlink_to(outside)
    result = fetch(url, planned, options=FAST)
    assert not result.skipped and not planned.path.is_symlink() and planned.path.read_bytes() == body
    assert outside.read_bytes() == b"x" * len(body)


# --- messages say what is true ----------------------------------------------------------------------------------


def test_cancelled_says_a_partial_is_kept_only_when_one_is(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path, url)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled) as raised:
        fetch(url, planned, cancel=cancel, options=FAST)
    assert raised.value.message == "Cancelled."
    planned.part.write_bytes(segment_wav(MAIN, 1)[:1000])
    with pytest.raises(Cancelled) as raised:
        fetch(url, planned, cancel=cancel, options=FAST)
    assert raised.value.message == "Cancelled; the partial file is kept for a later resume."


def test_a_disk_error_without_a_partial_does_not_promise_one(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    (tmp_path / MAIN).write_text("a file where the call's folder should be")
    with pytest.raises(DiskError) as raised:
        fetch(url, planned_for(tmp_path, url), options=FAST)
    assert "partial" not in raised.value.message


def test_the_last_failure_says_what_happened_not_resuming(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path, url)
    fake.faults.drop_mid_body = 100
    with pytest.raises(Incomplete) as raised:
        fetch(url, planned, options=replace(FAST, max_attempts=4))
    have, total = planned.part.stat().st_size, len(segment_wav(MAIN, 1))
    assert raised.value.message == (
        f"The server sent {have:,} of {total:,} bytes in 4 attempts; the partial file is kept for a later resume."
    )


def test_the_sidecar_is_json_the_next_run_reads(fake: FakeMagpipe, tmp_path: Path) -> None:
    url = synced_url(fake)
    planned = planned_for(tmp_path, url)
    fake.faults.drop_mid_body = 1
    with pytest.raises(Incomplete):
        fetch(url, planned, options=replace(FAST, max_attempts=1))
    saved = json.loads(partfiles.sidecar_of(planned.part).read_text())
    assert saved["total"] == len(segment_wav(MAIN, 1)) and saved["content_type"] == "audio/wav"


def test_the_download_command_reports_a_busy_file_as_busy_and_exits_6(
    fake: FakeMagpipe, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    part = tmp_path / TRANSFER / "02-transferee_consult.wav.part"
    part.parent.mkdir(parents=True)
    with partfiles.lock(part):
        result = run_main(capsys, "download", "-o", str(tmp_path), TRANSFER)
    assert result.code == 6 and "Traceback" not in result.err
    (busy,) = [line for line in result.out.splitlines() if not line.startswith("downloaded  ")]
    assert busy.startswith(
        f"busy        {TRANSFER} #2 (Transfer Consultation): Another recbrowser is downloading this file"
    )
    assert "3 downloaded" in result.err and "1 failed (1 busy in another recbrowser)" in result.err
