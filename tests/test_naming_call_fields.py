"""The call fields of the name template: {started:…} {direction} {from} {to} {agent}."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recbrowser.calls import CallSummary
from recbrowser.models import Segment
from recbrowser.naming import TemplateError, check_template, inside, plan, render

SEGMENT = Segment(1, "https://h/x.wav", "main", 10, "signalwire", "synced", datetime(2026, 3, 2, tzinfo=timezone.utc))
CALL_ID = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"
FIELDS = "{started:%Y%m%d-%H%M},{direction},{from},{to},{agent}"


def call(**changes: object) -> CallSummary:
    values: dict[str, object] = {
        "id": CALL_ID,
        "direction": "inbound",
        "status": "completed",
        "from_number": "+14155550123",
        "to_number": "+14155550100",
        "agent_id": "a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d",
        "agent_name": "Front Desk",
        "duration": 125,
        "sentiment": None,
        "call_summary": None,
        "started_at": "2026-03-02T10:32:20Z",
        "ended_at": None,
        "created_at": "2026-03-02T10:32:20Z",
    }
    values.update(changes)
    return CallSummary(**values)  # type: ignore[arg-type]


def fields(template: str = FIELDS, **changes: object) -> list[str]:
    return render(template, CALL_ID, SEGMENT, "wav", call(**changes)).split(",")


def test_each_call_field_is_filled_from_the_call():
    assert fields() == ["20260302-1032", "inbound", "+14155550123", "+14155550100", "Front Desk"]


def test_started_without_a_format_has_seconds_and_keeps_the_servers_offset():
    assert fields("{started}", started_at="2026-03-02T10:32:20+02:00") == ["20260302-103220"]


def test_started_falls_back_to_created_then_unknown():
    assert fields("{started:%Y}", started_at=None) == ["2026"]
    assert fields("{started:%Y}", started_at=None, created_at=None) == ["unknown"]


def test_the_agent_is_its_name_else_its_id():
    assert fields("{agent}", agent_name=None) == ["a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("../../etc", "_._etc"),
        ("a/b\\c", "a_b_c"),
        ("\x1b[31mred\x07", "red"),
        ("[red]Support[/red]", "Support"),
        ("", "unknown"),
        (None, "unknown"),
        ("\x00\x01", "_"),
        ("  ..  ", "_"),
        ("x" * 500, "x" * 80),
    ],
)
def test_hostile_values_become_one_safe_component(value, expected):
    assert fields("{agent}", agent_name=value, agent_id=None) == [expected]
    assert fields("{from}", from_number=value) == [expected]
    assert fields("{direction}", direction=value) == [expected]


def test_without_the_calls_details_the_call_fields_are_unknown():
    assert render(FIELDS, CALL_ID, SEGMENT, "wav").split(",") == ["unknown"] * 5


def test_the_call_fields_pass_the_template_check_and_attributes_do_not():
    check_template("{started:%Y}/{direction}-{from}-{to}-{agent}.{ext}")
    with pytest.raises(TemplateError):
        check_template("{agent.__class__}")


def test_the_planned_name_keeps_the_call_for_the_content_types_extension(tmp_path: Path):
    planned = plan(
        tmp_path, "{agent}/{index}.{ext}", CALL_ID, Segment(1, "https://h/x", "main", 1, None, None, None), call()
    )
    assert planned.path == tmp_path / "Front Desk" / "1.bin"
    assert planned.final("audio/mpeg") == tmp_path / "Front Desk" / "1.mp3"


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_agent_and_number_stay_inside_the_folder(agent: str, number: str):
    relative = render("{agent}/{from}/{to}.{ext}", CALL_ID, SEGMENT, "wav", call(agent_name=agent, from_number=number))
    base = Path("/archive")
    assert len(relative.split("/")) == 3
    assert inside(base, relative).is_relative_to(base)
