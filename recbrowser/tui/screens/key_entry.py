"""The modal where the user pastes their Magpipe API key."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from recbrowser.apikey import ENV_KEY, InvalidKey, check_key
from recbrowser.paths import display_path
from recbrowser.secret import Secret
from recbrowser.tui.keytext import KEY_ORIGIN


class KeyScreen(ModalScreen[str | None]):
    """Masked key entry. Dismisses with the cleaned key, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    DEFAULT_CSS = """
    KeyScreen { align: center middle; }
    KeyScreen > Vertical {
        width: 76; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    KeyScreen #key-title { text-style: bold; margin-bottom: 1; }
    KeyScreen #key-message { height: auto; min-height: 1; margin-top: 1; }
    KeyScreen .-warning { color: $warning; }
    KeyScreen .-error { color: $error; }
    KeyScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    KeyScreen Button { margin-left: 1; }
    """

    def __init__(self, key_file: Path, *, env_key: Secret | None = None) -> None:
        super().__init__()
        self.key_file = key_file
        self.env_key = env_key
        self._confirm_warning_for: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Magpipe API key", id="key-title")
            yield Static(Text("Paste your API key (mgp_…) or a session token (eyJ…). Input is hidden."))
            yield Static(Text(KEY_ORIGIN, style="dim"), id="key-origin")
            yield Input(password=True, placeholder="mgp_…", id="key-input")
            yield Static(
                Text(f"Saved to {display_path(self.key_file)} (readable by you only).", style="dim"), id="key-where"
            )
            if self.env_key is not None:
                yield Static(
                    Text(
                        f"{ENV_KEY} is set ({self.env_key.masked}) and is the key in use. Saving here stores a key "
                        f"in the file and uses it for this session; {ENV_KEY} still wins next time while it is set.",
                        style="yellow",
                    ),
                    id="key-env",
                )
            yield Static("", id="key-message")
            with Horizontal():
                yield Button("Cancel", id="key-cancel")
                yield Button("Save", variant="primary", id="key-save")

    def _message(self, text: str, kind: str) -> None:
        message = self.query_one("#key-message", Static)
        message.set_classes(f"-{kind}")
        message.update(Text(text))

    @on(Input.Changed, "#key-input")
    def _changed(self) -> None:
        self._confirm_warning_for = None
        self._message("", "none")

    @on(Input.Submitted, "#key-input")
    @on(Button.Pressed, "#key-save")
    def action_save(self) -> None:
        raw = self.query_one("#key-input", Input).value
        try:
            key, warning = check_key(raw)
        except InvalidKey as exc:
            self._message(str(exc), "error")
            return
        if warning and self._confirm_warning_for != key:
            self._confirm_warning_for = key
            self._message(f"{warning} Press Enter again to save it anyway.", "warning")
            return
        self.dismiss(key)

    @on(Button.Pressed, "#key-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
