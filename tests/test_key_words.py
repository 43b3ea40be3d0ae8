"""What recbrowser says about a rejected key and a call's recorded outcome (core, no Textual)."""

from __future__ import annotations

import pytest

from recbrowser.apikey import ENV_KEY, rejected_key_message
from recbrowser.errors import ApiError, NoRecording, NotFound, ServerError
from recbrowser.outcomes import NO_RECORDING_MESSAGE, NOT_FOUND_MESSAGE, answered_error, last_outcome_error


def test_a_rejected_key_from_the_environment_says_the_variable_wins_in_both_faces() -> None:
    for in_app in (False, True):
        words = rejected_key_message(401, ENV_KEY, in_app=in_app)
        assert words.startswith("The key in MAGPIPE_API_KEY was rejected (HTTP 401). MAGPIPE_API_KEY wins")
        assert "change it or unset it" in words and "recbrowser key set" not in words
    assert "k uses another key for this session only" in rejected_key_message(401, ENV_KEY, in_app=True)


@pytest.mark.parametrize(
    ("in_app", "shown"),
    [
        (True, "The API key was rejected (HTTP 403). Press k to set a new one."),
        (
            False,
            "The API key was rejected (HTTP 403). Create a new one in Magpipe: Settings → API → Generate New Key "
            "and save it with `recbrowser key set` (or press k in the app).",
        ),
    ],
)
def test_a_rejected_saved_key_says_how_each_face_sets_a_new_one(in_app: bool, shown: str) -> None:
    assert rejected_key_message(403, "/home/u/.config/recbrowser/api_key", in_app=in_app) == shown


def test_without_a_status_the_app_leaves_the_http_code_out() -> None:
    assert rejected_key_message(None, None, in_app=True) == "The API key was rejected. Press k to set a new one."


def test_only_the_apis_answers_about_a_call_are_answers_offline() -> None:
    no_recording, not_found = answered_error("no_recording"), answered_error("not_found")
    assert isinstance(no_recording, NoRecording) and no_recording.message == NO_RECORDING_MESSAGE
    assert isinstance(not_found, NotFound) and not_found.message == NOT_FOUND_MESSAGE
    assert [answered_error(code) for code in ("server_error", "network_error", "unauthorized", "odd")] == [None] * 4


def test_a_restored_calls_last_outcome_becomes_its_error() -> None:
    assert last_outcome_error(None) is None and last_outcome_error("ok") is None
    error = last_outcome_error("server_error")
    assert isinstance(error, ServerError)
    assert error.message == "Last lookup: server error. Press r to look it up again."
    unknown = last_outcome_error("teapot")
    assert type(unknown) is ApiError and unknown.code == "teapot"
    assert unknown.message == "Last lookup: failed (teapot). Press r to look it up again."
