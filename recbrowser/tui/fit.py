"""Fitting a table's columns, or a line's parts, into a width: pure functions, no Textual.

Both take the sacrifices as an ordered list, least useful first, and take only as many as the
width needs; room left over goes back to what was sacrificed, most useful first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class Step:
    """Shrink ``column`` to ``width`` cells (its cells are then ellipsized), or drop it (``width`` None)."""

    column: str
    width: int | None = None


def shrink(column: str, width: int) -> Step:
    return Step(column, max(1, width))


def drop(column: str) -> Step:
    return Step(column, None)


def fit_columns(
    natural: Mapping[str, int], available: int, steps: Sequence[Step], *, padding: int = 2
) -> dict[str, int]:
    """The width of each column to show, in ``natural``'s order; dropped columns are left out.

    ``natural`` is each column's widest cell (header included), ``padding`` what each column
    adds around it. When even every step leaves the columns too wide, the result is as narrow
    as the steps allow (the table then scrolls)."""
    widths = {column: max(0, width) for column, width in natural.items()}

    def total() -> int:
        return sum(width + padding for width in widths.values())

    taken: list[Step] = []
    for step in steps:
        if total() <= available:
            break
        if step.column not in widths:
            continue
        if step.width is None:
            del widths[step.column]
        elif widths[step.column] > step.width:
            widths[step.column] = step.width
        else:
            continue
        taken.append(step)
    spare = available - total()
    for step in reversed(taken):  # give back, most useful first
        column = step.column
        if column not in widths:
            if natural[column] + padding <= spare:
                widths[column] = natural[column]
                spare -= natural[column] + padding
        elif spare > 0:
            grow = min(spare, natural[column] - widths[column])
            widths[column] += grow
            spare -= grow
    return {column: widths[column] for column in natural if column in widths}


def fit_parts(variants: Sequence[Sequence[int]], steps: Sequence[int], width: int, *, gap: int) -> list[int]:
    """Which variant of each part of a line to show (an index into its ``variants``).

    Each part's variants are its widths, widest first; a width of 0 leaves the part out.
    ``steps`` are part indexes, least useful first: each moves that part to its next
    variant. Parts are joined by ``gap`` cells."""
    chosen = [0] * len(variants)

    def total() -> int:
        shown = [variants[i][level] for i, level in enumerate(chosen) if variants[i][level] > 0]
        return sum(shown) + gap * max(0, len(shown) - 1)

    taken: list[int] = []
    for part in steps:
        if total() <= width:
            break
        if chosen[part] + 1 < len(variants[part]):
            chosen[part] += 1
            taken.append(part)
    for part in reversed(taken):  # give back a step where it still fits
        chosen[part] -= 1
        if total() > width:
            chosen[part] += 1
    return chosen


def ellipsize_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, its middle replaced by "…" when too long."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = (width - 1 + 1) // 2
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")
