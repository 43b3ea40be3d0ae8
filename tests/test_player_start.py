"""A player that fails at once is noticed, with what it said; one that plays is left alone (real processes)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from recbrowser.errors import PlayerError, PlayerExited
from recbrowser.player import launch_checked, player_command


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "player"
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_player_that_exits_1_at_once_raises_with_its_message(tmp_path: Path) -> None:
    player = script(
        tmp_path, "sys.stderr.write('Failed to open https://x.example/1.wav: no audio device\\n'); sys.exit(1)"
    )
    argv = player_command("https://x.example/1.wav", {"RECBROWSER_PLAYER": f"{player} --no-video"})
    assert argv is not None
    with pytest.raises(PlayerExited) as caught:
        launch_checked(argv)
    message = caught.value.message
    assert message.startswith("The player 'player' failed at once (exit code 1): Failed to open")
    assert "no audio device" in message and isinstance(caught.value, PlayerError)


def test_a_player_killed_at_once_without_a_word_says_so(tmp_path: Path) -> None:
    player = script(tmp_path, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    with pytest.raises(PlayerExited, match=r"\(signal 9\); it said nothing on stderr"):
        launch_checked([str(player)])


def test_a_flood_of_stderr_with_escapes_is_bounded_and_escaped(tmp_path: Path) -> None:
    player = script(tmp_path, "sys.stderr.write('\\x1b[31mbad\\x07 ' + 'x' * 200_000); sys.stderr.flush(); sys.exit(2)")
    with pytest.raises(PlayerExited) as caught:
        launch_checked([str(player)])
    message = caught.value.message
    assert len(message) < 400 and "\x1b" not in message and "\\x1b[31mbad\\x07" in message


def test_a_player_that_keeps_playing_is_left_running(tmp_path: Path) -> None:
    process = launch_checked([str(script(tmp_path, "time.sleep(60)"))], grace=0.5)
    try:
        assert process.poll() is None
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_chatty_player_never_blocks_on_its_stderr(tmp_path: Path) -> None:
    # 1 MB is far more than a pipe holds: undrained, the player would hang mid-write and
    # never reach its exit; drained, its failure is seen and only the start is kept.
    player = script(tmp_path, "sys.stderr.write('y' * 1_000_000); sys.stderr.flush(); sys.exit(3)")
    with pytest.raises(PlayerExited, match=r"\(exit code 3\): yyy") as caught:
        launch_checked([str(player)], grace=20)
    assert len(caught.value.message) < 400


def test_an_opener_that_hands_over_and_ends_cleanly_is_fine(tmp_path: Path) -> None:
    process = launch_checked([str(script(tmp_path, "sys.exit(0)"))], grace=5)
    assert process.returncode == 0


def test_a_missing_player_is_a_player_error(tmp_path: Path) -> None:
    with pytest.raises(PlayerError, match="Player not found"):
        launch_checked([str(tmp_path / "no-such-player")])
