"""The Magpipe API client: one pooled httpx.AsyncClient, typed errors, bounded retries.

The API key is sent only to the API origin, only on requests this client makes, and
redirects are never followed (a redirect could hand the request to another host).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from recbrowser import __version__
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
from recbrowser.models import CallRecordings
from recbrowser.settings import InvalidKey, Secret, check_key
from recbrowser.text import printable

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=30.0)
USER_AGENT = f"recbrowser/{__version__}"
NO_KEY_MESSAGE = (
    "No Magpipe API key. Save one with `recbrowser key set` (or press k in the app), "
    "or set MAGPIPE_API_KEY."
)


@dataclass(frozen=True)
class RetryNotice:
    """Told to ``on_retry`` before the client waits to try again."""

    call_id: str | None
    attempt: int
    max_tries: int
    delay: float
    error: ApiError


def validate_api_url(url: str) -> str:
    """Return the URL without a trailing slash; raise ValueError unless it is http(s) with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"The API URL must start with http:// or https:// and name a host (got {printable(url, limit=80)!r}).")
    return url.strip().rstrip("/")


class MagpipeClient:
    """Async client for the Magpipe API. Use as ``async with MagpipeClient(...) as client``."""

    def __init__(
        self,
        api_url: str,
        key: Secret | None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_tries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        rate_limit_cap: float = 60.0,
        max_connections: int = 10,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        self.api_url = validate_api_url(api_url)
        self.key = key
        self.max_tries = max(1, max_tries)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_cap = rate_limit_cap
        self.on_retry = on_retry
        self._host = urlsplit(self.api_url).netloc
        self._http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def __aenter__(self) -> "MagpipeClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_recordings(self, call_id: str) -> CallRecordings:
        """The recording segments of one call."""
        body = await self._post("get-signed-recording-url", {"call_id": call_id}, call_id=call_id)
        returned = body.get("call_id") if isinstance(body, dict) else None
        return CallRecordings.from_api(returned if isinstance(returned, str) and returned.lower() == call_id.lower() else call_id, body)

    async def _post(self, endpoint: str, payload: dict[str, Any], *, call_id: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._usable_key()}"}
        url = f"{self.api_url}/{endpoint}"
        for attempt in range(1, self.max_tries + 1):
            error: ApiError
            delay: float | None = None
            try:
                response = await self._http.post(url, json=payload, headers=headers)
            except httpx.TimeoutException as exc:
                error = NetworkError(f"The Magpipe API at {self._host} did not answer in time ({_timeout_kind(exc)}).")
            except httpx.TransportError as exc:
                error = NetworkError(f"Could not reach the Magpipe API at {self._host}: {_describe_transport(exc)}.")
            except httpx.DecodingError:
                raise BadResponse(f"The API at {self._host} sent a body that could not be decoded; is the API URL right?") from None
            else:
                if response.status_code == 429:
                    delay = self._rate_limit_delay(response)
                    error = _rate_limited(response, delay)
                    if delay is not None and delay > self.rate_limit_cap:
                        raise error
                elif response.status_code >= 500:
                    error = ServerError(
                        f"The Magpipe API had a server error ({response.status_code}): {_server_message(response) or 'no details'}.",
                        status=response.status_code,
                    )
                else:
                    return self._interpret(response)
            if attempt == self.max_tries:
                raise error
            if delay is None:
                delay = self._backoff(attempt)
            if self.on_retry is not None:
                self.on_retry(RetryNotice(call_id, attempt, self.max_tries, delay, error))
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _usable_key(self) -> str:
        if self.key is None:
            raise NoApiKey(NO_KEY_MESSAGE)
        try:
            key, _warning = check_key(self.key.reveal())
        except InvalidKey as exc:
            raise NoApiKey(f"The API key cannot be used: {exc}") from None
        return key

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling * random.uniform(0.5, 1.0)

    def _rate_limit_delay(self, response: httpx.Response) -> float | None:
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            seconds = _parse_retry_after(retry_after)
            if seconds is not None:
                return seconds
        reset = response.headers.get("X-RateLimit-Reset")
        if reset:
            try:
                value = float(reset)
            except ValueError:
                return None
            # Epoch seconds per the docs; small values are taken as seconds from now.
            return max(0.0, value - time.time()) if value > 1e9 else max(0.0, value)
        return None

    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError:
                raise BadResponse(
                    f"The API at {self._host} answered {status} but not with JSON; is the API URL right?", status=status
                ) from None
        code, message = _error_fields(response)
        if status in (401, 403):
            raise Unauthorized(
                "The API key was rejected (HTTP %d). Save a new one with `recbrowser key set` (or press k in the app)." % status,
                status=status,
            )
        if status == 404:
            if code == "no_recording" or (code is None and message and "no recording" in message.lower()):
                raise NoRecording("No recording available for this call.", status=status)
            # Only Magpipe's own answer means the call is unknown. Any other 404 (a gateway's
            # "Requested function was not found", a framework's route miss) means a wrong URL.
            if code == "not_found" or (code is None and message and "call" in message.lower()):
                raise NotFound("Call not found (unknown ID, or a call of another account).", status=status)
            said = f" ({message})" if message else " without a Magpipe error"
            raise BadResponse(f"The API at {self._host} answered 404{said}; is the API URL right?", status=status)
        if 300 <= status < 400:
            where = printable(response.headers.get("Location", "elsewhere"), limit=120)
            raise BadResponse(f"The API URL redirects ({status}) to {where}; set the API URL to the final address.", status=status)
        if status == 400:
            raise InvalidCallId(f"The API rejected the request: {message or 'bad request'}.")
        raise BadResponse(f"The API answered HTTP {status}: {message or 'no details'}; is the API URL right?", status=status)


def _rate_limited(response: httpx.Response, delay: float | None) -> RateLimited:
    if delay is None:
        text = "Rate limited by the Magpipe API (HTTP 429)."
    else:
        text = f"Rate limited by the Magpipe API (HTTP 429); it asks to wait {delay:.0f} s."
    return RateLimited(text, retry_after=delay)


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_fields(response: httpx.Response) -> tuple[str | None, str | None]:
    """(code, message) from an error body in any of the shapes servers use."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    code = message = None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
    elif isinstance(error, str):
        message = error
    if message is None:
        message = body.get("message") or body.get("msg")
    code = code if isinstance(code, str) else None
    message = printable(message, limit=200) if isinstance(message, str) else None
    return code, message


def _server_message(response: httpx.Response) -> str | None:
    code, message = _error_fields(response)
    return message or code


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(exc, httpx.PoolTimeout):
        return "waiting for a free connection"
    if isinstance(exc, httpx.WriteTimeout):
        return "sending the request"
    return "waiting for the answer"


def _describe_transport(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        detail = str(exc) or "connection failed"
        return f"cannot connect ({printable(detail, limit=120)})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "the connection was dropped before a full answer arrived"
    return printable(str(exc) or type(exc).__name__, limit=120)
