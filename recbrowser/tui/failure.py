"""The one error type a worker raises for a failure the user should hear about (harlequin's model).

The app's one worker-failure handler shows it as it says; any other exception from a worker
is a bug: logged, and one line to the user (``RecBrowserApp.worker_failed``).
"""

from __future__ import annotations

from textual.message import Message
from textual.notifications import SeverityLevel


class Failure(Exception):
    """A failure to tell the user: ``message`` (never markup) under ``title``, with its severity."""

    def __init__(self, message: str, *, title: str = "", severity: SeverityLevel = "error") -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.severity = severity


class DisplayFailed(Message):
    """Values a widget could not format (shown as "?"): for the app to log, each kind once."""

    def __init__(self, failures: list[BaseException], *, where: str) -> None:
        super().__init__()
        self.failures = failures
        self.where = where
