"""What the commands share: settings, input collection, the history, the client, error and JSON output."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO, TypeVar

from recbrowser.callids import EXPECTED, scan
from recbrowser.commands.failures import Terminated
from recbrowser.commands.failures import UsageError as UsageError  # the commands import it from here
from recbrowser.commands.statusline import StatusLine
from recbrowser.errors import InvalidCallId, RecBrowserError
from recbrowser.paths import Paths
from recbrowser.retrying import retry_message
from recbrowser.settings import Resolved, Settings, resolve
from recbrowser.text import printable

if TYPE_CHECKING:
    from recbrowser.client import MagpipeClient, RetryNotice, WaitNotice
    from recbrowser.history import HistoryStore

T = TypeVar("T")


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises Terminated in the main thread (instead of ending the
    process on the spot, silently, with partial files' state unsaid)."""

    def interrupt(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def resolved_for(args: argparse.Namespace, paths: Paths) -> Resolved:
    """The API URL and key in effect; a broken settings or key file is a warning on stderr."""
    settings = Settings.load(paths.settings_file)
    resolved = resolve(paths, api_url_flag=getattr(args, "api_url", None), settings=settings)
    warn(*settings.warnings, *resolved.warnings)
    from recbrowser.client import validate_api_url

    try:
        validate_api_url(resolved.api_url)
    except ValueError as exc:
        raise UsageError(f"{exc} (from {resolved.api_url_source})") from None
    return resolved


@dataclass(frozen=True)
class Item:
    """One thing to answer for, in input order: a call ID or a rejected piece of input."""

    call_id: str
    invalid: str | None = None


def collect_items(inputs: Sequence[str], stdin: TextIO) -> list[Item]:
    """Call IDs and rejected tokens from the arguments (or standard input for `-`), in order."""
    if list(inputs) == ["-"]:
        found = scan(stdin.read())
        from_stdin = [Item(call_id) for call_id in found.ids]
        from_stdin += [Item(token, f"{token!r} is not a valid call ID: {EXPECTED}") for token in found.rejected]
        if not from_stdin:
            from_stdin.append(Item("", f"no call ID found in standard input: {EXPECTED}"))
        return from_stdin
    items: list[Item] = []
    seen: set[str] = set()
    for text in inputs:
        found = scan(text)
        if not found.ids and not found.rejected:
            shown = printable(text.strip(), limit=80)
            items.append(Item(shown, f"{shown!r} is not a call ID: {EXPECTED}"))
        for call_id in found.ids:
            if call_id not in seen:
                seen.add(call_id)
                items.append(Item(call_id))
        items.extend(Item(token, f"{token!r} is not a valid call ID: {EXPECTED}") for token in found.rejected)
    return items


def open_history(paths: Paths) -> HistoryStore:
    """The history store; a wait for another instance's lock is said at once on stderr."""
    from recbrowser.history import HistoryStore

    return HistoryStore(
        paths.history_db, on_wait=lambda notice: print(f"recbrowser: {notice}", file=sys.stderr, flush=True)
    )


def warn(*warnings: str) -> None:
    """One ``recbrowser: warning:`` line on stderr per warning."""
    for warning in warnings:
        print(f"recbrowser: warning: {printable(warning)}", file=sys.stderr)


def close_history(history: HistoryStore) -> None:
    warn(*history.warnings)
    history.close()


async def aiter_of(values: Iterable[T]) -> AsyncIterator[T]:
    """``values`` as an async iterator (to stand in for lookups that never run)."""
    for value in values:
        yield value


def retry_text(notice: RetryNotice) -> str:
    who = f"{notice.call_id}: " if notice.call_id else ""
    return f"recbrowser: {who}{retry_message(notice, say_wait=True)}"


def print_retry(notice: RetryNotice) -> None:
    print(retry_text(notice), file=sys.stderr, flush=True)


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class WaitLine:
    """Says on stderr what a slow API request waits for: "Waiting for the API at HOST (3 s so far)…".

    On a terminal it is a live line from the first second on: a spinner and the seconds so
    far, rewritten in place each second and erased (``clear``) before anything else is
    printed, so it never mixes with answers. Elsewhere (a log, a pipe) the line is said once,
    after 3 s, and never as a running counter.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._terminal = stream.isatty()
        self._said = False
        self._frame = 0
        self._status = StatusLine(stream) if self._terminal else None

    @property
    def notice_after(self) -> float:
        """Seconds a request waits before the first notice."""
        return 1.0 if self._terminal else 3.0

    @property
    def notice_every(self) -> float:
        """Seconds between notices while a request still waits."""
        return 1.0 if self._terminal else 10.0

    def __call__(self, notice: WaitNotice) -> None:
        host = printable(notice.host, limit=80)
        text = f"Waiting for the API at {host} ({notice.waited:.0f} s so far)…"
        if self._status is not None:
            self._frame += 1
            self._status.update(f"{SPINNER[self._frame % len(SPINNER)]} {text}")
            return
        if not self._said:  # concurrent lookups wait for the same API: one line says it for all
            self._said = True
            print(f"recbrowser: {text}", file=self._stream, flush=True)

    def clear(self) -> None:
        """Erase the live line, if one is shown (before printing anything else)."""
        if self._status is not None:
            self._status.clear()

    def retry(self, notice: RetryNotice) -> None:
        """Say a retry on its own line (erasing the live line first)."""
        self.clear()
        print_retry(notice)


def api_client(resolved: Resolved, *, live: bool, wait_line: WaitLine | None = None) -> MagpipeClient:
    """The Magpipe client the commands use: the settings' deadline, waits said on stderr
    (through ``wait_line``, which the caller clears before printing), retries said too when
    ``live`` (a terminal showing people what happens)."""
    from recbrowser.client import MagpipeClient

    wait_line = wait_line or WaitLine(sys.stderr)
    return MagpipeClient(
        resolved.api_url,
        resolved.key,
        request_deadline=resolved.request_deadline,
        on_retry=wait_line.retry if live else None,
        on_wait=wait_line,
        wait_notice_after=wait_line.notice_after,
        wait_notice_every=wait_line.notice_every,
        key_source=resolved.key_source,
    )


def emit_error(call_id: str, error: RecBrowserError, json_lines: bool) -> None:
    if json_lines:
        print_json({"call_id": call_id, "error": {"code": error.code, "message": error.message}})
    elif call_id and not isinstance(error, InvalidCallId):
        print(f"recbrowser: {call_id}: {printable(error.message)}", file=sys.stderr, flush=True)
    else:
        print(f"recbrowser: {printable(error.message)}", file=sys.stderr, flush=True)


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
