"""What a download looks like in the app: its row's cells and its detail line, as Rich Text."""

from __future__ import annotations

from rich.text import Text

from recbrowser.downloads import ACTIVE, CANCELLED, DONE, FAILED, QUEUED, SKIPPED, DownloadItem
from recbrowser.formatting import human_bytes, human_eta, short_call_id
from recbrowser.paths import display_path
from recbrowser.text import printable

BAR_WIDTH = 12
STATE_STYLE = {QUEUED: "dim", ACTIVE: "cyan", DONE: "green", SKIPPED: "green", FAILED: "red", CANCELLED: "yellow"}
STATE_WORD = {SKIPPED: "skipped"}  # the others are their own word: queued, active, done, failed, cancelled


def fraction_of(item: DownloadItem) -> float:
    transfer = item.transfer
    if item.state in (DONE, SKIPPED):
        return 1.0
    if transfer.total:
        return min(1.0, transfer.done / transfer.total)
    return 0.0


def bar(item: DownloadItem) -> Text:
    filled = round(fraction_of(item) * BAR_WIDTH)
    text = Text("█" * filled, style=STATE_STYLE.get(item.state, ""))
    text.append("░" * (BAR_WIDTH - filled), style="dim")
    return text


def percent(item: DownloadItem) -> Text:
    return Text(f"{fraction_of(item) * 100:3.0f}%", justify="right")


def state_text(item: DownloadItem) -> Text:
    """One short word; the full message is in the detail line (``detail_line``)."""
    return Text(STATE_WORD.get(item.state, item.state), style=STATE_STYLE.get(item.state, ""))


def bytes_text(item: DownloadItem) -> Text:
    transfer = item.transfer
    shown = f"{human_bytes(transfer.done)} / {human_bytes(transfer.total)}" if item.state != QUEUED else "—"
    return Text(shown, justify="right")


def speed_text(item: DownloadItem, average: float | None) -> Text:
    """The current speed while active; once done, ``average`` (the queue's average over the transfer)."""
    if item.state == ACTIVE and item.transfer.speed:
        return Text(f"{human_bytes(item.transfer.speed)}/s", justify="right")
    if item.state == DONE and average:
        return Text(f"{human_bytes(average)}/s", style="dim", justify="right")
    return Text("—", style="dim", justify="right")


def eta_text(item: DownloadItem) -> Text:
    return Text(human_eta(item.transfer.eta) if item.state == ACTIVE else "—", justify="right")


def file_name(item: DownloadItem) -> str:
    return f"{short_call_id(item.call_id)}/{printable((item.path or item.planned.path).name, limit=40)}"


def detail_line(item: DownloadItem, average: float | None = None) -> Text:
    """Everything about one download on one line: where it goes and its whole message."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"#{item.segment.index} ", style="dim")
    text.append(STATE_WORD.get(item.state, item.state), style=STATE_STYLE.get(item.state, ""))
    if item.state in (FAILED, CANCELLED) and item.error is not None:
        text.append(f": {printable(item.error.message, limit=200)}")
    elif item.state == SKIPPED:
        text.append(": already complete")
    elif item.state == DONE:
        text.append(f": {human_bytes(item.transfer.done)}")
        if average:
            text.append(f" at {human_bytes(average)}/s")
    text.append(f"  → {printable(display_path(item.path or item.planned.path), limit=200)}", style="dim")
    return text
