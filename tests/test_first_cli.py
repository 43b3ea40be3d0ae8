"""Issue 10, the command line as a new user meets it: where a key comes from, --demo with a
command, labels, URLs and times in the lookup table (real processes and the fake API)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from tests.cli_helpers import Run, answer_on_a_terminal, child_env, run_main

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
