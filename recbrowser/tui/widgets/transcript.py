"""The selected call's transcript, one turn a line labelled as the dashboard's chat view does, with a search.

``/`` or ctrl+f in the pane opens the search: typing highlights every match and jumps to the
first from the cursor on; enter (or n, back in the list) goes to the next match, N to the one before.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from recbrowser.calls import MAX_TURN_CHARS, MAX_TURNS, Turn, turns_matching
from recbrowser.callstate import CallState
from recbrowser.formatting import plural
from recbrowser.text import printable
from recbrowser.tui.bindings import TRANSCRIPT_BINDINGS

ROLE_STYLES = {"caller": "bold cyan", "agent": "bold magenta"}
MATCH_STYLE = "black on yellow"


def turn_text(turn: Turn, query: str = "") -> Text:
    """``Caller: I'd like a table.`` with its label styled by role and every match of ``query`` marked."""
    text = Text(no_wrap=False)
    text.append(f"{printable(turn.label, limit=60)}: ", style=ROLE_STYLES.get(turn.role, "bold"))
    text.append(" / ".join(printable(part, limit=MAX_TURN_CHARS) for part in turn.text.split("\n")))
    if query.strip():
        text.highlight_regex(re.compile(re.escape(query.strip()), re.IGNORECASE), MATCH_STYLE)
    return text


def placeholder(state: CallState | None) -> str | None:
    """What the pane says when there are no turns to show; None when there are."""
    if state is None:
        return ""
    if state.details is None:
        if state.details_loading:
            return "Getting the transcript…"
        if state.details_error is not None:
            return "No transcript: the call's details could not be got."
        return "No transcript yet: press r to get the call's details."
    if not state.turns:
        return "This call has no transcript."
    return None


class TranscriptPane(Vertical, can_focus=False):
    """The transcript's turns in a list that scrolls, and the search input above them."""

    DEFAULT_CSS = """
    TranscriptPane {
        height: 1fr;
        min-height: 4;
        border-top: solid $primary 40%;
        border-title-color: $text-muted;
    }
    TranscriptPane:focus-within { border-top: solid $primary; }
    TranscriptPane #transcript-search { display: none; height: 1; border: none; padding: 0 1; }
    TranscriptPane.-searching #transcript-search { display: block; }
    TranscriptPane #transcript { height: 1fr; border: none; padding: 0 1; }
    TranscriptPane #transcript:focus { border: none; }
    """

    BINDINGS = TRANSCRIPT_BINDINGS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state: CallState | None = None
        self._shown: tuple[object, ...] | None = None
        self._turns: list[Turn] = []
        self.matches: list[int] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search the transcript (enter: next match, escape: done)", id="transcript-search")
        yield OptionList(id="transcript")

    def on_mount(self) -> None:
        self.border_title = "Transcript"

    def show(self, state: CallState | None) -> None:
        """Show the call's transcript; redrawn only when its details changed."""
        self._state = state
        key = (
            None if state is None else state.call_id,
            None if state is None else state.details,
            None if state is None else (state.details_loading, state.details_error),
        )
        if key == self._shown:
            return
        self._shown = key
        turns = state.turns if state is not None else []
        self._turns = turns[:MAX_TURNS]
        listing = self.query_one("#transcript", OptionList)
        listing.clear_options()
        said = placeholder(state)
        if said is not None:
            listing.add_option(Option(Text(said, style="dim italic"), disabled=True))
        else:
            listing.add_options([Option(turn_text(turn, self.query_text)) for turn in self._turns])
            if len(turns) > MAX_TURNS:
                more = plural(len(turns) - MAX_TURNS, "more turn", thousands=True)
                listing.add_option(Option(Text(f"… {more}", style="dim"), disabled=True))
        self._search(self.query_text, jump=False)

    # --- search ----------------------------------------------------------------------

    def action_search(self) -> None:
        self.add_class("-searching")
        self.query_one("#transcript-search", Input).focus()

    def action_next_match(self, step: int = 1) -> None:
        """Move to the next (``step`` 1) or previous (-1) match, wrapping around."""
        if not self.matches:
            if self.query_text.strip():
                self.notify(
                    f"No turn holds {printable(self.query_text, limit=60)!r}.", severity="warning", markup=False
                )
            return
        listing = self.query_one("#transcript", OptionList)
        current = listing.highlighted if listing.highlighted is not None else -1
        if step > 0:
            after = [i for i in self.matches if i > current]
            target = after[0] if after else self.matches[0]
        else:
            before = [i for i in self.matches if i < current]
            target = before[-1] if before else self.matches[-1]
        self._go_to(target)

    def _go_to(self, index: int) -> None:
        listing = self.query_one("#transcript", OptionList)
        listing.highlighted = index
        listing.scroll_to_highlight(top=True)
        self._say_matches()

    @on(Input.Changed, "#transcript-search")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value, jump=True)

    @on(Input.Submitted, "#transcript-search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next_match(1)

    def _search(self, query: str, *, jump: bool) -> None:
        """Mark the turns that hold ``query``; with ``jump``, go to the first at or after the cursor."""
        changed = {*self.matches}
        self.query_text = query
        self.matches = turns_matching(self._turns, query)
        changed |= set(self.matches)
        listing = self.query_one("#transcript", OptionList)
        if self._turns:
            for index in sorted(i for i in changed if i < len(self._turns)):
                listing.replace_option_prompt_at_index(index, turn_text(self._turns[index], query))
        if jump and self.matches:
            current = listing.highlighted or 0
            self._go_to(next((i for i in self.matches if i >= current), self.matches[0]))
        self._say_matches()

    def _say_matches(self) -> None:
        """The pane's title says where the search is: ``Transcript · 2/5 matches`` (the pane has no bottom border)."""
        self.border_title = f"Transcript · {self.match_words}" if self.match_words else "Transcript"

    @property
    def match_words(self) -> str:
        """``2/5 matches``, ``3 matches`` (the cursor on none of them), ``no match``; empty without a search."""
        if not self.query_text.strip():
            return ""
        if not self.matches:
            return "no match"
        highlighted = self.query_one("#transcript", OptionList).highlighted
        position = self.matches.index(highlighted) + 1 if highlighted in self.matches else 0
        return f"{position}/{len(self.matches)} matches" if position else plural(len(self.matches), "match", "matches")

    def on_key(self, event: events.Key) -> None:
        """Escape in the search closes it (the marks stay, n and N still move between them)."""
        if event.key == "escape" and self.query_one("#transcript-search", Input).has_focus:
            event.stop()
            self.remove_class("-searching")
            self.query_one("#transcript", OptionList).focus()
