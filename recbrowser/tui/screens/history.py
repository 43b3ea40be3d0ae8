"""The history screen: every past lookup, newest first, filtered as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from recbrowser.history import HistoryEntry
from recbrowser.progress import relative_time
from recbrowser.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from recbrowser.tui.app import RecBrowserApp

SHOWN = 100  # the newest matches; typing narrows (DataTable cost grows with rows)


def sync_summary(entry: HistoryEntry) -> Text:
    if entry.segments is None:
        return Text("—", style="dim")
    text = Text()
    text.append(f"{entry.synced or 0} synced", style="green")
    if entry.pending:
        text.append(" · ")
        text.append(f"{entry.pending} pending", style="yellow")
    return text


class HistoryScreen(Screen[str | None]):
    """Dismisses with the chosen call ID (Enter), or None (Escape)."""

    app: "RecBrowserApp"

    BINDINGS = [
        Binding("escape", "close", "Back", id="history.back"),
        Binding("enter", "choose", "Show", id="history.show", tooltip="Show the cached result at once and refresh it"),
        Binding("delete", "forget", "Forget", id="history.forget", tooltip="Remove the highlighted call from the history"),
        Binding("slash", "focus_filter", "Filter", id="history.filter", tooltip="Filter by call ID or label"),
        Binding("down", "focus_table", "To list", show=False),
    ]

    DEFAULT_CSS = """
    HistoryScreen #history-filter { margin: 1 1 0 1; }
    HistoryScreen #history-count { padding: 0 2; color: $text-muted; height: 1; }
    HistoryScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(placeholder="Filter by call ID or label…", id="history-filter")
            yield Static("", id="history-count")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    _total: int | None = None  # entries in the history; counted once, and again after a change

    def on_mount(self) -> None:
        self.sub_title = "history"
        table = self.query_one(DataTable)
        # Fixed widths: the table need not measure every cell of every refresh.
        for title, width in (("Call ID", 36), ("Last lookup", 12), ("Lookups", 7), ("Outcome", 13), ("Segments", 8), ("Sync", 20), ("Downloaded", 10)):
            table.add_column(title, width=width)
        self.query_one("#history-filter", Input).focus()
        self.query_entries("")

    @on(Input.Changed, "#history-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_entries(event.value)

    @on(Input.Submitted, "#history-filter")
    def _filter_submitted(self) -> None:
        self.action_choose()

    @work(thread=True, exclusive=True, group="history-query")
    def query_entries(self, search: str) -> None:
        """Query off the event loop; only the newest query's answer is shown."""
        entries = self.app.history.entries(search=search, limit=SHOWN)
        if self._total is None:
            self._total = self.app.history.count()
        total = self._total
        self.app.call_from_thread(self._show_entries, search, entries, total)

    def _show_entries(self, search: str, entries: list[HistoryEntry], total: int) -> None:
        if search != self.query_one("#history-filter", Input).value:
            return  # typed on since; a newer query is on its way
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            [
                (
                    Text(e.call_id),
                    Text(relative_time(e.last_looked_up_at)),
                    Text(str(e.lookups), justify="right"),
                    Text(e.outcome, style="green" if e.outcome == "ok" else "red"),
                    Text("—" if e.segments is None else str(e.segments), justify="right"),
                    sync_summary(e),
                    Text(str(e.downloaded) if e.downloaded else "—", justify="right"),
                )
                for e in entries
            ]
        )
        self._row_ids = [e.call_id for e in entries]
        self._shown_for = search
        note = f"{total} call{'s' if total != 1 else ''} in the history · showing {len(entries)}"
        if search:
            note += f" matching {search!r}"
        if len(entries) == SHOWN:
            note += " (the newest; type to narrow)"
        self.query_one("#history-count", Static).update(Text(note))

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        rows = getattr(self, "_row_ids", [])
        return rows[table.cursor_row] if rows and 0 <= table.cursor_row < len(rows) else None

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        call_id = self._highlighted()
        if call_id is not None:
            self.dismiss(call_id)

    @on(DataTable.RowSelected, "#history-table")
    def _row_selected(self) -> None:
        self.action_choose()

    def action_forget(self) -> None:
        call_id = self._highlighted()
        if call_id is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._forget([call_id])

        self.app.push_screen(ConfirmScreen(f"Remove {call_id} from the history?", yes="Remove"), answered)

    @work(thread=True, group="history-write")
    def _forget(self, call_ids: list[str]) -> None:
        self.app.history.forget(call_ids)
        self._total = None
        self.app.call_from_thread(self.query_entries, self.query_one("#history-filter", Input).value)
