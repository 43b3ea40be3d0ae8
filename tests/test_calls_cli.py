"""`recbrowser calls` and `recbrowser show` against the shipped fake, in-process and as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    MARKUP_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    SAMPLE_CALLS,
    UNKNOWN_CALL,
)
from tests.cli_helpers import child_env
from tests.polling import wait_until

DEMO_CALLS = sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
BILLING = "b2e1d4c3-6a5f-4e7b-9d8c-0f1a2b3c4d5e"

HEADER = (
    "Time                        Direction  From → To                            Agent                 Duration  "
    "Status          ID"
)
FIRST_ROWS = [
    "2026-03-02 10:32 UTC        inbound    +14155550123 → +14155550100          Front Desk            2:05      "
    "Completed       7f3d8e00…",
    "2026-03-02 09:15 UTC        inbound    +14155550142 → +14155550100          Billing Assistant     4:25      "
    "Completed       2a6c1f4e…",
]


@pytest.fixture
def utc_setting(isolated_paths: Path) -> None:
    """The utc setting, so the table's times do not depend on the machine's zone."""
    settings = isolated_paths / "config" / "recbrowser" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"utc": True}))


def list_requests(fake) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests["api"] if r.path.endswith("/list-calls")]


def ids_of(result) -> list[str]:
    return [row["id"] for row in result.json_lines]


def test_the_table_pins_time_direction_parties_agent_duration_status_and_short_id(run, api_env, utc_setting):
    result = run("calls", "--limit", "2")
    assert result.code == 0
    assert result.out.splitlines() == [HEADER, *FIRST_ROWS, "showing 2 of 12 calls"]


def test_the_whole_table_ends_with_the_count_and_shows_friendly_and_unknown_statuses(run, api_env, utc_setting):
    result = run("calls")
    lines = result.out.splitlines()
    assert lines[0] == HEADER and lines[-1] == "12 calls" and len(lines) == 14
    statuses = {line.split()[-2] for line in lines[1:-1]}
    assert {"Completed", "Failed", "Busy"} <= statuses
    assert any("No Answer" in line for line in lines)
    assert "+14155550111 → +14155550100          [red]Support[/red]" in result.out  # literally


def test_json_lines_have_every_field(run, api_env):
    result = run("calls", "--json", "--limit", "1")
    assert result.code == 0
    main = next(c for c in DEMO_CALLS if c.call_id == MAIN_CALL)
    assert result.json_lines == [
        {
            "id": MAIN_CALL,
            "direction": "inbound",
            "status": "completed",
            "from_number": "+14155550123",
            "to_number": "+14155550100",
            "agent_id": main.agent_id,
            "agent_name": "Front Desk",
            "duration": 125,
            "sentiment": "positive",
            "call_summary": "Caller booked a table for four on Friday at 7 pm.",
            "started_at": "2026-03-02T10:32:20Z",
            "ended_at": "2026-03-02T10:34:25Z",
            "created_at": "2026-03-02T10:32:20Z",
        }
    ]
    assert result.err == "recbrowser: showing 1 of 12 calls\n"


@pytest.mark.parametrize(
    ("argv", "sent", "wanted"),
    [
        (["--direction", "outbound"], {"direction": "outbound"}, lambda c: c.direction == "outbound"),
        (["--status", "busy"], {"status": "busy"}, lambda c: c.status == "busy"),
        (["--agent", BILLING.upper()], {"agent_id": BILLING}, lambda c: c.agent_id == BILLING),
        (["--agent", "billing ASSISTANT"], {"agent_id": BILLING}, lambda c: c.agent_id == BILLING),
        (
            ["--number", "+14155550123"],
            {"phone_number": "+14155550123"},
            lambda c: "+14155550123" in (c.from_number, c.to_number),
        ),
        (
            ["--since", "2026-03-01T00:00Z", "--until", "2026-03-01T23:59:59Z"],
            {"from_date": "2026-03-01T00:00:00.000000Z", "to_date": "2026-03-01T23:59:59.000000Z"},
            lambda c: c.created_at.startswith("2026-03-01"),
        ),
    ],
)
def test_each_filter_reaches_the_server_and_narrows_the_list(run, api_env, argv, sent, wanted):
    result = run("calls", "--json", *argv)
    assert result.code == 0, result.err
    expected = [c.call_id for c in DEMO_CALLS if wanted(c)]
    assert expected and len(expected) < len(DEMO_CALLS)
    assert ids_of(result) == expected
    (request,) = list_requests(api_env)
    assert sent.items() <= request.items()


def test_until_a_date_means_the_end_of_that_day(run, api_env, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        result = run("calls", "--json", "--until", "2026-02-28")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert list_requests(api_env)[0]["to_date"] == "2026-02-28T23:59:59.999999Z"
    assert ids_of(result) == [c.call_id for c in DEMO_CALLS if c.created_at < "2026-03-01"]


def test_an_ambiguous_agent_name_is_a_usage_error_listing_the_choices(run, api_env):
    api_env.faults.extra_agents = (("e1e1e1e1-0000-4000-8000-000000000001", "FRONT DESK"),)
    result = run("calls", "--agent", "front desk")
    assert result.code == 2
    assert result.err == (
        "recbrowser: 2 agents are named 'front desk'; give one's id: Front Desk (a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d), "
        "FRONT DESK (e1e1e1e1-0000-4000-8000-000000000001).\n"
    )
    assert list_requests(api_env) == []


def test_an_unknown_agent_name_lists_the_agents(run, api_env):
    result = run("calls", "--agent", "[b]Nobody")
    assert result.code == 2
    assert result.err == (
        "recbrowser: No agent is named '[b]Nobody'; the agents are: Front Desk, Billing Assistant, Support Line.\n"
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--since", "soon"], "'soon' is not a time: use an ISO date"),
        (["--until", "2026-02-30"], "is not a date on the calendar"),
        (["--since", "today", "--until", "yesterday"], "--since is after --until"),
        (["--number", "4155550123"], "--number takes an E.164 number"),
    ],
)
def test_bad_input_is_exit_2_before_any_request(run, api_env, argv, said):
    result = run("calls", *argv)
    assert result.code == 2
    assert said in result.err and len(result.err_lines) == 1
    assert api_env.requests["api"] == []


def test_pinned_listing_survives_a_call_arriving_and_a_lying_capped_server(run, api_env):
    api_env.faults.list_calls_row_cap = 5
    api_env.faults.list_calls_lying_has_more = True
    api_env.faults.list_calls_arrival_after = 1
    result = run("calls", "--json")
    assert ids_of(result) == [c.call_id for c in DEMO_CALLS]
    assert [r["offset"] for r in list_requests(api_env)] == [0, 5, 10, 12]
    assert len({r["to_date"] for r in list_requests(api_env)}) == 1


def test_show_prints_details_transcript_and_segments(run, api_env, utc_setting):
    result = run("show", MAIN_CALL)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:16] == [
        f"Call {MAIN_CALL}",
        "  Direction  inbound",
        "  From       +14155550123",
        "  To         +14155550100",
        "  Agent      Front Desk",
        "  Started    2026-03-02 10:32:20 UTC",
        "  Ended      2026-03-02 10:34:25 UTC",
        "  Duration   2:05",
        "  Status     Completed",
        "  Sentiment  positive",
        "  Summary    Caller booked a table for four on Friday at 7 pm.",
        "",
        "Transcript",
        "  Agent: Thanks for calling, how can I help?",
        "  Caller: I'd like to book a table for four.",
        "",
    ]
    assert lines[16:18] == ["Recordings", f"{MAIN_CALL}  (1 segment · 2:05 · 1 synced)"]
    assert lines[18].split() == ["#", "Label", "Duration", "Source", "Status", "Created", "URL"]
    assert lines[19].startswith("  1  Main Call  2:05      signalwire  synced  2026-03-02 10:34:25 UTC  http://")


def test_show_a_call_without_transcript_nor_recording(run, api_env, utc_setting):
    result = run("show", NULLS_CALL, NO_RECORDING_CALL)
    assert result.code == 0
    first, second = result.out.split("\n\nCall ")
    assert "  Summary    —\n" in first and "Transcript\n  (no transcript)\n" in first
    assert second.endswith("Recordings\n  none: no recording available for this call\n")


def test_show_escapes_markup_and_control_characters(run, api_env):
    result = run("show", MARKUP_CALL)
    assert "  Caller: [link=https://example.com]click[/link]" in result.out
    assert "\\x1b[31mred\\x07" in result.out and "\x1b" not in result.out


def test_show_json_is_one_object_per_call_with_transcript_and_segments(run, api_env):
    result = run("show", "--json", MAIN_CALL, NO_RECORDING_CALL)
    main, none = result.json_lines
    assert main["transcript"].startswith("Agent:") and main["metadata"] == {"campaign": "spring-menu"}
    assert [s["label"] for s in main["recordings"]] == ["main"]
    assert none["recordings"] is None
    assert none["recordings_error"]["code"] == "no_recording"


def test_show_not_found_is_exit_4_and_other_calls_still_shown(run, api_env):
    result = run("show", UNKNOWN_CALL, MAIN_CALL)
    assert result.code == 4
    assert result.err_lines == [
        f"recbrowser: {UNKNOWN_CALL}: Call not found (unknown ID, or a call of another account)."
    ]
    assert result.out.startswith(f"Call {MAIN_CALL}")


def test_no_key_and_a_rejected_key_are_exit_3_and_the_key_is_never_printed(run, fake, monkeypatch):
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)
    for command in (["calls"], ["show", MAIN_CALL]):
        assert run(*command).code == 3
    rejected = "mgp_" + "ab" * 20
    monkeypatch.setenv("MAGPIPE_API_KEY", rejected)
    for command in (["calls"], ["calls", "--agent", "Front Desk"], ["show", MAIN_CALL]):
        result = run(*command)
        assert result.code == 3
        assert rejected not in result.out + result.err
        assert len(result.err_lines) == 1


def test_server_errors_are_exit_5_in_one_line(run, api_env):
    api_env.faults.list_calls_query_error = 3
    result = run("calls")
    assert result.code == 5
    assert result.err_lines == [
        "recbrowser: The Magpipe API had a server error (500): invalid input syntax for type timestamp with time "
        'zone: "someday".'
    ]
    api_env.faults.fail_500 = 3
    assert run("show", MAIN_CALL).code == 5


def test_demo_runs_both_commands(run):
    assert (
        run("--demo", "calls", "--limit", "3").out.splitlines()[-1] == "showing 3 of 52 calls"
    )  # the week and the samples
    result = run("--demo", "show", "--json", MAIN_CALL)
    assert result.code == 0 and result.json_lines[0]["id"] == MAIN_CALL


def test_help_has_examples_and_the_status_caveat(run):
    text = " ".join(run("calls", "--help").out.split())
    assert "recbrowser calls --since 7d" in text
    assert "calls stored without a status are shown as completed but do not match --status completed" in text
    assert "recbrowser show 7f3d8e00" in run("show", "--help").out


def test_rows_are_printed_as_the_first_page_arrives(fake, tmp_path):
    """The second page is held by the server: the first page's rows are already out, and the
    command is still running; released, it lists the rest."""
    fake.faults.list_calls_row_cap = 5
    fake.faults.list_calls_hold_after_first = True
    env = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    process = subprocess.Popen(
        [sys.executable, "-m", "recbrowser", "calls", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        first = [json.loads(process.stdout.readline())["id"] for _ in range(5)]
        assert first == [c.call_id for c in DEMO_CALLS[:5]]
        wait_until(lambda: len(list_requests(fake)) == 2, "the second page asked for (and held)")
        assert process.poll() is None
        fake.faults.list_calls_release.set()
        rest = [json.loads(line)["id"] for line in process.stdout]
        assert process.wait(timeout=30) == 0
    finally:
        fake.faults.list_calls_release.set()
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert first + rest == [c.call_id for c in DEMO_CALLS]
