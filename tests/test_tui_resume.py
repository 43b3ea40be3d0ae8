"""Quitting while downloads run asks first; the next start offers to resume what was left."""

from __future__ import annotations

from recbrowser.downloads import ACTIVE, DONE
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.paths import Paths
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.confirm import ConfirmScreen, ResumeScreen
from recbrowser.unfinished import load, state_file
from tests.test_tui_downloads import queued
from tests.tui_helpers import SIMPLE, look_up, make_app, notifications, settle, wait_until

SIZE = (120, 40)


# --- 3. quitting while downloads run, and resuming next time ----------------------------------


async def test_q_asks_while_a_download_runs_and_the_next_start_resumes_it(fake: FakeMagpipe) -> None:
    fake.faults.pause_mid_body = 1
    fake.faults.pause_after_bytes = 4096
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "d")
        item = await queued(pilot, f"{SIMPLE}:1")
        await wait_until(
            pilot, lambda: fake.faults.body_paused.is_set() and item.state == ACTIVE, "the download to pause"
        )
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "1 download is running. Quit and keep the partial files for later?" in str(
            app.screen.query_one("Static").render()
        )
        await pilot.press("n")
        assert isinstance(app.screen, BrowserScreen) and not app._exit
        await pilot.press("q", "y")
        await pilot.pause()
        assert app._exit
    fake.faults.resume_body.set()
    part = item.planned.part
    assert part.exists() and not item.planned.path.exists()
    assert [(u.call_id, u.index, u.part) for u in load(state_file(Paths.default()))] == [(SIMPLE, 1, part)]

    fake.faults.resume_body.clear()
    again = make_app(fake)
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(again.screen, ResumeScreen), "the offer to resume")
        assert "Resume 1 unfinished download?" in str(again.screen.query_one("#question").render())
        await pilot.press("enter")
        resumed = await queued(pilot, f"{SIMPLE}:1")
        await wait_until(pilot, lambda: resumed.state == DONE, "the resumed download")
        await settle(pilot)
    assert resumed.path is not None and resumed.path.read_bytes() == segment_wav(SIMPLE, 1)
    assert any(r.headers.get("range", "").startswith("bytes=") for r in fake.requests["storage"] if r.method == "GET")
    assert not state_file(Paths.default()).exists()


async def test_escape_dismisses_the_offer_and_says_where_the_partial_files_are(fake: FakeMagpipe, tmp_path) -> None:
    part = tmp_path / "downloads" / "x" / "01-main.wav.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"RIFF")
    state = state_file(Paths.default())
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(f'[{{"call_id": "{SIMPLE}", "index": 1, "part": "{part}"}}, {{"bogus": 1}}]')
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResumeScreen), "the offer to resume")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert any(f"The partial files stay in {part.parent}" in m for m in notifications(app))
    assert not state.exists() and part.exists()
