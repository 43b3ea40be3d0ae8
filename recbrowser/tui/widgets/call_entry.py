"""The entry area: the call-ID input and the line under it that says what the last Enter did."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from recbrowser.callbook import Listed
from recbrowser.callids import Scan
from recbrowser.tui.entry import entry_note
from recbrowser.tui.widgets.call_input import CallIdInput

PLACEHOLDER = "Call IDs, or any text that contains them — Enter looks them up"


class CallEntry(Vertical):
    """Takes pastes into the input and says, under it, how many calls each Enter (or paste) added."""

    def __init__(self, *, prefill: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self._prefill = prefill
        self._counted = (0, 0)  # new and already listed calls, counted by the last Enter (or paste)

    def compose(self) -> ComposeResult:
        yield CallIdInput(prefill=self._prefill, placeholder=PLACEHOLDER, id="ids")
        yield Static("", id="input-message")

    def said(self, found: Scan, listed: Listed | None, *, continues_paste: bool) -> None:
        """Show what Enter did: ``found`` in the input, and what listing its calls did (None: nothing listed)."""
        if listed is not None:
            counted = (listed.new, listed.old)
            if continues_paste:  # the lines of one paste make one count
                counted = (counted[0] + self._counted[0], counted[1] + self._counted[1])
            self._counted = counted
        style, note = entry_note(found, self._counted)
        message = self.query_one("#input-message", Static)
        message.set_classes(style)
        message.update(Text(note))

    def take_paste(self, text: str) -> None:
        """Put a paste (made anywhere on the screen) in the input, every line of it, and focus it."""
        ids = self.query_one(CallIdInput)
        ids.value = ""
        ids.insert_pasted(text)
        ids.focus()
        self.call_after_refresh(ids.action_end)  # focusing selects everything; typing on appends
