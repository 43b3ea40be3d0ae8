"""The playback bar: what in-app playback is doing, in one line (hidden while nothing plays)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from recbrowser.playback import PlaybackState

ICONS = {"loading": "…", "playing": "▶", "paused": "⏸", "ended": "■", "failed": "✗", "stopped": " "}
STYLES = {"failed": "bold red", "ended": "dim"}


def bar_text(state: PlaybackState, *, hint: str = "") -> Text:
    """``▶ label · 0:05 / 0:10 · playing · 1.25x``, then ``hint`` (the keys) dimmed while it plays."""
    text = Text(f"{ICONS[state.phase]} ", style="bold")
    text.append(state.summary(), style=STYLES.get(state.phase, ""))
    if hint and state.active:
        text.append(f"  {hint}", style="dim")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class PlaybackBar(Static):
    """Renders a ``PlaybackState``; routes nothing (the keys are the app's)."""

    DEFAULT_CSS = """
    PlaybackBar { height: 1; padding: 0 1; background: $boost; display: none; }
    """

    def on_mount(self) -> None:
        state = getattr(self.app, "playback_state", None)  # a screen opened while something plays
        if state is not None:
            self.show(state, self.app.playback_hint())  # type: ignore[attr-defined]

    def show(self, state: PlaybackState, hint: str = "") -> None:
        """Show ``state``, with ``hint`` (the playback keys) while it plays."""
        self.display = state.shown
        self.update(bar_text(state, hint=hint))
