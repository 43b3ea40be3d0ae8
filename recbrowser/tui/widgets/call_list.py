"""The list of looked-up calls, one line each with a status mark."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from recbrowser.callstate import CallState
from recbrowser.formatting import short_call_id
from recbrowser.recorded import Recorded, recorded_of_state
from recbrowser.tui.cells import RECORDED_MARKS
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.safe import guarded

SHORT_ERRORS = {
    "no_recording": "no rec.",
    "not_found": "not found",
    "unauthorized": "bad key",
    "no_api_key": "no key",
    "rate_limited": "limited",
    "server_error": "server",
    "network_error": "offline",
    "bad_response": "bad reply",
}


def call_prompt(state: CallState, id_chars: int = 8) -> Text:
    """``● 7f3d8e00… 3 seg`` with a mark for loading, retrying, error, pending or synced."""
    if state.retry is not None:
        mark, style, tail = "↻", "yellow", f"retry {state.retry.attempt}/{state.retry.max_tries}"
    elif state.loading and state.recordings is None:
        mark, style, tail = "…", "dim", "looking up"
    elif state.error is not None and state.recordings is None:
        mark, style, tail = "✗", "red", SHORT_ERRORS.get(state.error.code, "error")
    elif state.counts is not None:
        tail = f"{state.counts.segments} seg"
        mark, style = RECORDED_MARKS[recorded_of_state(state) or Recorded.OTHER]
        if state.loading:
            tail += " ↻"
    else:
        mark, style, tail = "·", "dim", ""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(mark, style=style)
    text.append(f" {short_call_id(state.call_id, id_chars)} ")
    text.append(tail, style="dim")
    return text


class CallList(OptionList):
    """Looked-up calls; highlighting one shows it without refetching."""

    DEFAULT_CSS = """
    CallList {
        width: 26;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: 1fr;
        border: round $primary 40%;
        border-title-color: $text-muted;
    }
    CallList:focus { border: round $primary; }
    """

    def on_mount(self) -> None:
        self.border_title = "Calls"
        self._states: dict[str, CallState] = {}
        self._id_chars = 8

    def on_resize(self) -> None:
        # Room for "● " + the ID + "… " + "4 seg", whether or not a scrollbar shows (a narrow terminal: see app.tcss).
        room = self.size.width - self.styles.scrollbar_size_vertical
        id_chars = max(4, min(8, room - 9))
        if id_chars != self._id_chars:
            self._id_chars = id_chars
            for state in self._states.values():
                self.upsert(state)

    def upsert(self, state: CallState) -> None:
        """Add the call, or redraw its line when already listed."""
        self._states[state.call_id] = state
        failures: list[BaseException] = []
        prompt = guarded(
            lambda: call_prompt(state, self._id_chars), failures, fallback=f"? {short_call_id(state.call_id)}"
        )
        if failures:
            self.post_message(DisplayFailed(failures, where="calls list"))
        try:
            self.get_option(state.call_id)
        except Exception:
            self.add_option(Option(prompt, id=state.call_id))
        else:
            self.replace_option_prompt(state.call_id, prompt)

    def add_restored(self, states: list[CallState], select: str | None) -> None:
        """List calls restored from the history; highlight ``select``, else the first call if none is."""
        for state in states:
            self.upsert(state)
        if select is not None:
            self.select_call(select)
        elif self.highlighted is None:
            self.highlighted = 0

    def select_call(self, call_id: str) -> None:
        self.highlighted = self.get_option_index(call_id)

    @property
    def current_call_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None
