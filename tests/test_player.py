"""Choosing how a segment is opened: the configured player, or the system opener."""

from __future__ import annotations

import webbrowser

import pytest

from recbrowser.errors import PlayerError
from recbrowser.player import is_web_url, player_command, runs_in_terminal

URL = "https://storage.example/rec/1.wav?sig=a b"


def test_the_player_command_takes_the_target_in_place_of_braces_without_a_shell() -> None:
    env = {"RECBROWSER_PLAYER": "mpv --no-video --title='rec {}' {}"}
    assert player_command(URL, env) == ["mpv", "--no-video", f"--title=rec {URL}", URL]


def test_the_target_is_appended_when_there_are_no_braces() -> None:
    assert player_command("/tmp/a b.wav", {"RECBROWSER_PLAYER": "vlc --intf dummy"}) == [
        "vlc",
        "--intf",
        "dummy",
        "/tmp/a b.wav",
    ]


def test_no_player_configured_means_the_system_opener() -> None:
    assert player_command(URL, {}) is None
    assert player_command(URL, {"RECBROWSER_PLAYER": "   "}) is None


def test_an_unparsable_player_command_is_a_player_error() -> None:
    with pytest.raises(PlayerError, match="cannot be parsed"):
        player_command(URL, {"RECBROWSER_PLAYER": "mpv 'unclosed"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://storage.example/a.wav", True),
        ("HTTP://storage.example/a.wav", True),
        ("file:///etc/passwd", False),
        ("/usr/bin/xcalc", False),
        ("--script=/tmp/evil.lua", False),
        ("javascript:alert(1)", False),
        ("https:///no-host", False),
        ("", False),
    ],
)
def test_only_http_and_https_urls_with_a_host_count_as_web_urls(url: str, expected: bool) -> None:
    assert is_web_url(url) is expected


@pytest.mark.parametrize(
    ("browser", "env", "expected"),
    [
        (webbrowser.GenericBrowser("lynx"), {"DISPLAY": ":0"}, True),
        (webbrowser.GenericBrowser(["/usr/bin/w3m", "%s"]), {}, True),
        (webbrowser.Elinks("elinks"), {}, True),
        (webbrowser.BackgroundBrowser("xdg-open"), {}, False),
        (webbrowser.Mozilla("firefox"), {}, False),
        (webbrowser.GenericBrowser("my-browser"), {}, True),  # unknown command, no display: assume a console
        (webbrowser.GenericBrowser("my-browser"), {"WAYLAND_DISPLAY": "wayland-0"}, False),
    ],
)
def test_console_browsers_are_told_apart_from_graphical_ones(
    browser: webbrowser.BaseBrowser, env: dict, expected: bool
) -> None:
    assert runs_in_terminal(browser, env) is expected
