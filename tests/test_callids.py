"""Finding call IDs in whatever users paste."""

import re
import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from recbrowser.callids import scan
from recbrowser.fakeapi.samples import MAIN_CALL as ID


def call_ids(text: str) -> list[str]:
    return scan(text).ids


def test_single_id_in_any_case_with_whitespace():
    assert call_ids(f"  {ID.upper()}\n") == [ID]
    assert call_ids(f"\t{ID.upper()} ") == [ID]
    assert scan(f" {ID} ").rejected == []


def test_ids_inside_dashboard_url_and_log_line():
    text = (
        f"https://app.magpipe.ai/calls/{ID}?tab=recording\n"
        "2026-01-15T10:32:20Z ERROR call_id=11111111-2222-3333-4444-555555555555 failed"
    )
    assert call_ids(text) == [ID, "11111111-2222-3333-4444-555555555555"]


def test_separated_lists_are_deduplicated_in_first_seen_order():
    other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert call_ids(f"{other},{ID} {other.upper()}\n{ID};") == [other, ID]


def test_text_without_ids_yields_nothing():
    found = scan("hello world, call 42, 2026-01-15")
    assert found.ids == [] and found.rejected == []


def test_near_miss_tokens_are_reported_not_looked_up():
    short = ID[:-1]
    found = scan(f"see {short} and {ID}")
    assert found.ids == [ID]
    assert found.rejected == [short]


def test_longer_hex_runs_are_not_cut_into_an_id():
    assert call_ids(ID + "0") == []
    assert call_ids("0" + ID) == []


separators = st.sampled_from([" ", ",", "\n", ", ", "\t", " | ", "/calls/", " call_id=", "?id="])


@given(st.lists(st.uuids(), min_size=1, max_size=8), st.lists(separators, min_size=9, max_size=9), st.booleans())
def test_every_uuid_is_found_whatever_joins_them(ids, seps, upper):
    parts = []
    for i, value in enumerate(ids):
        text = str(value).upper() if upper else str(value)
        parts.append(seps[i] + text)
    found = call_ids("".join(parts) + seps[-1])
    expected = list(dict.fromkeys(str(v) for v in ids))
    assert found == expected


@given(st.text())
def test_only_canonical_uuids_are_found(text):
    for value in call_ids(text):
        assert str(uuid.UUID(value)) == value
        assert value in text.lower()


def test_a_long_near_miss_line_scans_in_linear_time():
    """A pasted 600 KB ``a-a-…-g`` line: the old single-pattern scan backtracked for hours."""
    line = "a-" * 300_000 + "g"
    started = time.perf_counter()
    found = scan(line)
    assert time.perf_counter() - started < 2.0  # linear: ~0.1 s here; quadratic: hours
    assert found.ids == [] and found.rejected == []
    assert scan("a-" * 300_000 + "b").rejected == ["a-" * 300_000 + "b"]


_OLD_NEAR_MISS = re.compile(r"(?<![\w-])[0-9A-Fa-f-]*-[0-9A-Fa-f-]*(?![\w-])")


@given(st.lists(st.sampled_from(["a0b1c2d3", "ef", "-", "g", "_", " ", "é", "\n", "9-"]), max_size=24).map("".join))
def test_near_misses_are_the_tokens_the_former_pattern_found(text):
    """The linear tokeniser reports exactly what the backtracking pattern did, once IDs in
    either form (dashed, or 32 hex digits standing alone) are taken out."""
    remainder = re.sub(
        r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])"
        r"|(?<![0-9A-Za-z-])[0-9A-Fa-f]{32}(?![0-9A-Za-z-])",
        " ",
        text,
    )
    expected = [m.group(0) for m in _OLD_NEAR_MISS.finditer(remainder) if len(m.group(0)) - m.group(0).count("-") >= 16]
    assert scan(text).rejected == expected


COMPACT = ID.replace("-", "")


def test_32_hex_digits_without_dashes_are_a_call_id_in_the_dashed_form():
    assert call_ids(f"call {COMPACT.upper()} failed") == [ID]
    assert call_ids(f"https://app.magpipe.ai/calls/{COMPACT}?tab=1\ncall_id={ID}") == [ID]
    assert call_ids(f" {COMPACT} ") == [ID]


def test_a_32_hex_run_inside_a_longer_run_or_word_is_not_an_id():
    sha1 = "0" * 8 + COMPACT
    assert call_ids(sha1) == [] and call_ids(COMPACT + "a") == [] and call_ids("x" + COMPACT) == []
    assert call_ids("sha256:" + COMPACT * 2) == []
    assert call_ids(COMPACT[:-1]) == []


def test_a_long_hex_run_scans_in_linear_time():
    started = time.perf_counter()
    assert scan("ab" * 300_000).ids == []
    assert scan(("0" * 32 + "-") * 20_000).ids == []
    assert time.perf_counter() - started < 2.0
