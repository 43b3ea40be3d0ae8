"""`recbrowser ID…`: call IDs where the command goes open the app on those calls."""

from __future__ import annotations

import pytest

from recbrowser.cli import build_parser, parse_args
from recbrowser.fakeapi import FakeMagpipe
from recbrowser.fakeapi.samples import DEMO_KEY
from recbrowser.history import HistoryStore
from recbrowser.paths import Paths
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.key_entry import KeyScreen
from recbrowser.tui.widgets.call_list import CallList
from tests.tui_helpers import SIMPLE, TRANSFER, listed_calls, look_up, make_app, settle

SIZE = (120, 40)


def parsed(*argv: str):
    return parse_args(build_parser(), list(argv))


@pytest.mark.parametrize(
    ("argv", "calls", "api_url", "demo"),
    [
        ((SIMPLE,), [SIMPLE], None, False),
        ((SIMPLE.upper().replace("-", ""), TRANSFER, SIMPLE), [SIMPLE, TRANSFER], None, False),
        (("--demo", f"https://dash.example/calls/{TRANSFER}?tab=rec"), [TRANSFER], None, True),
        ((SIMPLE, "--api-url", "http://127.0.0.1:9", "--demo"), [SIMPLE], "http://127.0.0.1:9", True),
        (("--api-url=http://h", "see", SIMPLE, "and", TRANSFER), [SIMPLE, TRANSFER], "http://h", False),
    ],
)
def test_call_ids_where_the_command_goes_are_the_calls_to_open(argv, calls, api_url, demo) -> None:
    args = parsed(*argv)
    assert args.command is None
    assert args.open_calls == calls
    assert getattr(args, "api_url", None) == api_url
    assert args.demo is demo


def test_a_command_is_still_a_command_and_opens_no_calls() -> None:
    args = parsed("lookup", SIMPLE)
    assert args.command == "lookup" and args.inputs == [SIMPLE] and args.open_calls == []
    assert parsed().open_calls == [] and parsed("--demo").command is None


@pytest.mark.parametrize("word", ["lokup", "hist", "7f3d8e00-a1b2", "[red]x[/red]"])
def test_a_word_that_is_neither_a_command_nor_holds_a_call_id_is_a_usage_error(run, word: str) -> None:
    result = run(word)
    assert result.code == 2
    assert f"{word!r} is not a command (lookup, history, download, calls, show, key, demo-server)" in result.err
    assert "a call ID is a UUID such as" in result.err


def test_call_ids_reach_the_app_which_says_it_needs_a_terminal(run) -> None:
    result = run(SIMPLE)  # under pytest standard input is no terminal: the app's own refusal, not a parse error
    assert result.code == 2
    assert "the app needs a terminal" in result.err and "not a command" not in result.err


def test_help_shows_that_call_ids_may_take_the_commands_place(run) -> None:
    result = run("--help")
    assert result.code == 0
    assert "[COMMAND ... | CALL_ID ...]" in result.out


async def test_the_app_opens_on_the_given_calls_not_on_the_last_session_or_the_calls_view(fake: FakeMagpipe) -> None:
    path = Paths.default().history_db
    first = make_app(fake, history=HistoryStore(path, session="first"))
    async with first.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)

    app = make_app(fake, history=HistoryStore(path, session="second"), start_on_calls=True, open_calls=[TRANSFER])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert listed_calls(app) == [TRANSFER]
        assert app.screen.query_one(CallList).has_focus
        state = app.screen.book.calls[TRANSFER]
        assert state.recordings is not None and len(state.recordings.segments) == 4
        assert not [r for r in fake.requests["api"] if r.path.endswith("/list-calls")]


async def test_without_a_key_the_given_calls_are_looked_up_once_a_key_is_saved(fake: FakeMagpipe) -> None:
    app = make_app(fake, key=None, open_calls=[SIMPLE, TRANSFER])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        await pilot.press(*DEMO_KEY, "enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert listed_calls(app) == [SIMPLE, TRANSFER]
        assert all(app.screen.book.calls[c].recordings is not None for c in (SIMPLE, TRANSFER))
