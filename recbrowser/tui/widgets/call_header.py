"""One line above the segments: the call ID and what its recordings add up to.

The line never wraps: what does not fit the width is shortened or left out (see ``fit_parts``),
so a refresh or a retry never pushes the table down. Only an error adds a second line."""

from __future__ import annotations

import math
import textwrap
import time

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from recbrowser.callstate import CallState, RetryState
from recbrowser.formatting import format_duration, plural, relative_time, short_call_id, status_summary
from recbrowser.text import printable
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.fit import fit_parts
from recbrowser.tui.safe import guarded

SEP = " · "
MAX_ERROR_LINES = 4
# Parts of the line, in display order, and the order they give way in (least useful first).
ID, SEGMENTS, DURATION, SUMMARY, ACTIVITY = range(5)
GIVE_WAY = (ID, DURATION, SUMMARY, ACTIVITY, ACTIVITY, SEGMENTS)


def retry_words(retry: RetryState, now: float | None = None) -> tuple[str, str]:
    """``("retrying (2/3) in 4 s", "retry 2/3")``; no "in 0 s" once the wait is nearly over."""
    left = math.ceil(retry.at - (time.monotonic() if now is None else now))
    when = f" in {left} s" if left >= 1 else "…"
    return f"retrying ({retry.attempt}/{retry.max_tries}){when}", f"retry {retry.attempt}/{retry.max_tries}"


def activity(state: CallState) -> tuple[Text, ...]:
    """What is happening to the call (cached, looking up, retrying), longest wording first."""
    pieces: list[tuple[str, str, str]] = []
    if state.cached_at is not None:
        pieces.append((f"cached {relative_time(state.cached_at)}", "cached", "yellow italic"))
    if state.retry is not None:
        pieces.append((*retry_words(state.retry), "yellow italic"))
    elif state.loading:
        pieces.append(("looking up…", "…", "dim italic"))
    if not pieces and state.recordings is None and state.error is None:
        pieces.append(("not looked up in this session yet; press r", "press r", "dim"))
    if not pieces:
        return ()
    sep = Text(SEP, style="dim")
    return (
        sep.join(Text(long, style=style) for long, _, style in pieces),
        sep.join(Text(short, style=style) for _, short, style in pieces),
    )


def header_text(state: CallState | None, width: int = 0) -> Text:
    """The call's one-line summary, fitted to ``width`` (0: unbounded), and its error below."""
    if state is None:
        return Text("No call selected. Press / and paste call IDs.", style="dim", no_wrap=True, overflow="ellipsis")
    parts: list[tuple[Text, ...]] = [
        (Text(state.call_id, style="bold"), Text(short_call_id(state.call_id), style="bold"))
    ]
    counts = state.counts
    if counts is not None:
        count = counts.segments
        parts.append((Text(plural(count, "segment")), Text(f"{count} seg")))
        parts.append((Text(format_duration(counts.total_duration)),))
        summary = status_summary(counts.status_parts())
        parts.append((Text(summary, style="yellow" if counts.pending else "green"),))
    else:
        parts += [(), (), ()]
    parts.append(activity(state))
    # Every part but the ID and the count may be left out (a width of 0).
    variants = [
        [t.cell_len for t in texts] + ([0] if i not in (ID, SEGMENTS) or not texts else [])
        for i, texts in enumerate(parts)
    ]
    chosen = fit_parts(variants, GIVE_WAY, width, gap=len(SEP)) if width > 0 else [0] * len(parts)
    shown = [texts[level] for texts, level in zip(parts, chosen, strict=False) if level < len(texts)]
    text = Text(SEP, style="dim").join(shown)
    text.no_wrap, text.overflow = True, "ellipsis"
    if state.error is not None:
        message = f"✗ {printable(state.error.message, limit=500)}"
        if state.recordings is not None:  # one line (ellipsized): the table stays where it was
            error = Text(message, style="red")
            error.append(" (showing the last answer)", style="dim")
        else:  # no table below: the whole message, wrapped
            lines = textwrap.wrap(message, width) if width > 0 else [message]
            error = Text("\n".join(lines[:MAX_ERROR_LINES]), style="red")
        text = Text("\n").join([text, error])
    return text


class CallHeader(Static):
    """Call ID, number of segments, total duration, sync summary, and whether it is being looked up."""

    DEFAULT_CSS = """
    CallHeader { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    _state: CallState | None = None
    _ticker: Timer | None = None

    def show(self, state: CallState | None) -> None:
        self._state = state
        failures: list[BaseException] = []
        fallback = f"{state.call_id} ?" if state is not None else "?"
        width = self.content_size.width
        self.update(guarded(lambda: header_text(state, width), failures, fallback=fallback))
        if failures:
            self.post_message(DisplayFailed(failures, where="call header"))
        counting_down = state is not None and state.retry is not None
        if counting_down and self._ticker is None:
            self._ticker = self.set_interval(1, self._redraw, name="retry-countdown")
        elif not counting_down and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _redraw(self) -> None:
        self.show(self._state)

    def on_resize(self) -> None:
        self.show(self._state)
