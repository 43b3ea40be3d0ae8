"""Issue 10, the command line as a new user meets it: where a key comes from, --demo with a
command, labels, URLs and times in the lookup table (real processes and the fake API)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from tests.cli_helpers import Run, _read_until as read_until, answer_on_a_terminal, child_env, run_main

MAIN_CALL = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"
WRONG_KEY = "mgp_" + "1234567890abcdef" * 2 + "feedface"
WHERE = "Settings → API → Generate New Key"


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    def runner(*argv: str) -> Run:
        return run_main(capsys, *argv)

    return runner


def save_key(tmp_path: Path, key: str) -> Path:
    path = tmp_path / "config" / "recbrowser" / "api_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    return path


# --- item 10: where the key comes from, and what to change --------------------------------


def test_a_rejected_key_from_the_environment_says_the_variable_wins(run, fake: FakeMagpipe, tmp_path, monkeypatch) -> None:
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
    [["key", "set", "--stdin"], ["key", "show"], ["key", "clear"], ["demo-server"], ["lookup", "--api-url", "http://127.0.0.1:9", MAIN_CALL]],
)
def test_demo_with_a_command_it_cannot_run_is_a_usage_error_and_touches_nothing(run, tmp_path: Path, argv: list[str]) -> None:
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
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "recbrowser", "--demo"], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 30
        shown = read_until(master, lambda out: b"Call IDs" in out, deadline)
        assert b"Call IDs" in shown, shown  # the app is up, and the demo with it
        (demo_dir,) = tmp.glob("recbrowser-demo-*")
        assert demo_dir.is_dir()
        os.kill(process.pid, signum)
        read_until(master, lambda out: False, deadline)  # until the app lets go of the terminal
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert code != 0
    assert list(tmp.iterdir()) == []
