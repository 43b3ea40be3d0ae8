"""The selected call's details above its segments: numbers, direction, agent, times, status, sentiment, summary."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from recbrowser.callstate import CallState
from recbrowser.formatting import format_duration, format_local_time, relative_time
from recbrowser.text import printable
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.safe import guarded

SEP = " · "
DIRECTION_MARKS = {"inbound": "↙ inbound", "outbound": "↗ outbound"}
SENTIMENT_STYLES = {"positive": "green", "negative": "red"}


def _line(*parts: Text | str | None) -> Text:
    shown = [part if isinstance(part, Text) else Text(part) for part in parts if part]
    line = Text(SEP, style="dim").join(shown)
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


def info_text(state: CallState | None, *, utc: bool = False) -> Text:
    """Up to three lines: who and how, when, what was said of it; or why there are no details."""
    if state is None:
        return Text()
    call = state.details
    if call is None:
        if state.details_loading:
            return Text("Getting the call's details…", style="dim italic")
        if state.details_error is not None:
            return _line(Text(f"✗ No details: {printable(state.details_error.message, limit=200)}", style="red"))
        return Text("Details not got in this session yet; press r.", style="dim")
    who = _line(
        DIRECTION_MARKS.get(call.direction or "", printable(call.direction, limit=20) or None),
        f"{printable(call.from_number or '—', limit=30)} → {printable(call.to_number or '—', limit=30)}",
        Text(f"Agent {printable(call.agent_name or call.agent_id, limit=40)}")
        if call.agent_name or call.agent_id
        else None,
        Text(printable(call.friendly_status, limit=40), style="bold") if call.friendly_status else None,
        Text(printable(call.sentiment, limit=20), style=SENTIMENT_STYLES.get(call.sentiment or "", ""))
        if call.sentiment
        else None,
    )
    ended = format_local_time(call.ended, utc=utc) if call.ended is not None else None
    if ended is not None and call.started is not None and ended[:10] == format_local_time(call.started, utc=utc)[:10]:
        ended = ended[11:]  # the same day: only the time
    when = _line(
        f"{format_local_time(call.started, zone=True, utc=utc)}" + (f" → {ended}" if ended else ""),
        format_duration(call.duration) if call.duration is not None else None,
        Text(f"cached {relative_time(state.details_cached_at, utc=utc)}", style="yellow italic")
        if state.details_cached_at is not None
        else None,
    )
    lines = [who, when]
    if call.call_summary:
        lines.append(_line(Text(printable(" ".join(call.call_summary.split()), limit=1000), style="italic")))
    if state.details_error is not None:
        lines.append(_line(Text(f"✗ Not refreshed: {printable(state.details_error.message, limit=200)}", style="red")))
    elif state.details_loading:
        lines[-1].append(" ↻", style="dim")
    return Text("\n").join(lines)


class CallInfo(Static):
    """The call's details as get-call gave them, kept in the call's state (never fetched here)."""

    DEFAULT_CSS = """
    CallInfo { height: auto; max-height: 4; padding: 0 1; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, state: CallState | None) -> None:
        failures: list[BaseException] = []
        utc = bool(getattr(getattr(self.app, "settings", None), "utc", False))
        self.update(guarded(lambda: info_text(state, utc=utc), failures, fallback="?"))
        if failures:
            self.post_message(DisplayFailed(failures, where="call details"))
