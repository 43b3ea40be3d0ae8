"""MagpipeClient and lookup_many against the shipped fake Magpipe API, over loopback HTTP."""

from __future__ import annotations

import asyncio
import email.utils
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from recbrowser.client import MagpipeClient, RetryNotice, validate_api_url
from recbrowser.errors import (
    ApiError,
    BadResponse,
    InvalidCallId,
    NetworkError,
    NoApiKey,
    NoRecording,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from recbrowser.fakeapi import DEMO_KEY, OTHER_ACCOUNT_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import (
    CONVERSATION_CALL,
    MAIN_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    OTHER_CALL,
    PENDING_CALL,
    TRANSFER_CALL,
    UNKNOWN_CALL,
)
from recbrowser.lookups import lookup_many
from recbrowser.secret import Secret

WRONG_KEY = "mgp_" + "1234567890abcdef" * 2 + "feedface"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl"


def api_requests(fake: FakeMagpipe) -> int:
    return len(fake.requests["api"])


# --- a plain (non-Magpipe) HTTP server, for wrong URLs and odd answers ---------------------


@dataclass
class PlainServer:
    """Answers every request with ``reply`` (status, headers, body) and logs what it got."""

    url: str
    reply: tuple[int, list[tuple[str, str]], bytes] = (404, [("Content-Type", "text/html")], b"<h1>Not Found</h1>")
    hits: list[dict[str, str]] = field(default_factory=list)


class _PlainHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        plain: PlainServer = self.server.plain  # type: ignore[attr-defined]
        plain.hits.append({k.lower(): v for k, v in self.headers.items()})
        status, headers, body = plain.reply
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def plain_server_running() -> Iterator[PlainServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainHandler)
    server.daemon_threads = True
    server.plain = PlainServer(f"http://127.0.0.1:{server.server_address[1]}/functions/v1")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.plain  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def plain(plain_server_running: PlainServer) -> PlainServer:
    plain_server_running.hits.clear()
    plain_server_running.reply = PlainServer.reply
    return plain_server_running


# --- happy path and credentials -------------------------------------------------------------


async def test_documented_example_call_returns_one_synced_main_segment(fake: FakeMagpipe, make_client) -> None:
    call = await make_client().get_recordings(MAIN_CALL)
    assert call.call_id == MAIN_CALL
    assert [(s.label, s.duration_seconds, s.source, s.status) for s in call.segments] == [
        ("main", 125, "signalwire", "synced")
    ]
    assert api_requests(fake) == 1
    request = fake.requests["api"][0]
    assert request.method == "POST" and request.path == "/functions/v1/get-signed-recording-url"
    assert request.headers["content-type"] == "application/json"


async def test_upper_case_call_id_answers_with_the_apis_lowercase_id(make_client) -> None:
    call = await make_client().get_recordings(MAIN_CALL.upper())
    assert call.call_id == MAIN_CALL


async def test_api_origin_sees_exactly_the_bearer_key_and_storage_never_sees_one(
    fake: FakeMagpipe, make_client
) -> None:
    client = make_client()
    calls = [await client.get_recordings(call_id) for call_id in (MAIN_CALL, TRANSFER_CALL, PENDING_CALL)]
    urls = [segment.url for call in calls for segment in call.segments]
    async with httpx.AsyncClient(timeout=10) as http:
        for url in urls:
            assert (await http.get(url)).status_code == 200
    assert len(urls) == 6
    assert fake.auth_headers("api") == [f"Bearer {DEMO_KEY}"] * 3
    assert fake.auth_headers("storage") == [None] * len(urls)
    assert all(s.url.startswith(fake.storage_url) for c in calls for s in c.segments)


async def test_key_pasted_with_bearer_prefix_and_whitespace_is_sent_once_cleanly(
    fake: FakeMagpipe, make_client
) -> None:
    await make_client(f"  Bearer {DEMO_KEY}\n").get_recordings(MAIN_CALL)
    assert fake.auth_headers("api") == [f"Bearer {DEMO_KEY}"]


async def test_session_jwt_is_accepted_as_a_bearer_token(fake: FakeMagpipe, make_client) -> None:
    call = await make_client(JWT).get_recordings(MAIN_CALL)
    assert call.segments[0].label == "main"
    assert fake.auth_headers("api") == [f"Bearer {JWT}"]


async def test_pending_segment_turns_synced_on_refresh(fake: FakeMagpipe, make_client) -> None:
    fake.faults.sync_after_lookups = 1
    client = make_client()
    first = await client.get_recordings(PENDING_CALL)
    second = await client.get_recordings(PENDING_CALL)
    assert first.segments[0].is_pending and "/provider/" in first.segments[0].url
    assert second.segments[0].is_synced and "/storage/" in second.segments[0].url
    assert fake.lookup_count(PENDING_CALL) == 2


# --- errors from the real server ------------------------------------------------------------


async def test_bad_key_is_unauthorized_and_not_retried(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(Unauthorized) as caught:
        await make_client(WRONG_KEY).get_recordings(MAIN_CALL)
    assert caught.value.status == 401 and caught.value.exit_code == 3
    assert "key set" in caught.value.message
    assert api_requests(fake) == 1


@pytest.mark.parametrize(
    ("key", "call_id"),
    [(DEMO_KEY, UNKNOWN_CALL), (DEMO_KEY, OTHER_CALL), (OTHER_ACCOUNT_KEY, MAIN_CALL), (DEMO_KEY, "not-a-uuid")],
    ids=["unknown-id", "other-accounts-call", "demo-call-for-other-key", "malformed-id"],
)
async def test_404_not_found_is_not_found_and_not_retried(
    fake: FakeMagpipe, make_client, key: str, call_id: str
) -> None:
    with pytest.raises(NotFound) as caught:
        await make_client(key).get_recordings(call_id)
    assert caught.value.status == 404 and caught.value.code == "not_found"
    assert api_requests(fake) == 1


async def test_404_no_recording_is_no_recording_and_not_retried(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(NoRecording) as caught:
        await make_client().get_recordings(NO_RECORDING_CALL)
    assert caught.value.code == "no_recording" and caught.value.exit_code == 4
    assert api_requests(fake) == 1


async def test_missing_call_id_400_is_never_retried(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(InvalidCallId, match="call_id is required"):
        await make_client(max_tries=5).get_recordings("")
    assert api_requests(fake) == 1


async def test_no_key_raises_no_api_key_without_sending_a_request(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(NoApiKey) as caught:
        await make_client(None).get_recordings(MAIN_CALL)
    assert "key set" in caught.value.message and "MAGPIPE_API_KEY" in caught.value.message
    assert api_requests(fake) == 0


@pytest.mark.parametrize("junk", ["", "   ", "has space", "mgp_\x07bell", "clé"])
async def test_unusable_key_raises_no_api_key_without_sending_a_request(
    fake: FakeMagpipe, make_client, junk: str
) -> None:
    with pytest.raises(NoApiKey):
        await make_client(junk).get_recordings(MAIN_CALL)
    assert api_requests(fake) == 0


async def test_rate_limit_waits_retry_after_then_succeeds(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 1
    fake.faults.retry_after = 1
    notices: list[RetryNotice] = []
    started = time.monotonic()
    call = await make_client(on_retry=notices.append).get_recordings(MAIN_CALL)
    elapsed = time.monotonic() - started
    assert call.segments[0].label == "main"
    assert api_requests(fake) == 2
    assert elapsed >= 0.9  # it waited the announced second rather than its 1 ms backoff
    (notice,) = notices
    assert (notice.call_id, notice.attempt, notice.max_tries, notice.delay) == (MAIN_CALL, 1, 3, 1.0)
    assert isinstance(notice.error, RateLimited) and notice.error.retry_after == 1.0


async def test_rate_limit_with_zero_retry_after_retries_at_once(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 2
    fake.faults.retry_after = 0
    notices: list[RetryNotice] = []
    await make_client(on_retry=notices.append).get_recordings(MAIN_CALL)
    assert api_requests(fake) == 3
    assert [(n.attempt, n.delay) for n in notices] == [(1, 0.0), (2, 0.0)]


@pytest.mark.parametrize("max_tries", [1, 3, 5])
async def test_rate_limit_forever_gives_rate_limited_after_max_tries(
    fake: FakeMagpipe, make_client, max_tries: int
) -> None:
    fake.faults.rate_limit = 100
    fake.faults.retry_after = 0
    with pytest.raises(RateLimited) as caught:
        await make_client(max_tries=max_tries).get_recordings(MAIN_CALL)
    assert api_requests(fake) == max_tries
    assert caught.value.status == 429 and caught.value.exit_code == 5


async def test_retry_after_beyond_the_cap_gives_up_without_retrying(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 100
    fake.faults.retry_after = 120
    notices: list[RetryNotice] = []
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        await make_client(rate_limit_cap=5, on_retry=notices.append).get_recordings(MAIN_CALL)
    assert time.monotonic() - started < 5
    assert api_requests(fake) == 1 and notices == []
    assert caught.value.retry_after == 120
    assert "120 s" in caught.value.message


async def test_rate_limit_reset_header_is_used_when_there_is_no_retry_after(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 1
    fake.faults.rate_limit_header = "reset"
    fake.faults.retry_after = 100
    with pytest.raises(RateLimited) as caught:
        await make_client(rate_limit_cap=30).get_recordings(MAIN_CALL)
    assert 98 <= caught.value.retry_after <= 101  # epoch X-RateLimit-Reset turned into seconds from now
    assert api_requests(fake) == 1


async def test_rate_limit_reset_in_the_near_future_is_waited_for(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 1
    fake.faults.rate_limit_header = "reset"
    fake.faults.retry_after = 0
    notices: list[RetryNotice] = []
    call = await make_client(on_retry=notices.append).get_recordings(MAIN_CALL)
    assert call.call_id == MAIN_CALL
    (notice,) = notices
    assert 0 <= notice.delay <= 1.0


async def test_rate_limit_without_hints_backs_off(fake: FakeMagpipe, make_client) -> None:
    fake.faults.rate_limit = 2
    fake.faults.rate_limit_header = "none"
    notices: list[RetryNotice] = []
    await make_client(on_retry=notices.append, backoff_base=0.002, backoff_cap=0.003).get_recordings(MAIN_CALL)
    assert [n.attempt for n in notices] == [1, 2]
    assert 0.001 <= notices[0].delay <= 0.002 and 0.0015 <= notices[1].delay <= 0.003
    assert all(n.error.retry_after is None for n in notices)


@pytest.mark.parametrize("failures", [1, 2, 3])
async def test_server_errors_then_success_takes_exactly_one_more_request(
    fake: FakeMagpipe, make_client, failures: int
) -> None:
    fake.faults.fail_500 = failures
    notices: list[RetryNotice] = []
    call = await make_client(max_tries=4, on_retry=notices.append).get_recordings(MAIN_CALL)
    assert call.call_id == MAIN_CALL
    assert api_requests(fake) == failures + 1
    assert [n.attempt for n in notices] == list(range(1, failures + 1))
    assert all(n.max_tries == 4 and n.call_id == MAIN_CALL for n in notices)
    assert all(isinstance(n.error, ServerError) and 0 < n.delay <= 0.01 for n in notices)


@pytest.mark.parametrize("max_tries", [1, 3, 5])
async def test_server_error_forever_gives_server_error_after_exactly_max_tries(
    fake: FakeMagpipe, make_client, max_tries: int
) -> None:
    fake.faults.fail_500 = 100
    with pytest.raises(ServerError) as caught:
        await make_client(max_tries=max_tries).get_recordings(MAIN_CALL)
    assert api_requests(fake) == max_tries
    assert caught.value.status == 500
    assert "Internal server error (injected fault)" in caught.value.message


async def test_html_instead_of_json_is_a_bad_response_and_not_retried(fake: FakeMagpipe, make_client) -> None:
    fake.faults.bad_json = 1
    with pytest.raises(BadResponse, match="not with JSON") as caught:
        await make_client().get_recordings(MAIN_CALL)
    assert caught.value.status == 200 and "API URL" in caught.value.message
    assert api_requests(fake) == 1


async def test_dropped_connection_is_retried_and_then_succeeds(fake: FakeMagpipe, make_client) -> None:
    fake.faults.drop_connection = 1
    notices: list[RetryNotice] = []
    call = await make_client(on_retry=notices.append).get_recordings(MAIN_CALL)
    assert call.call_id == MAIN_CALL
    assert api_requests(fake) == 2
    assert [type(n.error) for n in notices] == [NetworkError]


async def test_connection_that_keeps_dropping_is_a_network_error(fake: FakeMagpipe, make_client) -> None:
    fake.faults.drop_connection = 100
    with pytest.raises(NetworkError, match="dropped"):
        await make_client(max_tries=3).get_recordings(MAIN_CALL)
    assert api_requests(fake) == 3


async def test_connection_refused_is_a_network_error_after_retries(make_client, closed_port: int) -> None:
    notices: list[RetryNotice] = []
    client = make_client(api_url=f"http://127.0.0.1:{closed_port}/functions/v1", on_retry=notices.append)
    with pytest.raises(NetworkError, match="cannot connect") as caught:
        await client.get_recordings(MAIN_CALL)
    assert f"127.0.0.1:{closed_port}" in caught.value.message
    assert [n.attempt for n in notices] == [1, 2]


async def test_slow_answer_beyond_the_timeout_is_a_network_error(fake: FakeMagpipe, make_client) -> None:
    fake.faults.latency = 5
    started = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer in time"):
        await make_client(timeout=0.2, max_tries=2).get_recordings(MAIN_CALL)
    assert time.monotonic() - started < 4  # gave up on both tries rather than waiting for an answer
    assert api_requests(fake) == 2


# --- wrong base URL and odd servers ---------------------------------------------------------


async def test_api_url_pointing_at_the_storage_origin_is_a_bad_response(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(BadResponse) as caught:
        await make_client(api_url=fake.storage_url).get_recordings(MAIN_CALL)
    assert not isinstance(caught.value, NotFound)
    assert len(fake.requests["storage"]) == 1  # never retried


async def test_api_url_pointing_at_the_storage_origin_hints_at_the_api_url(fake: FakeMagpipe, make_client) -> None:
    with pytest.raises(BadResponse) as caught:
        await make_client(api_url=fake.storage_url).get_recordings(MAIN_CALL)
    assert "API URL" in caught.value.message


async def test_plain_404_without_a_magpipe_error_is_a_bad_response_hinting_at_the_url(
    plain: PlainServer, make_client
) -> None:
    with pytest.raises(BadResponse) as caught:
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)
    assert not isinstance(caught.value, NotFound)
    assert "API URL" in caught.value.message and caught.value.status == 404
    assert len(plain.hits) == 1


async def test_a_wrong_api_path_is_a_bad_response_naming_the_servers_message_not_call_not_found(
    fake: FakeMagpipe, make_client
) -> None:
    with pytest.raises(BadResponse) as caught:
        await make_client(api_url=fake.api_url.replace("/functions/v1", "/functions/v2")).get_recordings(MAIN_CALL)
    assert not isinstance(caught.value, NotFound)
    assert "Requested function was not found" in caught.value.message and "API URL" in caught.value.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": {"code": "not_found", "message": "Call not found"}}', NotFound),
        (b'{"error": "Call not found"}', NotFound),
        (b'{"message": "call not found"}', NotFound),
        (b'{"error": {"code": "no_recording", "message": "No recording available for this call"}}', NoRecording),
        (b'{"message": "no Route matched with those values"}', BadResponse),
        (b'{"detail": "Not Found"}', BadResponse),
    ],
)
async def test_only_a_404_about_the_call_is_call_not_found(
    plain: PlainServer, make_client, body: bytes, expected: type
) -> None:
    plain.reply = (404, [("Content-Type", "application/json")], body)
    with pytest.raises(expected) as caught:
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)
    assert type(caught.value) is expected


async def test_redirect_is_not_followed_and_the_key_goes_nowhere_else(
    fake: FakeMagpipe, plain: PlainServer, make_client
) -> None:
    plain.reply = (307, [("Location", f"{fake.storage_url}/elsewhere")], b"")
    with pytest.raises(BadResponse, match="redirects") as caught:
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)
    assert fake.storage_url in caught.value.message
    assert len(plain.hits) == 1
    assert fake.requests["storage"] == [] and fake.requests["api"] == []


async def test_403_is_unauthorized(plain: PlainServer, make_client) -> None:
    plain.reply = (403, [("Content-Type", "application/json")], b'{"error": "Forbidden"}')
    with pytest.raises(Unauthorized):
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)
    assert len(plain.hits) == 1


@pytest.mark.parametrize("status", [405, 409, 418, 422])
async def test_other_4xx_are_bad_responses_never_retried(plain: PlainServer, make_client, status: int) -> None:
    plain.reply = (status, [("Content-Type", "application/json")], b'{"error": {"code": "x", "message": "nope"}}')
    with pytest.raises(BadResponse, match=f"HTTP {status}: nope") as caught:
        await make_client(api_url=plain.url, max_tries=5).get_recordings(MAIN_CALL)
    assert caught.value.status == status
    assert len(plain.hits) == 1


async def test_503_html_is_a_server_error_after_max_tries(plain: PlainServer, make_client) -> None:
    plain.reply = (503, [("Content-Type", "text/html")], b"<h1>Service Unavailable</h1>")
    with pytest.raises(ServerError, match="no details") as caught:
        await make_client(api_url=plain.url, max_tries=3).get_recordings(MAIN_CALL)
    assert caught.value.status == 503
    assert len(plain.hits) == 3


async def test_json_that_is_not_an_object_is_a_bad_response(plain: PlainServer, make_client) -> None:
    plain.reply = (200, [("Content-Type", "application/json")], b'["not", "an", "object"]')
    with pytest.raises(BadResponse, match="JSON object"):
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)


async def test_retry_after_as_an_http_date_beyond_the_cap_gives_up_at_once(plain: PlainServer, make_client) -> None:
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    plain.reply = (429, [("Retry-After", when)], b"")
    with pytest.raises(RateLimited) as caught:
        await make_client(api_url=plain.url, rate_limit_cap=60).get_recordings(MAIN_CALL)
    assert 3500 < caught.value.retry_after <= 3600
    assert len(plain.hits) == 1


async def test_undecodable_body_is_an_api_error_not_a_raw_httpx_exception(plain: PlainServer, make_client) -> None:
    plain.reply = (200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], b"this is not gzip")
    with pytest.raises(ApiError):
        await make_client(api_url=plain.url).get_recordings(MAIN_CALL)


@pytest.mark.parametrize("url", ["ftp://x", "api.magpipe.ai/functions/v1", "http://", "", "   "])
def test_api_url_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        validate_api_url(url)
    with pytest.raises(ValueError):
        MagpipeClient(url, None)


def test_api_url_loses_its_trailing_slash_and_spaces() -> None:
    assert validate_api_url(" https://api.magpipe.ai/functions/v1/ ") == "https://api.magpipe.ai/functions/v1"


# --- the key never leaks into errors --------------------------------------------------------


def _fault(name: str, value: object, **options: object):
    async def scenario(fake: FakeMagpipe, make_client, port: int, key: str) -> None:
        setattr(fake.faults, name, value)
        if name == "rate_limit":
            fake.faults.retry_after = 0
        await make_client(key, **options).get_recordings(MAIN_CALL)

    return scenario


def _lookup(call_id: str, **options: object):
    async def scenario(fake: FakeMagpipe, make_client, port: int, key: str) -> None:
        await make_client(key, **options).get_recordings(call_id)

    return scenario


def _refused():
    async def scenario(fake: FakeMagpipe, make_client, port: int, key: str) -> None:
        await make_client(key, api_url=f"http://127.0.0.1:{port}/functions/v1").get_recordings(MAIN_CALL)

    return scenario


def _storage_origin():
    async def scenario(fake: FakeMagpipe, make_client, port: int, key: str) -> None:
        await make_client(key, api_url=fake.storage_url).get_recordings(MAIN_CALL)

    return scenario


LEAK_SCENARIOS = {
    "unauthorized": (_lookup(MAIN_CALL), Unauthorized),
    "not_found": (_lookup(UNKNOWN_CALL), NotFound),
    "no_recording": (_lookup(NO_RECORDING_CALL), NoRecording),
    "missing_param": (_lookup(""), InvalidCallId),
    "rate_limited": (_fault("rate_limit", 100), RateLimited),
    "server_error": (_fault("fail_500", 100), ServerError),
    "bad_json": (_fault("bad_json", 1), BadResponse),
    "dropped": (_fault("drop_connection", 100), NetworkError),
    "timeout": (_fault("latency", 1, timeout=0.2, max_tries=1), NetworkError),
    "refused": (_refused(), NetworkError),
    "wrong_url": (_storage_origin(), BadResponse),
}


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize("key", [DEMO_KEY, WRONG_KEY], ids=["demo-key", "wrong-key"])
@pytest.mark.parametrize("scenario", list(LEAK_SCENARIOS), ids=list(LEAK_SCENARIOS))
async def test_the_key_never_appears_in_an_error(
    fake: FakeMagpipe, make_client, closed_port: int, scenario: str, key: str
) -> None:
    run, expected = LEAK_SCENARIOS[scenario]
    if key == WRONG_KEY and scenario not in ("refused", "wrong_url", "unauthorized"):
        expected = Unauthorized  # the fake checks the key before anything else
    if scenario == "unauthorized":
        key = WRONG_KEY
    with pytest.raises(expected) as caught:
        await run(fake, make_client, closed_port, key)
    for exc in _chain(caught.value):
        for text in (str(exc), repr(exc), exc.args.__repr__(), getattr(exc, "message", "")):
            assert key not in text
            assert key[4:20] not in text


# --- lookup_many --------------------------------------------------------------------------


class GatedClient(MagpipeClient):
    """Holds the first call's lookup back until every other call has been answered."""

    def __init__(self, *args, first: str, others: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.others = first, others
        self.others_answered = asyncio.Event()
        self.completed: list[str] = []

    async def get_recordings(self, call_id: str):
        if call_id == self.first:
            await self.others_answered.wait()
        try:
            return await super().get_recordings(call_id)
        finally:
            self.completed.append(call_id)
            if len(self.completed) == self.others:
                self.others_answered.set()


class CountingClient(MagpipeClient):
    """Counts lookups in flight at once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0
        self.most_in_flight = 0

    async def get_recordings(self, call_id: str):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super().get_recordings(call_id)
        finally:
            self.in_flight -= 1


async def test_lookup_many_answers_in_input_order_even_when_later_calls_finish_first(fake: FakeMagpipe) -> None:
    ids = [MAIN_CALL, UNKNOWN_CALL, TRANSFER_CALL, NO_RECORDING_CALL, CONVERSATION_CALL]
    async with GatedClient(fake.api_url, Secret(DEMO_KEY), first=ids[0], others=len(ids) - 1) as client:
        results = [r async for r in lookup_many(client, ids, concurrency=len(ids))]
    assert client.completed[-1] == ids[0] and client.completed != ids
    assert [r.call_id for r in results] == ids
    assert [r.error is None for r in results] == [True, False, True, False, True]
    assert isinstance(results[1].error, NotFound) and isinstance(results[3].error, NoRecording)
    assert results[2].recordings is not None and len(results[2].recordings.segments) == 4
    assert results[1].recordings is None


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_lookup_many_keeps_at_most_concurrency_lookups_in_flight(fake: FakeMagpipe, concurrency: int) -> None:
    fake.faults.latency = 0.05
    ids = [MAIN_CALL, TRANSFER_CALL, CONVERSATION_CALL, PENDING_CALL, NULLS_CALL, UNKNOWN_CALL, NO_RECORDING_CALL]
    async with CountingClient(fake.api_url, Secret(DEMO_KEY)) as client:
        results = [r async for r in lookup_many(client, ids, concurrency=concurrency)]
    assert [r.call_id for r in results] == ids
    assert client.most_in_flight == concurrency
    assert api_requests(fake) == len(ids)


async def test_lookup_many_reports_each_error_without_stopping(fake: FakeMagpipe, make_client) -> None:
    ids = [UNKNOWN_CALL, MAIN_CALL, OTHER_CALL]
    results = [r async for r in lookup_many(make_client(), ids)]
    assert [type(r.error) if r.error else None for r in results] == [NotFound, None, NotFound]


async def test_lookup_many_without_a_key_reports_no_api_key_for_each_and_sends_nothing(
    fake: FakeMagpipe, make_client
) -> None:
    results = [r async for r in lookup_many(make_client(None), [MAIN_CALL, TRANSFER_CALL])]
    assert [type(r.error) for r in results] == [NoApiKey, NoApiKey]
    assert api_requests(fake) == 0


async def test_lookup_many_of_nothing_sends_nothing(fake: FakeMagpipe, make_client) -> None:
    assert [r async for r in lookup_many(make_client(), [])] == []
    assert api_requests(fake) == 0


async def test_lookup_many_yields_a_result_for_an_id_the_api_rejects_with_400(fake: FakeMagpipe, make_client) -> None:
    results = [r async for r in lookup_many(make_client(), ["", MAIN_CALL])]
    assert [r.call_id for r in results] == ["", MAIN_CALL]
    assert results[0].error is not None and results[1].error is None


async def test_an_answer_naming_the_call_in_upper_case_keeps_the_canonical_id(fake: FakeMagpipe, make_client) -> None:
    fake.faults.api_body = json.dumps({"call_id": MAIN_CALL.upper(), "recordings": []}).encode()
    call = await make_client().get_recordings(MAIN_CALL)
    assert call.call_id == MAIN_CALL
