"""What a lookup's recorded outcome (the error code the history keeps) means: the CLI answers
``lookup --offline`` with it, and the app shows it on a call restored from the last session."""

from __future__ import annotations

from dataclasses import dataclass

from recbrowser import errors
from recbrowser.errors import ApiError, RecBrowserError

NO_RECORDING_MESSAGE = "No recording available for this call."
NOT_FOUND_MESSAGE = "Call not found (unknown ID, or a call of another account)."


@dataclass(frozen=True)
class Outcome:
    """One kind of lookup outcome: its error type, what happened in a few words, and, when it
    is the API's answer about the call itself, that answer as the client words it."""

    kind: type[ApiError]
    words: str
    answer: str | None = None
    """None: the failure (server_error, network_error…) said nothing about the call."""


OUTCOMES: dict[str, Outcome] = {
    errors.NoApiKey.code: Outcome(errors.NoApiKey, "there was no API key"),
    errors.Unauthorized.code: Outcome(errors.Unauthorized, "the API key was rejected"),
    errors.NotFound.code: Outcome(errors.NotFound, "call not found", NOT_FOUND_MESSAGE),
    errors.NoRecording.code: Outcome(errors.NoRecording, "no recording available for this call", NO_RECORDING_MESSAGE),
    errors.RateLimited.code: Outcome(errors.RateLimited, "rate limited"),
    errors.ServerError.code: Outcome(errors.ServerError, "server error"),
    errors.NetworkError.code: Outcome(errors.NetworkError, "the API could not be reached"),
    errors.BadResponse.code: Outcome(errors.BadResponse, "the answer was not Magpipe's"),
}


def answered_error(outcome: str) -> ApiError | None:
    """The API's answer about the call this outcome kept (no recording, not found) as its
    error, worded as when it was answered; None for a failure that said nothing about the call."""
    known = OUTCOMES.get(outcome)
    if known is None or known.answer is None:
        return None
    return known.kind(known.answer)


def last_outcome_error(outcome: str | None) -> RecBrowserError | None:
    """The error a call's last lookup ended with, as the history recorded it (None: it was answered)."""
    if not outcome or outcome == "ok":
        return None
    known = OUTCOMES.get(outcome)
    kind, what = (known.kind, known.words) if known is not None else (ApiError, f"failed ({outcome})")
    error = kind(f"Last lookup: {what}. Press r to look it up again.")
    if kind is ApiError:
        error.code = outcome[:40]
    return error
