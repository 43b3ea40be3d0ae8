"""Partial files on a real file system (recbrowser.partfiles), 206 parsing, completion records, name claims."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recbrowser import completed, partfiles
from recbrowser.contentrange import ContentRangeError, Span, parse_content_range, unsatisfied_total
from recbrowser.errors import Busy, DiskError
from recbrowser.naming import NameClaims
from recbrowser.partfiles import PartInfo

# --- parse_content_range ------------------------------------------------------------------------


def test_a_206_that_answers_the_range_asked_is_its_span() -> None:
    assert parse_content_range("bytes 100-199/1000", asked_from=100, content_length="100") == Span(100, 199, 1000)
    assert parse_content_range("bytes 100-199/*", asked_from=100) == Span(100, 199, None)
    assert parse_content_range("bytes 0-0/1", asked_from=0).length == 1


@pytest.mark.parametrize(
    ("header", "content_length", "restart"),
    [
        (None, None, True),
        ("", None, True),
        ("bytes */1000", None, True),
        ("items 100-199/1000", None, True),
        ("bytes 0-199/1000", None, True),  # resumed from elsewhere
        ("bytes 100-99/1000", None, False),  # inverted
        ("bytes 100-1000/1000", None, False),  # ends beyond its own total
        ("bytes 100-199/1000", "99", False),  # body length disagrees
        ("bytes 100-199/*", "abc", False),
        ("bytes 100-199/" + "9" * 300, None, True),  # a 300-digit total is no total
    ],
)
def test_a_206_that_does_not_answer_the_range_asked_is_refused(
    header: str | None, content_length: str | None, restart: bool
) -> None:
    with pytest.raises(ContentRangeError) as raised:
        parse_content_range(header, asked_from=100, content_length=content_length)
    assert raised.value.restart is restart
    assert len(str(raised.value)) < 120


def test_the_total_of_a_416() -> None:
    assert unsatisfied_total("bytes */5000") == 5000
    assert unsatisfied_total("bytes 0-1/5000") is None
    assert unsatisfied_total("bytes */" + "1" * 40) is None
    assert unsatisfied_total(None) is None


# --- the sidecar ------------------------------------------------------------------------------------


def test_the_sidecar_round_trips_and_drops_weak_etags(tmp_path: Path) -> None:
    path = tmp_path / "a.wav.part.json"
    partfiles.write_info(path, PartInfo('"v1"', "Mon, 02 Mar 2026 10:00:00 GMT", "audio/wav", 8 << 20))
    assert partfiles.read_info(path) == PartInfo('"v1"', "Mon, 02 Mar 2026 10:00:00 GMT", "audio/wav", 8 << 20)
    partfiles.write_info(path, PartInfo.from_json({"etag": 'W/"weak"', "total": "12"}))
    assert partfiles.read_info(path) == PartInfo(total=12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav.part.json"]


@pytest.mark.parametrize(
    "text", ["", "not json", "[1, 2]", '{"total": "9' + "9" * 300 + '"}', '{"total": true}', "[" * 5000]
)
def test_an_unreadable_sidecar_is_an_empty_record(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.wav.part.json"
    path.write_text(text)
    assert partfiles.read_info(path).total is None


def test_a_symlinked_sidecar_is_refused_when_read_and_replaced_not_followed_when_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    link = tmp_path / "dl" / "a.wav.part.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    with pytest.raises(DiskError, match="is a symbolic link; refusing to write through it"):
        partfiles.read_info(link)
    partfiles.write_info(link, PartInfo(total=3))
    assert outside.read_text() == "precious" and not link.is_symlink()


# --- the partial file -------------------------------------------------------------------------------


def test_a_symlinked_or_dangling_partial_is_never_opened(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    part = tmp_path / "a.wav.part"
    part.symlink_to(outside)
    with pytest.raises(DiskError, match=r"a\.wav\.part: it is a symbolic link; refusing to write through it"):
        partfiles.open_part(part)
    part.unlink()
    part.symlink_to(tmp_path / "nowhere")
    with pytest.raises(DiskError, match="symbolic link"):
        partfiles.open_part(part)
    assert outside.read_text() == "precious" and not (tmp_path / "nowhere").exists()


def test_a_fifo_at_the_partial_name_is_refused_without_hanging(tmp_path: Path) -> None:
    part = tmp_path / "a.wav.part"
    os.mkfifo(part)
    with pytest.raises(OSError):  # no reader: ENXIO at once instead of blocking forever
        partfiles.open_part(part)


# --- the lock -------------------------------------------------------------------------------------------


def test_only_one_holder_of_a_partial_at_a_time_and_the_lock_file_goes_with_it(tmp_path: Path) -> None:
    part = tmp_path / "a.wav.part"
    with partfiles.lock(part):
        with pytest.raises(Busy, match="Another recbrowser is downloading this file"):
            partfiles.lock(part)
        assert partfiles.lock_of(part).exists()
    assert not partfiles.lock_of(part).exists()
    with partfiles.lock(part):  # free again
        pass


def test_a_symlink_at_the_lock_name_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    part = tmp_path / "dl" / "a.wav.part"
    part.parent.mkdir()
    partfiles.lock_of(part).symlink_to(outside)
    with pytest.raises(DiskError, match="symbolic link"):
        partfiles.lock(part)
    assert outside.read_text() == "precious"


# --- completion records and claims ---------------------------------------------------------------------


def test_a_record_vouches_only_for_the_same_segment_and_the_same_unchanged_file(tmp_path: Path) -> None:
    records, final = tmp_path / "records", tmp_path / "a.wav"
    final.write_bytes(b"x" * 1000)
    assert completed.check(records, final, ("call", 1))[0] is completed.Verdict.UNKNOWN
    completed.save(records, final, ("call", 1))
    assert completed.check(records, final, ("call", 1))[0] is completed.Verdict.MINE
    assert completed.check(records, final, ("call", 2))[0] is completed.Verdict.FOREIGN
    with open(final, "r+b") as handle:
        handle.truncate(100)
    assert completed.check(records, final, ("call", 1))[0] is completed.Verdict.UNKNOWN
    final.unlink()
    final.symlink_to(tmp_path / "records")
    assert completed.check(records, final, ("call", 1))[0] is completed.Verdict.ABSENT
    (record,) = records.iterdir()
    assert json.loads(record.read_text())["call_id"] == "call"


def test_a_name_belongs_to_its_first_claimer_whatever_the_case(tmp_path: Path) -> None:
    claims = NameClaims()
    assert claims.claim(tmp_path / "X.wav", ("a", 1)) is None
    assert claims.claim(tmp_path / "X.wav", ("a", 1)) is None
    assert claims.claim(tmp_path / "x.WAV", ("b", 2)) == ("a", 1)
