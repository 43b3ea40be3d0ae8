"""One line above the segments: the call ID and what its recordings add up to."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from recbrowser.models import format_duration
from recbrowser.progress import relative_time
from recbrowser.text import printable
from recbrowser.tui.safe import guarded
from recbrowser.tui.state import CallState


def header_text(state: CallState | None, *, now_ago: str = "") -> Text:
    if state is None:
        return Text("No call selected. Press / and paste call IDs.", style="dim")
    text = Text()
    text.append(state.call_id, style="bold")
    counts = state.counts
    if counts is not None:
        count = counts.segments
        text.append(f"  {count} segment{'s' if count != 1 else ''} · {format_duration(counts.total_duration)} · ")
        summary = " · ".join(counts.status_parts()) or "no segments"
        text.append(summary, style="yellow" if counts.pending else "green")
    if state.cached_at is not None:
        text.append(f"  cached {relative_time(state.cached_at)}", style="yellow italic")
    elif state.recordings is None and state.error is None and not state.loading:
        text.append("  not looked up in this session yet; press r", style="dim")
    if state.loading:
        text.append("  looking up…", style="dim italic")
    if state.error is not None:
        text.append("\n")
        text.append(f"✗ {printable(state.error.message)}", style="red")
        if state.recordings is not None:
            text.append(" (showing the last answer)", style="dim")
    return text


class CallHeader(Static):
    """Call ID, number of segments, total duration and sync summary."""

    DEFAULT_CSS = """
    CallHeader { height: auto; padding: 0 1; }
    """

    def show(self, state: CallState | None) -> None:
        failures: list[BaseException] = []
        fallback = f"{state.call_id} ?" if state is not None else "?"
        self.update(guarded(lambda: header_text(state), failures, fallback=fallback))
        if failures:
            self.app.log_display_errors(failures, where="call header")
