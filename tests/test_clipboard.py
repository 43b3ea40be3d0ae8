"""Copying a URL: a system clipboard tool when there is one (real processes), else OSC 52, said honestly."""

from __future__ import annotations

import base64
import os
import shutil
import stat
from pathlib import Path

import pytest

from recbrowser.clipboard import OSC52, copy_text, osc52
from recbrowser.errors import ClipboardUnavailable

URL = "https://storage.example/recordings/7f3d8e00.mp3?token=a&b=c"


def fake_tool(bin_dir: Path, name: str, *, fails: bool = False) -> Path:
    """A clipboard tool that keeps what it is given (and its arguments) in NAME.got."""
    bin_dir.mkdir(exist_ok=True)
    got = bin_dir / f"{name}.got"
    script = bin_dir / name
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" > "{got}.args"\n'
        f'{shutil.which("cat")} > "{got}"\n' + ("echo 'Error: cannot open display' >&2; exit 1\n" if fails else "")
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return got


def test_xclip_gets_the_text_when_a_display_is_there(tmp_path: Path) -> None:
    got = fake_tool(tmp_path / "bin", "xclip")
    copied = copy_text(URL, env={"PATH": str(tmp_path / "bin"), "DISPLAY": ":0"})
    assert copied.via == "xclip" and copied.confirmed and copied.message == "Copied with xclip."
    assert got.read_text() == URL
    assert Path(f"{got}.args").read_text().strip() == "-selection clipboard"


def test_wl_copy_comes_first_on_wayland_and_a_tool_without_its_display_is_skipped(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    wayland, x11 = fake_tool(bin_dir, "wl-copy"), fake_tool(bin_dir, "xclip")
    assert copy_text(URL, env={"PATH": str(bin_dir), "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}).via == "wl-copy"
    assert wayland.read_text() == URL and not x11.exists()
    assert copy_text(URL, env={"PATH": str(bin_dir)}, terminal=lambda _: None).via == OSC52  # no display: neither


def test_a_failing_tool_falls_through_to_the_next(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "xclip", fails=True)
    got = fake_tool(bin_dir, "xsel")
    copied = copy_text(URL, env={"PATH": str(bin_dir), "DISPLAY": ":0"})
    assert copied.via == "xsel" and got.read_text() == URL
    assert Path(f"{got}.args").read_text().strip() == "-b -i"


def test_without_a_tool_the_terminal_escape_is_used_and_said_to_be_uncertain(tmp_path: Path) -> None:
    written: list[str] = []
    copied = copy_text(URL, env={"PATH": str(tmp_path)}, terminal=written.append)
    assert not copied.confirmed and "may not support it" in copied.message and "OSC 52" in copied.message
    (sequence,) = written
    assert sequence == osc52(URL) and sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode() == URL


def test_without_a_tool_or_a_terminal_it_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ClipboardUnavailable) as caught:
        copy_text(URL, env={"PATH": str(tmp_path), "DISPLAY": ":0"})
    assert "xclip" in caught.value.message and URL not in caught.value.message


@pytest.mark.skipif(os.name != "posix", reason="shell-script tools")
def test_pbcopy_needs_no_display(tmp_path: Path) -> None:
    got = fake_tool(tmp_path / "bin", "pbcopy")
    assert copy_text(URL, env={"PATH": str(tmp_path / "bin")}).via == "pbcopy" and got.read_text() == URL
