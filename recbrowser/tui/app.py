"""The Textual App: wiring only. Dependencies come in; screens do the work."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import WorkerFailed

from recbrowser import unfinished
from recbrowser.apikey import ENV_KEY
from recbrowser.calls import PAGE_SIZE
from recbrowser.download_queue import DownloadQueue
from recbrowser.errorlog import ErrorLog, summary
from recbrowser.formatting import plural
from recbrowser.history import HistoryStore
from recbrowser.keystore import KeyStore
from recbrowser.lookups import BoundedLookups
from recbrowser.paths import Paths, display_path
from recbrowser.playback import Playback, PlaybackState, play_targets
from recbrowser.player import Said, in_app_player
from recbrowser.retrying import retry_message
from recbrowser.secret import Secret, mask
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable
from recbrowser.tui.bindings import (
    PLAYBACK_ACTIONS,
    PLAYBACK_BINDINGS,
    declared_binding_ids,
    key_shown,
    keymap_clashes,
    keymap_of,
    keymap_warnings,
    palette_commands,
)
from recbrowser.tui.failure import DisplayFailed, Failure
from recbrowser.tui.notices import Toasts
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.confirm import ConfirmScreen, ResumeScreen
from recbrowser.tui.screens.key_entry import KeyScreen
from recbrowser.tui.widgets.downloads import Downloads
from recbrowser.tui.widgets.playback_bar import PlaybackBar

if TYPE_CHECKING:
    from recbrowser.callstate import CallState
    from recbrowser.client import MagpipeClient, RetryNotice


class RecBrowserApp(App[None]):
    """recbrowser's TUI. Tests and ``--demo`` hand it paths and a resolved URL/key."""

    CSS_PATH = "app.tcss"
    TITLE = "recbrowser"
    BINDINGS = PLAYBACK_BINDINGS

    def __init__(
        self,
        *,
        paths: Paths,
        resolved: Resolved,
        settings: Settings | None = None,
        welcome: Text | None = None,
        prefill: str = "",
        client_options: dict[str, Any] | None = None,
        history: HistoryStore | None = None,
        calls_page_size: int = PAGE_SIZE,
        start_on_calls: bool = False,
        open_calls: Sequence[str] = (),
        mpv: Sequence[str] | None = None,
        mpv_options: Sequence[str] = (),
    ) -> None:
        """``start_on_calls``: open on the calls view when there is a key (the call-ID input is under it).
        ``open_calls``: look these calls up at once instead (``recbrowser ID…``). ``mpv``: the command
        in-app playback runs (default: mpv on PATH), with ``mpv_options`` added (tests: ``--ao=null``)."""
        super().__init__()
        self._mpv = list(mpv) if mpv is not None else None
        self._mpv_options = list(mpv_options)
        self.playback: Playback | None = None
        self.open_calls = list(open_calls)
        self.calls_page_size = calls_page_size  # calls a list-calls page asks for in the calls view
        self.start_on_calls = start_on_calls
        self.history = history if history is not None else HistoryStore(paths.history_db, session=uuid.uuid4().hex)
        self.paths = paths
        self.resolved = resolved
        self.settings = settings or Settings()
        self.downloads = DownloadQueue(history=self.history, records=paths.download_records)
        self._client_options = client_options or {}
        self._welcome = welcome
        self.is_demo = welcome is not None  # only `--demo` passes a welcome text
        self._prefill = prefill
        self._client: MagpipeClient | None = None
        self._client_lock = threading.Lock()
        self.lookups = BoundedLookups(lambda: self.client, self.history)
        self.errors = ErrorLog(paths.log_file, secrets=[resolved.key.reveal()] if resolved.key else [])
        self._logged_display_errors: set[str] = set()
        self._offered: list[unfinished.Unfinished] = []  # offered on start, not answered yet
        self._quit_question: ConfirmScreen | None = None
        self.fatal_error: BaseException | None = None  # what stopped the app, for the command's last line
        self.hangup: int | None = None  # the signal (SIGHUP, SIGTERM) that ended the app, if one did
        self._hangup_handlers: list[int] = []
        self.toasts = Toasts(self)
        self.sub_title = "demo" if welcome is not None else printable(resolved.api_url, limit=60)

    @property
    def download_dir(self) -> Path:
        """Where the app saves recordings: the download_dir setting, else the downloads dir."""
        if self.settings.download_dir:
            return Path(self.settings.download_dir).expanduser()
        return self.paths.downloads_dir

    @property
    def client(self) -> MagpipeClient:
        """The Magpipe client, made on first use: building its TLS context takes ~35 ms,
        which is kept off the first frame (``_warm_up`` builds it in a thread)."""
        from recbrowser.client import MagpipeClient  # httpx loads off the first frame

        with self._client_lock:
            if self._client is None:
                options = {"request_deadline": self.resolved.request_deadline, **self._client_options}
                self._client = MagpipeClient(
                    self.resolved.api_url, self.resolved.key, on_retry=self._on_retry, **options
                )
            return self._client

    @work(thread=True, group="startup")
    def _warm_up(self) -> None:
        self.client  # noqa: B018 - built here, off the event loop
        import recbrowser.fetch  # noqa: F401 - so the first download does not pay for http.client and ssl

    def on_mount(self) -> None:
        self._catch_hangups()
        keymap_problems = self._apply_keymap()
        self.push_screen(BrowserScreen(welcome=self._welcome, prefill=self._prefill))
        for warning in [*self.settings.warnings, *keymap_problems, *self.resolved.warnings, *self.history.warnings]:
            self.notify(warning, severity="warning", markup=False)
        # Later history trouble (a lock held by another program, a damaged file moved aside)
        # is met in worker threads: shown as it happens, not only at start.
        self.history.on_wait = self.history.on_warning = self._notify_from_any_thread
        if self.resolved.key is None:
            self.ask_for_key()
        # Off the first frame: importing httpx and building its TLS context in a thread
        # still competes for the GIL, so it waits until the screen is up.
        self.set_timer(0.5, self._warm_up)
        self._offer_resume()

    def _apply_keymap(self) -> list[str]:
        """Rebind keys as the ``keymap`` setting says (posting's way); warnings for ids no binding has
        and for keys taken from another binding."""
        if not self.settings.keymap:
            return []  # the usual case: no importing every screen to learn their binding ids
        known = declared_binding_ids()
        self.set_keymap({binding_id: keys for binding_id, keys in self.settings.keymap.items() if binding_id in known})
        return keymap_warnings(self.settings.keymap, known) + keymap_clashes(keymap_of(self))

    def _notify_from_any_thread(self, message: str) -> None:
        if threading.get_ident() == self._thread_id:
            self.notify(message, severity="warning", markup=False)
        else:
            self.call_from_thread(self.notify, message, severity="warning", markup=False)

    HANGUPS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name))

    def _catch_hangups(self) -> None:
        """A closed terminal (SIGHUP) or a polite kill (SIGTERM) quits as ``q`` does, without asking:
        mpv stopped, unfinished downloads remembered, the terminal restored. As loop callbacks, not
        exceptions raised wherever the signal lands (which could leave the app running)."""
        loop = asyncio.get_running_loop()
        for signum in self.HANGUPS:
            try:
                loop.add_signal_handler(signum, self._hung_up, signum)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no such signal
                continue
            self._hangup_handlers.append(signum)

    def _hung_up(self, signum: int) -> None:
        if self.hangup is None:
            self.hangup = signum
            self._quit_now()

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._hangup_handlers:
            loop.remove_signal_handler(signum)
        if self.playback is not None:
            await self.playback.close()  # no mpv outlives the app
        if self._client is not None:
            await self._client.aclose()
        self.history.close()

    # --- in-app playback ----------------------------------------------------------------

    def in_app_mpv(self) -> list[str] | None:
        """The mpv command that plays inside the app, or None for ``player.plan_open``'s way."""
        given = self._mpv
        which = shutil.which if given is None else (lambda _name: given[0])
        found = in_app_player(os.environ, enabled=self.settings.in_app_playback, which=which)
        if found is None:
            return None
        return given if given is not None else [found]

    def play_in_app(self, state: CallState, position: int) -> bool:
        """Play the call's segment at ``position`` (and, with ``play_next``, those after it) in the
        app; False when in-app playback is off or mpv is missing (the caller opens it as before)."""
        mpv = self.in_app_mpv()
        if mpv is None or state.recordings is None:
            return False
        if self.playback is None:
            self.playback = Playback(
                mpv, self._playback_changed, play_next=self.settings.play_next, extra=self._mpv_options
            )
        self._play(self.playback, state, position)
        return True

    @work(group="playback")
    async def _play(self, playback: Playback, state: CallState, position: int) -> None:
        segments = state.recordings.segments if state.recordings is not None else []
        targets = play_targets(state.call_id, segments, position, state.local_files)
        if isinstance(targets, Said):
            self.notify(targets.message, severity=targets.severity, markup=False)
            return
        await playback.play(targets)

    @property
    def playback_state(self) -> PlaybackState:
        return self.playback.state if self.playback is not None else PlaybackState()

    def playback_hint(self) -> str:
        """The playback keys as the keymap makes them, for the bar."""
        keys = {b.id: key_shown(self, b) for b in PLAYBACK_BINDINGS if isinstance(b, Binding) and b.id}
        return (
            f"{keys['playback.pause']} pause · {keys['playback.back']} {keys['playback.forward']} seek · "
            f"{keys['playback.slower']} {keys['playback.faster']} speed · {keys['playback.stop']} stop"
        )

    def _playback_changed(self, state: PlaybackState) -> None:
        hint = self.playback_hint()
        for screen in self.screen_stack:
            for bar in screen.query(PlaybackBar):
                bar.show(state, hint)
        if state.phase == "failed":
            self.notify(state.reason, title="Playback", severity="error", markup=False)
        self.refresh_bindings()  # the playback keys come and go with it

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The playback keys apply while mpv plays, on a screen showing the bar, outside inputs;
        otherwise the key goes on to whatever it means there."""
        if action in PLAYBACK_ACTIONS:
            return (
                self.playback_state.active
                and not isinstance(self.focused, Input)
                and bool(self.screen.query(PlaybackBar))
            )
        return super().check_action(action, parameters)

    def action_playback_pause(self) -> None:
        if self.playback is not None:
            self.run_worker(self.playback.toggle_pause(), group="playback")

    def action_playback_stop(self) -> None:
        if self.playback is not None:
            self.run_worker(self.playback.stop(), group="playback")

    def action_playback_seek(self, seconds: float) -> None:
        if self.playback is not None:
            self.run_worker(self.playback.seek(seconds), group="playback")

    def action_playback_speed(self, steps: int) -> None:
        if self.playback is not None:
            self.run_worker(self.playback.change_speed(steps), group="playback")

    # --- the key ------------------------------------------------------------------------

    def ask_for_key(self) -> None:
        env_key = self.resolved.key if self.resolved.key_source == ENV_KEY else None
        self.push_screen(KeyScreen(self.paths.key_file, env_key=env_key), self._key_entered)

    def _key_entered(self, key: str | None) -> None:
        if key is None:
            if self.resolved.key is None:
                self.notify("No API key yet: lookups will fail until you set one (press k).", severity="warning")
            return
        self._save_key(key)

    @work(thread=True, group="settings")
    def _save_key(self, key: str) -> None:
        try:
            KeyStore(self.paths.key_file).save(key)
        except OSError as exc:
            raise Failure(f"Could not save the key to {self.paths.key_file}: {exc.strerror or exc}") from exc
        self.call_from_thread(self._use_key, key)

    def _use_key(self, key: str) -> None:
        with self._client_lock:
            old, self._client = self._client, None
            self.resolved = replace(self.resolved, key=Secret(key), key_source=str(self.paths.key_file))
        self.errors.secrets.append(key)
        if old is not None:
            self.run_worker(old.aclose(), group="settings")
        self.notify(f"Saved key {mask(key)} to {display_path(self.paths.key_file)}.", title="API key", markup=False)
        browser = self._browser()
        if browser is not None:
            retried = browser.retry_key_failures()
            if retried:
                calls = plural(retried, "call")
                self.notify(f"Looking up again {calls} that had failed for want of a key.", markup=False)

    def _browser(self) -> BrowserScreen | None:
        return next((screen for screen in self.screen_stack if isinstance(screen, BrowserScreen)), None)

    # --- quitting and unfinished downloads --------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; while downloads run, ask first. Unfinished downloads are remembered for the next start."""
        running = unfinished.running_count(self.downloads.items.values())
        if running and (self._quit_question is None or self.screen is not self._quit_question):

            def answered(yes: bool | None) -> None:
                self._quit_question = None
                if yes:
                    self._quit_now()

            self._quit_question = ConfirmScreen(unfinished.quit_question(running), yes="Quit")
            self.push_screen(self._quit_question, answered)
            return
        self._quit_now()  # also ctrl+q while the question is up: the user insists

    def _quit_now(self) -> None:
        entries = unfinished.of_items(self.downloads.items.values())
        self._remember_unfinished(entries + self._offered)  # the offered ones are still unfinished

    @work(thread=True, group="quit", exclusive=True)
    def _remember_unfinished(self, entries: list[unfinished.Unfinished]) -> None:
        """Write the unfinished downloads for the next start (off the event loop), then quit."""
        self._save_unfinished(entries, context="remembering unfinished downloads")
        self.call_from_thread(self.exit)

    def _save_unfinished(self, entries: list[unfinished.Unfinished], *, context: str) -> None:
        try:
            unfinished.save(unfinished.state_file(self.paths), entries)
        except OSError as exc:
            self.errors.record(exc, context=context)

    @work(thread=True, group="startup")
    def _offer_resume(self) -> None:
        entries = unfinished.load(unfinished.state_file(self.paths))
        if entries:
            self.call_from_thread(self._ask_resume, entries)

    def _ask_resume(self, entries: list[unfinished.Unfinished]) -> None:
        self._offered = entries

        def answered(resume: bool | None) -> None:
            self._offered = []
            browser = self._browser()
            if resume and browser is not None:
                browser.query_one(Downloads).resume(entries)
            else:
                self.notify(f"The partial files stay in {unfinished.where(entries)}.", markup=False)
            self._forget_unfinished()

        self.push_screen(ResumeScreen(len(entries), unfinished.where(entries)), answered)

    @work(thread=True, group="startup")
    def _forget_unfinished(self) -> None:
        self._save_unfinished([], context="forgetting unfinished downloads")

    # --- history -------------------------------------------------------------------------

    def action_clear_history(self) -> None:
        """Ask, then remove every entry from the lookup history."""

        def answered(yes: bool | None) -> None:
            if yes:
                self._clear_history()

        self.push_screen(ConfirmScreen("Remove every entry from the lookup history?", yes="Clear"), answered)

    @work(thread=True, group="history-write")
    def _clear_history(self) -> None:
        removed = self.history.clear()
        self.call_from_thread(self.notify, f"Removed {removed} entries from the history.")

    # --- failures -----------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Textual (8.2.8) hands every failed worker (exit_on_error, the default) and every unhandled
        # exception to this private method, and offers no public hook that sees them all:
        # Worker.StateChanged does not bubble, so an App handler of it would see only the App's own workers.
        if isinstance(error, WorkerFailed):
            self.worker_failed(error.error)
            return
        if self.fatal_error is None:
            self.fatal_error = error
            self.errors.record(self.fatal_error, context="the app stopped")
        super()._handle_exception(error)

    def worker_failed(self, error: BaseException) -> None:
        """The one place a worker's failure is shown: a Failure as it says; anything else is a bug."""
        if isinstance(error, Failure):
            if not self._exit:
                self.notify(error.message, title=error.title, severity=error.severity, markup=False)
            return
        self.report_unexpected(error, context="worker")

    def report_unexpected(self, error: BaseException, *, context: str = "") -> None:
        """A bug surfaces here: its traceback to the log, one line to the user; the app goes on."""
        logged = self.errors.record(error, context=context)
        if self._exit:
            return
        where = f"details in {display_path(self.errors.path)}" if logged else "the log could not be written"
        self.notify(f"Something went wrong: {summary(error)}; {where}", severity="error", markup=False, timeout=10)

    def on_display_failed(self, message: DisplayFailed) -> None:
        """A value that could not be shown is "?" on screen; its first failure of a kind goes to the log."""
        for error in message.failures:
            kind = f"{message.where}: {summary(error)}"
            if kind not in self._logged_display_errors:
                self._logged_display_errors.add(kind)
                self.errors.record(error, context=f"showing the {message.where}")

    def _fatal_error(self) -> None:
        # Textual would print a traceback (with locals) on exit; the log has it, the command says where.
        self.bell()
        self._close_messages_no_wait()

    # --- retries and commands -------------------------------------------------------

    def _on_retry(self, notice: RetryNotice) -> None:
        """A call's retries show in its row and header; only one not about a listed call is a toast."""
        for screen in self.screen_stack:
            if isinstance(screen, BrowserScreen) and screen.retrying(notice):
                return
        self.toasts.show(
            "retry:api",
            retry_message(notice, limit=200),
            title="Magpipe API",
            severity="warning",
            timeout=max(3.0, notice.delay + 1),
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands, then one per binding of the screen (its words and its key now), then
        the actions that have no key."""
        titles: set[str] = set()
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # our "Help" (?) lists every key
                titles.add(command.title)
                yield command
        for command in palette_commands(screen):
            if command.title not in titles:  # "Quit" is Textual's, and runs our action_quit
                yield command
        if isinstance(screen, BrowserScreen):
            yield SystemCommand(
                "Download all calls",
                "Download every segment of every listed call",
                partial(screen.action_download, "all"),
            )
            yield SystemCommand(
                "Clear history", "Remove every entry from the lookup history", self.action_clear_history
            )
        else:
            yield SystemCommand("API key", "Set or change the Magpipe API key", self.ask_for_key)
