"""The help screen: the rows ``bindings.help_rows`` builds from the bindings active where it was opened."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "recbrowser looks up Magpipe call recordings. Paste call IDs (or any text that holds them) "
    "into the input, then browse, refresh, open and copy segments from the keyboard. "
    "Every action is also in the command palette (ctrl+p)."
)


class HelpScreen(ModalScreen[None]):
    """Keys and what they do; the rows come from live bindings so they never drift."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
        border-title-style: bold; border-subtitle-color: $text-muted;
    }
    """

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, padding=(0, 1))
        table.add_column("Key", style="bold cyan", no_wrap=True)
        table.add_column("Action", no_wrap=True)
        table.add_column("What it does", ratio=1)
        for key, description, tooltip in self.rows:
            table.add_row(Text(key), Text(description), Text(tooltip, style="dim"))
        with VerticalScroll() as box:
            # In the frame, not at the end of the text: in view however tall the list of keys is.
            box.border_title = "Help"
            box.border_subtitle = "Escape closes this screen"
            yield Static(Text(INTRO))
            yield Static(table)
