"""The API origin: ``POST /functions/v1/<endpoint>`` with Magpipe's statuses and error bodies."""

from __future__ import annotations

import json
import math
import re
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from recbrowser.fakeapi import hostile
from recbrowser.fakeapi.httpbase import BaseHandler, error_body
from recbrowser.fakeapi.samples import SampleCall
from recbrowser.fakeapi.state import FakeState, RequestRecord

API_PREFIX = "/functions/v1"
MAX_LIMIT = 100
DEFAULT_LIMIT = 50

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_BAD_GATEWAY_HTML = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"

Reply = tuple[int, dict[str, Any]]


class InvalidParam(ValueError):
    """A list-calls filter has the wrong type or range."""


def _error(status: int, code: str, message: str) -> Reply:
    return status, error_body(code, message)


def _find_call(state: FakeState, account: str, body: dict[str, Any]) -> SampleCall | Reply:
    call_id = body.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip():
        return _error(400, "missing_param", "call_id is required")
    call = state.calls.get(call_id.lower()) if _UUID.fullmatch(call_id) else None
    if call is None or call.account != account:
        return _error(404, "not_found", "Call not found")
    return call


def get_signed_recording_url(state: FakeState, account: str, body: dict[str, Any]) -> Reply:
    call = _find_call(state, account, body)
    if not isinstance(call, SampleCall):
        return call
    return _recordings_answer(call, state.segments(call, count_lookup=True))


def _recordings_answer(call: SampleCall, recordings: list[dict[str, Any]]) -> Reply:
    if not recordings:
        return _error(404, "no_recording", "No recording available for this call")
    return 200, {
        "call_id": call.call_id,
        "recording_url": recordings[0]["url"],
        "recordings": recordings,
    }


CACHED_FROM = 1000
"""Lookups of calls with at least this many segments are answered from encoded bytes (``lookup_answer``)."""

_encoded: weakref.WeakKeyDictionary[FakeState, dict[tuple[str, bool], tuple[SampleCall, bytes]]] = (
    weakref.WeakKeyDictionary()
)


def lookup_answer(state: FakeState, account: str, body: dict[str, Any]) -> Reply | bytes:
    """``get_signed_recording_url``'s answer, for a call of ``CACHED_FROM`` segments or more whose
    URLs need no fresh signature as its JSON bytes, encoded once per sync state and then reused.

    Building and encoding 100,000 segments takes the fake 0.3 s of the 2 cores it shares with the
    client a benchmark measures; a real server's cost is no part of the app's. Counts the lookup."""
    call = _find_call(state, account, body)
    if not isinstance(call, SampleCall):
        return call
    synced = state.note_lookup(call)
    if len(call.recordings) < CACHED_FROM or state.signs(call, synced):
        return _recordings_answer(call, state.render_segments(call, synced))
    answers = _encoded.setdefault(state, {})
    cached = answers.get((call.call_id, synced))
    if cached is None or cached[0] is not call:
        _, payload = _recordings_answer(call, state.render_segments(call, synced))
        cached = answers[(call.call_id, synced)] = (call, json.dumps(payload).encode())
    return cached[1]


def _summary(call: SampleCall) -> dict[str, Any]:
    return {
        "id": call.call_id,
        "agent_id": call.agent_id,
        "agent_name": call.agent_name,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "direction": call.direction,
        "status": call.status,
        "duration": call.duration,
        "sentiment": call.sentiment,
        "call_summary": call.call_summary,
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "created_at": call.created_at,
    }


def get_call(state: FakeState, account: str, body: dict[str, Any]) -> Reply:
    if state.faults.take("get_call_error"):
        return _error(500, "server_error", "Internal server error (injected fault)")
    call = _find_call(state, account, body)
    if not isinstance(call, SampleCall):
        return call
    recordings = state.segments(call, count_lookup=False)
    detail = _summary(call)
    detail.update(
        recording_url=recordings[0]["url"] if recordings else None,
        transcript=call.transcript,
        metadata=call.metadata,
    )
    return 200, detail


def _int_param(body: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    in_range = isinstance(value, int) and low <= value and (high is None or value <= high)
    if isinstance(value, bool) or not in_range:
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParam(f"{name} must be an integer {bound}")
    return value


def _str_param(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidParam(f"{name} must be a string")
    return value or None


def _date_param(body: dict[str, Any], name: str) -> datetime | None:
    value = _str_param(body, name)
    if value is None:
        return None
    try:
        return _parse_time(value)
    except ValueError:
        raise InvalidParam(f"{name} must be an ISO 8601 date") from None


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def list_calls(state: FakeState, account: str, body: dict[str, Any]) -> Reply:
    faults = state.faults
    if faults.take("list_calls_query_error"):
        return _error(500, "query_error", 'invalid input syntax for type timestamp with time zone: "someday"')
    try:
        limit = _int_param(body, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_param(body, "offset", 0, 0, None)
        wanted = {name: _str_param(body, name) for name in ("direction", "status", "agent_id")}
        phone = _str_param(body, "phone_number")
        since, until = _date_param(body, "from_date"), _date_param(body, "to_date")
    except InvalidParam as problem:
        return _error(400, "invalid_param", str(problem))

    def matches(call: SampleCall) -> bool:
        created = _parse_time(call.created_at)
        return (
            call.account == account
            and all(value is None or getattr(call, name) == value for name, value in wanted.items())
            and (phone is None or phone in (call.from_number, call.to_number))
            and (since is None or created >= since)
            and (until is None or created <= until)
        )

    if faults.list_calls_hold_after_first and offset > 0:
        faults.list_calls_release.wait(60)
    if state.count_list_page() == faults.list_calls_arrival_after:
        state.arrive(account)
    newest_first = sorted(state.calls.values(), key=lambda c: _parse_time(c.created_at), reverse=True)
    found = [call for call in newest_first if matches(call)]
    shown = limit if faults.list_calls_row_cap is None else min(limit, faults.list_calls_row_cap)
    page = found[offset : offset + shown]
    has_more = len(found) > offset + limit
    if faults.list_calls_empty_from is not None and offset >= faults.list_calls_empty_from:
        page, has_more = [], True
    return 200, {
        "calls": [_summary(call) for call in page],
        "total": len(found),
        "has_more": has_more or faults.list_calls_lying_has_more,
    }


def list_agents(state: FakeState, account: str, body: dict[str, Any]) -> Reply:
    """The agents of the account's calls (first name seen per id), then ``Faults.extra_agents``."""
    try:
        limit = _int_param(body, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_param(body, "offset", 0, 0, None)
    except InvalidParam as problem:
        return _error(400, "invalid_param", str(problem))
    agents: dict[str, str] = {}
    for call in list(state.calls.values()):
        if call.account == account:
            agents.setdefault(call.agent_id, call.agent_name)
    for agent_id, name in state.faults.extra_agents:
        agents.setdefault(agent_id, name)
    rows = [
        {"id": agent_id, "name": name, "is_active": True, "agent_type": "inbound_voice", "voice_id": "alloy"}
        for agent_id, name in agents.items()
    ]
    return 200, {
        "agents": rows[offset : offset + limit],
        "total": len(rows),
        "has_more": len(rows) > offset + limit,
    }


ENDPOINTS: dict[str, Callable[[FakeState, str, dict[str, Any]], Reply]] = {
    "get-signed-recording-url": get_signed_recording_url,
    "list-calls": list_calls,
    "get-call": get_call,
    "list-agents": list_agents,
}


class ApiHandler(BaseHandler):
    """Routes, authenticates, injects faults, then answers one endpoint."""

    origin = "api"
    _generation = 0

    def dispatch(self, request: RequestRecord) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        prefix, _, name = path.rpartition("/")
        endpoint = ENDPOINTS.get(name) if prefix == API_PREFIX else None
        if endpoint is None:
            # What Supabase's gateway (where Magpipe's functions run) answers for a path it does
            # not know: not Magpipe's error shape.
            self.send_json(
                404,
                {"code": "NOT_FOUND", "message": "Requested function was not found"},
                [("sb-error-code", "NOT_FOUND")],
            )
            return
        if self.command != "POST":
            self.send_error_json(405, "method_not_allowed", "Method not allowed", [("Allow", "POST")])
            return
        account = self._account(request.authorization)
        if account is None:
            self.send_error_json(401, "unauthorized", "Unauthorized")
            return
        if self._injected_fault():
            return
        try:
            body = json.loads(request.body) if request.body.strip() else {}
        except ValueError:
            body = None
        if name == "get-signed-recording-url" and self._verbatim_answer(body):
            return
        if not isinstance(body, dict):
            self.send_error_json(400, "invalid_json", "Invalid JSON body")
            return
        if name == "get-signed-recording-url":
            self._hold_lookup(body)
        try:
            if endpoint is get_signed_recording_url and not self._shaping():
                answer = lookup_answer(self.state, account, body)
            else:
                answer = endpoint(self.state, account, body)
        except Exception as problem:  # the real API answers 500 with the exception text
            answer = _error(500, "server_error", str(problem) or type(problem).__name__)
        if isinstance(answer, bytes):
            self.send_body(200, answer, "application/json")
            return
        status, payload = answer
        if status == 200 and self._hostile_answer(name, payload):
            return
        self.send_json(status, payload)

    def _hold_lookup(self, body: dict[str, Any]) -> None:
        """Wait for ``Faults.lookup_release`` when this lookup is of ``Faults.lookup_hold``."""
        faults = self.state.faults
        held = faults.lookup_hold
        if held is None or str(body.get("call_id", "")).lower() != held.lower():
            return
        release, deadline = faults.lookup_release, time.monotonic() + 60
        while not release.wait(0.05) and not self._interrupted(0) and time.monotonic() < deadline:
            pass

    def _verbatim_answer(self, request: Any) -> bool:
        """Answer ``Faults.api_body`` as it is; True when it applies to this request."""
        faults = self.state.faults
        body, only = faults.api_body, faults.api_body_call
        if body is None:
            return False
        if only is not None and not (
            isinstance(request, dict) and str(request.get("call_id", "")).lower() == only.lower()
        ):
            return False
        headers = list(faults.api_headers)
        named = {name.lower() for name, _ in headers}
        content_type = [] if "content-type" in named else [("Content-Type", "application/json")]
        self.send_head(faults.api_status, [*content_type, ("Content-Length", str(len(body))), *headers])
        if self.command != "HEAD":
            self.wfile.write(body)
        return True

    def _shaping(self) -> bool:
        """True when a fault that shapes a 200 answer from its payload may apply."""
        faults = self.state.faults
        return faults.api_nesting > 0 or faults.api_gzip_bomb > 0 or faults.api_huge_body > 0 or faults.api_drip > 0

    def _hostile_answer(self, name: str, payload: dict[str, Any]) -> bool:
        """Send a 200 answer shaped by the apibounds faults; True when one did."""
        faults = self.state.faults
        if faults.api_nesting > 0 and name == "get-signed-recording-url":
            self.send_body(200, hostile.dumps_nested(payload, faults.api_nesting), "application/json")
            return True
        if faults.take("api_gzip_bomb"):
            length, chunks = hostile.gzip_bomb(payload, faults.api_bomb_bytes)
            self._stream(length, chunks, [("Content-Encoding", "gzip")])
            return True
        if faults.take("api_huge_body"):
            _, chunks = hostile.padded(payload, faults.api_huge_bytes)
            self.send_head(200, [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True
            return True
        if faults.take("api_drip"):
            body = json.dumps(payload).encode()
            self.send_head(200, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            for offset in range(len(body)):
                self.wfile.write(body[offset : offset + 1])
                if self._interrupted(faults.api_drip_interval):
                    break
            self.close_connection = True
            return True
        return False

    def _stream(self, length: int, chunks: Iterable[bytes], headers: list[tuple[str, str]]) -> None:
        self.send_head(200, [("Content-Type", "application/json"), ("Content-Length", str(length)), *headers])
        for chunk in chunks:
            self.wfile.write(chunk)
        self.close_connection = True

    def _interrupted(self, seconds: float) -> bool:
        """Wait ``seconds``; True when the server stops or the faults were reset meanwhile."""
        return self.server.stopping.wait(seconds) or self.state.faults.generation != self._generation

    def _account(self, authorization: str | None) -> str | None:
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.state.account_for(token.strip())

    def _injected_fault(self) -> bool:
        """Apply the API faults in order; True when one of them answered."""
        faults = self.state.faults
        generation = self._generation = faults.generation
        if faults.take("drop_connection"):
            self.close_connection = True
            return True
        if faults.latency > 0:
            self.server.stopping.wait(faults.latency)
            if faults.generation != generation:
                # The faults were reset while this request slept: its client (a finished
                # test) is gone, and it must not consume faults set up for the next one.
                self.close_connection = True
                return True
        if faults.take("rate_limit"):
            self.send_error_json(429, "rate_limited", "Too many requests", self._rate_limit_headers())
            return True
        if faults.take("fail_500"):
            self.send_error_json(500, "server_error", "Internal server error (injected fault)")
            return True
        if faults.take("bad_json"):
            self.send_body(200, _BAD_GATEWAY_HTML, "text/html")
            return True
        if faults.take("api_hang"):
            while not self._interrupted(0.05):
                pass
            self.close_connection = True
            return True
        return False

    def _rate_limit_headers(self) -> list[tuple[str, str]]:
        faults = self.state.faults
        headers = [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "0")]
        if faults.rate_limit_header in ("retry-after", "reset"):
            headers.append(("X-RateLimit-Reset", str(math.ceil(time.time()) + faults.retry_after)))
        if faults.rate_limit_header == "retry-after":
            headers.append(("Retry-After", str(faults.retry_after)))
        return headers
