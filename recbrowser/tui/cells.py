"""Turning untrusted API data into Rich Text for display: never parsed as markup."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

from rich.text import Text

from recbrowser.formatting import format_duration, format_local_time
from recbrowser.models import PENDING, SYNCED, Segment
from recbrowser.recorded import Recorded
from recbrowser.text import printable
from recbrowser.tui.safe import guarded


def literal(value: object, *, style: str = "", limit: int | None = None) -> Text:
    """Text showing ``value`` exactly (control characters escaped), never interpreted as markup."""
    return Text(printable(value, limit=limit), style=style)


def status_cell(status: str | None) -> Text:
    if status == SYNCED:
        return Text("● synced", style="green")
    if status == PENDING:
        return Text("◐ pending", style="yellow")
    return literal(f"? {status}" if status else "—", style="dim", limit=16)


RECORDED_MARKS = {
    Recorded.SYNCED: ("●", "green"),
    Recorded.PENDING: ("◐", "yellow"),
    Recorded.OTHER: ("○", "dim"),  # a status recbrowser does not know: neutral
    Recorded.NONE: ("–", "dim"),
}


def recorded_mark(recorded: Recorded | None) -> Text:
    """A call's one-character recordings mark (a blank while nothing is known)."""
    if recorded is None:
        return Text(" ")
    mark, style = RECORDED_MARKS[recorded]
    return Text(mark, style=style)


def created_cell(segment: Segment) -> Text:
    """Local time to the minute; a zone marker when it cannot be shown locally (near year 1 or 9999)."""
    return Text(format_local_time(segment.created_at, seconds=False))


Cell = Callable[[Segment, "str | None"], Text]

CELLS: tuple[Cell, ...] = (
    lambda segment, _: Text(str(segment.index), style="dim"),
    lambda segment, _: status_cell(segment.status),
    lambda segment, _: literal(segment.friendly_label, limit=40),
    lambda segment, _: Text(format_duration(segment.duration_seconds), justify="right"),
    lambda _, local_file: (
        literal(f"✓ {Path(local_file).name}", style="green") if local_file else Text("—", style="dim")
    ),
    lambda segment, _: literal(segment.source or "—", limit=14),
    lambda segment, _: created_cell(segment),
)
"""How each cell of a segment's row is made: #, Status, Label, Length, File, Source, Created."""

DEPENDS_ON: tuple[Callable[[Segment, str | None], object], ...] = (
    lambda segment, _: len(str(segment.index)),
    lambda segment, _: segment.status,
    lambda segment, _: segment.friendly_label,
    lambda segment, _: segment.duration_seconds,
    lambda _, local_file: local_file,
    lambda segment, _: segment.source,
    lambda segment, _: segment.created_at,
)
"""What each cell's width depends on, so ``natural_widths`` makes one cell per distinct value."""


def segment_cells(
    segment: Segment, local_file: str | None = None, failures: list[BaseException] | None = None
) -> tuple[Text, ...]:
    """One row of the segments table (see CELLS).

    A cell whose formatting raises is "?" (the error goes to ``failures``); the row is always whole."""
    return tuple(guarded(partial(build, segment, local_file), failures) for build in CELLS)


def natural_widths(segments: Sequence[Segment], local_files: Mapping[int, str]) -> list[int]:
    """The widest cell of each column over these segments, without making every row's cells:
    one cell per distinct value (a 500-row table has few), so a call switch stays quick."""
    widths = []
    for depends_on, build in zip(DEPENDS_ON, CELLS, strict=False):
        samples: dict[object, Segment] = {}
        for segment in segments:
            local_file = local_files.get(segment.index)
            try:
                samples.setdefault(depends_on(segment, local_file), segment)
            except Exception:  # unhashable or failing: measured on its own
                samples[object()] = segment
        cells = (guarded(partial(build, sample, local_files.get(sample.index))) for sample in samples.values())
        widths.append(max((cell.cell_len for cell in cells), default=0))
    return widths
