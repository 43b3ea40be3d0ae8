"""The downloads panel: one row per file with a progress bar, bytes, speed, ETA and state."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from recbrowser.downloads import ACTIVE, CANCELLED, DONE, FAILED, QUEUED, SKIPPED, DownloadItem
from recbrowser.progress import human_bytes, human_eta
from recbrowser.text import printable

BAR_WIDTH = 12
STATE_STYLE = {QUEUED: "dim", ACTIVE: "cyan", DONE: "green", SKIPPED: "green", FAILED: "red", CANCELLED: "yellow"}


def bar(item: DownloadItem) -> Text:
    transfer = item.transfer
    if item.state in (DONE, SKIPPED):
        fraction = 1.0
    elif transfer.total:
        fraction = min(1.0, transfer.done / transfer.total)
    else:
        fraction = 0.0
    filled = int(round(fraction * BAR_WIDTH))
    text = Text("█" * filled, style=STATE_STYLE.get(item.state, ""))
    text.append("░" * (BAR_WIDTH - filled), style="dim")
    text.append(f" {fraction * 100:3.0f}%")
    return text


def state_text(item: DownloadItem) -> Text:
    label = {SKIPPED: "done (already)", DONE: "done"}.get(item.state, item.state)
    text = Text(label, style=STATE_STYLE.get(item.state, ""))
    if item.state in (FAILED, CANCELLED) and item.error is not None:
        text.append(f": {printable(item.error.message, limit=80)}", style="dim")
    return text


class DownloadsPanel(DataTable):
    """Every download of this session; ``x`` cancels the highlighted one."""

    DEFAULT_CSS = """
    DownloadsPanel { height: auto; max-height: 8; border-top: solid $primary 40%; }
    DownloadsPanel:focus { border-top: solid $primary; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns("File", "Progress", "Bytes", "Speed", "ETA", "State")
        self.items: dict[str, DownloadItem] = {}

    @staticmethod
    def key_of(item: DownloadItem) -> str:
        return f"{item.call_id}:{item.segment.index}"

    def track(self, item: DownloadItem) -> None:
        key = self.key_of(item)
        if key in self.items:
            self.items[key] = item
            self.refresh_row_of(item)
            return
        self.items[key] = item
        self.add_row(*self._cells(item), key=key)
        self.display = True

    def refresh_row_of(self, item: DownloadItem) -> None:
        key = self.key_of(item)
        for column, cell in zip(self.columns.keys(), self._cells(item)):
            self.update_cell(key, column, cell, update_width=True)

    def refresh_all(self) -> None:
        for item in self.items.values():
            self.refresh_row_of(item)

    def highlighted_item(self) -> DownloadItem | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.items.get(key) if key else None

    def _cells(self, item: DownloadItem) -> tuple[Text, ...]:
        transfer = item.transfer
        name = printable((item.path or item.planned.path).name, limit=40)
        size = f"{human_bytes(transfer.done)} / {human_bytes(transfer.total)}" if item.state != QUEUED else "—"
        active = item.state == ACTIVE
        return (
            Text(f"{item.call_id[:8]}…/{name}"),
            bar(item),
            Text(size),
            Text(f"{human_bytes(transfer.speed)}/s" if active and transfer.speed else "—"),
            Text(human_eta(transfer.eta) if active else "—"),
            state_text(item),
        )
