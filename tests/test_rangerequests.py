"""What a download asks for and what the answer means (recbrowser.rangerequests), as pure functions."""

from __future__ import annotations

import pytest

from recbrowser import __version__
from recbrowser.errors import BadDownloadResponse, HttpFailure, UrlExpired
from recbrowser.partfiles import PartInfo
from recbrowser.rangerequests import (
    AlreadyWhole,
    Answer,
    Body,
    ShortBody,
    StartAgain,
    classify,
    part_info,
    resume_headers,
)

BASE = {"User-Agent": f"recbrowser/{__version__}", "Accept-Encoding": "identity"}
SAVED = PartInfo(etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT", content_type="audio/wav", total=1000)

# --- resume_headers -----------------------------------------------------------------------------


def test_a_new_download_asks_for_the_whole_body_uncompressed() -> None:
    assert resume_headers(0, SAVED) == BASE


def test_a_resume_asks_for_the_rest_only_if_the_object_is_unchanged() -> None:
    assert resume_headers(400, SAVED) == {**BASE, "Range": "bytes=400-", "If-Range": '"v1"'}
    assert resume_headers(400, PartInfo(last_modified="Mon, 02 Mar 2026 10:00:00 GMT"))["If-Range"] == (
        "Mon, 02 Mar 2026 10:00:00 GMT"
    )


def test_a_resume_without_validators_sends_range_alone() -> None:
    assert resume_headers(400, PartInfo()) == {**BASE, "Range": "bytes=400-"}


# --- classify: statuses -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404, 410])
def test_a_gone_link_is_url_expired(status: int) -> None:
    with pytest.raises(UrlExpired, match=f"answered {status} \\(the link may have expired\\)") as caught:
        classify(Answer(status, "Forbidden"), 0, PartInfo())
    assert caught.value.status == status


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_broken_host_is_a_retryable_failure(status: int) -> None:
    with pytest.raises(HttpFailure, match=f"^The recordings host answered {status}\\.$") as caught:
        classify(Answer(status), 400, SAVED)
    assert caught.value.retryable


@pytest.mark.parametrize(("status", "offset"), [(401, 0), (302, 0), (416, 0)])
def test_any_other_status_fails_with_its_reason_made_printable(status: int, offset: int) -> None:
    with pytest.raises(HttpFailure) as caught:
        classify(Answer(status, "Nope\x1b[31m"), offset, PartInfo())
    assert caught.value.message == f"The recordings host answered {status} Nope\\x1b[31m."
    assert not caught.value.retryable


def test_a_200_is_the_whole_body_from_zero_even_for_a_resume() -> None:
    assert classify(Answer(200, content_length="1000"), 400, SAVED) == Body(0, 1000, 1000)
    assert classify(Answer(200), 0, PartInfo()) == Body(0, None, None)  # no length: complete on a clean close


@pytest.mark.parametrize("length", ["-1", "12a", "9" * 300])
def test_a_200_with_an_invalid_length_is_a_bad_response(length: str) -> None:
    with pytest.raises(BadDownloadResponse, match="invalid Content-Length"):
        classify(Answer(200, content_length=length), 0, PartInfo())


# --- classify: 416 ------------------------------------------------------------------------------


def test_a_416_to_a_partial_file_that_holds_everything_is_already_whole() -> None:
    assert classify(Answer(416, content_range="bytes */1000"), 1000, SAVED) == AlreadyWhole(1000)
    assert classify(Answer(416, content_range="bytes */1000"), 1000, PartInfo()) == AlreadyWhole(1000)


@pytest.mark.parametrize(
    ("content_range", "info"),
    [
        ("bytes */2000", SAVED),  # the object is now larger than the partial file
        (None, SAVED),  # the server does not say
        ("bytes */1000", PartInfo(total=2000)),  # the first answer announced another size
    ],
)
def test_a_416_that_does_not_prove_the_partial_file_whole_starts_again(
    content_range: str | None, info: PartInfo
) -> None:
    assert classify(Answer(416, content_range=content_range), 1000, info) == StartAgain(
        "The partial file no longer matches the recording; starting again."
    )


# --- classify: 206 ------------------------------------------------------------------------------


def test_a_206_that_answers_the_range_asked_is_the_rest_of_the_body() -> None:
    answer = Answer(206, content_range="bytes 400-999/1000", content_length="600", etag='"v1"')
    body = classify(answer, 400, SAVED)
    assert body == Body(400, 1000, 1000) and isinstance(body, Body) and not body.starts_fresh


def test_a_206_with_an_unknown_total_uses_the_size_first_announced() -> None:
    assert classify(Answer(206, content_range="bytes 400-599/*"), 400, SAVED) == Body(400, 600, 1000)


def test_an_unasked_206_from_zero_starts_a_fresh_partial_file() -> None:
    body = classify(Answer(206, content_range="bytes 0-999/1000"), 0, PartInfo())
    assert body == Body(0, 1000, 1000) and isinstance(body, Body) and body.starts_fresh


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            Answer(206, content_range="bytes 0-999/1000"),
            "The server resumed from byte 0 instead of 400. Starting again.",
        ),
        (Answer(206), "The server answered a resume without a valid Content-Range. Starting again."),
        (
            Answer(206, content_range="bytes 400-999/1000", etag='"v2"'),
            "The recording changed since the partial file was written; starting again.",
        ),
        (
            Answer(206, content_range="bytes 400-1999/2000"),
            "The recording changed size since the partial file was written; starting again.",
        ),
    ],
)
def test_a_206_that_no_longer_fits_the_partial_file_starts_again(answer: Answer, reason: str) -> None:
    assert classify(answer, 400, SAVED) == StartAgain(reason)


@pytest.mark.parametrize(
    ("answer", "info", "words"),
    [
        (Answer(206, content_range="bytes 400-999/1000", content_length="5"), SAVED, "Content-Length does not match"),
        (Answer(206, content_range="bytes 400-300/1000"), SAVED, "Content-Range is inconsistent"),
        (Answer(206, content_range="bytes 400-999/*"), PartInfo(), "did not say how large"),
        (Answer(206, content_range="bytes 400-1999/*"), SAVED, "beyond the recording's size"),
    ],
)
def test_a_206_that_contradicts_itself_or_what_is_known_is_a_bad_response(
    answer: Answer, info: PartInfo, words: str
) -> None:
    with pytest.raises(BadDownloadResponse, match=words):
        classify(answer, 400, info)


def test_a_weak_or_missing_etag_on_either_side_does_not_restart() -> None:
    answer = Answer(206, content_range="bytes 400-999/1000")
    assert classify(answer, 400, SAVED) == Body(400, 1000, 1000)
    assert classify(Answer(206, content_range="bytes 400-999/1000", etag='"v2"'), 400, PartInfo(total=1000)) == Body(
        400, 1000, 1000
    )


# --- the body's length --------------------------------------------------------------------------


def test_a_body_that_reached_its_announced_end_passes() -> None:
    Body(400, 1000, 1000).check_written(1000)
    Body(0, None, None).check_written(123)  # nothing announced: whatever came, up to a clean close


@pytest.mark.parametrize(
    ("body", "written", "message"),
    [
        (Body(400, 1000, 1000), 700, "Got 700 of 1,000 bytes; resuming."),
        (Body(400, 600, 1000), 600, "Got 600 of 1,000 bytes; resuming."),  # a short range is not the whole file
        (Body(0, 2000, None), 1500, "Got 1,500 of 2,000 bytes; resuming."),
    ],
)
def test_a_body_short_of_what_was_announced_is_a_short_body(body: Body, written: int, message: str) -> None:
    with pytest.raises(ShortBody) as caught:
        body.check_written(written)
    assert caught.value.message == message and caught.value.retryable


# --- the sidecar of a new partial file ----------------------------------------------------------


def test_a_new_partial_file_records_its_first_answers_validators() -> None:
    info = part_info(etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT", content_type="audio/wav", total=1000)
    assert info == SAVED


def test_a_weak_etag_is_not_recorded_and_long_values_are_bounded() -> None:
    info = part_info(etag='W/"weak"', last_modified=None, content_type="x" * 5000, total=None)
    assert info == PartInfo(content_type="x" * 1024)
