"""Unexpected failures in the app: one line for the user, the traceback in the log, and the app
goes on; if the app does stop, `recbrowser` says where the details are and exits 1."""

from __future__ import annotations

import dataclasses
import stat
import sys
import textwrap
import uuid
from pathlib import Path

from recbrowser.downloads import ACTIVE, DONE, FAILED, QUEUED
from recbrowser.errorlog import ErrorLog
from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.history import HistoryStore
from recbrowser.paths import Paths
from tests.cli_helpers import child_env, run_on_a_terminal
from tests.tui_helpers import SIMPLE, TRANSFER, look_up, make_app, notifications, settle, table_rows, wait_until

SIZE = (120, 36)


def log_file() -> Path:
    return Paths.default().log_file


class GremlinInHistory(HistoryStore):
    """A real history store with one deliberate bug, standing in for a bug nobody has found yet."""

    fail_restore = False
    fail_download_of: int | None = None

    def last_session_call_ids(self) -> list[str]:
        if self.fail_restore:
            raise RuntimeError("disk gremlin in restore")
        return super().last_session_call_ids()

    def record_download(self, call_id, index, label, path, size, *, at=None):  # type: ignore[no-untyped-def]
        if index == self.fail_download_of:
            raise RuntimeError(f"disk gremlin in segment {index}")
        return super().record_download(call_id, index, label, path, size, at=at)


def gremlin_history() -> GremlinInHistory:
    return GremlinInHistory(Paths.default().history_db, session=uuid.uuid4().hex)


async def test_a_failing_worker_is_one_notification_and_a_logged_traceback_and_the_app_goes_on(
    fake: FakeMagpipe,
) -> None:
    history = gremlin_history()
    history.fail_restore = True
    app = make_app(fake, history=history)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: any("gremlin" in n for n in notifications(app)), "the notification")
        shown = [n for n in notifications(app) if "gremlin" in n]
        assert shown == [f"Something went wrong: RuntimeError: disk gremlin in restore; details in {log_file()}"]
        await look_up(pilot, SIMPLE)  # still running, still working
        assert table_rows(app)[0][2] == "Main Call"
    text = log_file().read_text()
    assert "Traceback (most recent call last)" in text and "last_session_call_ids" in text
    assert "RuntimeError: disk gremlin in restore" in text
    assert DEMO_KEY not in text
    assert stat.S_IMODE(log_file().stat().st_mode) == 0o600


async def test_a_key_that_cannot_be_saved_is_one_error_toast_in_plain_words_and_nothing_is_logged(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    # A worker's Failure reaches the app's one handler: shown as it says, not as a bug.
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the config folder should be")
    app = make_app(fake, paths=dataclasses.replace(Paths.default(), config_dir=blocked))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "k")  # out of the call-ID input, then the key screen
        await pilot.press(*DEMO_KEY, "enter")
        await settle(pilot)
        (toast,) = [n for n in app._notifications if "key" in n.message]
        assert toast.message.startswith(f"Could not save the key to {blocked / 'api_key'}: ")
        assert toast.severity == "error" and not toast.message.startswith("Something went wrong")
        assert app.is_running
    assert not log_file().exists()


async def test_an_unexpected_failure_in_one_download_fails_that_file_only(fake: FakeMagpipe) -> None:
    history = gremlin_history()
    history.fail_download_of = 2
    app = make_app(fake, history=history)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab", "D")
        await settle(pilot)
        items = {item.segment.index: item for item in app.downloads.items.values()}
        assert {i: item.state for i, item in items.items()} == {1: DONE, 2: FAILED, 3: DONE, 4: DONE}
        assert items[2].error is not None
        assert items[2].error.message == "Something went wrong: RuntimeError: disk gremlin in segment 2"
        assert not [item for item in items.values() if item.state in (QUEUED, ACTIVE)]
        assert (
            f"Something went wrong: RuntimeError: disk gremlin in segment 2; details in {log_file()}"
            in notifications(app)
        )
        assert app.is_running
    assert "record_download" in log_file().read_text()


def test_the_error_log_is_private_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "state" / "recbrowser.log"
    log = ErrorLog(path, max_bytes=4096, secrets=["s3cret-key"])
    for n in range(40):
        try:
            raise ValueError(f"failure {n} with s3cret-key inside")
        except ValueError as exc:
            assert log.record(exc, context="test")
    assert path.stat().st_size < 4096 + 1024
    assert path.with_name("recbrowser.log.1").stat().st_size < 4096 + 1024
    assert "failure 39" in path.read_text()
    assert "s3cret-key" not in path.read_text() + path.with_name("recbrowser.log.1").read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_error_log_never_writes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    path = tmp_path / "recbrowser.log"
    path.symlink_to(victim)
    assert ErrorLog(path).record(RuntimeError("x")) is False
    assert victim.read_text() == "keep"


DYING_APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from recbrowser.commands.app import _exit_code
    from recbrowser.demo import start_demo
    from recbrowser.tui import app as tui_app
    from recbrowser.tui.app import RecBrowserApp

    class DyingApp(RecBrowserApp):
        CSS_PATH = str(Path(tui_app.__file__).with_name("app.tcss"))

        def on_ready(self) -> None:
            self.set_timer(0.2, self.die)

        def die(self) -> None:
            raise RuntimeError("bug in a handler")

    demo = start_demo()
    try:
        app = DyingApp(paths=demo.paths, resolved=demo.resolved)
        app.run()
    finally:
        demo.close()
    sys.exit(_exit_code(app))
    """
)


def test_when_the_app_dies_recbrowser_exits_1_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    script = tmp_path / "dying_app.py"
    script.write_text(DYING_APP)
    code, output = run_on_a_terminal(
        [sys.executable, str(script)], child_env(tmp_path, TERM="xterm-256color"), stdin_too=True, timeout=30
    )
    screen = output.decode(errors="replace")
    log = tmp_path / "state" / "recbrowser" / "recbrowser.log"
    assert code == 1
    assert f"recbrowser: the app stopped after RuntimeError: bug in a handler; details in {log}" in screen
    assert "Traceback" not in screen and "╭" not in screen.split("recbrowser: the app stopped")[-1]
    assert "RuntimeError: bug in a handler" in log.read_text() and "Traceback" in log.read_text()
