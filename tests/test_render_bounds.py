"""Far dates and absurd numbers from the API display everywhere, bounded, over real HTTP.

Issue 9, items 6 and 7: a ``created_at`` of year 1 or 9999 with an offset made ``astimezone()``
overflow (lookup table, ``lookup --offline``, the app on every start), and a 400-digit
``duration_seconds`` raised OverflowError. The shipped fake serves such a call here.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, SAMPLE_CALLS, FakeMagpipe, SegmentSpec
from recbrowser.formatting import human_bytes, human_eta
from recbrowser.history import HistoryStore
from recbrowser.models import Segment
from recbrowser.paths import Paths
from recbrowser.progress import Transfer
from recbrowser.tui.cells import segment_cells
from recbrowser.tui.widgets.segment_table import SegmentTable
from tests.cli_helpers import child_env, run_main
from tests.tui_helpers import look_up, make_app, settle

HUGE = 10**400
HUGE_DIGITS = str(HUGE)[:300]
DATES = dataclasses.replace(
    SAMPLE_CALLS[0],
    recordings=[
        SegmentSpec("main", created_at="0001-01-01T00:00:00+05:00", duration_seconds=64),
        SegmentSpec("conversation", created_at="9999-12-31T23:59:59-05:00", duration_seconds=125),
        SegmentSpec("back_to_agent", created_at="0001-01-01T00:00:00Z"),
    ],
)
NUMBERS = dataclasses.replace(
    SAMPLE_CALLS[1],
    recordings=[
        SegmentSpec("main", duration_seconds=HUGE, created_at="2026-03-02T10:34:25Z"),  # type: ignore[arg-type]
        SegmentSpec("conversation", duration_seconds=125, source=-HUGE),  # type: ignore[arg-type]
    ],
)
LONE_SURROGATE = dataclasses.replace(SAMPLE_CALLS[2], recordings=[SegmentSpec("\ud800main\udfff", source="a\udc80")])
# Neither moment has a local or UTC form (the UTC one would be year 0 or 10000): shown as sent.
YEAR_1 = "0001-01-01 00:00:00 UTC+05:00"
YEAR_9999 = "9999-12-31 23:59:59 UTC-05:00"


@pytest.fixture(scope="module")
def odd_server() -> Iterator[FakeMagpipe]:
    with FakeMagpipe(calls=[DATES, NUMBERS, LONE_SURROGATE]) as server:
        yield server


@pytest.fixture
def odd(odd_server: FakeMagpipe, monkeypatch: pytest.MonkeyPatch) -> FakeMagpipe:
    odd_server.reset()
    monkeypatch.setenv("MAGPIPE_API_URL", odd_server.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    return odd_server


def assert_bounded(text: str) -> None:
    assert HUGE_DIGITS not in text
    assert "Traceback" not in text


# --- item 6: far dates ---------------------------------------------------------------------


def test_far_dates_show_in_the_lookup_table(odd, capsys) -> None:
    run = run_main(capsys, "lookup", DATES.call_id)
    assert run.code == 0, run.err
    rows = run.out.splitlines()[2:5]
    assert YEAR_1 in rows[0] and YEAR_9999 in rows[1] and "0001-01-01" in rows[2]


def test_far_dates_show_in_utc_with_a_marker_under_utc_too(odd, capsys) -> None:
    run = run_main(capsys, "lookup", "--utc", DATES.call_id)
    assert run.code == 0, run.err
    rows = run.out.splitlines()[2:5]
    assert YEAR_1 in rows[0] and YEAR_9999 in rows[1] and "0001-01-01 00:00:00 UTC" in rows[2]
    offline = run_main(capsys, "lookup", "--offline", "--utc", DATES.call_id)
    assert offline.code == 0 and YEAR_1 in offline.out and YEAR_9999 in offline.out


def test_far_dates_keep_their_string_in_json_and_show_offline_and_in_the_history(odd, capsys) -> None:
    online = run_main(capsys, "lookup", "--json", DATES.call_id)
    assert online.code == 0, online.err
    (answer,) = online.json_lines
    assert [s["created_at"] for s in answer["recordings"]] == [spec.created_at for spec in DATES.recordings]
    offline = run_main(capsys, "lookup", "--offline", DATES.call_id)
    assert offline.code == 0, offline.err
    assert YEAR_1 in offline.out and YEAR_9999 in offline.out and "cached" in offline.out
    offline_json = run_main(capsys, "lookup", "--offline", "--json", DATES.call_id)
    assert offline_json.code == 0
    assert offline_json.json_lines[0]["recordings"][1]["created_at"] == "9999-12-31T23:59:59-05:00"
    listed = run_main(capsys, "history", "--json")
    assert listed.code == 0 and listed.json_lines[0]["segments"] == 3
    assert run_main(capsys, "history").code == 0


def test_created_field_names_files_with_four_digit_years_at_both_ends(odd, capsys, tmp_path: Path) -> None:
    out = tmp_path / "out"
    template = "{created:%Y%m%d-%H%M}-{index}.{ext}"
    run = run_main(capsys, "download", "--json", "-o", str(out), "--name", template, DATES.call_id)
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == [
        "00010101-0000-1.wav",
        "00010101-0000-3.wav",
        "99991231-2359-2.wav",
    ]


def test_a_zone_west_of_utc_shows_year_1_in_utc_with_a_marker(odd, tmp_path: Path) -> None:
    # In New York, 0001-01-01T00:00:00Z is still year 0: no local form, so UTC, marked.
    env = child_env(tmp_path, TZ="EST5", MAGPIPE_API_URL=odd.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    done = subprocess.run(
        [sys.executable, "-m", "recbrowser", "lookup", DATES.call_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[2:5]
    assert YEAR_1 in rows[0] and YEAR_9999 in rows[1]
    assert "0001-01-01 00:00:00 UTC" in rows[2] and "UTC+" not in rows[2]


async def test_the_segments_table_shows_far_dates_and_the_app_restores_them(odd) -> None:
    path = Paths.default().history_db
    first = make_app(odd, history=HistoryStore(path, session="first"))
    async with first.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, DATES.call_id)
        rows = table_rows(first)
    assert [row[6] for row in rows[:2]] == ["0001-01-01 00:00 UTC+05:00", "9999-12-31 23:59 UTC-05:00"]

    # On the next start the cached answer comes back: it must show, not kill the app.
    second = make_app(odd, history=HistoryStore(path, session="second"))
    async with second.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 10
        while not second.screen.query(SegmentTable) or not table_rows(second):
            assert time.monotonic() < deadline, "the cached call was not restored"
            await pilot.pause(0.01)
        await settle(pilot)
        assert table_rows(second) == rows
        assert second.is_running


# --- item 7 (values): absurd numbers -------------------------------------------------------


def test_a_huge_duration_is_unknown_in_the_lookup_table(odd, capsys) -> None:
    run = run_main(capsys, "lookup", NUMBERS.call_id)
    assert run.code == 0, run.err
    assert_bounded(run.out + run.err)
    first, second = (line.split() for line in run.out.splitlines()[2:4])
    assert first[1:4] == ["Main", "Call", "—"] and second[1:3] == ["Conversation", "2:05"]
    assert "2:05" in run.out.splitlines()[0]  # the total counts only the known duration


def test_a_huge_duration_is_null_in_json_lines_and_from_the_history(odd, capsys) -> None:
    run = run_main(capsys, "lookup", "--json", NUMBERS.call_id)
    assert run.code == 0, run.err
    assert_bounded(run.out)
    segments = run.json_lines[0]["recordings"]
    assert [s["duration_seconds"] for s in segments] == [None, 125]
    assert segments[1]["source"] is None  # a 400-digit "source" is no text
    offline = run_main(capsys, "lookup", "--offline", NUMBERS.call_id)
    assert offline.code == 0, offline.err
    assert_bounded(offline.out + offline.err)


async def test_the_segments_table_shows_a_huge_duration_as_unknown(odd) -> None:
    app = make_app(odd)
    async with app.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, NUMBERS.call_id)
        rows = table_rows(app)
        assert app.is_running
    assert [row[3] for row in rows] == ["—", "2:05"]
    assert rows[1][5] == "—"
    assert_bounded(repr(rows))


def test_a_lone_surrogate_in_a_label_is_replaced_so_it_shows_and_reaches_the_history(
    odd, capsys, tmp_path: Path
) -> None:
    # JSON may carry "\ud800" alone; SQLite (the history), terminals and file names refuse it.
    run = run_main(capsys, "lookup", "--json", LONE_SURROGATE.call_id)
    assert run.code == 0, run.err
    (segment,) = run.json_lines[0]["recordings"]
    assert (segment["label"], segment["source"]) == ("\ufffdmain\ufffd", "a\ufffd")
    offline = run_main(capsys, "lookup", "--offline", LONE_SURROGATE.call_id)
    assert offline.code == 0, offline.err
    assert "\ufffdmain\ufffd" in offline.out
    out = tmp_path / "out"
    assert run_main(capsys, "download", "-o", str(out), "--name", "{label}.{ext}", LONE_SURROGATE.call_id).code == 0
    assert [p.name for p in out.iterdir()] == ["\ufffdmain\ufffd.wav"]


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one(SegmentTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_segment_cells_are_bounded_and_escaped() -> None:
    segment = Segment.from_api(
        1,
        {
            "label": "[bold]x\x1b[31m" * 20,
            "duration_seconds": HUGE,
            "source": -HUGE,
            "status": HUGE,
            "created_at": "9999-12-31T23:59:59-05:00",
        },
    )
    cells = [cell.plain for cell in segment_cells(segment)]
    assert cells[3] == "—" and cells[5] == "—" and cells[6] == "9999-12-31 23:59 UTC-05:00"
    assert all(not re.search(r"[\x00-\x1f]", cell) and len(cell) <= 40 for cell in cells)


@pytest.mark.parametrize("size", [HUGE, -HUGE, float("nan"), float("inf")])
def test_progress_shows_a_servers_absurd_size_as_unknown(size) -> None:
    assert human_bytes(size) == "?"


def test_progress_has_no_eta_for_an_absurd_total_and_bounds_long_ones() -> None:
    transfer = Transfer(total=HUGE, done=10, started=time.monotonic() - 1)
    assert transfer.eta is None
    assert human_eta(float("inf")) == "> 100 days" and human_eta(float("nan")) == "—"
