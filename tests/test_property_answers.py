"""Any JSON in any field of an API answer: a typed error, or an answer that renders everywhere.

Issue 9's "done when": Hypothesis feeds arbitrary JSON (huge integers, extreme floats,
control characters, ANSI escapes, Rich markup, path-like strings, far dates, nulls, nesting)
into every field of ``get-signed-recording-url``'s answer and of its error bodies. Only
``RecBrowserError`` subclasses may come out, and every accepted answer must render in the
``lookup`` table, in JSON Lines (which re-parse to the same answer), in the TUI's cells, and
from the history. Two layers: many examples in process, and fewer over real HTTP from a
small server that answers with exactly the generated status and body.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recbrowser.callstate import CallState
from recbrowser.client import MagpipeClient
from recbrowser.commands.lookup import format_call
from recbrowser.errors import RecBrowserError
from recbrowser.fakeapi import DEMO_KEY
from recbrowser.fakeapi.samples import MAIN_CALL as CALL_ID
from recbrowser.formatting import status_parts, status_summary
from recbrowser.history import HistoryStore
from recbrowser.historyrows import format_history
from recbrowser.models import CallRecordings
from recbrowser.naming import DEFAULT_TEMPLATE, inside, render
from recbrowser.secret import Secret
from recbrowser.tui.cells import segment_cells
from recbrowser.tui.widgets.call_header import header_text
from recbrowser.tui.widgets.call_list import call_prompt
from recbrowser.tui.widgets.segment_table import detail_text

SEGMENT_FIELDS = ("url", "label", "duration_seconds", "source", "status", "created_at")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # \t and \n are layout
BIG = 10**30  # integers at least this large must never appear whole anywhere
NAMES = ("{created:%Y%m%d}-{call_id}.{ext}", DEFAULT_TEMPLATE, "{created}/{source}/{status}/{label}.{ext}")

# --- strategies -------------------------------------------------------------------------------

NASTY_STRINGS = [
    "\x1b[31mred\x07",
    "\x1b]52;c;aGk=\x07",
    "[bold]x[/]",
    "[link=file:///etc/passwd]x[/link]",
    "../a/b\\c",
    "/etc/passwd",
    "a\x00b",
    "\u202etxt.exe",
    "\ud800",
    "line\nbreak\r\n",
    "\t",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999999+14:00",
    "0001-01-01 00:00:00-14:00",
    "2024-01-15T10:32:20Z",
    "2024-02-30T00:00:00Z",
    "synced",
    "pending_sync",
    "redacted",
    "main",
    "transfer_conference",
    "https://storage.example/a.mp3",
    "http://[bad/",
    "1e400",
    "-1",
    "nan",
    "9" * 400,
    "",
    " ",
]
HUGE_INTS = [10**400, -(10**400), 10**300 + 7, 2**63, 2**64 + 1, -1, 0, 125]
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=24),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Sm", "Ps"]), max_size=12),
    st.sampled_from(NASTY_STRINGS),
)
KEYS = st.one_of(
    st.sampled_from([*SEGMENT_FIELDS, "recordings", "recording_url", "call_id", "error"]), st.text(max_size=8)
)
any_json = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12
)


def _nest(depth_and_leaf: tuple[int, Any]) -> Any:
    depth, leaf = depth_and_leaf
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"a": leaf}
    return leaf


deep_json = st.tuples(st.integers(20, 200), leaves).map(_nest)
nasty = st.one_of(st.sampled_from(NASTY_STRINGS), st.sampled_from(HUGE_INTS))
# Mostly plausible shapes with nasty values, so the renderers see many accepted answers.
values = st.one_of(nasty, nasty, leaves, any_json, deep_json)
segments = st.one_of(
    st.fixed_dictionaries(dict.fromkeys(SEGMENT_FIELDS, values)),
    st.fixed_dictionaries({}, optional=dict.fromkeys(SEGMENT_FIELDS, values)),
    values,
)
answers = st.one_of(
    st.fixed_dictionaries(
        {"recordings": st.lists(st.fixed_dictionaries(dict.fromkeys(SEGMENT_FIELDS, values)), max_size=5)},
        optional={"call_id": st.one_of(st.just(CALL_ID), st.just(CALL_ID.upper()), values), "recording_url": values},
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "call_id": st.one_of(st.just(CALL_ID), st.just(CALL_ID.upper()), values),
            "recording_url": values,
            "recordings": st.one_of(st.lists(segments, max_size=5), values),
        },
    ),
    values,
)
error_bodies = st.one_of(
    st.fixed_dictionaries({"error": st.fixed_dictionaries({}, optional={"code": values, "message": values})}),
    st.fixed_dictionaries({}, optional={"error": values, "message": values, "msg": values}),
    values,
)

# --- what every rendering must satisfy --------------------------------------------------------


def big_ints(value: Any, found: set[int] | None = None, depth: int = 0) -> set[int]:
    """The integers of BIG or more (in absolute value) anywhere in a JSON value."""
    found = set() if found is None else found
    if isinstance(value, bool) or depth > 300:
        return found
    if isinstance(value, int) and abs(value) >= BIG:
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            big_ints(item, found, depth + 1)
    elif isinstance(value, list):
        for item in value:
            big_ints(item, found, depth + 1)
    return found


def check_shown(text: str, sent: Any, *, limit: int | None = None) -> None:
    """Text for a terminal: no control characters, no huge number whole, bounded if asked."""
    assert not CONTROL.search(text), text
    assert not re.search(r"[\ud800-\udfff]", text)
    for number in big_ints(sent):
        assert str(number)[:40] not in text
    if limit is not None:
        assert len(text) <= limit, text


def check_error(error: RecBrowserError, sent: Any) -> None:
    check_shown(error.message, sent, limit=600)
    assert DEMO_KEY not in error.message and DEMO_KEY[4:] not in error.message
    assert error.code and isinstance(error.exit_code, int)


def render_everywhere(call: CallRecordings, sent: Any, store: HistoryStore, downloads: Path) -> None:
    """Every way recbrowser shows an accepted answer, each checked."""
    assert call.call_id.lower() == CALL_ID  # never another call's ID from the server
    check_shown(format_call(call), sent)

    line = json.dumps(call.to_api_dict())  # what `lookup --json` prints
    assert "\n" not in line
    check_shown(line, sent)
    assert CallRecordings.from_api(call.call_id, json.loads(line)) == call

    for segment in call.segments:
        for local in (None, str(downloads / "x.wav")):
            for cell in segment_cells(segment, local):
                check_shown(cell.plain, sent, limit=48)
        check_shown(detail_text(segment).plain, sent)
        for template in NAMES:
            # render, not plan: plan also parses the URL for its extension (another item of issue 9).
            path = inside(downloads, render(template, CALL_ID, segment, "wav"))
            assert path.resolve().is_relative_to(downloads.resolve())
            check_shown(str(path), sent)
    check_shown(status_summary(status_parts(call.synced_count, call.pending_count, len(call.segments))), sent, limit=80)
    state = CallState(CALL_ID, recordings=call, cached_at=datetime.now(timezone.utc))
    check_shown(header_text(state).plain, sent)
    check_shown(call_prompt(state).plain, sent, limit=40)

    assert store.record_lookup(CALL_ID, call, None), store.warnings
    cached = store.cached(CALL_ID)
    # The client keeps the server's spelling of the ID (any case); the history keys by the asked one.
    assert cached is not None and cached.recordings == dataclasses.replace(call, call_id=CALL_ID)
    check_shown(format_call(cached.recordings, cached_at=cached.fetched_at), sent)
    check_shown(format_history(store.entries()), sent)
    assert [entry.to_json()["segments"] for entry in store.entries()] == [len(call.segments)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    history = HistoryStore(tmp_path_factory.mktemp("history") / "history.sqlite3")
    yield history
    history.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


# --- layer 1: in process, many examples -------------------------------------------------------


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=answers)
def test_any_answer_is_a_typed_error_or_renders_everywhere(body: Any, store: HistoryStore, downloads: Path) -> None:
    try:
        call = CallRecordings.from_api(CALL_ID, body)
    except RecBrowserError as error:
        check_error(error, body)
        return
    render_everywhere(call, body, store, downloads)


# --- layer 2: over real HTTP, fewer examples --------------------------------------------------


class VerbatimServer(ThreadingHTTPServer):
    """Answers every POST with the status and body set last (one connection per request)."""

    daemon_threads = True
    status = 200
    body = b"{}"


class VerbatimHandler(BaseHTTPRequestHandler):
    server: VerbatimServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = self.server.body
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def verbatim() -> Iterator[VerbatimServer]:
    server = VerbatimServer(("127.0.0.1", 0), VerbatimHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def ask(server: VerbatimServer, status: int, body: bytes) -> CallRecordings:
    """One lookup through MagpipeClient against the server answering ``status`` and ``body``."""
    server.status, server.body = status, body

    async def lookup() -> CallRecordings:
        url = f"http://127.0.0.1:{server.server_address[1]}/functions/v1"
        async with MagpipeClient(url, Secret(DEMO_KEY), backoff_base=0.001, backoff_cap=0.01, timeout=10.0) as client:
            return await client.get_recordings(CALL_ID)

    return asyncio.run(lookup())


def encode(value: Any) -> bytes:
    # ensure_ascii: a lone surrogate travels as \ud800, as a server's JSON would carry it.
    return json.dumps(value).encode()


HTTP_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@HTTP_SETTINGS
@given(body=answers)
def test_any_200_answer_over_http_is_a_typed_error_or_renders_everywhere(
    body: Any, verbatim: VerbatimServer, store: HistoryStore, downloads: Path
) -> None:
    try:
        call = ask(verbatim, 200, encode(body))
    except RecBrowserError as error:
        check_error(error, body)
        return
    render_everywhere(call, body, store, downloads)


@HTTP_SETTINGS
@given(status=st.integers(200, 599), body=error_bodies)
def test_any_status_with_any_error_body_over_http_is_a_typed_error_or_an_answer(
    status: int, body: Any, verbatim: VerbatimServer, store: HistoryStore, downloads: Path
) -> None:
    try:
        call = ask(verbatim, status, encode(body))
    except RecBrowserError as error:
        check_error(error, body)
        return
    assert 200 <= status < 300
    render_everywhere(call, body, store, downloads)
