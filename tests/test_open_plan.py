"""The open plan (player.plan_open, a pure function) and carrying it out (player.open_segment,
with real processes): what is opened, with what, and what the user is told when nothing is."""

from __future__ import annotations

import sys
from pathlib import Path

from recbrowser.models import Segment
from recbrowser.player import Browse, Play, Said, open_segment, opened, plan_open
from tests.files import wait_for_text

URL = "https://storage.example/rec/1.wav?sig=a b"
PLAYER = {"RECBROWSER_PLAYER": "mpv --no-video {}"}


def segment(url: str | None = URL, label: str = "main") -> Segment:
    return Segment.from_api(1, {"url": url, "label": label, "status": "synced"})


def test_a_configured_player_gets_the_url_in_place_of_the_braces() -> None:
    assert plan_open(segment(), None, PLAYER) == Play(["mpv", "--no-video", URL], "segment 1 (Main Call)")


def test_a_downloaded_file_is_played_even_when_the_url_would_be_refused(tmp_path: Path) -> None:
    local = str(tmp_path / "1.wav")
    assert plan_open(segment("--script=/tmp/evil.lua"), local, PLAYER) == Play(
        ["mpv", "--no-video", local], "segment 1 (Main Call)"
    )
    assert plan_open(segment(None), local, {}) == Browse(Path(local).as_uri(), "segment 1 (Main Call)")


def test_without_a_player_the_system_opener_gets_the_url() -> None:
    assert plan_open(segment(), None, {}) == Browse(URL, "segment 1 (Main Call)")


def test_nothing_is_opened_without_a_url_or_with_one_that_is_not_http() -> None:
    assert plan_open(segment(None), None, PLAYER) == Said("This segment has no URL to open.", "warning")
    for odd in ("file:///etc/passwd", "--script=/tmp/evil.lua", "/usr/bin/xcalc", "javascript:alert(1)"):
        said = plan_open(segment(odd), None, PLAYER)
        assert isinstance(said, Said) and said.severity == "warning"
        assert said.message.endswith(": only http and https links from the API are opened.")


def test_an_unparsable_player_command_is_said_as_an_error() -> None:
    said = plan_open(segment(), None, {"RECBROWSER_PLAYER": "mpv 'unclosed"})
    assert isinstance(said, Said) and said.severity == "error" and "cannot be parsed" in said.message


def test_a_label_from_the_api_is_shown_escaped_and_bounded() -> None:
    plan = plan_open(segment(label="\x1b[31m" + "x" * 100), None, PLAYER)
    assert isinstance(plan, Play) and "\x1b" not in plan.what and len(plan.what) < 60


def test_what_the_opener_came_to_is_said() -> None:
    assert opened(True, "segment 1 (Main Call)") == Said("Opening segment 1 (Main Call).")
    assert opened(False, "x") == Said("No player found. Set RECBROWSER_PLAYER, e.g. 'mpv --no-video {}'.", "warning")


def player(tmp_path: Path, body: str) -> dict[str, str]:
    script = tmp_path / "player.py"
    script.write_text(f"import sys, pathlib\n{body}\n")
    return {"RECBROWSER_PLAYER": f"{sys.executable} {script} {{}}"}


def test_open_segment_plays_the_downloaded_file_while_it_exists_else_the_url(tmp_path: Path) -> None:
    record, local = tmp_path / "played.txt", tmp_path / "1.wav"
    env = player(tmp_path, f"pathlib.Path({str(record)!r}).write_text(sys.argv[1])")
    local.write_bytes(b"RIFF")
    assert open_segment(segment(), str(local), env) == Said("Opening segment 1 (Main Call).")
    assert wait_for_text(record) == str(local)
    record.unlink()
    local.unlink()
    assert open_segment(segment(), str(local), env) == Said("Opening segment 1 (Main Call).")
    assert wait_for_text(record) == URL


def test_open_segment_says_a_player_that_fails_at_once_in_its_own_words(tmp_path: Path) -> None:
    env = player(tmp_path, "sys.stderr.write('no audio device\\n'); sys.exit(1)")
    said = open_segment(segment(), None, env)
    assert isinstance(said, Said) and said.severity == "error"
    assert "failed at once" in said.message and "no audio device" in said.message
