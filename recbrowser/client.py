"""The Magpipe API client: one pooled httpx.AsyncClient, typed errors, bounded retries.

The API key is sent only to the API origin, only on requests this client makes, and
redirects are never followed (a redirect could hand the request to another host).
Every answer is bounded: in size (``apibody.MAX_ANSWER_BYTES`` decoded) and in time (each
request has an overall deadline); whatever a server sends, callers see only ApiError.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import ssl
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from recbrowser import __version__
from recbrowser.apibody import (
    ACCEPT_ENCODING,
    MAX_ANSWER_BYTES,
    TooLarge,
    Undecodable,
    Unparsable,
    collector_paused,
    parse_json,
    read_limited,
)
from recbrowser.apikey import KEY_WHERE, InvalidKey, check_key, rejected_key_message
from recbrowser.errors import (
    ApiError,
    BadResponse,
    InvalidCallId,
    NetworkError,
    NoApiKey,
    NoRecording,
    NotFound,
    RateLimited,
    RecBrowserError,
    ServerError,
    Unauthorized,
)
from recbrowser.models import CallRecordings
from recbrowser.outcomes import NO_RECORDING_MESSAGE, NOT_FOUND_MESSAGE
from recbrowser.retrying import BACKOFF_CAP, backoff
from recbrowser.secret import Secret
from recbrowser.settings import DEFAULT_REQUEST_DEADLINE
from recbrowser.text import printable, redact_userinfo

if TYPE_CHECKING:
    from recbrowser.calls import Agent, CallDetails, CallFilters, CallSummary, Page

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=30.0)
WAIT_NOTICE_AFTER = 3.0
"""Seconds without an answer before ``on_wait`` is told, then every WAIT_NOTICE_EVERY."""
WAIT_NOTICE_EVERY = 10.0
BIG_ANSWER_SEGMENTS = 2000
USER_AGENT = f"recbrowser/{__version__}"
NO_KEY_MESSAGE = (
    f"No Magpipe API key. Create one {KEY_WHERE}, then save it with `recbrowser key set` "
    "(or press k in the app), or set MAGPIPE_API_KEY."
)


@dataclass(frozen=True)
class RetryNotice:
    """Told to ``on_retry`` before the client waits to try again."""

    call_id: str | None
    attempt: int
    max_tries: int
    delay: float
    error: ApiError


@dataclass(frozen=True)
class WaitNotice:
    """Told to ``on_wait`` while a request has had no answer for a while."""

    call_id: str | None
    host: str
    waited: float
    """Seconds since the request (its first try) was sent."""


def validate_api_url(url: str) -> str:
    """Return the URL without a trailing slash; raise ValueError unless it is http(s) with a host.

    A user name or password in the URL is refused: httpx would send it as Basic auth instead
    of the key. No message repeats it.
    """
    text = url.strip()
    shown = printable(redact_userinfo(text), limit=80)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValueError(f"The API URL is not a valid URL (got {shown!r}).") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"The API URL must start with http:// or https:// and name a host (got {shown!r}).")
    if "@" in parts.netloc:
        raise ValueError(
            f"The API URL must not contain a user name or password (got {shown!r}); the API key is sent separately."
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if not parts.hostname or port == 0:
        raise ValueError(f"The API URL must name a host and a valid port (got {shown!r}).")
    try:
        httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise ValueError(f"The API URL is not a valid URL (got {shown!r}).") from None
    return text.rstrip("/")


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer, read whole within the size bound."""

    status: int
    headers: httpx.Headers
    body: bytes | bytearray


class _DeadlinePassed(Exception):
    """One request took longer than the client's request deadline."""


class _Waiting:
    """One request's wait, across its tries: when it started, when to tell ``on_wait`` next."""

    def __init__(self, call_id: str | None, notice_after: float) -> None:
        self.call_id = call_id
        self.started = time.monotonic()
        self.next_notice = self.started + notice_after


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
        backoff_cap: float = BACKOFF_CAP,
        rate_limit_cap: float = 60.0,
        max_connections: int = 10,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        on_retry: Callable[[RetryNotice], None] | None = None,
        on_wait: Callable[[WaitNotice], None] | None = None,
        wait_notice_after: float = WAIT_NOTICE_AFTER,
        wait_notice_every: float = WAIT_NOTICE_EVERY,
        key_source: str | None = None,
    ) -> None:
        """``request_deadline``: seconds one request (one try) may take in all, answer included
        (httpx's read timeout is per read, so a server dripping bytes would never trip it);
        past it the retry policy applies.
        ``on_wait`` is told when a request has waited ``wait_notice_after`` seconds, then every
        ``wait_notice_every`` seconds until it is answered.
        ``key_source`` (``Resolved.key_source``) says where the key came from, so a rejected
        key's message says what to change."""
        self.api_url = validate_api_url(api_url)
        self.key = key
        self.key_source = key_source
        self.request_deadline = (
            request_deadline if math.isfinite(request_deadline) and request_deadline > 0 else DEFAULT_REQUEST_DEADLINE
        )
        self.on_wait = on_wait
        self.wait_notice_after = wait_notice_after
        self.wait_notice_every = wait_notice_every if wait_notice_every > 0 else WAIT_NOTICE_EVERY
        self.max_tries = max(1, max_tries)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_cap = rate_limit_cap
        self.on_retry = on_retry
        origin = urlsplit(self.api_url)
        self._host = origin.netloc
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._http = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
            limits=limits,
            transport=None if origin.scheme == "https" else _plain_http_transport(limits),
        )

    async def __aenter__(self) -> MagpipeClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_recordings(self, call_id: str) -> CallRecordings:
        """The recording segments of one call."""
        body = await self._post("get-signed-recording-url", {"call_id": call_id}, call_id=call_id)
        call_id = call_id.lower()  # the canonical form, whatever case the caller or the server used
        try:
            segments = body.get("recordings") if isinstance(body, dict) else None
            if isinstance(segments, list) and len(segments) > BIG_ANSWER_SEGMENTS:
                # ~0.2 s of parsing for 100,000 segments: off the event loop, so an app stays responsive.
                return await asyncio.to_thread(_parse_many, call_id, body)
            return CallRecordings.from_api(call_id, body)
        except RecBrowserError:
            raise
        except Exception as exc:  # an answer the parser trips on is that call's failure only
            raise self._unreadable(exc) from None

    async def list_calls(
        self, filters: CallFilters | None = None, limit: int = 50, offset: int = 0
    ) -> Page[CallSummary]:
        """One page of calls, newest first (``calls.list_all`` pages through all of them)."""
        from recbrowser.calls import CallFilters, calls_page  # not loaded by a lookup, which needs neither

        payload = {**(filters or CallFilters()).to_api(), "limit": limit, "offset": offset}
        return self._parsed(calls_page, await self._post("list-calls", payload))

    async def get_call(self, call_id: str) -> CallDetails:
        """One call's details: numbers, agent, status, summary, transcript, metadata."""
        from recbrowser.calls import CallDetails

        body = await self._post("get-call", {"call_id": call_id}, call_id=call_id)
        return self._parsed(CallDetails.from_api, body)

    async def list_agents(self, *, max_pages: int = 50) -> list[Agent]:
        """Every agent of the account (pages of 100; stops on an empty page or after ``max_pages``)."""
        from recbrowser.calls import agents_page

        agents: dict[str, Agent] = {}
        for number in range(max_pages):
            page = self._parsed(agents_page, await self._post("list-agents", {"limit": 100, "offset": 100 * number}))
            fresh = [agent for agent in page.items if agent.id not in agents]
            agents.update((agent.id, agent) for agent in fresh)
            if not fresh or not page.has_more:
                break
        return list(agents.values())

    def _parsed(self, parse: Callable[[Any], T], body: Any) -> T:
        """``parse(body)``; whatever it trips on is a BadResponse, never another exception."""
        try:
            return parse(body)
        except RecBrowserError:
            raise
        except Exception as exc:
            raise self._unreadable(exc) from None

    async def _post(self, endpoint: str, payload: dict[str, Any], *, call_id: str | None = None) -> Any:
        """The JSON body of a successful answer; ApiError (and nothing else) otherwise."""
        headers = {"Authorization": f"Bearer {self._usable_key()}"}
        try:
            return await self._post_with_retries(
                f"{self.api_url}/{endpoint}", payload, headers, _Waiting(call_id, self.wait_notice_after)
            )
        except RecBrowserError:  # ApiError, or InvalidCallId for a 400
            raise
        except Exception as exc:
            raise self._unreadable(exc) from None

    async def _post_with_retries(
        self, url: str, payload: dict[str, Any], headers: dict[str, str], waiting: _Waiting
    ) -> Any:
        for attempt in range(1, self.max_tries + 1):
            error: ApiError
            delay: float | None = None
            try:
                answer = await self._within_deadline(self._exchange(url, payload, headers), waiting)
            except _DeadlinePassed:
                error = NetworkError(
                    f"The Magpipe API at {self._host} did not finish answering within {self.request_deadline:g} s."
                )
            except httpx.TimeoutException as exc:
                error = NetworkError(f"The Magpipe API at {self._host} did not answer in time ({_timeout_kind(exc)}).")
            except httpx.TransportError as exc:
                error = NetworkError(f"Could not reach the Magpipe API at {self._host}: {_describe_transport(exc)}.")
            except TooLarge:
                raise BadResponse(
                    f"The API answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB; no Magpipe answer is that big "
                    f"(is the API URL right?)."
                ) from None
            except (httpx.DecodingError, Undecodable):
                raise BadResponse(
                    f"The API at {self._host} sent a body that could not be decoded; is the API URL right?"
                ) from None
            else:
                if answer.status == 429:
                    delay = self._rate_limit_delay(answer.headers)
                    error = _rate_limited(delay)
                    if delay is not None and delay > self.rate_limit_cap:
                        raise error
                elif answer.status >= 500 and answer.status != 501:  # 501: this server has no such endpoint
                    error = ServerError(
                        f"The Magpipe API had a server error ({answer.status}): {_server_message(answer) or 'no details'}.",
                        status=answer.status,
                    )
                else:
                    return self._interpret(answer)
            if attempt == self.max_tries:
                raise error
            if delay is None:
                delay = backoff(attempt, base=self.backoff_base, cap=self.backoff_cap)
            if self.on_retry is not None:
                self.on_retry(RetryNotice(waiting.call_id, attempt, self.max_tries, delay, error))
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, url: str, payload: dict[str, Any], headers: dict[str, str]) -> _Answer:
        """Send one request and read its answer, raw and inflated here within the size bound."""
        async with self._http.stream("POST", url, json=payload, headers=headers) as response:
            encoding = response.headers.get("Content-Encoding")
            length = response.headers.get("Content-Length", "")
            if not encoding and length.isdigit() and (len(length) > 12 or int(length) > MAX_ANSWER_BYTES):
                raise TooLarge()
            body = await read_limited(response.aiter_raw(), encoding)
            return _Answer(response.status_code, response.headers, body)

    async def _within_deadline(self, exchange: Coroutine[Any, Any, _Answer], waiting: _Waiting) -> _Answer:
        """Await ``exchange`` for at most the request deadline, telling ``on_wait`` as it goes."""
        task = asyncio.ensure_future(exchange)
        deadline = time.monotonic() + self.request_deadline
        try:
            while True:
                wake = deadline if self.on_wait is None else min(deadline, waiting.next_notice)
                done, _ = await asyncio.wait({task}, timeout=max(0.0, wake - time.monotonic()))
                if done:
                    return task.result()
                now = time.monotonic()
                if now >= deadline:
                    raise _DeadlinePassed()
                if self.on_wait is not None and now >= waiting.next_notice:
                    waiting.next_notice = now + self.wait_notice_every
                    self.on_wait(WaitNotice(waiting.call_id, self._host, now - waiting.started))
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait({task})

    def _unreadable(self, exc: Exception) -> BadResponse:
        return BadResponse(f"The API at {self._host} sent an answer recbrowser cannot read ({type(exc).__name__}).")

    def _usable_key(self) -> str:
        if self.key is None:
            raise NoApiKey(NO_KEY_MESSAGE)
        try:
            key, _warning = check_key(self.key.reveal())
        except InvalidKey as exc:
            raise NoApiKey(f"The API key cannot be used: {exc}") from None
        return key

    def _rate_limit_delay(self, headers: httpx.Headers) -> float | None:
        retry_after = headers.get("Retry-After")
        if retry_after:
            seconds = _parse_retry_after(retry_after)
            if seconds is not None:
                return seconds
        reset = headers.get("X-RateLimit-Reset")
        if reset:
            try:
                value = float(reset)
            except ValueError:
                return None
            if not math.isfinite(value):
                return None
            # Epoch seconds per the docs; small values are taken as seconds from now.
            return max(0.0, value - time.time()) if value > 1e9 else max(0.0, value)
        return None

    def _interpret(self, answer: _Answer) -> Any:
        status = answer.status
        if 200 <= status < 300:
            try:
                return parse_json(answer.body)
            except Unparsable as exc:
                raise BadResponse(
                    f"The API at {self._host} answered {status} but {exc.reason}; is the API URL right?", status=status
                ) from None
        code, message = _error_fields(answer)
        if status in (401, 403):
            raise Unauthorized(rejected_key_message(status, self.key_source, in_app=False), status=status)
        if status == 404:
            if code == "no_recording" or (code is None and message and "no recording" in message.lower()):
                raise NoRecording(NO_RECORDING_MESSAGE, status=status)
            # Only Magpipe's own answer means the call is unknown. Any other 404 (a gateway's
            # "Requested function was not found", a framework's route miss) means a wrong URL.
            if code == "not_found" or (code is None and message and "call" in message.lower()):
                raise NotFound(NOT_FOUND_MESSAGE, status=status)
            said = f" ({message})" if message else " without a Magpipe error"
            raise BadResponse(f"The API at {self._host} answered 404{said}; is the API URL right?", status=status)
        if 300 <= status < 400:
            where = printable(redact_userinfo(answer.headers.get("Location", "elsewhere")), limit=120)
            raise BadResponse(
                f"The API URL redirects ({status}) to {where}; set the API URL to the final address.", status=status
            )
        if status == 400:
            raise InvalidCallId(f"The API rejected the request: {message or 'bad request'}.")
        raise BadResponse(
            f"The API answered HTTP {status}: {message or 'no details'}; is the API URL right?", status=status
        )


def _plain_http_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """The transport for an ``http://`` API origin, without loading a CA bundle (~20 ms).

    Every request goes to that origin and redirects are never followed, so it makes no TLS
    connection; were it ever asked to, its context still requires a verified certificate and
    trusts no root, so the handshake fails. An https API origin gets httpx's default transport,
    and a proxy from the environment its own, both verified as before (certifi or SSL_CERT_FILE).
    """
    return httpx.AsyncHTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), limits=limits)


def _parse_many(call_id: str, body: Any) -> CallRecordings:
    """A big answer's segments, made (and counted) with the garbage collector paused (see ``collector_paused``)."""
    with collector_paused():
        return CallRecordings.from_api(call_id, body)


def _rate_limited(delay: float | None) -> RateLimited:
    if delay is None:
        text = "Rate limited by the Magpipe API (HTTP 429)."
    elif delay < 100_000:
        text = f"Rate limited by the Magpipe API (HTTP 429); it asks to wait {delay:.0f} s."
    else:
        text = "Rate limited by the Magpipe API (HTTP 429); it asks to wait more than a day."
    return RateLimited(text, retry_after=delay)


def _parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP date); None when unusable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        return None if when is None else max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _error_fields(answer: _Answer) -> tuple[str | None, str | None]:
    """(code, message) from an error body in any of the shapes servers use."""
    try:
        body = parse_json(answer.body)
    except Unparsable:
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


def _server_message(answer: _Answer) -> str | None:
    code, message = _error_fields(answer)
    return message or (printable(code, limit=80) if code else None)


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
