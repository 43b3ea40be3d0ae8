"""Typed errors with messages written for users.

Each error has a stable ``code`` (used in JSON output) and an ``exit_code`` for the CLI.
Messages never contain the API key.
"""

from __future__ import annotations

from recbrowser.exitcodes import ExitStatus


class RecBrowserError(Exception):
    """Base class for every expected failure."""

    code = "error"
    exit_code: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCallId(RecBrowserError):
    """Text that holds no call ID (or an ID the API would refuse)."""

    code = "invalid_call_id"
    exit_code = ExitStatus.USAGE


class ApiError(RecBrowserError):
    """Something went wrong talking to the Magpipe API."""

    code = "api_error"
    exit_code = ExitStatus.API_FAILED

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NoApiKey(ApiError):
    """No key is saved and ``MAGPIPE_API_KEY`` is not set."""

    code = "no_api_key"
    exit_code = ExitStatus.NO_KEY


class Unauthorized(ApiError):
    """The API refused the key (401/403); the message says which key and how to change it."""

    code = "unauthorized"
    exit_code = ExitStatus.NO_KEY


class NotFound(ApiError):
    """The API knows no such call (404), or it belongs to another account: the call's answer."""

    code = "not_found"
    exit_code = ExitStatus.NOT_FOUND


class NoRecording(ApiError):
    """The call exists but has no recording (yet): an answer, not a failure."""

    code = "no_recording"
    exit_code = ExitStatus.NOT_FOUND


class NotCached(RecBrowserError):
    """``lookup --offline`` for a call the history has no answer for."""

    code = "not_cached"
    exit_code = ExitStatus.NOT_FOUND


class RateLimited(ApiError):
    """429 from the API, after the retries; ``retry_after`` is its Retry-After in seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx from the API, after the retries."""

    code = "server_error"


class NetworkError(ApiError):
    """The API could not be reached, or stopped answering (DNS, refused, reset, timeout, drip)."""

    code = "network_error"


class BadResponse(ApiError):
    """The API's answer is not what the contract says (not JSON, no recordings, too big, 501)."""

    code = "bad_response"


class PlayerError(RecBrowserError):
    """The player could not be started, or failed at once; the message is for the user."""

    code = "player_error"


class PlayerExited(PlayerError):
    """The player ended with an error right after it started (its stderr in the message)."""

    code = "player_exited"


class ClipboardUnavailable(RecBrowserError):
    """Neither a clipboard tool nor the terminal could take the text."""

    code = "clipboard_unavailable"


# --- downloads ----------------------------------------------------------------------


class FetchError(RecBrowserError):
    """A download failed; ``code`` for JSON output, ``message`` for people."""

    code = "download_failed"
    exit_code = ExitStatus.DOWNLOAD_FAILED
    retryable = False


class UrlExpired(FetchError):
    """403/404/410 from the recordings host: a provider URL that expired, or a moved object."""

    code = "url_expired"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class HttpFailure(FetchError):
    """Any other HTTP status from the recordings host; 429 and 5xx are retryable."""

    code = "http_error"

    def __init__(self, message: str, status: int | None = None, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class BadUrl(HttpFailure):
    """The recording URL (or a redirect's Location) cannot be requested: a port out of range or
    not a number, a broken IPv6 literal, characters HTTP does not allow."""

    code = "bad_url"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TransferInterrupted(FetchError):
    """The connection dropped or stalled; resumable from what was written."""

    code = "network_error"
    retryable = True


class Incomplete(FetchError):
    """The host closed the body before its Content-Length; resumable from what was written."""

    code = "incomplete"
    retryable = True


class DiskError(FetchError):
    """The file could not be written (disk full, permissions, a symlink refused)."""

    code = "disk_error"


class Cancelled(FetchError):
    """The user cancelled the download; the partial file is kept unless nothing was written."""

    code = "cancelled"


class Busy(FetchError):
    """Another recbrowser (process or download) owns this file's partial download."""

    code = "busy"


class NameTaken(FetchError):
    """The file name this segment would get belongs to another segment."""

    code = "name_taken"


class BadDownloadResponse(FetchError):
    """The recordings host's answer contradicts itself or what was asked (a bad 206, a huge length)."""

    code = "bad_response"
