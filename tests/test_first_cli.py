"""Issue 10, the command line as a new user meets it: where a key comes from, --demo with a
command, labels, URLs and times in the lookup table (real processes and the fake API)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from tests.cli_helpers import answer_on_a_terminal, child_env, on_a_terminal, read_until
from tests.cli_helpers import run_on_a_terminal as run_on_pty

WRONG_KEY = "mgp_" + "1234567890abcdef" * 2 + "feedface"
WHERE = "Settings → API → Generate New Key"


def save_key(tmp_path: Path, key: str) -> Path:
    path = tmp_path / "config" / "recbrowser" / "api_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    return path


# --- item 10: where the key comes from, and what to change --------------------------------


def test_a_rejected_key_from_the_environment_says_the_variable_wins(
    run, fake: FakeMagpipe, tmp_path, monkeypatch
) -> None:
    save_key(tmp_path, DEMO_KEY)  # a good saved key changes nothing: the variable wins
    monkeypatch.setenv("MAGPIPE_API_KEY", WRONG_KEY)
    result = run("lookup", "--api-url", fake.api_url, MAIN_CALL)
    assert result.code == 3
    (line,) = result.err_lines
    assert "MAGPIPE_API_KEY" in line and "change it or unset it" in line and WHERE in line
    assert "key set" not in line
    assert WRONG_KEY not in result.err and DEMO_KEY not in result.err


def test_a_rejected_saved_key_says_where_to_create_one_and_how_to_save_it(run, fake: FakeMagpipe, tmp_path) -> None:
    save_key(tmp_path, WRONG_KEY)
    result = run("download", "--api-url", fake.api_url, "-o", str(tmp_path / "out"), MAIN_CALL)
    assert result.code == 3
    (line,) = result.err_lines
    assert WHERE in line and "`recbrowser key set`" in line and "unset" not in line
    assert WRONG_KEY not in result.err


def test_no_key_says_where_a_key_comes_from(run, fake: FakeMagpipe) -> None:
    result = run("lookup", "--api-url", fake.api_url, MAIN_CALL)
    assert result.code == 3 and WHERE in result.err and "key set" in result.err
    shown = run("key", "show")
    assert shown.code == 3 and WHERE in shown.err
    helped = run("key", "set", "--help")
    assert helped.code == 0 and WHERE in " ".join(helped.out.split())


def test_key_set_on_a_terminal_says_where_to_create_a_key_before_asking(tmp_path: Path) -> None:
    code, screen = answer_on_a_terminal(["key", "set"], b"(input hidden):", "mgp_" + "cd" * 20, child_env(tmp_path))
    assert code == 0, screen
    assert screen.index(WHERE) < screen.index("(input hidden):")


# --- item 7: --demo with a command never touches the user's key, settings or history -------


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_demo_commands_leave_the_users_key_settings_history_and_records_byte_identical(
    run, fake: FakeMagpipe, tmp_path: Path, monkeypatch
) -> None:
    save_key(tmp_path, DEMO_KEY)
    settings = tmp_path / "config" / "recbrowser" / "settings.json"
    settings.write_text(f'{{"api_url": "{fake.api_url}"}}\n')
    mine = tmp_path / "mine"
    assert run("download", "-o", str(mine), MAIN_CALL).code == 0  # a real history and download record
    monkeypatch.setenv("MAGPIPE_API_KEY", WRONG_KEY)  # neither the variable…
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)  # …nor the configured API is used
    user_dirs = {name: tree(tmp_path / name) for name in ("config", "data", "state")}
    assert user_dirs["data"] and user_dirs["state"]
    fake.reset()

    looked = run("--demo", "lookup", MAIN_CALL, "00000000-0000-4000-8000-000000000000")
    assert looked.code == 4, looked.err
    assert looked.out.startswith(MAIN_CALL) and "Main Call" in looked.out
    listed = run("--demo", "history", "--json")
    assert listed.code == 0 and listed.out == ""  # the demo's own, empty history
    kept = tmp_path / "kept"
    downloaded = run("--demo", "download", "-o", str(kept), MAIN_CALL)
    assert downloaded.code == 0, downloaded.err
    assert (kept / MAIN_CALL / "01-main.wav").is_file() and "temporary" not in downloaded.err
    temporary = run("--demo", "download", "--json", MAIN_CALL)
    assert temporary.code == 0
    (record,) = temporary.json_lines
    assert record["status"] == "downloaded" and "/recbrowser-demo-" in record["path"]
    assert not Path(record["path"]).exists()  # gone with the demo, as the note says
    assert f"the files were written to {Path(record['path']).parents[1]}, a temporary folder deleted" in temporary.err

    assert {name: tree(tmp_path / name) for name in ("config", "data", "state")} == user_dirs
    assert fake.requests["api"] == [] and fake.requests["storage"] == []
    assert WRONG_KEY not in looked.err + downloaded.err


@pytest.mark.parametrize(
    "argv",
    [
        ["key", "set", "--stdin"],
        ["key", "show"],
        ["key", "clear"],
        ["demo-server"],
        ["lookup", "--api-url", "http://127.0.0.1:9", MAIN_CALL],
    ],
)
def test_demo_with_a_command_it_cannot_run_is_a_usage_error_and_touches_nothing(
    run, tmp_path: Path, argv: list[str]
) -> None:
    key = save_key(tmp_path, DEMO_KEY)
    result = run("--demo", *argv)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("recbrowser: --demo ")
    assert key.read_text() == DEMO_KEY + "\n"


# --- item 13: the demo's temporary directory goes, whatever ends it -------------------------


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_closing_the_terminal_on_the_demo_app_leaves_no_temporary_directory(tmp_path: Path, signum: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = child_env(tmp_path, TMPDIR=str(tmp), TERM="xterm-256color", COLUMNS="100", LINES="30")
    with on_a_terminal([sys.executable, "-m", "recbrowser", "--demo"], env) as (process, master):
        deadline = time.monotonic() + 30
        shown = read_until(master, lambda out: b"calls loaded" in out, deadline)
        assert b"calls loaded" in shown, shown  # the app is up on the calls view, and the demo with it
        (demo_dir,) = tmp.glob("recbrowser-demo-*")
        assert demo_dir.is_dir()
        os.kill(process.pid, signum)
        read_until(master, lambda out: False, deadline)  # until the app lets go of the terminal
        code = process.wait(timeout=30)
    assert code != 0
    assert list(tmp.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_hangup_while_a_page_of_calls_is_in_flight_quits_the_app_cleanly(
    tmp_path: Path, fake: FakeMagpipe, signum: int
) -> None:
    """The signal is a loop callback that quits as q does, wherever it lands: once it was an
    exception raised in whatever ran, and now and then the app swallowed it and ran on."""
    fake.faults.latency = 20  # the calls view's first list-calls page stays in flight
    env = child_env(
        tmp_path,
        MAGPIPE_API_URL=fake.api_url,
        MAGPIPE_API_KEY=DEMO_KEY,
        TERM="xterm-256color",
        COLUMNS="100",
        LINES="30",
    )
    with on_a_terminal([sys.executable, "-m", "recbrowser"], env) as (process, master):
        deadline = time.monotonic() + 30
        read_until(master, lambda out: b"loading" in out, deadline)
        os.kill(process.pid, signum)
        rest = read_until(master, lambda out: False, deadline)  # until the app lets go of the terminal
        code = process.wait(timeout=30)
    assert code == 128 + signum
    assert b"\x1b[?1049l" in rest  # the terminal's own screen is back
    assert b"Traceback" not in rest


# --- item 16d: times carry their zone; UTC on request ----------------------------------------


def lookup_process(tmp_path: Path, fake: FakeMagpipe, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY, **env)
    return subprocess.run(
        [sys.executable, "-m", "recbrowser", "lookup", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("tz", "shown"),
    [
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-02 11:34:25 CET"),
        ("<+0530>-5:30", "2026-03-02 16:04:25 UTC+05:30"),  # no short name: the offset
        ("UTC0", "2026-03-02 10:34:25 UTC"),
    ],
)
def test_the_lookup_table_shows_local_times_with_their_zone(
    fake: FakeMagpipe, tmp_path: Path, tz: str, shown: str
) -> None:
    done = lookup_process(tmp_path, fake, MAIN_CALL, TZ=tz)
    assert done.returncode == 0, done.stderr
    assert shown in done.stdout.splitlines()[2]


def test_utc_by_flag_or_setting_shows_utc_and_far_dates_still_format(fake: FakeMagpipe, tmp_path: Path) -> None:
    flagged = lookup_process(tmp_path, fake, "--utc", MAIN_CALL, TZ="CET-1")
    assert flagged.returncode == 0 and "2026-03-02 10:34:25 UTC" in flagged.stdout
    settings = tmp_path / "config" / "recbrowser" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"utc": true}')
    configured = lookup_process(tmp_path, fake, MAIN_CALL, TZ="CET-1")
    assert configured.returncode == 0 and "2026-03-02 10:34:25 UTC" in configured.stdout
    history = subprocess.run(
        [sys.executable, "-m", "recbrowser", "history", "--utc"],
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert history.returncode == 0 and MAIN_CALL in history.stdout


def test_format_local_time_takes_zone_and_utc_options_at_the_far_ends() -> None:
    from datetime import datetime, timedelta, timezone

    from recbrowser.formatting import format_local_time

    late = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert format_local_time(late, utc=True, zone=True) == "9999-12-31 23:59:59 UTC-05:00"
    assert format_local_time(early, utc=True) == "0001-01-01 00:00:00 UTC+05:00"
    assert (
        format_local_time(datetime(1, 1, 1, 6, tzinfo=timezone.utc), utc=True, zone=True) == "0001-01-01 06:00:00 UTC"
    )
    assert (
        format_local_time(datetime(2026, 3, 2, 10, 34, tzinfo=timezone.utc), utc=True, seconds=False)
        == "2026-03-02 10:34"
    )


# --- item 15: URLs copyable whole; something moves while the API is slow --------------------


def run_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`recbrowser ARGV` with stdout and stderr on a pseudo-terminal; (exit code, raw output)."""
    code, output = run_on_pty([sys.executable, "-m", "recbrowser", *argv], env)
    return code, output.decode()


def test_at_80_columns_urls_are_listed_whole_under_the_table(fake: FakeMagpipe, tmp_path: Path) -> None:
    env = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY, COLUMNS="80", TZ="UTC0")
    code, screen = run_on_a_terminal(["lookup", TRANSFER_CALL], env)
    assert code == 0, screen
    lines = screen.replace("\r\n", "\n").splitlines()
    answer = json.loads(lookup_process(tmp_path, fake, "--json", TRANSFER_CALL).stdout)
    urls = [segment["url"] for segment in answer["recordings"]]
    assert len(urls) == 4 and all(len(url) > 60 for url in urls)
    header = next(line for line in lines if line.strip().startswith("#"))
    assert "URL" not in header
    below = lines[lines.index("  URLs:") + 1 :]
    unsigned = [url.split("?")[0] for url in urls]  # the pending one is signed anew on each lookup
    assert [line.split("?")[0] for line in below[:4]] == [
        f"  {index}  {url}" for index, url in enumerate(unsigned, start=1)
    ]
    assert all("?" not in url or "&expires=" in line for url, line in zip(urls, below, strict=False))
    table = lines[1 : lines.index("  URLs:")]
    assert all(len(line) <= 80 for line in table), table
    wide_env = dict(env, COLUMNS="400")
    code, wide = run_on_a_terminal(["lookup", TRANSFER_CALL], wide_env)
    assert code == 0 and "URLs:" not in wide and urls[0] in wide


def test_a_slow_lookup_on_a_terminal_shows_a_live_line_that_is_erased_before_the_answer(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    fake.faults.latency = 2.5
    env = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY, COLUMNS="120")
    code, screen = run_on_a_terminal(["lookup", MAIN_CALL], env)
    assert code == 0, screen
    host = fake.api_url.split("/")[2]
    assert f"Waiting for the API at {host} (1 s so far)…" in screen
    assert "recbrowser: Waiting" not in screen  # one live line, not the log-style line
    last_wait = screen.rindex("so far)…")
    erased = screen.index("\r\x1b[K", last_wait)
    assert erased < screen.index(MAIN_CALL, last_wait)
