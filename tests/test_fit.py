"""Fitting columns and line parts into a width (recbrowser.tui.fit): pure functions."""

from __future__ import annotations

from recbrowser.tui.fit import drop, ellipsize_middle, fit_columns, fit_parts, shrink

NATURAL = {"#": 1, "Label": 30, "File": 28, "Source": 10, "Created": 16}
STEPS = (shrink("File", 10), drop("Source"), shrink("Label", 12), drop("Created"))


def width_of(widths: dict[str, int], padding: int = 2) -> int:
    return sum(w + padding for w in widths.values())


def test_columns_that_fit_keep_their_natural_widths():
    assert fit_columns(NATURAL, 200, STEPS) == NATURAL


def test_the_least_useful_give_way_first_and_only_as_much_as_needed():
    fitted = fit_columns(NATURAL, 80, STEPS)
    assert list(fitted) == ["#", "Label", "File", "Source", "Created"]  # a shorter File was enough
    assert fitted["File"] < 28 and fitted["Label"] == 30 and width_of(fitted) == 80


def test_a_dropped_column_leaves_room_that_goes_back_to_the_shrunk_ones():
    fitted = fit_columns(NATURAL, 62, STEPS)
    assert "Source" not in fitted and fitted["Created"] == 16
    assert fitted["File"] == 10 and 12 < fitted["Label"] < 30 and width_of(fitted) == 62  # Label is given room first


def test_narrow_widths_drop_in_order_and_keep_the_column_order():
    fitted = fit_columns(NATURAL, 30, STEPS)
    assert list(fitted) == ["#", "Label", "File"]
    assert width_of(fitted) <= 30


def test_when_nothing_is_left_to_give_the_result_is_as_narrow_as_the_steps_allow():
    fitted = fit_columns(NATURAL, 5, STEPS)
    assert fitted == {"#": 1, "Label": 12, "File": 10}


def test_columns_fitted_again_on_narrower_content_shrink_back():
    wide = fit_columns({**NATURAL, "Label": 60}, 200, STEPS)
    narrow = fit_columns(NATURAL, 200, STEPS)
    assert wide["Label"] == 60 and narrow["Label"] == 30


def test_parts_give_way_in_order_and_come_back_when_room_allows():
    # an ID (long or short), a count, a duration that may go, a summary that may go
    variants = [[36, 9], [10], [4, 0], [20, 0]]
    steps = [0, 2, 3]
    assert fit_parts(variants, steps, 200, gap=3) == [0, 0, 0, 0]
    assert fit_parts(variants, steps, 52, gap=3) == [1, 0, 0, 0]
    assert fit_parts(variants, steps, 50, gap=3) == [1, 0, 1, 0]
    assert fit_parts(variants, steps, 30, gap=3) == [1, 0, 0, 1]  # the duration came back
    assert fit_parts(variants, steps, 10, gap=3) == [1, 0, 1, 1]


def test_ellipsize_middle_keeps_both_ends():
    assert ellipsize_middle("abcdefghij", 20) == "abcdefghij"
    assert ellipsize_middle("abcdefghij", 5) == "ab…ij"
    assert len(ellipsize_middle("x" * 100, 7)) == 7
