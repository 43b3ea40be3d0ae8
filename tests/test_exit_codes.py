"""One exit-code enum, the README's table, and the one map from errors to a line and a code."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from recbrowser import errors
from recbrowser.commands.failures import Terminated, UsageError, exit_status, failure_of
from recbrowser.exitcodes import ExitStatus
from recbrowser.history import HistoryStore

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_exit_codes() -> set[int]:
    section = README.read_text(encoding="utf-8").split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}


def test_every_readme_exit_code_is_an_enum_member_and_every_member_is_documented() -> None:
    assert readme_exit_codes() == {int(status) for status in ExitStatus}


def every_error_class() -> list[type[errors.RecBrowserError]]:
    found, todo = [], [errors.RecBrowserError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo += kind.__subclasses__()
    return found


@pytest.mark.parametrize("kind", every_error_class(), ids=lambda kind: kind.__name__)
def test_every_error_type_exits_with_a_member_of_the_enum(kind: type[errors.RecBrowserError]) -> None:
    assert isinstance(kind.exit_code, ExitStatus)


def test_a_sqlite_error_from_the_history_is_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.Error) as raised:
            db.execute("INSERT INTO calls (call_id) VALUES (NULL)")  # the history's own NOT NULL rule
    finally:
        db.close()

    assert exit_status(raised.value) == ExitStatus.ERROR
    err = capsys.readouterr().err
    assert str(raised.value).startswith("NOT NULL constraint failed: calls.")
    assert err == f"recbrowser: the history could not be used: {raised.value}.\n"  # one line, no traceback


def test_an_os_error_says_the_system_reason_and_the_file(tmp_path: Path) -> None:
    with pytest.raises(OSError) as raised:
        (tmp_path / "missing" / "file").read_text()
    failure = failure_of(raised.value)
    assert failure is not None
    assert failure.status == ExitStatus.ERROR
    assert failure.message == f"no such file or directory ({tmp_path / 'missing' / 'file'})."


@pytest.mark.parametrize(
    ("error", "message", "status"),
    [
        (UsageError("--demo uses its own fake API; leave out --api-url."), None, ExitStatus.USAGE),
        (errors.NotFound("Call not found."), "Call not found.", ExitStatus.NOT_FOUND),
        (errors.NoApiKey("No API key."), "No API key.", ExitStatus.NO_KEY),
        (errors.RecBrowserError("key not saved: \x1b[31m"), "key not saved: \\x1b[31m", ExitStatus.ERROR),
        (KeyboardInterrupt(), "interrupted", ExitStatus.INTERRUPTED),
        (Terminated(), "interrupted", ExitStatus.TERMINATED),
    ],
)
def test_each_expected_failure_has_its_line_and_code(error: BaseException, message: str | None, status: int) -> None:
    failure = failure_of(error)
    assert failure is not None
    assert failure.message == (message if message is not None else str(error))
    assert failure.status == status


def test_a_bug_is_not_mapped_so_its_traceback_is_the_report() -> None:
    assert failure_of(ZeroDivisionError("division by zero")) is None
    assert exit_status(ZeroDivisionError("division by zero")) is None
