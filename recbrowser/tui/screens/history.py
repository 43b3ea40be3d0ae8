"""The history screen: every past lookup, newest first, filtered as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from recbrowser.callbook import cached_state
from recbrowser.callstate import CallState
from recbrowser.history import HistoryEntry
from recbrowser.historyrows import LIST_COLUMNS, HistoryRow, count_note
from recbrowser.tui.failure import DisplayFailed
from recbrowser.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from recbrowser.tui.app import RecBrowserApp

SHOWN = 100  # the newest matches; typing narrows


# One line per call, in fixed-width columns. An OptionList of one Text per row repaints a
# filtered screenful several times faster than a DataTable of seven cells per row.
COLUMNS = tuple(zip(LIST_COLUMNS, (36, 11, 13, 14, 7, 12, 8, 20, 10), strict=True))
RIGHT = {"Lookups", "Segments", "Downloaded"}
SHORT_ID = 9  # "7f3d8e00…", as in the calls list

# Narrower terminals drop the least useful columns first and shorten the call ID early (people
# know calls by who and when, not by UUID), so a row stays one line. Each layout: the column
# indices shown, and the call ID's width; widest first.
LAYOUTS = (
    ((0, 1, 2, 3, 4, 5, 6, 7, 8), 36),
    ((0, 1, 2, 3, 5, 6, 7, 8), 36),
    ((0, 1, 2, 3, 5, 7, 8), 36),
    ((0, 1, 2, 3, 5, 6, 7, 8), SHORT_ID),
    ((0, 1, 2, 3, 5, 7, 8), SHORT_ID),
    ((0, 1, 2, 3, 5, 7), SHORT_ID),
    ((0, 1, 2, 5, 7), SHORT_ID),
    ((0, 2, 5, 7), SHORT_ID),
    ((0, 5, 7), SHORT_ID),
)
Layout = tuple[tuple[int, ...], int]


def _widths(layout: Layout) -> list[tuple[int, str, int]]:
    shown, id_width = layout
    return [(i, COLUMNS[i][0], id_width if i == 0 else COLUMNS[i][1]) for i in shown]


def layout_for(width: int) -> Layout:
    """The widest layout whose rows fit in ``width`` cells (the narrowest one below that)."""
    for layout in LAYOUTS:
        if sum(w for _, _, w in _widths(layout)) + 2 * (len(layout[0]) - 1) <= width:
            return layout
    return LAYOUTS[-1]


def _row_cells_or_placeholder(entry: HistoryEntry, failures: list[BaseException]) -> tuple[str, ...]:
    try:
        return HistoryRow.of(entry).list_cells()
    except Exception as exc:  # one entry that cannot be shown must not close the history
        failures.append(exc)
        return (entry.call_id, *("?" for _ in range(len(LIST_COLUMNS) - 1)))


def row_text(cells: tuple[str, ...], layout: Layout = LAYOUTS[0]) -> Text:
    styles = {5: "green" if cells[5] == "ok" else "red", 7: "yellow" if "pending" in cells[7] else "green"}
    text = Text(no_wrap=True, overflow="ellipsis")
    for position, (index, title, width) in enumerate(_widths(layout)):
        if position:
            text.append("  ")
        cell = cells[index]
        cell = cell if len(cell) <= width else cell[: width - 1] + "…"
        text.append(cell.rjust(width) if title in RIGHT else cell.ljust(width), style=styles.get(index, ""))
    return text


def header_text(layout: Layout = LAYOUTS[0]) -> Text:
    cells = [t.rjust(w) if t in RIGHT else t.ljust(w) for _, t, w in _widths(layout)]
    return Text("  ".join(cells), style="bold", no_wrap=True)


class HistoryScreen(Screen[CallState | None]):
    """Dismisses with the chosen call as the history has it (Enter), or None (Escape)."""

    app: RecBrowserApp

    BINDINGS = [
        Binding("escape", "close", "Back", id="history.back"),
        # priority: the list's and the filter's own Enter (hidden) would otherwise keep it out of the footer
        Binding(
            "enter",
            "choose",
            "Show call",
            priority=True,
            id="history.show",
            tooltip="Show the cached result at once and refresh it",
        ),
        # backspace: the Mac's delete key. In the filter, both keys edit the text instead.
        Binding(
            "delete,backspace",
            "forget",
            "Forget",
            id="history.forget",
            tooltip="Remove the highlighted call from the history (asks first)",
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="history.filter",
            tooltip="Filter by call ID, label, number, agent or summary words",
        ),
        Binding(
            "ctrl+q", "app.quit", "Quit", priority=True, id="history.quit", tooltip="Quit recbrowser"
        ),  # q is typed into the filter
        Binding("down", "focus_table", "To list", show=False),
    ]

    DEFAULT_CSS = """
    HistoryScreen #history-filter { margin: 1 1 0 1; }
    HistoryScreen #history-count { padding: 0 2; color: $text-muted; height: 1; }
    HistoryScreen #history-header { padding: 0 1; height: 1; }
    HistoryScreen OptionList { height: 1fr; border: none; padding: 0 1; }
    HistoryScreen OptionList:focus { border: none; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(placeholder="Filter by call ID, label, number, agent or summary…", id="history-filter")
            yield Static("", id="history-count")
            yield Static("", id="history-header")
            yield OptionList(id="history-table")
        yield Footer(compact=True)

    _total: int | None = None  # entries in the history; counted once, and again after a change

    columns: Layout = LAYOUTS[0]  # which columns fit the width (not `layout`: that is CSS)

    def on_mount(self) -> None:
        self.sub_title = "history"
        self.shown_rows: list[tuple[str, ...]] = []
        self._fit_layout()
        self.query_one("#history-filter", Input).focus()
        self.query_entries("")

    def on_resize(self) -> None:
        if self._fit_layout():
            self._render_rows()

    def _fit_layout(self) -> bool:
        """Choose the columns for the current width; True when they changed."""
        layout = layout_for(self.size.width - 8)  # the list's and each row's padding, and a scrollbar
        changed, self.columns = layout != self.columns, layout
        self.query_one("#history-header", Static).update(header_text(layout))
        return changed

    def _render_rows(self) -> None:
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([Option(row_text(cells, self.columns), id=cells[0]) for cells in self.shown_rows])
        if self.shown_rows:
            listing.highlighted = min(highlighted or 0, len(self.shown_rows) - 1)

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
        failures: list[BaseException] = []
        self.shown_rows = [_row_cells_or_placeholder(e, failures) for e in entries]
        if failures:
            self.post_message(DisplayFailed(failures, where="history"))
        self.query_one(OptionList).highlighted = None
        self._render_rows()
        self.query_one("#history-count", Static).update(Text(count_note(total, len(entries), search, limit=SHOWN)))

    def _highlighted(self) -> str | None:
        option = self.query_one(OptionList).highlighted_option
        return option.id if option is not None else None

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        call_id = self._highlighted()
        if call_id is not None:
            self._choose(call_id)

    @work(thread=True, group="history-read")
    def _choose(self, call_id: str) -> None:
        """Close with the call as the history has it: its cached answer, files still on disk, last error."""
        self.app.call_from_thread(self._chosen, cached_state(self.app.history, call_id))

    def _chosen(self, state: CallState) -> None:
        if self.is_current:  # not closed meanwhile (escape, or an earlier choice)
            self.dismiss(state)

    @on(OptionList.OptionSelected, "#history-table")
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
