"""`recbrowser download --since`: archives by date against the shipped fake, in-process and as real processes."""

from __future__ import annotations

import csv
import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    MARKUP_CALL,
    NULLS_CALL,
    PATHLIKE_CALL,
    PENDING_CALL,
    SAMPLE_CALLS,
    TRANSFER_CALL,
)
from recbrowser.formatting import human_bytes
from recbrowser.manifest import COLUMNS
from tests.cli_helpers import child_env
from tests.polling import wait_until

DEMO_CALLS = sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
WITH_RECORDINGS = [c for c in DEMO_CALLS if c.recordings]
BILLING = "b2e1d4c3-6a5f-4e7b-9d8c-0f1a2b3c4d5e"


def sample(call_id: str):
    return next(c for c in SAMPLE_CALLS if c.call_id == call_id)


def files_under(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def recordings_under(out: Path) -> set[str]:
    return {name for name in files_under(out) if name.endswith(".wav")}


def manifest_rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def list_requests(fake) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests["api"] if r.path.endswith("/list-calls")]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_segment_of_every_listed_call_is_downloaded_and_calls_without_a_recording_counted(run, api_env, tmp_path):
    out = tmp_path / "out"
    result = run("download", "--since", "2026-01-01", "-o", str(out))
    assert result.code == 0, result.err
    expected = {f"{c.call_id}/{i:02d}-" for c in WITH_RECORDINGS for i in range(1, len(c.recordings) + 1)}
    got = recordings_under(out)
    assert len(got) == len(expected) == sum(len(c.recordings) for c in WITH_RECORDINGS)
    assert {name[: len(MAIN_CALL) + 4] for name in got} == expected
    skipped = len(DEMO_CALLS) - len(WITH_RECORDINGS)
    assert skipped == 4
    total = human_bytes(sum(p.stat().st_size for p in out.rglob("*.wav")))
    assert result.err_lines[-1] == (
        f"12 calls, {len(got)} downloaded ({total}), 0 already complete, "
        f"0 failed, 4 without a recording (skipped) — in {out} (manifest: manifest.jsonl)"
    )


@pytest.mark.parametrize(
    ("argv", "sent", "wanted"),
    [
        (["--direction", "outbound"], {"direction": "outbound"}, lambda c: c.direction == "outbound"),
        (["--agent", "billing assistant"], {"agent_id": BILLING}, lambda c: c.agent_id == BILLING),
        (
            ["--number", "+14155550123", "--status", "completed"],
            {"phone_number": "+14155550123", "status": "completed"},
            lambda c: "+14155550123" in (c.from_number, c.to_number) and c.status == "completed",
        ),
        (
            ["--until", "2026-03-01T23:59:59Z"],
            {"to_date": "2026-03-01T23:59:59.000000Z", "from_date": "2026-01-01T00:00:00.000000Z"},
            lambda c: c.created_at < "2026-03-02",
        ),
    ],
)
def test_filters_reach_the_listing_and_only_matching_calls_are_archived(run, api_env, tmp_path, argv, sent, wanted):
    out = tmp_path / "out"
    result = run("download", "--since", "2026-01-01T00:00Z", "-o", str(out), *argv)
    assert result.code == 0, result.err
    expected = {c.call_id for c in WITH_RECORDINGS if wanted(c)}
    assert expected and len(expected) < len(WITH_RECORDINGS)
    assert {name.split("/")[0] for name in recordings_under(out)} == expected
    (request,) = list_requests(api_env)
    assert sent.items() <= request.items()


def test_limit_bounds_the_listing(run, api_env, tmp_path):
    out = tmp_path / "out"
    result = run("download", "--since", "2026-01-01", "--limit", "1", "-o", str(out))
    assert result.code == 0, result.err
    assert {name.split("/")[0] for name in recordings_under(out)} == {DEMO_CALLS[0].call_id}
    assert result.err_lines[-1].startswith("1 call, 1 downloaded")


def test_the_manifest_has_one_row_per_file_with_call_and_segment_metadata_size_and_sha256(run, api_env, tmp_path):
    out = tmp_path / "out"
    assert run("download", "--since", "2026-01-01", "-o", str(out)).code == 0
    rows = manifest_rows(out)
    assert len(rows) == len(recordings_under(out))
    assert {row["path"] for row in rows} == recordings_under(out)
    main = next(row for row in rows if row["call_id"] == MAIN_CALL)
    path = out / main["path"]
    assert main == {
        "call_id": MAIN_CALL,
        "started_at": "2026-03-02T10:32:20Z",
        "direction": "inbound",
        "from": "+14155550123",
        "to": "+14155550100",
        "agent": "Front Desk",
        "status": "completed",
        "duration": 125,
        "index": 1,
        "label": "main",
        "segment_status": "synced",
        "segment_duration": 125,
        "path": f"{MAIN_CALL}/01-main.wav",
        "size": path.stat().st_size,
        "sha256": sha256_of(path),
    }
    transfer = [row for row in rows if row["call_id"] == TRANSFER_CALL]
    assert [(r["index"], r["label"], r["segment_status"]) for r in sorted(transfer, key=lambda r: r["index"])] == [
        (1, "main", "synced"),
        (2, "transferee_consult", "synced"),
        (3, "transfer_conference", "pending_sync"),
        (4, "back_to_agent", "pending_sync"),
    ]
    assert not list(out.glob(".manifest*"))  # no temporary file left behind


def test_the_csv_manifest_has_the_columns_and_the_same_rows(run, api_env, tmp_path):
    out = tmp_path / "out"
    assert run("download", "--since", "2026-01-01", "--manifest", "csv", "-o", str(out)).code == 0
    assert not (out / "manifest.jsonl").exists()
    with (out / "manifest.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert {row["path"] for row in rows} == recordings_under(out)
    main = next(row for row in rows if row["call_id"] == MAIN_CALL)
    assert (main["from"], main["agent"], main["index"], main["duration"]) == ("+14155550123", "Front Desk", "1", "125")
    assert main["sha256"] == sha256_of(out / main["path"])


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_rerun_updates_the_rows_instead_of_duplicating_them(run, api_env, tmp_path, fmt):
    out = tmp_path / "out"
    argv = ("download", "--since", "2026-01-01", "--manifest", fmt, "-o", str(out))
    assert run(*argv).code == 0
    first = (out / f"manifest.{fmt}").read_text()
    again = run(*argv)
    assert again.code == 0
    files = len(recordings_under(out))
    assert f"0 downloaded (0 B), {files} already complete" in again.err
    assert (out / f"manifest.{fmt}").read_text() == first


def test_a_rerun_after_a_file_changed_downloads_it_again_and_updates_its_row_and_keeps_other_rows(
    run, api_env, tmp_path
):
    out = tmp_path / "out"
    assert run("download", "--since", "2026-01-01", "-o", str(out)).code == 0
    before = {(row["call_id"], row["index"]): row for row in manifest_rows(out)}
    changed = out / f"{MAIN_CALL}/01-main.wav"
    original = changed.read_bytes()
    changed.write_bytes(b"tampered" + original[8:] + b"more")
    # Only the inbound calls this time: the outbound calls' rows must stay as they were.
    again = run("download", "--since", "2026-01-01", "--direction", "inbound", "-o", str(out))
    assert again.code == 0, again.err
    assert f"downloaded  {changed}" in again.out
    assert changed.read_bytes() == original
    after = {(row["call_id"], row["index"]): row for row in manifest_rows(out)}
    assert after.keys() == before.keys()
    assert after[(MAIN_CALL, 1)] == before[(MAIN_CALL, 1)]  # the same content again, re-hashed
    assert after[(MAIN_CALL, 1)]["sha256"] == sha256_of(changed)


def test_call_fields_name_the_files_and_hostile_values_stay_one_safe_component(run, api_env, tmp_path):
    out = tmp_path / "out"
    template = "{started:%Y%m%d-%H%M}_{direction}_{from}_{to}_{agent}/{index:02d}.{ext}"
    result = run("download", "--since", "2026-01-01", "--name", template, "-o", str(out))
    assert result.code == 0, result.err
    names = recordings_under(out)
    assert "20260302-1032_inbound_+14155550123_+14155550100_Front Desk/01.wav" in names
    assert "20260227-0830_inbound_+14155550111_+14155550100_Support/01.wav" in names  # [red]Support[/red]
    assert all(name.count("/") == 1 for name in names)
    rows = manifest_rows(out)
    assert {row["path"] for row in rows} == names
    assert (
        next(row for row in rows if row["call_id"] == MARKUP_CALL)["agent"] == "[red]Support[/red]"
    )  # as the API has it


def test_with_call_ids_the_call_fields_come_from_get_call(run, api_env, tmp_path):
    out = tmp_path / "out"
    result = run("download", "--name", "{agent}/{direction}-{started}.{ext}", "-o", str(out), MAIN_CALL)
    assert result.code == 0, result.err
    assert recordings_under(out) == {"Front Desk/inbound-20260302-103220.wav"}
    assert any(r.path.endswith("/get-call") for r in api_env.requests["api"])


def test_with_call_ids_and_no_call_field_get_call_is_not_asked(run, api_env, tmp_path):
    result = run("download", "-o", str(tmp_path / "out"), MAIN_CALL)
    assert result.code == 0, result.err
    assert not any(r.path.endswith("/get-call") for r in api_env.requests["api"])


def test_transcripts_are_saved_beside_the_recordings_and_calls_without_one_counted(run, api_env, tmp_path):
    out = tmp_path / "out"
    result = run("download", "--since", "2026-01-01", "--transcripts", "-o", str(out))
    assert result.code == 0, result.err
    transcripts = {name for name in files_under(out) if name.endswith(".txt")}
    with_text = [c for c in WITH_RECORDINGS if c.transcript]
    assert transcripts == {f"{c.call_id}/00-transcript.txt" for c in with_text}
    assert NULLS_CALL not in {name.split("/")[0] for name in transcripts}
    assert (out / MAIN_CALL / "00-transcript.txt").read_text() == sample(MAIN_CALL).transcript + "\n"
    assert (out / MARKUP_CALL / "00-transcript.txt").read_text() == "Caller: [link=https://example.com]click[/link]\n"
    assert f"{len(with_text)} transcripts saved, 1 call without one" in result.err_lines[-1]


def test_a_flat_template_puts_the_transcript_beside_the_call_files(run, api_env, tmp_path):
    out = tmp_path / "out"
    template = "{started:%Y%m%d}-{call_id}-{index}.{ext}"
    result = run(
        "download",
        "--since",
        "2026-01-01",
        "--number",
        "+14155550123",
        "--transcripts",
        "--name",
        template,
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert files_under(out) == {f"20260302-{MAIN_CALL}-1.wav", f"20260302-{MAIN_CALL}-0.txt", "manifest.jsonl"}


def test_wait_synced_polls_until_the_permanent_copy_exists_and_downloads_it(run, api_env, tmp_path):
    api_env.faults.sync_after_lookups = 2  # pending on the first two lookups, synced on the third
    out = tmp_path / "out"
    result = run(
        "download", "--since", "2026-01-01", "--number", "+14155550177", "--wait-synced", "--poll-every", "0.01",
        "-o", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    lookups = [r for r in api_env.requests["api"] if r.path.endswith("/get-signed-recording-url")]
    assert len(lookups) == 3
    (row,) = manifest_rows(out)
    assert (row["call_id"], row["segment_status"]) == (PENDING_CALL, "synced")
    (get,) = api_env.requests["storage"]
    assert get.path.startswith("/storage/v1/object/public/recordings/")
    assert "still pending" not in result.err


def test_wait_synced_gives_up_after_the_duration_downloads_the_pending_copy_and_says_so(run, api_env, tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    result = run(
        "download", "--since", "2026-01-01", "--number", "+14155550177", "--wait-synced", "0.2",
        "--poll-every", "0.05", "-o", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert time.monotonic() - started < 10
    lookups = [r for r in api_env.requests["api"] if r.path.endswith("/get-signed-recording-url")]
    assert len(lookups) >= 3  # the first, then polls
    (row,) = manifest_rows(out)
    assert row["segment_status"] == "pending_sync"
    assert result.err_lines[-1] == (
        f"recbrowser: still pending after 0s, downloaded from the provider's copy: {PENDING_CALL} #1 (Reconnect)."
    )


def test_without_wait_synced_pending_calls_are_looked_up_once(run, api_env, tmp_path):
    api_env.faults.sync_after_lookups = 1
    result = run("download", "--since", "2026-01-01", "--number", "+14155550177", "-o", str(tmp_path / "out"))
    assert result.code == 0
    assert len([r for r in api_env.requests["api"] if r.path.endswith("/get-signed-recording-url")]) == 1
    assert manifest_rows(tmp_path / "out")[0]["segment_status"] == "pending_sync"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--since", "7d", MAIN_CALL], "not both"),
        (["--transcripts", MAIN_CALL], "--transcripts needs --since"),
        (["--direction", "inbound", "--manifest", "csv", MAIN_CALL], "--direction, --manifest needs --since"),
        ([], "or --since WHEN"),
        (["--since", "someday"], "'someday' is not a time"),
        (["--since", "7d", "--wait-synced", "soon"], "'soon' is not a duration"),
        (["--since", "7d", "--poll-every", "0"], "--poll-every must be more than 0 s"),
        (["--since", "7d", "--number", "555"], "E.164"),
        (["--since", "7d", "--name", "{index:%Y}.{ext}"], "cannot be filled"),
        (["--since", "7d", "--name", "{agent.__class__}"], "cannot use '.'"),
    ],
)
def test_bad_combinations_are_exit_2_before_any_request(run, api_env, tmp_path, argv, said):
    result = run("download", "-o", str(tmp_path / "out"), *argv)
    assert result.code == 2
    assert said in result.err
    assert api_env.requests["api"] == []


def test_path_like_labels_stay_inside_the_archive(run, api_env, tmp_path):
    out = tmp_path / "out"
    assert run("download", "--since", "2026-01-01", "-o", str(out)).code == 0
    assert {n for n in recordings_under(out) if n.startswith(PATHLIKE_CALL)} == {
        f"{PATHLIKE_CALL}/01-_._etc.wav",
        f"{PATHLIKE_CALL}/02-a_b_c.wav",
    }


def _archive_process(fake: FakeMagpipe, tmp_path: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "recbrowser", "download", "--since", "2026-01-01", "-o", str(tmp_path / "out"), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _first_page_files() -> set[str]:
    return {f"{c.call_id}/{i:02d}" for c in DEMO_CALLS[:5] for i in range(1, len(c.recordings) + 1)}


def test_downloads_start_while_later_pages_are_still_being_listed(fake, tmp_path):
    """The server holds the second page: the first page's calls are downloaded (and in the
    manifest) while the command still waits for it; released, the rest follows."""
    fake.faults.list_calls_row_cap = 5
    fake.faults.list_calls_hold_after_first = True
    out = tmp_path / "out"
    process = _archive_process(fake, tmp_path)
    try:
        wanted = _first_page_files()
        assert wanted
        wait_until(
            lambda: (out / "manifest.jsonl").exists() and len(manifest_rows(out)) == len(wanted),
            "the first page's files downloaded and recorded",
        )
        assert {name[: len(MAIN_CALL) + 3] for name in recordings_under(out)} == wanted
        wait_until(lambda: len(list_requests(fake)) == 2, "the second page asked for (and held)")
        assert process.poll() is None
        fake.faults.list_calls_release.set()
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    finally:
        fake.faults.list_calls_release.set()
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert len(manifest_rows(out)) == sum(len(c.recordings) for c in WITH_RECORDINGS)


@pytest.mark.parametrize(
    ("signum", "code", "fmt"),
    [(signal.SIGINT, 130, "jsonl"), (signal.SIGTERM, 143, "csv")],
    ids=["ctrl-c-jsonl", "sigterm-csv"],
)
def test_a_signal_mid_archive_leaves_a_valid_manifest_with_the_finished_files(fake, tmp_path, signum, code, fmt):
    fake.faults.list_calls_row_cap = 5
    fake.faults.list_calls_hold_after_first = True
    out = tmp_path / "out"
    process = _archive_process(fake, tmp_path, "--manifest", fmt)
    try:
        wanted = _first_page_files()
        wait_until(lambda: len(list_requests(fake)) == 2, "the second page asked for (and held)")
        wait_until(
            lambda: (out / f"manifest.{fmt}").exists() and len(_rows(out, fmt)) == len(wanted),
            "every file of the first page in the manifest",
        )
        process.send_signal(signum)
        _stdout, stderr = process.communicate(timeout=5)
    finally:
        fake.faults.list_calls_release.set()
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == "recbrowser: interrupted"
    rows = _rows(out, fmt)
    assert {row["path"] for row in rows} == recordings_under(out)
    assert all(row["sha256"] == sha256_of(out / row["path"]) for row in rows)


def _rows(out: Path, fmt: str) -> list[dict]:
    path = out / f"manifest.{fmt}"
    if fmt == "csv":
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_json_lines_give_each_file_with_its_sha256_and_errors_as_objects(run, api_env, tmp_path):
    out = tmp_path / "out"
    result = run("download", "--since", "2026-01-01", "--number", "+14155550123", "--json", "-o", str(out))
    assert result.code == 0, result.err
    (line,) = result.json_lines
    assert (line["call_id"], line["status"], line["sha256"]) == (MAIN_CALL, "downloaded", sha256_of(Path(line["path"])))
    assert result.err == ""
