"""A yes/no question in a small modal, and the start-up offer to resume unfinished downloads."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from recbrowser.formatting import plural


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for yes; Escape or n means no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen .question-detail { color: $text-muted; margin-top: 1; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 1; }
    """

    #: Button labels (the key that answers is part of the label) and which button has focus first.
    no_label = "No (n)"
    yes_variant = "error"
    yes_first = False

    def __init__(self, question: str | Text, *, yes: str = "Yes", detail: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.detail = detail

    @property
    def yes_label(self) -> str:
        return f"{self.yes} (y)"

    def compose(self) -> ComposeResult:
        question = self.question if isinstance(self.question, Text) else Text(self.question)
        with Vertical():
            yield Static(question, id="question")
            if self.detail is not None:
                yield Static(Text(self.detail), classes="question-detail")
            with Horizontal():
                yield Button(self.no_label, id="answer-no")
                yield Button(self.yes_label, variant=self.yes_variant, id="answer-yes")  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query_one("#answer-yes" if self.yes_first else "#answer-no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "answer-yes")


class ResumeScreen(ConfirmScreen):
    """Dismisses with True to resume (Enter), False to leave the files where they are (Escape)."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Resume", id="resume.yes"),
        Binding("escape,n", "answer(False)", "Dismiss", id="resume.no"),
    ]

    DEFAULT_CSS = """
    ResumeScreen > Vertical { width: 72; border: thick $primary; }
    """

    no_label = "Dismiss (Esc)"
    yes_variant = "primary"
    yes_first = True

    def __init__(self, count: int, where: str) -> None:
        question = Text(f"Resume {plural(count, 'unfinished download')}?", style="bold")
        super().__init__(question, yes="Resume", detail=f"The partial files are in {where}.")

    @property
    def yes_label(self) -> str:
        return "Resume (Enter)"
