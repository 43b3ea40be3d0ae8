"""Toasts that collapse their repeats and are withdrawn once obsolete (see ``noticebook``).

Textual's ``App.notify`` (8.2.8) returns nothing to withdraw a toast by, so the Notification is
made here and added the way ``App._on_notify`` adds it; ``App._unnotify`` takes it back.
Call from the app's thread only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import Notification, SeverityLevel

from recbrowser.text import printable
from recbrowser.tui.noticebook import NoticeBook

if TYPE_CHECKING:
    from recbrowser.callbook import Answered


class Toasts:
    """The app's toasts by key: a repeat while one shows replaces it, counted (``many``)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.book: NoticeBook[Notification] = NoticeBook()

    def show(
        self,
        key: str,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        call_id: str | None = None,
        many: str = "",
    ) -> None:
        """Show ``message`` (never markup); ``many`` is the title of a collapsed repeat, with ``{count}``."""
        notice = self.book.repeat(key, call_id)
        count = 1
        if notice is not None and notice.handle.has_expired:
            self.book.forget(key)
        elif notice is not None:
            self.app._unnotify(notice.handle, refresh=False)
            count = len(notice.calls) if call_id is not None else notice.count
            if count > 1:
                title = many.format(count=count) if many else f"{title} (×{count})"
        timeout = self.app.NOTIFICATION_TIMEOUT if timeout is None else timeout
        notification = Notification(message, title, severity, timeout, markup=False)
        # Added at once, as App._on_notify does with a posted Notify: a repeat in the same tick
        # must find this one to withdraw (a queued Notify would arrive after the withdrawal).
        self.app._notifications.add(notification)
        self.app._refresh_notifications()
        self.book.shown(key, notification, call_id, count=count)

    def resolved(self, call_id: str) -> None:
        """The call has succeeded: withdraw what was said only about its failures."""
        for notice in self.book.resolved(call_id):
            self.app._unnotify(notice.handle)

    def answered(self, answer: Answered) -> None:
        """What a lookup's answer means for the toasts: those only about the call's failures go once
        it has an answer; "synced now"; or a failure the user may act on, one toast per message
        however many calls it hits."""
        call_id = answer.state.call_id
        if answer.resolved:
            self.resolved(call_id)
        if answer.now_synced:
            self.show(
                "synced", f"{call_id[:8]}…: every segment is synced now.", title="Synced", many="Synced ({count})"
            )
        if answer.failure is not None:
            message = printable(answer.failure.message, limit=300)
            self.show(
                f"lookup:{message}",
                message,
                title=f"Call {call_id[:8]}…",
                severity="error",
                call_id=call_id,
                many="{count} calls",
            )
