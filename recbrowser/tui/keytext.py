"""What the app says about the API key and about a restored call's last outcome (no Textual)."""

from __future__ import annotations

from recbrowser.apikey import ENV_KEY, KEY_WHERE
from recbrowser.errors import (
    ApiError,
    BadResponse,
    NetworkError,
    NoApiKey,
    NoRecording,
    NotFound,
    RateLimited,
    RecBrowserError,
    ServerError,
    Unauthorized,
)

KEY_ORIGIN = f"No key yet? Create one {KEY_WHERE} (it is shown only once)."
KEY_CODES = frozenset({NoApiKey.code, Unauthorized.code})  # failures a new key can fix

_LAST_OUTCOME: dict[str, tuple[type[ApiError], str]] = {
    NoApiKey.code: (NoApiKey, "there was no API key"),
    Unauthorized.code: (Unauthorized, "the API key was rejected"),
    NotFound.code: (NotFound, "call not found"),
    NoRecording.code: (NoRecording, "no recording available for this call"),
    RateLimited.code: (RateLimited, "rate limited"),
    ServerError.code: (ServerError, "server error"),
    NetworkError.code: (NetworkError, "the API could not be reached"),
    BadResponse.code: (BadResponse, "the answer was not Magpipe's"),
}


def rejected_key_message(status: int | None, key_source: str | None) -> str:
    """The app's words for a 401/403: which key was rejected and how to change it."""
    http = f" (HTTP {status})" if status else ""
    if key_source == ENV_KEY:
        return (
            f"The key in {ENV_KEY} was rejected{http}. {ENV_KEY} wins over a saved key: "
            f"change it or unset it (k uses another key for this session only)."
        )
    return f"The API key was rejected{http}. Press k to set a new one."


def last_outcome_error(outcome: str | None) -> RecBrowserError | None:
    """The error a call's last lookup ended with, as the history recorded it (None: it was answered)."""
    if not outcome or outcome == "ok":
        return None
    kind, what = _LAST_OUTCOME.get(outcome, (ApiError, f"failed ({outcome})"))
    error = kind(f"Last lookup: {what}. Press r to look it up again.")
    if kind is ApiError:
        error.code = outcome[:40]
    return error
