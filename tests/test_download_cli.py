"""`recbrowser download`, in-process (capsys) and as a real process, against the fake API and recordings host."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from recbrowser import cli
from recbrowser.fakeapi import DEMO_KEY, SAMPLE_CALLS, FakeMagpipe, SegmentSpec, segment_wav
from recbrowser.fakeapi.samples import MAIN_CALL as MAIN
from recbrowser.fakeapi.samples import NO_RECORDING_CALL as NO_RECORDING
from recbrowser.fakeapi.samples import NULLS_CALL as NULLS
from recbrowser.fakeapi.samples import PENDING_CALL as PENDING
from recbrowser.fakeapi.samples import TRANSFER_CALL as TRANSFER
from recbrowser.fakeapi.samples import UNKNOWN_CALL as UNKNOWN
from tests.cli_helpers import Run, child_env, run_main
from tests.tui_hostile import call_with

WITH_RECORDINGS = [c.call_id for c in SAMPLE_CALLS if c.recordings and c.account == "demo"]
JSON_KEYS = {"call_id", "index", "label", "url", "path", "bytes", "status"}


def assert_clean(result: Run) -> None:
    assert "Traceback" not in result.err and "Traceback" not in result.out
    assert DEMO_KEY not in result.err and DEMO_KEY not in result.out


@pytest.fixture
def download(capsys: pytest.CaptureFixture[str], fake: FakeMagpipe, monkeypatch: pytest.MonkeyPatch):
    """``download(*argv)``: `recbrowser download ...` in-process with the demo key, argparse exits as codes."""
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)

    def runner(*argv: str) -> Run:
        result = run_main(capsys, "download", *argv)
        assert_clean(result)
        return result

    return runner


def storage_gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


def assert_no_key_sent_to_storage(fake: FakeMagpipe) -> None:
    assert fake.requests["storage"], "no download happened"
    assert all(header is None for header in fake.auth_headers("storage"))
    assert all("authorization" not in r.headers for r in fake.requests["storage"])


# --- files and JSON Lines -------------------------------------------------------------------


def test_every_sample_call_with_recordings_downloads_byte_identical_files(
    download, fake: FakeMagpipe, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = download("--json", "-o", str(out), *WITH_RECORDINGS)
    assert result.code == 0, result.err
    assert result.err == ""
    expected = [
        (c.call_id, i) for c in SAMPLE_CALLS if c.call_id in WITH_RECORDINGS for i in range(1, len(c.recordings) + 1)
    ]
    assert sorted((r["call_id"], r["index"]) for r in result.records) == sorted(expected)
    for record in result.records:
        assert set(record) == JSON_KEYS and record["status"] == "downloaded"
        path = Path(record["path"])
        assert path.is_relative_to(out) and path.parent.parent == out
        assert path.read_bytes() == segment_wav(record["call_id"], record["index"])
        assert record["bytes"] == len(segment_wav(record["call_id"], record["index"]))
    assert (out / MAIN / "01-main.wav").is_file()
    assert sorted(p.name for p in (out / TRANSFER).iterdir()) == [
        "01-main.wav",
        "02-transferee_consult.wav",
        "03-transfer_conference.wav",
        "04-back_to_agent.wav",
    ]
    assert not [p for p in out.rglob("*") if p.name.endswith((".part", ".json"))]
    assert_no_key_sent_to_storage(fake)
    assert set(fake.auth_headers("api")) == {f"Bearer {DEMO_KEY}"}


def test_a_second_run_skips_complete_files_and_force_downloads_them_again(
    download, fake: FakeMagpipe, tmp_path: Path
) -> None:
    first = download("--json", "-o", str(tmp_path), MAIN, TRANSFER)
    assert [r["status"] for r in first.records] == ["downloaded"] * 5
    gets_before = len(storage_gets(fake))
    second = download("--json", "-o", str(tmp_path), MAIN, TRANSFER)
    assert second.code == 0
    assert [r["status"] for r in second.records] == ["skipped"] * 5
    assert all(r["bytes"] == len(segment_wav(r["call_id"], r["index"])) for r in second.records)
    assert len(storage_gets(fake)) == gets_before
    forced = download("--json", "--force", "-o", str(tmp_path), MAIN, TRANSFER)
    assert forced.code == 0 and [r["status"] for r in forced.records] == ["downloaded"] * 5
    assert len(storage_gets(fake)) == gets_before + 5
    assert_no_key_sent_to_storage(fake)


def test_label_filters_the_segments(download, tmp_path: Path) -> None:
    result = download("--json", "--label", "main", "-o", str(tmp_path), TRANSFER, MAIN)
    assert result.code == 0
    assert sorted((r["call_id"], r["index"], r["label"]) for r in result.records) == [
        (TRANSFER, 1, "main"),
        (MAIN, 1, "main"),
    ]
    both = download(
        "--json", "--label", "back_to_agent", "--label", "transferee_consult", "-o", str(tmp_path), TRANSFER
    )
    assert sorted(r["index"] for r in both.records) == [2, 4]


def test_a_label_nothing_has_is_a_usage_error_listing_the_labels_in_both_forms(
    download, fake: FakeMagpipe, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = download("--label", "voicemail", "-o", str(out), TRANSFER)
    assert result.code == 2 and result.out == ""
    assert result.err.strip() == (
        "recbrowser: no segment has the label 'voicemail'; nothing downloaded. Labels in this call: "
        "main (Main Call), transferee_consult (Transfer Consultation), transfer_conference (Transferred Call), "
        "back_to_agent (Back to Agent)."
    )
    assert not storage_gets(fake) and not out.exists()


def test_one_unknown_label_among_known_ones_downloads_nothing(download, fake: FakeMagpipe, tmp_path: Path) -> None:
    result = download("--json", "--label", "main", "--label", "mian", "-o", str(tmp_path), TRANSFER, MAIN)
    assert result.code == 2 and result.out == ""
    assert "'mian'" in result.err and "Labels in these calls: main (Main Call), " in result.err
    assert not storage_gets(fake)


@pytest.mark.parametrize(
    "label", ["Transferred Call", "transferred call", "TRANSFER_CONFERENCE", " transfer_conference "]
)
def test_label_takes_the_shown_label_or_the_api_one_in_any_case(download, tmp_path: Path, label: str) -> None:
    result = download("--json", "--label", label, "-o", str(tmp_path), TRANSFER)
    assert result.code == 0, result.err
    assert [(r["index"], r["label"], r["status"]) for r in result.records] == [(3, "transfer_conference", "downloaded")]


def test_name_template_takes_source_status_and_created(download, tmp_path: Path) -> None:
    template = "{source}/{status}/{created:%Y%m%d-%H%M%S}-{call_id}-{index}-{label}.{ext}"
    result = download("--json", "--name", template, "-o", str(tmp_path), MAIN, NULLS)
    assert result.code == 0, result.err
    paths = sorted(Path(r["path"]) for r in result.records)
    assert paths == sorted(
        [
            tmp_path / "signalwire" / "synced" / f"20260302-103425-{MAIN}-1-main.wav",
            tmp_path / "unknown" / "synced" / f"unknown-{NULLS}-1-main.wav",
        ]
    )
    assert all(p.read_bytes() for p in paths)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{call_id}/{speaker}.{ext}", "unknown field(s) in the name template: speaker"),
        ("/tmp/{call_id}.{ext}", "must be a relative path without '..'"),
        ("{call_id}/../../{label}.{ext}", "must be a relative path without '..'"),
        ("{call_id", "malformed"),
    ],
    ids=["unknown-field", "absolute", "dotdot", "malformed"],
)
def test_a_bad_name_template_exits_2_with_one_line_before_any_request(
    download, fake: FakeMagpipe, tmp_path: Path, template: str, message: str
) -> None:
    result = download("--name", template, "-o", str(tmp_path), MAIN)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith("recbrowser: ") and message in line
    assert fake.requests["api"] == [] and fake.requests["storage"] == []
    assert not any(tmp_path.iterdir())


# --- exit codes -------------------------------------------------------------------------------


def test_a_call_without_recording_among_others_exits_4_and_the_others_download(download, tmp_path: Path) -> None:
    result = download("--json", "-o", str(tmp_path), MAIN, NO_RECORDING, UNKNOWN)
    assert result.code == 4
    errors = [r for r in result.records if "error" in r and "status" not in r]
    assert sorted((e["call_id"], e["error"]["code"]) for e in errors) == sorted(
        [(NO_RECORDING, "no_recording"), (UNKNOWN, "not_found")]
    )
    assert [(f["call_id"], f["status"]) for f in result.files] == [(MAIN, "downloaded")]
    assert (tmp_path / MAIN / "01-main.wav").read_bytes() == segment_wav(MAIN, 1)


def test_an_invalid_id_mixed_in_exits_2_but_valid_calls_still_download(download, tmp_path: Path) -> None:
    result = download("-o", str(tmp_path), MAIN, "not-a-call-id")
    assert result.code == 2
    assert (tmp_path / MAIN / "01-main.wav").is_file()


def test_without_a_key_nothing_is_requested_and_it_exits_3(
    download, fake: FakeMagpipe, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MAGPIPE_API_KEY")
    result = download("-o", str(tmp_path), MAIN)
    assert result.code == 3 and "No Magpipe API key" in result.err
    assert fake.requests["api"] == [] and fake.requests["storage"] == []


def test_a_disk_error_exits_6_with_a_clear_line_and_the_other_files_still_download(download, tmp_path: Path) -> None:
    (tmp_path / MAIN).write_text("a file where the call's folder should be")
    result = download("-o", str(tmp_path), MAIN, TRANSFER)
    assert result.code == 6
    lines = result.out.splitlines()
    assert len(lines) == 5
    (failed,) = [line for line in lines if line.startswith("failed")]
    assert f"{MAIN} #1 (Main Call): Cannot write {tmp_path / MAIN}" in failed
    assert sum(line.startswith("downloaded  ") for line in lines) == 4
    for index in range(1, 5):
        assert next((tmp_path / TRANSFER).glob(f"0{index}-*.wav")).read_bytes() == segment_wav(TRANSFER, index)
    (plan, summary) = result.err.splitlines()
    assert plan == "recbrowser: 5 files to download."
    assert summary.startswith("4 downloaded (") and "0 already complete, 1 failed" in summary


def test_an_unwritable_partial_is_reported_in_json_and_exits_6(download, tmp_path: Path) -> None:
    part = tmp_path / TRANSFER / "02-transferee_consult.wav.part"
    part.parent.mkdir(parents=True)
    part.symlink_to("/dev/full")
    result = download("--json", "-o", str(tmp_path), TRANSFER)
    assert result.code == 6
    by_index = {r["index"]: r for r in result.records}
    assert by_index[2]["status"] == "failed" and by_index[2]["error"]["code"] == "disk_error"
    assert "Cannot write" in by_index[2]["error"]["message"]
    assert [by_index[i]["status"] for i in (1, 3, 4)] == ["downloaded"] * 3
    assert part.is_symlink()


def test_a_dropped_pending_download_whose_url_expired_is_looked_up_again_and_resumed(
    download, fake: FakeMagpipe, tmp_path: Path
) -> None:
    fake.faults.expire_pending_after_use = True
    fake.faults.drop_mid_body = 1
    result = download("--json", "-o", str(tmp_path), PENDING)
    assert result.code == 0, result.records
    assert fake.lookup_count(PENDING) == 2
    (record,) = result.records
    assert record["status"] == "downloaded"
    assert Path(record["path"]).read_bytes() == segment_wav(PENDING, 1)
    first, refused, resumed = storage_gets(fake)
    assert refused.path.split("?")[0] == first.path.split("?")[0] and refused.path != resumed.path
    assert resumed.headers["range"] == f"bytes={len(segment_wav(PENDING, 1)) // 2}-"
    assert_no_key_sent_to_storage(fake)


# --- human output ----------------------------------------------------------------------------


def test_a_non_terminal_run_prints_one_line_per_file_and_a_summary(download, tmp_path: Path) -> None:
    result = download("--jobs", "1", "-o", str(tmp_path), TRANSFER, MAIN)
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 5 and all(line.startswith("downloaded  ") for line in lines)
    assert f"downloaded  {tmp_path / MAIN / '01-main.wav'}  (" in result.out
    assert "\r" not in result.err and "\x1b" not in result.err
    (plan, summary) = result.err.splitlines()
    assert plan == "recbrowser: 5 files to download."
    assert summary.startswith("5 downloaded (") and summary.endswith(f"0 already complete, 0 failed — in {tmp_path}")
    again = download("-o", str(tmp_path), MAIN)
    assert again.out == f"skipped     {tmp_path / MAIN / '01-main.wav'}  (already complete)\n"


def test_without_output_files_go_to_the_downloads_directory(download, isolated_paths: Path) -> None:
    result = download("--json", MAIN)
    assert result.code == 0
    expected = isolated_paths / "downloads" / "recbrowser" / MAIN / "01-main.wav"
    assert result.records[0]["path"] == str(expected) and expected.read_bytes() == segment_wav(MAIN, 1)


# --- names the file system cannot take ---------------------------------------------------------


@pytest.fixture
def emoji_fake() -> Iterator[FakeMagpipe]:
    call = call_with(
        "e0000000-0000-4000-8000-000000000001",
        [SegmentSpec("main"), SegmentSpec("😀" * 80)],
        "a segment whose label is 80 emoji",
    )
    with FakeMagpipe(calls=[call]) as server:
        yield server


def test_a_label_too_long_for_the_file_system_fails_alone_without_a_traceback(
    emoji_fake: FakeMagpipe, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", emoji_fake.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    try:
        code = cli.main(
            ["download", "--json", "--jobs", "1", "-o", str(tmp_path), "e0000000-0000-4000-8000-000000000001"]
        )
    except OSError as exc:  # what happens today
        pytest.fail(f"raw OSError escaped the CLI: {exc!r}")
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert records[0]["status"] == "downloaded"


# --- as a real process ------------------------------------------------------------------------


def test_process_download_writes_the_files_and_exits_6_when_one_fails(fake: FakeMagpipe, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / MAIN).parent.mkdir(parents=True)
    (out / MAIN).write_text("blocks the folder")
    done = subprocess.run(
        [sys.executable, "-m", "recbrowser", "download", "--json", "-o", str(out), MAIN, TRANSFER],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY),
    )
    result = Run(done.returncode, done.stdout, done.stderr)
    assert_clean(result)
    assert result.code == 6 and result.err == ""
    statuses = {(r["call_id"], r["index"]): r["status"] for r in result.records}
    assert statuses == {(MAIN, 1): "failed", **{(TRANSFER, i): "downloaded" for i in range(1, 5)}}
    for record in result.records:
        if record["call_id"] == TRANSFER:
            assert Path(record["path"]).read_bytes() == segment_wav(TRANSFER, record["index"])
        else:
            assert record["error"]["code"] == "disk_error" and "Cannot write" in record["error"]["message"]
    assert_no_key_sent_to_storage(fake)


def test_a_template_that_gives_two_segments_the_same_file_is_not_silently_wrong(download, tmp_path: Path) -> None:
    result = download("--json", "--jobs", "1", "--name", "{label}.{ext}", "-o", str(tmp_path), MAIN, TRANSFER)
    if result.code == 2:  # rejecting the clashing template up front is fine too
        assert "same" in result.err
        return
    for record in result.files:
        if record["status"] in ("downloaded", "skipped"):
            assert Path(record["path"]).read_bytes() == segment_wav(record["call_id"], record["index"]), record


def test_the_plan_line_counts_files_already_complete_apart(download, tmp_path: Path) -> None:
    assert download("--json", "-o", str(tmp_path), MAIN).code == 0
    result = download("-o", str(tmp_path), TRANSFER, MAIN)
    assert result.code == 0, result.err
    plan = result.err.splitlines()[0]
    assert plan == "recbrowser: 5 files: 1 already complete, 4 to download."
    assert "4 downloaded (" in result.err and "1 already complete, 0 failed" in result.err
    forced = download("--force", "-o", str(tmp_path), MAIN)
    assert forced.err.splitlines()[0] == "recbrowser: 1 file to download."
