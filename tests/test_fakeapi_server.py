"""The fake Magpipe API behaves like the contract in magpipe-api.md, over real HTTP."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest

from recbrowser.fakeapi import (
    DEMO_KEY,
    OTHER_ACCOUNT_KEY,
    SAMPLE_CALLS,
    FakeMagpipe,
    Faults,
    big_bytes,
    big_sha256,
    segment_wav,
)
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    MARKUP_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    OTHER_CALL,
    PATHLIKE_CALL,
    PENDING_CALL,
    TRANSFER_CALL,
    UNKNOWN_CALL,
    UNKNOWN_VALUES_CALL,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl"

# Magpipe's published OpenAPI document, copied from ../shared/ into the repo so CI always has it.
OPENAPI = Path(os.environ.get("MAGPIPE_OPENAPI", Path(__file__).parent / "data" / "magpipe-openapi.json"))


def _jsonschema_from_openapi(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` spelled as JSON Schema's ``type: [..., "null"]``."""
    if isinstance(node, list):
        return [_jsonschema_from_openapi(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _jsonschema_from_openapi(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in node:
        converted["type"] = [node["type"], "null"]
    return converted


@pytest.fixture(scope="module")
def recording_schema() -> dict[str, Any]:
    document = json.loads(OPENAPI.read_text())
    operation = document["paths"]["/get-signed-recording-url"]["post"]
    return _jsonschema_from_openapi(operation["responses"]["200"]["content"]["application/json"]["schema"])


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def post(
    client: httpx.Client,
    fake: FakeMagpipe,
    endpoint: str,
    body: Any = None,
    *,
    token: str | None = DEMO_KEY,
    content: bytes | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if content is not None:
        return client.post(f"{fake.api_url}/{endpoint}", content=content, headers=headers)
    return client.post(f"{fake.api_url}/{endpoint}", json=body, headers=headers)


def lookup(client: httpx.Client, fake: FakeMagpipe, call_id: str, token: str = DEMO_KEY) -> httpx.Response:
    return post(client, fake, "get-signed-recording-url", {"call_id": call_id}, token=token)


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message


def recordings_of(client: httpx.Client, fake: FakeMagpipe, call_id: str) -> list[dict[str, Any]]:
    response = lookup(client, fake, call_id)
    assert response.status_code == 200, response.text
    return response.json()["recordings"]


# --- get-signed-recording-url: success ---------------------------------------------------


def test_documented_example_call_returns_one_synced_main_segment(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = lookup(client, fake, MAIN_CALL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["call_id"] == MAIN_CALL
    [segment] = body["recordings"]
    assert body["recording_url"] == segment["url"]
    assert segment == {
        "url": f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav",
        "label": "main",
        "duration_seconds": 125,
        "source": "signalwire",
        "status": "synced",
        "created_at": segment["created_at"],
    }
    assert segment["created_at"].startswith("2026-")


@pytest.mark.parametrize(
    "call", [c for c in SAMPLE_CALLS if c.recordings and c.account == "demo"], ids=lambda c: c.call_id
)
def test_every_recording_response_validates_against_openapi(
    fake: FakeMagpipe, client: httpx.Client, recording_schema: dict[str, Any], call: Any
) -> None:
    body = lookup(client, fake, call.call_id).json()
    jsonschema.validate(body, recording_schema)
    assert body["recording_url"] == body["recordings"][0]["url"]
    assert [r["label"] for r in body["recordings"]] == [s.label for s in call.recordings]


def test_schema_conversion_rejects_a_non_string_label(recording_schema: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"recordings": [{"label": None}]}, recording_schema)


def test_lookup_is_case_insensitive_and_answers_the_stored_lowercase_id(
    fake: FakeMagpipe, client: httpx.Client
) -> None:
    response = lookup(client, fake, MAIN_CALL.upper())
    assert response.status_code == 200
    assert response.json()["call_id"] == MAIN_CALL
    assert fake.lookup_count(MAIN_CALL) == 1


def test_transfer_call_mixes_synced_storage_and_pending_provider_urls(fake: FakeMagpipe, client: httpx.Client) -> None:
    recordings = recordings_of(client, fake, TRANSFER_CALL)
    assert [(r["label"], r["status"]) for r in recordings] == [
        ("main", "synced"),
        ("transferee_consult", "synced"),
        ("transfer_conference", "pending_sync"),
        ("back_to_agent", "pending_sync"),
    ]
    for index, recording in enumerate(recordings, start=1):
        url = urlsplit(recording["url"])
        assert f"{url.scheme}://{url.netloc}" == fake.storage_url != urlsplit(fake.api_url)._replace(path="").geturl()
        if recording["status"] == "synced":
            assert url.path == f"/storage/v1/object/public/recordings/{TRANSFER_CALL}/{index}.wav"
            assert url.query == ""
        else:
            assert url.path == f"/provider/recordings/{TRANSFER_CALL}/{index}.wav"
            query = parse_qs(url.query)
            assert len(query["token"][0]) >= 16
            assert int(query["expires"][0]) > time.time()


def test_odd_values_are_served_verbatim(fake: FakeMagpipe, client: httpx.Client) -> None:
    [nulls] = recordings_of(client, fake, NULLS_CALL)
    assert (nulls["duration_seconds"], nulls["created_at"], nulls["source"]) == (None, None, "unknown")
    unknown = recordings_of(client, fake, UNKNOWN_VALUES_CALL)
    assert (unknown[0]["label"], unknown[0]["source"]) == ("voicemail_drop", "twilio")
    assert unknown[1]["status"] == "archived"
    assert [r["label"] for r in recordings_of(client, fake, MARKUP_CALL)] == ["[bold]x[/]", "\x1b[31mred\x07"]
    assert [r["label"] for r in recordings_of(client, fake, PATHLIKE_CALL)] == ["../../etc", "a/b\\c"]


def test_each_lookup_re_signs_pending_urls(fake: FakeMagpipe, client: httpx.Client) -> None:
    first = recordings_of(client, fake, PENDING_CALL)[0]["url"]
    second = recordings_of(client, fake, PENDING_CALL)[0]["url"]
    assert first != second
    assert parse_qs(urlsplit(first).query)["token"] != parse_qs(urlsplit(second).query)["token"]
    assert client.get(first).status_code == 200
    assert client.get(second).status_code == 200


def test_pending_segment_turns_synced_after_configured_lookups(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.sync_after_lookups = 1
    storage_path = f"{fake.storage_url}/storage/v1/object/public/recordings/{PENDING_CALL}/1.wav"
    assert client.get(storage_path).status_code == 404
    [before] = recordings_of(client, fake, PENDING_CALL)
    assert before["status"] == "pending_sync"
    assert "/provider/" in before["url"]
    [after] = recordings_of(client, fake, PENDING_CALL)
    assert after["status"] == "synced"
    assert after["url"] == storage_path
    assert client.get(storage_path).status_code == 200
    assert fake.lookup_count(PENDING_CALL) == 2


def test_pending_segment_stays_pending_by_default(fake: FakeMagpipe, client: httpx.Client) -> None:
    for _ in range(3):
        assert recordings_of(client, fake, PENDING_CALL)[0]["status"] == "pending_sync"
    assert fake.lookup_count(PENDING_CALL) == 3
    assert fake.lookup_count(MAIN_CALL) == 0


def test_sync_after_zero_lookups_syncs_immediately(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.sync_after_lookups = 0
    assert recordings_of(client, fake, TRANSFER_CALL)[3]["status"] == "synced"


# --- get-signed-recording-url: errors ---------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer mgp_" + "0" * 40, "Bearer", f"Basic {DEMO_KEY}", DEMO_KEY, "Bearer eyJnot.a-jwt"],
)
def test_missing_or_invalid_token_is_401(fake: FakeMagpipe, client: httpx.Client, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.post(f"{fake.api_url}/get-signed-recording-url", json={"call_id": MAIN_CALL}, headers=headers)
    assert_error(response, 401, "unauthorized", "Unauthorized")


def test_jwt_session_token_is_accepted_as_the_demo_account(fake: FakeMagpipe, client: httpx.Client) -> None:
    assert lookup(client, fake, MAIN_CALL, token=JWT).status_code == 200


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'"call_id"', b"\xff\xfe", b"{"])
def test_body_that_is_not_a_json_object_is_400_invalid_json(
    fake: FakeMagpipe, client: httpx.Client, content: bytes
) -> None:
    response = post(client, fake, "get-signed-recording-url", content=content)
    assert_error(response, 400, "invalid_json", "Invalid JSON body")


@pytest.mark.parametrize(
    "body", [{}, {"call_id": ""}, {"call_id": "   "}, {"call_id": None}, {"call_id": 42}, {"call_id": ["x"]}]
)
def test_absent_or_empty_call_id_is_400_missing_param(
    fake: FakeMagpipe, client: httpx.Client, body: dict[str, Any]
) -> None:
    response = post(client, fake, "get-signed-recording-url", body)
    assert_error(response, 400, "missing_param", "call_id is required")


def test_empty_body_is_400_missing_param(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = post(client, fake, "get-signed-recording-url", content=b"")
    assert_error(response, 400, "missing_param", "call_id is required")


@pytest.mark.parametrize(
    "call_id", [UNKNOWN_CALL, "not-a-uuid", MAIN_CALL[:-1], MAIN_CALL + "0", f" {MAIN_CALL}", OTHER_CALL]
)
def test_unknown_malformed_or_foreign_call_is_404_not_found(
    fake: FakeMagpipe, client: httpx.Client, call_id: str
) -> None:
    assert_error(lookup(client, fake, call_id), 404, "not_found", "Call not found")


def test_accounts_cannot_see_each_others_calls(fake: FakeMagpipe, client: httpx.Client) -> None:
    assert lookup(client, fake, OTHER_CALL, token=OTHER_ACCOUNT_KEY).status_code == 200
    assert_error(lookup(client, fake, MAIN_CALL, token=OTHER_ACCOUNT_KEY), 404, "not_found", "Call not found")


def test_call_without_recording_is_404_no_recording(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = lookup(client, fake, NO_RECORDING_CALL)
    assert_error(response, 404, "no_recording", "No recording available for this call")


def test_unknown_path_is_the_gateways_404_and_wrong_method_is_405(fake: FakeMagpipe, client: httpx.Client) -> None:
    gateway = {"code": "NOT_FOUND", "message": "Requested function was not found"}
    for response in (
        post(client, fake, "delete-everything", {}),
        client.post(fake.api_url.replace("/functions/v1", "/get-call"), json={}),
    ):
        assert response.status_code == 404 and response.json() == gateway
        assert response.headers["sb-error-code"] == "NOT_FOUND"
    response = client.get(f"{fake.api_url}/get-signed-recording-url", headers={"Authorization": f"Bearer {DEMO_KEY}"})
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


def test_chunked_request_body_is_read(fake: FakeMagpipe, client: httpx.Client) -> None:
    payload = json.dumps({"call_id": MAIN_CALL}).encode()
    response = client.post(
        f"{fake.api_url}/get-signed-recording-url",
        content=iter([payload[:10], payload[10:]]),
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
    )
    assert response.status_code == 200
    assert fake.requests["api"][-1].headers["transfer-encoding"] == "chunked"


# --- list-calls and get-call -------------------------------------------------------------


def list_calls(client: httpx.Client, fake: FakeMagpipe, token: str = DEMO_KEY, **body: Any) -> httpx.Response:
    return post(client, fake, "list-calls", body, token=token)


DEMO_CALLS = sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
CALL_FIELDS = {
    "id",
    "agent_id",
    "agent_name",
    "from_number",
    "to_number",
    "direction",
    "status",
    "duration",
    "sentiment",
    "call_summary",
    "started_at",
    "ended_at",
    "created_at",
}


def test_list_calls_returns_the_accounts_calls_newest_first(fake: FakeMagpipe, client: httpx.Client) -> None:
    body = list_calls(client, fake).json()
    assert [c["id"] for c in body["calls"]] == [c.call_id for c in DEMO_CALLS]
    assert body["total"] == len(DEMO_CALLS)
    assert body["has_more"] is False
    assert all(set(call) == CALL_FIELDS for call in body["calls"])
    assert OTHER_CALL not in {c["id"] for c in body["calls"]}
    other = list_calls(client, fake, token=OTHER_ACCOUNT_KEY).json()
    assert [c["id"] for c in other["calls"]] == [OTHER_CALL]


def test_list_calls_includes_unconnected_calls(fake: FakeMagpipe, client: httpx.Client) -> None:
    statuses = {c["status"] for c in list_calls(client, fake).json()["calls"]}
    assert {"completed", "failed", "no-answer", "busy"} <= statuses


def test_list_calls_pages_with_limit_and_offset(fake: FakeMagpipe, client: httpx.Client) -> None:
    first = list_calls(client, fake, limit=5).json()
    second = list_calls(client, fake, limit=5, offset=5).json()
    last = list_calls(client, fake, limit=5, offset=10).json()
    assert (first["has_more"], second["has_more"], last["has_more"]) == (True, True, False)
    assert first["total"] == second["total"] == last["total"] == len(DEMO_CALLS)
    ids = [c["id"] for page in (first, second, last) for c in page["calls"]]
    assert ids == [c.call_id for c in DEMO_CALLS]
    assert list_calls(client, fake, offset=100).json()["calls"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"direction": "outbound"}, lambda c: c.direction == "outbound"),
        ({"status": "no-answer"}, lambda c: c.status == "no-answer"),
        ({"agent_id": DEMO_CALLS[0].agent_id}, lambda c: c.agent_id == DEMO_CALLS[0].agent_id),
        ({"phone_number": "+14155550166"}, lambda c: "+14155550166" in (c.from_number, c.to_number)),
        ({"from_date": "2026-03-01T00:00:00Z"}, lambda c: c.created_at >= "2026-03-01T00:00:00Z"),
        ({"to_date": "2026-02-28"}, lambda c: c.created_at <= "2026-02-28T00:00:00Z"),
        (
            {"from_date": "2026-02-28T00:00:00+00:00", "to_date": "2026-03-01T23:59:59Z", "direction": "outbound"},
            lambda c: "2026-02-28" <= c.created_at <= "2026-03-01T23:59:59Z" and c.direction == "outbound",
        ),
    ],
)
def test_list_calls_filters(fake: FakeMagpipe, client: httpx.Client, body: dict[str, Any], expected: Any) -> None:
    response = list_calls(client, fake, **body)
    assert response.status_code == 200
    wanted = [c.call_id for c in DEMO_CALLS if expected(c)]
    assert wanted, "filter case should match something"
    assert [c["id"] for c in response.json()["calls"]] == wanted
    assert response.json()["total"] == len(wanted)


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "10"},
        {"limit": 1.5},
        {"limit": True},
        {"offset": -1},
        {"direction": 1},
        {"from_date": "yesterday"},
    ],
)
def test_list_calls_rejects_bad_parameters(fake: FakeMagpipe, client: httpx.Client, body: dict[str, Any]) -> None:
    assert_error(list_calls(client, fake, **body), 400, "invalid_param")


def test_list_calls_accepts_limit_bounds(fake: FakeMagpipe, client: httpx.Client) -> None:
    assert len(list_calls(client, fake, limit=1).json()["calls"]) == 1
    assert list_calls(client, fake, limit=100).status_code == 200


def test_get_call_returns_details_with_recording_url(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = post(client, fake, "get-call", {"call_id": MAIN_CALL.upper()})
    assert response.status_code == 200
    call = response.json()
    assert set(call) == CALL_FIELDS | {"recording_url", "transcript", "metadata"}
    assert call["id"] == MAIN_CALL
    assert call["recording_url"] == f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav"
    assert call["from_number"].startswith("+") and call["duration"] == 125
    assert fake.lookup_count(MAIN_CALL) == 0


def test_get_call_without_recording_has_null_recording_url(fake: FakeMagpipe, client: httpx.Client) -> None:
    assert post(client, fake, "get-call", {"call_id": NO_RECORDING_CALL}).json()["recording_url"] is None


def test_get_call_errors_match_the_lookup_errors(fake: FakeMagpipe, client: httpx.Client) -> None:
    assert_error(post(client, fake, "get-call", {}), 400, "missing_param", "call_id is required")
    assert_error(post(client, fake, "get-call", {"call_id": OTHER_CALL}), 404, "not_found", "Call not found")
    assert_error(post(client, fake, "get-call", content=b"nope"), 400, "invalid_json")
    assert_error(post(client, fake, "get-call", {"call_id": MAIN_CALL}, token="bad"), 401, "unauthorized")


# --- API faults ----------------------------------------------------------------------------


def test_fail_500_fails_the_next_n_requests_then_recovers(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.fail_500 = 2
    assert_error(lookup(client, fake, MAIN_CALL), 500, "server_error")
    assert_error(list_calls(client, fake), 500, "server_error")
    assert lookup(client, fake, MAIN_CALL).status_code == 200
    assert fake.faults.fail_500 == 0


def test_faults_come_after_authentication(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.fail_500 = 1
    assert_error(lookup(client, fake, MAIN_CALL, token="wrong"), 401, "unauthorized")
    assert fake.faults.fail_500 == 1


@pytest.mark.parametrize(
    ("mode", "present", "absent"),
    [
        ("retry-after", {"retry-after", "x-ratelimit-reset"}, set()),
        ("reset", {"x-ratelimit-reset"}, {"retry-after"}),
        ("none", set(), {"retry-after", "x-ratelimit-reset"}),
    ],
)
def test_rate_limit_answers_429_with_configured_headers(
    fake: FakeMagpipe, client: httpx.Client, mode: str, present: set[str], absent: set[str]
) -> None:
    fake.faults.rate_limit = 1
    fake.faults.retry_after = 7
    fake.faults.rate_limit_header = mode
    before = int(time.time())
    response = lookup(client, fake, MAIN_CALL)
    assert response.status_code == 429
    assert response.json()["error"]["code"]
    assert response.headers["x-ratelimit-limit"] == "100"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert present <= set(response.headers) and not absent & set(response.headers)
    if "retry-after" in present:
        assert response.headers["retry-after"] == "7"
    if "x-ratelimit-reset" in present:
        assert before + 7 <= int(response.headers["x-ratelimit-reset"]) <= int(time.time()) + 8
    assert lookup(client, fake, MAIN_CALL).status_code == 200


def test_bad_json_answers_200_with_html(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.bad_json = 1
    response = lookup(client, fake, MAIN_CALL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert lookup(client, fake, MAIN_CALL).json()["call_id"] == MAIN_CALL


def test_drop_connection_closes_without_a_response(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.drop_connection = 1
    with pytest.raises(httpx.RemoteProtocolError):
        lookup(client, fake, MAIN_CALL)
    assert lookup(client, fake, MAIN_CALL).status_code == 200
    assert len(fake.requests["api"]) == 2


def test_latency_delays_every_response(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.latency = 0.2
    started = time.monotonic()
    assert lookup(client, fake, MAIN_CALL).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_a_request_that_slept_through_a_reset_takes_none_of_the_next_tests_faults(
    fake: FakeMagpipe, client: httpx.Client
) -> None:
    # A slow request abandoned by one test wakes up during the next; it must not eat that test's fault.
    fake.faults.latency = 1.0
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(lookup, client, fake, MAIN_CALL)
        deadline = time.monotonic() + 10
        while not fake.requests["api"] and time.monotonic() < deadline:
            time.sleep(0.005)
        assert fake.requests["api"], "the slow request never arrived"
        fake.reset()
        fake.faults.bad_json = 1
        with pytest.raises(httpx.RemoteProtocolError):
            slow.result()
    assert lookup(client, fake, MAIN_CALL).headers["content-type"].startswith("text/html")
    assert lookup(client, fake, MAIN_CALL).status_code == 200


def test_faults_fire_in_documented_order(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.rate_limit = 1
    fake.faults.fail_500 = 1
    fake.faults.bad_json = 1
    assert lookup(client, fake, MAIN_CALL).status_code == 429
    assert lookup(client, fake, MAIN_CALL).status_code == 500
    assert lookup(client, fake, MAIN_CALL).headers["content-type"].startswith("text/html")
    assert lookup(client, fake, MAIN_CALL).status_code == 200


def test_reset_restores_defaults_and_clears_logs(fake: FakeMagpipe, client: httpx.Client) -> None:
    faults = fake.faults
    faults.fail_500 = 3
    faults.range_unsupported = True
    faults.sync_after_lookups = 0
    faults.fail_500 = 0
    recordings_of(client, fake, PENDING_CALL)
    fake.reset()
    assert fake.faults is faults
    assert faults == Faults()
    assert fake.requests == {"api": [], "storage": []}
    assert fake.lookup_count(PENDING_CALL) == 0
    assert recordings_of(client, fake, PENDING_CALL)[0]["status"] == "pending_sync"


# --- request log and credentials -----------------------------------------------------------


def test_request_log_records_every_request_and_its_authorization(fake: FakeMagpipe, client: httpx.Client) -> None:
    lookup(client, fake, MAIN_CALL)
    post(client, fake, "list-calls", {}, token=None)
    [record, _anonymous] = fake.requests["api"]
    assert (record.method, record.path) == ("POST", "/functions/v1/get-signed-recording-url")
    assert json.loads(record.body) == {"call_id": MAIN_CALL}
    assert record.headers["content-type"] == "application/json"
    assert fake.auth_headers("api") == [f"Bearer {DEMO_KEY}", None]


def test_storage_records_authorization_it_never_needs(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = recordings_of(client, fake, MAIN_CALL)[0]["url"]
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Authorization": "Bearer leaked"}).status_code == 200
    assert fake.auth_headers("storage") == [None, "Bearer leaked"]
    assert fake.requests["storage"][0].path == urlsplit(url).path


# --- storage origin --------------------------------------------------------------------------


def test_synced_segment_serves_a_real_wav_with_validators(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = recordings_of(client, fake, MAIN_CALL)[0]["url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["etag"].startswith('"') and response.headers["etag"].endswith('"')
    assert response.headers["last-modified"].endswith("GMT")
    assert response.content == segment_wav(MAIN_CALL, 1)
    with wave.open(io.BytesIO(response.content)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert 1 <= audio.getnframes() / audio.getframerate() <= 3
    again = client.get(url)
    assert again.headers["etag"] == response.headers["etag"]
    assert again.headers["last-modified"] == response.headers["last-modified"]


def test_segments_have_distinct_deterministic_audio() -> None:
    wavs = [segment_wav(TRANSFER_CALL, index) for index in range(1, 5)]
    assert len(set(wavs)) == 4
    segment_wav.cache_clear()
    assert segment_wav(TRANSFER_CALL, 1) == wavs[0]


def test_head_sends_headers_without_a_body(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = recordings_of(client, fake, MAIN_CALL)[0]["url"]
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len(segment_wav(MAIN_CALL, 1))
    assert client.get(url).status_code == 200  # the keep-alive connection is still in step


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-99", (0, 100)),
        ("bytes=100-", (100, None)),
        ("bytes=-50", (-50, None)),
        ("bytes=10-999999999", (10, None)),
        ("bytes=-999999999", (0, None)),
    ],
)
def test_range_request_answers_206(
    fake: FakeMagpipe, client: httpx.Client, header: str, span: tuple[int, int | None]
) -> None:
    data = segment_wav(MAIN_CALL, 1)
    url = recordings_of(client, fake, MAIN_CALL)[0]["url"]
    response = client.get(url, headers={"Range": header})
    expected = data[span[0] : span[1]]
    start = data.find(expected) if span[0] < 0 else span[0]
    assert response.status_code == 206
    assert response.content == expected
    assert response.headers["content-range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
    assert int(response.headers["content-length"]) == len(expected)


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0"])
def test_unsatisfiable_range_is_416(fake: FakeMagpipe, client: httpx.Client, header: str) -> None:
    total = len(segment_wav(MAIN_CALL, 1))
    response = client.get(recordings_of(client, fake, MAIN_CALL)[0]["url"], headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{total}"


@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "items=0-9", "bytes=9-0", "bytes=abc"])
def test_multiple_or_malformed_ranges_get_the_whole_body(fake: FakeMagpipe, client: httpx.Client, header: str) -> None:
    response = client.get(recordings_of(client, fake, MAIN_CALL)[0]["url"], headers={"Range": header})
    assert response.status_code == 200
    assert response.content == segment_wav(MAIN_CALL, 1)


def test_if_range_honours_range_only_while_the_validator_matches(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = recordings_of(client, fake, MAIN_CALL)[0]["url"]
    first = client.get(url, headers={"Range": "bytes=0-9"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"Range": "bytes=10-", "If-Range": etag}).status_code == 206
    assert client.get(url, headers={"Range": "bytes=10-", "If-Range": modified}).status_code == 206
    stale = client.get(url, headers={"Range": "bytes=10-", "If-Range": '"something-else"'})
    assert stale.status_code == 200
    assert stale.content == segment_wav(MAIN_CALL, 1)
    assert (
        client.get(url, headers={"Range": "bytes=10-", "If-Range": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200
    )
    assert client.get(url, headers={"Range": "bytes=10-", "If-Range": f"W/{etag}"}).status_code == 200


def test_range_unsupported_always_sends_the_whole_body(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.range_unsupported = True
    response = client.get(recordings_of(client, fake, MAIN_CALL)[0]["url"], headers={"Range": "bytes=10-"})
    assert response.status_code == 200
    assert response.content == segment_wav(MAIN_CALL, 1)
    assert "content-range" not in response.headers


def test_drop_mid_body_sends_half_then_closes(fake: FakeMagpipe) -> None:
    fake.faults.drop_mid_body = 1
    url = urlsplit(f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("GET", url.path)
        response = connection.getresponse()
        total = len(segment_wav(MAIN_CALL, 1))
        assert int(response.headers["Content-Length"]) == total
        with pytest.raises(http.client.IncompleteRead) as raised:
            response.read()
        assert len(raised.value.partial) == total // 2
    finally:
        connection.close()
    with httpx.Client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            fake.faults.drop_mid_body = 1
            client.get(url.geturl())
        assert client.get(url.geturl()).content == segment_wav(MAIN_CALL, 1)


def test_provider_url_with_bad_or_missing_token_is_403(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = urlsplit(recordings_of(client, fake, PENDING_CALL)[0]["url"])
    base = f"{fake.storage_url}{url.path}"
    assert client.get(base).status_code == 403
    assert client.get(f"{base}?token=deadbeef&expires=9999999999").status_code == 403
    token = parse_qs(url.query)["token"][0]
    other_segment = f"{fake.storage_url}/provider/recordings/{TRANSFER_CALL}/3.wav?token={token}"
    assert client.get(other_segment).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/nothing",
        f"/storage/v1/object/public/recordings/{MAIN_CALL}/2.wav",
        f"/storage/v1/object/public/recordings/{UNKNOWN_CALL}/1.wav",
        f"/provider/recordings/{MAIN_CALL}/9.wav?token=x",
        f"/storage/v1/object/public/recordings/{MAIN_CALL}/0.wav",
    ],
)
def test_unknown_storage_path_is_404(fake: FakeMagpipe, client: httpx.Client, path: str) -> None:
    assert client.get(fake.storage_url + path).status_code == 404


def test_storage_rejects_writes(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = client.put(f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav", content=b"x")
    assert response.status_code == 405


def test_expire_pending_after_use_forbids_a_second_fetch(fake: FakeMagpipe, client: httpx.Client) -> None:
    fake.faults.expire_pending_after_use = True
    url = recordings_of(client, fake, PENDING_CALL)[0]["url"]
    assert client.head(url).status_code == 200  # HEAD does not use the URL up
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Range": "bytes=10-"}).status_code == 403
    fresh = recordings_of(client, fake, PENDING_CALL)[0]["url"]
    assert client.get(fresh, headers={"Range": "bytes=10-"}).status_code == 206


def test_pending_urls_can_be_reused_by_default(fake: FakeMagpipe, client: httpx.Client) -> None:
    url = recordings_of(client, fake, PENDING_CALL)[0]["url"]
    assert client.get(url).status_code == 200
    assert client.get(url).content == segment_wav(PENDING_CALL, 1)


def test_big_streams_deterministic_bytes_with_ranges(fake: FakeMagpipe, client: httpx.Client) -> None:
    size = 3 * 1024 * 1024 + 17
    digest = hashlib.sha256()
    with client.stream("GET", f"{fake.storage_url}/big/{size}") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert int(response.headers["content-length"]) == size
        for chunk in response.iter_bytes():
            digest.update(chunk)
    assert digest.hexdigest() == big_sha256(size)
    part = client.get(f"{fake.storage_url}/big/{size}", headers={"Range": "bytes=1000000-1000099"})
    assert part.status_code == 206
    assert part.content == big_bytes(1_000_000, 1_000_100)
    assert part.headers["content-range"] == f"bytes 1000000-1000099/{size}"


# --- lifecycle and packaging ---------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(fake: FakeMagpipe) -> None:
    url = urlsplit(fake.api_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        for _ in range(3):
            connection.request(
                "POST",
                f"{url.path}/get-signed-recording-url",
                body=json.dumps({"call_id": MAIN_CALL}),
                headers={"Authorization": f"Bearer {DEMO_KEY}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            assert response.status == 200
            response.read()
            assert not response.will_close
    finally:
        connection.close()


def test_stop_is_prompt_idempotent_and_cuts_pooled_connections() -> None:
    fake = FakeMagpipe(keys={"k": "demo"}).start()
    with httpx.Client(timeout=5) as client:
        assert (
            client.post(f"{fake.api_url}/list-calls", json={}, headers={"Authorization": "Bearer k"}).status_code == 200
        )
        started = time.monotonic()
        fake.stop()
        fake.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.TransportError):
            client.post(f"{fake.api_url}/list-calls", json={}, headers={"Authorization": "Bearer k"})


def test_stop_interrupts_injected_latency() -> None:
    fake = FakeMagpipe().start()
    fake.faults.latency = 30
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 2


def test_not_started_fake_has_no_urls() -> None:
    with pytest.raises(RuntimeError):
        _ = FakeMagpipe().api_url


def test_sample_calls_are_fixed_lowercase_uuids_with_descriptions() -> None:
    ids = [call.call_id for call in SAMPLE_CALLS]
    assert len(set(ids)) == len(ids)
    assert all(call_id == call_id.lower() and len(call_id) == 36 for call_id in ids)
    assert all(call.description and "\n" not in call.description for call in SAMPLE_CALLS)
    assert DEMO_KEY.startswith("mgp_") and len(DEMO_KEY) == 44 and int(DEMO_KEY[4:], 16) >= 0


def test_package_imports_no_third_party_modules() -> None:
    code = "import sys, recbrowser.fakeapi; print(sorted(m for m in ('httpx', 'textual', 'rich') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_child_env())
    assert result.stdout.strip() == "[]"


def _child_env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a script's background job inherits


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
@pytest.mark.parametrize(
    ("signum", "preexec"),
    [(signal.SIGINT, None), (signal.SIGINT, _ignore_sigint), (signal.SIGTERM, None)],
    ids=["ctrl-c", "ctrl-c-after-inherited-ignore", "sigterm"],
)
def test_module_entry_point_prints_urls_and_exits_cleanly_on_ctrl_c_or_sigterm(signum: int, preexec) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "recbrowser.fakeapi", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        preexec_fn=preexec,
    )
    try:
        lines = []
        while not (line := process.stdout.readline()).startswith("Serving"):
            assert line, process.stderr.read()
            lines.append(line)
        output = "".join(lines)
        api_url = next(line.split()[-1] for line in lines if line.startswith("API base URL"))
        assert DEMO_KEY in output and MAIN_CALL in output
        response = httpx.post(
            f"{api_url}/get-call", json={"call_id": MAIN_CALL}, headers={"Authorization": f"Bearer {DEMO_KEY}"}
        )
        assert response.status_code == 200
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()


# --- redirects (for the downloader) -----------------------------------------------------------


def test_redirect_counts_down_its_hops_then_lands_on_the_rest_of_the_path_with_the_query(fake: FakeMagpipe) -> None:
    url = recordings_of_pending_url(fake)
    target = urlsplit(url)
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        first = client.get(f"{fake.storage_url}/redirect/2{target.path}?{target.query}")
        assert first.status_code == 302
        assert first.headers["location"] == f"/redirect/1{target.path}?{target.query}"
        assert first.headers["content-length"] == "0"
        second = client.get(fake.storage_url + first.headers["location"])
        assert second.status_code == 302
        assert second.headers["location"] == f"{target.path}?{target.query}"
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        final = client.get(f"{fake.storage_url}/redirect/2{target.path}?{target.query}")
    assert final.status_code == 200 and final.content == segment_wav(PENDING_CALL, 1)
    assert [r.path.split("?")[0] for r in fake.requests["storage"][-3:]] == [
        f"/redirect/2{target.path}",
        f"/redirect/1{target.path}",
        target.path,
    ]


def recordings_of_pending_url(fake: FakeMagpipe) -> str:
    with httpx.Client(timeout=10) as client:
        return recordings_of(client, fake, PENDING_CALL)[0]["url"]


def test_redirect_loop_always_points_at_itself(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = client.get(f"{fake.storage_url}/redirect-loop")
    assert response.status_code == 302 and response.headers["location"] == "/redirect-loop"
    with (
        httpx.Client(timeout=10, follow_redirects=True, max_redirects=3) as following,
        pytest.raises(httpx.TooManyRedirects),
    ):
        following.get(f"{fake.storage_url}/redirect-loop")


def test_redirect_scheme_points_at_a_non_http_url(fake: FakeMagpipe, client: httpx.Client) -> None:
    response = client.get(f"{fake.storage_url}/redirect-scheme")
    assert response.status_code == 302
    assert response.headers["location"] == "ftp://example.invalid/x"
