"""The command line's exit codes, one enum (httpie's ``ExitStatus``); the README's table lists the same."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """How a command ended. With several failures the highest wins."""

    OK = 0
    ERROR = 1
    """The history could not be written, a disk or history error stopped the command, or the app crashed."""
    USAGE = 2
    """A usage error or no valid call ID (also a ``download --label`` no segment has)."""
    NO_KEY = 3
    """No API key, or the key was rejected."""
    NOT_FOUND = 4
    """Call not found, no recording, or not in the history (``lookup --offline``)."""
    API_FAILED = 5
    """Network error, rate limit, server error or an answer that is not Magpipe's."""
    DOWNLOAD_FAILED = 6
    HANGUP = 129
    """128 + SIGHUP: the app's terminal was closed (it quit as ``q`` does)."""
    INTERRUPTED = 130
    TERMINATED = 143
    """128 + SIGTERM, what a shell reports for a process SIGTERM ended."""
