"""The archive's manifest: rows keyed by call and segment, saved whole and atomically, then appended to,
compacted at the end; CSV safe for spreadsheets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from recbrowser.archive import transcript_text
from recbrowser.manifest import COLUMNS, Manifest, file_sha256


def record(manifest: Manifest, values: dict[str, object]) -> None:
    manifest.put(values)
    manifest.flush()


def test_rows_reach_the_file_on_flush_only(tmp_path: Path):
    manifest = Manifest.load(tmp_path, "jsonl")
    manifest.put(row("c1", 1))
    assert not (tmp_path / "manifest.jsonl").exists()
    manifest.flush()
    assert len((tmp_path / "manifest.jsonl").read_text().splitlines()) == 1


def row(call_id: str = "c1", index: int = 1, **changes: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(COLUMNS)
    values.update(call_id=call_id, index=index, path=f"{call_id}/{index}.wav", size=3, sha256="ab")
    values.update(changes)
    return values


def test_a_row_replaces_the_one_of_its_call_and_segment(tmp_path: Path):
    manifest = Manifest.load(tmp_path, "jsonl")
    record(manifest, row("c1", 1))
    record(manifest, row("c1", 2))
    record(manifest, row("c1", 1, size=9))
    assert [(key, r["size"]) for key, r in Manifest.load(tmp_path, "jsonl").rows.items()] == [
        (("c1", 1), 9),
        (("c1", 2), 3),
    ]
    manifest.compact()
    lines = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert [(r["call_id"], r["index"], r["size"]) for r in lines] == [("c1", 1, 9), ("c1", 2, 3)]
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.jsonl"]


def test_saves_after_the_first_append_only_the_new_rows_and_compact_rewrites_once(tmp_path: Path):
    path = tmp_path / "manifest.jsonl"
    manifest = Manifest.load(tmp_path, "jsonl")
    record(manifest, row("c1", 1))
    first = path.read_bytes()
    inode = path.stat().st_ino
    record(manifest, row("c2", 1))
    record(manifest, row("c3", 1))
    assert path.stat().st_ino == inode  # appended in place, not written anew
    assert path.read_bytes().startswith(first)
    assert [json.loads(line)["call_id"] for line in path.read_text().splitlines()] == ["c1", "c2", "c3"]
    manifest.compact()
    assert path.stat().st_ino != inode
    manifest.compact()  # nothing new: not written again
    assert [json.loads(line)["call_id"] for line in path.read_text().splitlines()] == ["c1", "c2", "c3"]


def test_a_link_at_the_manifest_name_is_replaced_never_written_through(tmp_path: Path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n")
    (tmp_path / "manifest.jsonl").symlink_to(target)
    manifest = Manifest.load(tmp_path, "jsonl")
    record(manifest, row("c1", 1))
    record(manifest, row("c2", 1))
    manifest.compact()
    assert target.read_text() == "keep\n"
    assert not (tmp_path / "manifest.jsonl").is_symlink()
    assert list(Manifest.load(tmp_path, "jsonl").rows) == [("c1", 1), ("c2", 1)]


def test_a_reloaded_manifest_keeps_its_rows_and_drops_lines_that_are_no_row(tmp_path: Path):
    (tmp_path / "manifest.jsonl").write_text(json.dumps(row("c1", 1)) + '\n{"broken\n[1, 2]\n{"call_id": "c2"}\n')
    manifest = Manifest.load(tmp_path, "jsonl")
    assert manifest.unreadable == 3
    record(manifest, row("c3", 1))
    calls = [json.loads(line)["call_id"] for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert calls == ["c1", "c3"]


def test_a_csv_manifest_reloads_its_rows_by_call_and_segment(tmp_path: Path):
    first = Manifest.load(tmp_path, "csv")
    record(first, row("c1", 1))
    record(first, row("c1", 2))
    again = Manifest.load(tmp_path, "csv")
    assert list(again.rows) == [("c1", 1), ("c1", 2)]
    record(again, row("c1", 3))
    record(again, row("c1", 2, size=7))
    assert [r["size"] for r in Manifest.load(tmp_path, "csv").rows.values()] == ["3", "7", "3"]
    again.compact()
    with (tmp_path / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["index"], r["size"]) for r in rows] == [("1", "3"), ("2", "7"), ("3", "3")]


def test_csv_cells_that_would_start_a_formula_are_text_and_numbers_are_left_alone(tmp_path: Path):
    manifest = Manifest.load(tmp_path, "csv")
    record(manifest, row(agent='=HYPERLINK("http://x","y")', label="@SUM(A1)", status="-x", **{"from": "+14155550123"}))
    with (tmp_path / "manifest.csv").open(newline="") as handle:
        (cells,) = list(csv.DictReader(handle))
    assert cells["agent"] == '\'=HYPERLINK("http://x","y")'
    assert (cells["label"], cells["status"], cells["from"]) == ("'@SUM(A1)", "'-x", "+14155550123")


def test_sha256_of_a_file(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_transcript_file_keeps_lines_and_drops_control_characters():
    assert transcript_text("Agent: hi\x1b[31m\x07\r\nCaller: [b]yo[/b]\n\n") == "Agent: hi[31m\nCaller: [b]yo[/b]\n"
