"""The one place an error that ends a command becomes a line on stderr and an exit status."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from recbrowser.errors import RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.text import os_reason, printable


class UsageError(Exception):
    """A mistake in how the command was called (exit 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken as an interruption: the same clean-up as Ctrl-C, then exit 143."""


@dataclass(frozen=True)
class Failure:
    """What the user is told (after ``recbrowser: ``) and how the command exits."""

    message: str
    status: ExitStatus


def failure_of(error: BaseException) -> Failure | None:
    """The line and exit status for an expected failure; None for a bug, which should raise."""
    if isinstance(error, UsageError):
        return Failure(str(error), ExitStatus.USAGE)
    if isinstance(error, RecBrowserError):
        return Failure(printable(error.message), ExitStatus(error.exit_code))
    if isinstance(error, KeyboardInterrupt):  # Ctrl-C, or SIGTERM where a command asked for it
        return Failure(
            "interrupted", ExitStatus.TERMINATED if isinstance(error, Terminated) else ExitStatus.INTERRUPTED
        )
    # Looked up rather than imported: commands that never open the history never load sqlite3,
    # and without it loaded no sqlite3.Error can have been raised.
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(error, sqlite3.Error):
        return Failure(f"the history could not be used: {printable(error, limit=200)}.", ExitStatus.ERROR)
    if isinstance(error, OSError):
        where = f" ({printable(error.filename, limit=200)})" if error.filename else ""
        return Failure(f"{os_reason(error)}{where}.", ExitStatus.ERROR)
    return None


def exit_status(error: BaseException) -> ExitStatus | None:
    """Say ``error`` on stderr and return the exit status; None (nothing said) for a bug.

    A reader that went away (``| head``) is no failure: output stops quietly with status 0."""
    if isinstance(error, BrokenPipeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitStatus.OK
    failure = failure_of(error)
    if failure is None:
        return None
    print(f"recbrowser: {failure.message}", file=sys.stderr)
    return failure.status
