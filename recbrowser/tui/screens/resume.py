"""The offer, on start, to resume the downloads a previous session left unfinished."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from recbrowser.formatting import plural


class ResumeScreen(ModalScreen[bool]):
    """Dismisses with True to resume (Enter), False to leave the files where they are (Escape)."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Resume", id="resume.yes"),
        Binding("escape,n", "answer(False)", "Dismiss", id="resume.no"),
    ]

    DEFAULT_CSS = """
    ResumeScreen { align: center middle; }
    ResumeScreen > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    ResumeScreen #resume-where { color: $text-muted; margin-top: 1; }
    ResumeScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ResumeScreen Button { margin-left: 1; }
    """

    def __init__(self, count: int, where: str) -> None:
        super().__init__()
        self.count = count
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text(f"Resume {plural(self.count, 'unfinished download')}?", style="bold"), id="resume-question"
            )
            yield Static(Text(f"The partial files are in {self.where}."), id="resume-where")
            with Horizontal():
                yield Button("Dismiss (Esc)", id="resume-no")
                yield Button("Resume (Enter)", variant="primary", id="resume-yes")

    def on_mount(self) -> None:
        self.query_one("#resume-yes", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "resume-yes")
