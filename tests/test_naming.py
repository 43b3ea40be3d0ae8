"""File names for downloaded segments: the template, the sanitising, and staying inside the folder."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recbrowser.downloads import plan_items
from recbrowser.fakeapi.samples import TRANSFER_CALL as CALL
from recbrowser.models import CallRecordings, Segment
from recbrowser.naming import (
    DEFAULT_TEMPLATE,
    MAX_COMPONENT,
    TemplateError,
    check_template,
    extension_from_content_type,
    extension_from_url,
    plan,
    render,
)

CREATED = datetime(2026, 3, 2, 9, 16, 5, tzinfo=timezone.utc)
NAME_MAX = 255  # bytes per path component on Linux/macOS file systems
PART_SUFFIXES = ".part.json"  # the longest suffix the downloader adds to a final name


def segment(
    index: int = 1,
    label: str | None = "main",
    *,
    url: str | None = None,
    source: str | None = "signalwire",
    status: str | None = "synced",
    created: datetime | None = CREATED,
) -> Segment:
    if url is None:
        url = f"https://storage.example/recordings/{CALL}/{index}.wav"
    return Segment(index, url, label, 10, source, status, created)


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


# --- the default name --------------------------------------------------------------------


def test_default_name_is_call_id_folder_two_digit_index_label_and_url_extension(tmp_path: Path) -> None:
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, "main"))
    assert planned.path == tmp_path / CALL / "01-main.wav"
    assert planned.part == tmp_path / CALL / "01-main.wav.part"
    assert planned.ext_known


def test_index_is_one_based_in_api_order(tmp_path: Path) -> None:
    labels = ["main", "transferee_consult", "transfer_conference", "back_to_agent"]
    call = CallRecordings(CALL, None, tuple(segment(i, label) for i, label in enumerate(labels, start=1)))
    names = [item.planned.path.name for item in plan_items([call], tmp_path)]
    assert names == ["01-main.wav", "02-transferee_consult.wav", "03-transfer_conference.wav", "04-back_to_agent.wav"]


def test_label_filter_keeps_api_order_and_ignores_case(tmp_path: Path) -> None:
    labels = ["main", "transfer_conference", "main"]
    call = CallRecordings(CALL, None, tuple(segment(i, label) for i, label in enumerate(labels, start=1)))
    names = [item.planned.path.name for item in plan_items([call], tmp_path, labels=["MAIN"])]
    assert names == ["01-main.wav", "03-main.wav"]


def test_missing_label_is_named_main(tmp_path: Path) -> None:
    assert plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(2, None)).path.name == "02-main.wav"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://s.example/a/1.wav", "wav"),
        ("https://s.example/a/1.MP3?token=x.ogg&expires=1", "mp3"),
        ("https://s.example/a/take%201.flac", "flac"),
        ("https://s.example/a/recording", None),
        ("https://s.example/a.b/recording", None),
        ("https://s.example/a/1.wav;jsessionid=x", None),
        ("https://s.example/a/1.waaaaaaaav", None),
        (None, None),
    ],
)
def test_extension_comes_from_the_url_path_only(url: str | None, expected: str | None) -> None:
    assert extension_from_url(url) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("audio/wav", "wav"),
        ("audio/x-wav; charset=binary", "wav"),
        ("AUDIO/MPEG", "mp3"),
        ("application/octet-stream", None),
        ("", None),
        (None, None),
    ],
)
def test_extension_from_content_type(content_type: str | None, expected: str | None) -> None:
    assert extension_from_content_type(content_type) == expected


def test_without_an_url_extension_the_name_waits_for_the_content_type_then_falls_back_to_bin(tmp_path: Path) -> None:
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, url="https://s.example/rec?id=1"))
    assert not planned.ext_known
    assert planned.path.name == "01-main.bin"
    assert planned.part.name == "01-main.bin.part"  # the partial's name never depends on the server
    assert planned.final("audio/wav").name == "01-main.wav"
    assert planned.final("application/octet-stream").name == "01-main.bin"
    assert planned.final(None).name == "01-main.bin"


def test_a_completed_file_with_a_content_type_extension_is_found_again(tmp_path: Path) -> None:
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, url="https://s.example/rec?id=1"))
    assert planned.existing() is None
    done = tmp_path / CALL / "01-main.mp3"
    done.parent.mkdir(parents=True)
    done.write_bytes(b"x")
    assert planned.existing() == done


# --- --name templates ----------------------------------------------------------------------


def test_template_takes_source_status_and_created_time(tmp_path: Path) -> None:
    template = "{source}/{status}/{created:%Y%m%d-%H%M%S}_{call_id}_{index}.{ext}"
    planned = plan(tmp_path, template, CALL, segment(3, "x", source="livekit", status="pending_sync"))
    assert planned.path == tmp_path / "livekit" / "pending_sync" / f"20260302-091605_{CALL}_3.wav"


def test_created_without_a_time_is_unknown_and_missing_source_and_status_are_unknown(tmp_path: Path) -> None:
    template = "{created:%Y%m%d-%H%M%S}-{source}-{status}.{ext}"
    planned = plan(tmp_path, template, CALL, segment(1, created=None, source=None, status=None))
    assert planned.path.name == "unknown-unknown-unknown.wav"


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{call_id}/{speaker}.{ext}", "unknown field"),
        ("{0}.{ext}", "unknown field"),
        ("{}.{ext}", "unknown field"),
        ("/tmp/{call_id}.{ext}", "relative path"),
        ("\\\\server\\{call_id}.{ext}", "relative path"),
        ("../{call_id}.{ext}", "relative path"),
        ("{call_id}/../../{label}.{ext}", "relative path"),
        ("{call_id}\\..\\{label}", "relative path"),
        ("{call_id", "malformed"),
        ("   ", "empty"),
    ],
)
def test_bad_templates_are_rejected_with_a_reason(template: str, why: str) -> None:
    with pytest.raises(TemplateError, match=why):
        check_template(template)


def test_a_format_spec_the_value_cannot_take_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="cannot be filled"):
        render("{index:%Y}.{ext}", CALL, segment(), "wav")


def test_template_cannot_reach_into_objects_behind_the_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGPIPE_API_KEY", "mgp_secret_in_the_environment")
    template = "{created.__init__.__globals__[os].environ[MAGPIPE_API_KEY]}.{ext}"
    try:
        check_template(template)
        name = render(template, CALL, segment(), "wav")
    except TemplateError:
        return
    assert "mgp_secret" not in name


# --- sanitising: whatever the API sends ------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("../../etc", "_._etc"),
        ("a/b\\c", "a_b_c"),
        ("\x1b[31mred\x07", "red"),
        ("[31mred[0m", "red"),
        ("\x1b]8;;https://x.example\x07link\x1b]8;;\x1b\\", "link"),
        ("[bold]x[/bold]", "x"),
        ("[red on blue]alert[/]", "alert"),
        ("take [1] [A]", "take [1] [A]"),
        ("..", "_"),
        ("", "main"),
        (".hidden", "hidden"),
        ("a..b", "a.b"),
        ("con:tab\tx  y", "con_tabx y"),
        ("line\u2028sep\u202eRTL", "linesepRTL"),
    ],
)
def test_hostile_labels_become_one_plain_component(tmp_path: Path, label: str, expected: str) -> None:
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, label))
    assert planned.path.parent == tmp_path / CALL
    assert planned.path.name == f"01-{expected}.wav"


def test_very_long_labels_are_cut_to_a_bounded_length(tmp_path: Path) -> None:
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, "x" * 10_000))
    assert len(planned.path.name) <= MAX_COMPONENT
    assert planned.path.name.startswith("01-xxx") and planned.path.name.endswith(".wav")


def test_a_hostile_extension_from_the_content_type_map_cannot_escape() -> None:
    assert render(DEFAULT_TEMPLATE, CALL, segment(), "../x") == f"{CALL}/01-main._x"


def test_inside_refuses_a_symlink_that_leads_out_of_the_download_dir(tmp_path: Path) -> None:
    base = tmp_path / "downloads"
    outside = tmp_path / "elsewhere"
    base.mkdir()
    outside.mkdir()
    os.symlink(outside, base / CALL)
    with pytest.raises(TemplateError, match="outside the download directory"):
        plan(base, DEFAULT_TEMPLATE, CALL, segment())


hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('./\\:*?"<>| \t\r\n\x00\x1b\x7f\u2028\u202e\ufeff')),
        st.characters(codec="utf-8"),
    ),
    max_size=400,
)
templates = st.sampled_from(
    [
        DEFAULT_TEMPLATE,
        "{label}/{source}/{status}.{ext}",
        "{call_id}-{label}-{source}-{status}-{label}.{ext}",
        "{source}/{created:%Y/%m}/{label}",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=hostile_text, source=hostile_text, status=hostile_text, call_id=hostile_text, template=templates)
@example(label="../../etc", source="..", status="/", call_id="..", template=DEFAULT_TEMPLATE)
@example(
    label="a/b\\c", source="\x00", status="..\\..", call_id="/etc/passwd", template="{label}/{source}/{status}.{ext}"
)
def test_whatever_the_api_sends_the_path_stays_inside_the_base(
    tmp_path: Path, label: str, source: str, status: str, call_id: str, template: str
) -> None:
    base = tmp_path / "dl"
    planned = plan(base, template, call_id, segment(7, label, source=source, status=status))
    relative = planned.path.relative_to(base)  # raises when outside
    assert os.path.commonpath([os.path.realpath(base), os.path.realpath(planned.path)]) == os.path.realpath(base)
    for component in relative.parts:
        assert component not in ("", ".", "..")
        assert not component.startswith(".")
        assert not any(is_control(ch) for ch in component)
        assert "/" not in component and "\\" not in component
        assert len(component) <= MAX_COMPONENT


def test_a_component_fits_a_file_name_in_bytes_even_with_the_part_suffix(tmp_path: Path) -> None:
    for label in ["😀" * 500, "語" * 500, "é" * 500]:
        planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, segment(1, label))
        assert len(planned.path.name.encode("utf-8")) + len(PART_SUFFIXES) <= NAME_MAX, label[:1]


def test_markup_is_stripped_from_the_apis_fields_but_the_templates_own_brackets_stay(tmp_path: Path) -> None:
    planned = plan(tmp_path, "[take]{label}.{ext}", CALL, segment(1, "\x1b[1m[bold]main[/bold]\x1b[0m"))
    assert planned.path.name == "[take]main.wav"
