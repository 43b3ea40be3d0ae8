"""The call-ID input: keeps every line of a paste, and lets ``?`` and ``q`` act as keys while it
holds nothing the user typed."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets.input import Selection

from recbrowser.callids import scan
from recbrowser.tui.entry import COMMAND_CHARACTERS, keys_are_commands, pasted_line

PASTE_GAP = 0.05  # seconds: a line typed this soon after an Enter is a terminal typing a paste, not a person


class CallIdInput(Input):
    """Enter submits what it holds and clears at once (when it holds a call ID), so the lines
    of an unbracketed paste, each ended by an Enter, are looked up one by one, never glued."""

    BINDINGS = [
        # While the input holds text, ? and q are typed; these keys still reach help and quit.
        Binding("f1", "help", "Help", id="input.help", tooltip="Show every key (? when the input is empty)"),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            priority=True,
            id="input.quit",
            tooltip="Quit recbrowser (q when the input is empty)",
        ),
        Binding("down", "leave", "Calls", show=False, id="input.leave"),
    ]

    @dataclass
    class Submitted(Input.Submitted):
        continues_paste: bool = False
        """The line came at once after the previous Enter: the next line of an unbracketed paste."""

    def __init__(self, *, prefill: str = "", **kwargs: object) -> None:
        self._last_enter: float | None = None
        self._line_started: float | None = None  # when the first key after the last Enter came
        self._prefill: str | None = prefill or None  # before Input's init, which sets the value
        super().__init__(value=prefill, **kwargs)  # type: ignore[arg-type]

    @property
    def keys_are_commands(self) -> bool:
        return keys_are_commands(self.value, self._prefill)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character in COMMAND_CHARACTERS and self.keys_are_commands:
            return False
        return super().check_consume_key(key, character)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("help", "quit"):
            return not self.keys_are_commands  # otherwise ? and q are in the footer
        return True

    async def _on_key(self, event: events.Key) -> None:
        if event.character in COMMAND_CHARACTERS and self.keys_are_commands:
            event.prevent_default()  # not typed: it bubbles up to the screen's binding
        elif event.key == "enter":
            # Here, in order with the typed keys, not as a binding: a binding runs once the key
            # has bubbled up to the app, after the rest of a pasted burst was already typed.
            event.stop()
            event.prevent_default()
            started, last = self._line_started, self._last_enter
            self._line_started, self._last_enter = None, event.time
            self._submit(continues_paste=started is not None and last is not None and started - last < PASTE_GAP)
        elif self._line_started is None:
            self._line_started = event.time

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input would keep the first line only
        event.stop()
        self.insert_pasted(event.text)

    def insert_pasted(self, text: str) -> None:
        """Insert a paste, every line of it, at the cursor (replacing a selection)."""
        line = pasted_line(text)
        if not line:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *self.selection)

    def watch_value(self, value: str) -> None:
        if self._prefill is not None and value != self._prefill:
            self._prefill = None  # edited: from now on it holds what the user typed
        self.refresh_bindings()

    async def action_submit(self) -> None:
        self._submit(continues_paste=False)

    def _submit(self, *, continues_paste: bool) -> None:
        value = self.value
        if scan(value).ids:
            self.value = ""
        else:
            self.selection = Selection(0, len(value))  # kept to fix, and replaced by what comes next
        self.post_message(self.Submitted(self, value, None, continues_paste))

    async def action_help(self) -> None:
        await self.run_action("screen.help")

    async def action_quit(self) -> None:
        await self.run_action("app.quit")

    def action_leave(self) -> None:
        self.screen.focus_next()
