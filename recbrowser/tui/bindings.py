"""Key bindings as data: the active bindings with their keys and words, for help and the palette.

Keys are shown as the user's keymap (the ``keymap`` setting, applied with ``App.set_keymap``)
makes them, so a binding added or rebound shows up in help and the palette by itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

# Textual's own bindings: tab and ctrl+p have rows of ours below, ctrl+q ("quit") too, and
# copying selected text does nothing useful on this screen.
TEXTUAL_ONLY = frozenset(
    {"app.focus_next", "app.focus_previous", "command_palette", "app.command_palette", "screen.copy_text", "quit"}
)

# (key, words, explanation, id of the binding whose key it is when the keymap moves it)
NAVIGATION_HELP: list[tuple[str, str, str, str | None]] = [
    ("↑ ↓", "Move", "Between calls in the list, or segments in the table", None),
    ("tab", "Next pane", "Calls list → segments table → transcript → downloads → input", None),
    ("enter", "Open / look up", "On a segment: open it. In the input: look the IDs up", None),
    ("escape", "Leave the input", "Back to the calls list", None),
    ("/ ctrl+f", "Search transcript", "In the transcript pane: find words; enter or n: next, N: previous", None),
    ("ctrl+p", "Commands", "Every action in the command palette", None),
    ("ctrl+q", "Quit", "Quit from anywhere, also while typing in the input", "input.quit"),
    ("f1", "Help", "This screen, also while typing in the input", "input.help"),
]


# The main screen's keys, in the footer's order; the ids are what the ``keymap`` setting names.
BROWSER_BINDINGS: list[BindingType] = [
    Binding(
        "slash",
        "focus_input",
        "Call IDs",
        id="browser.input",
        tooltip="Type or paste call IDs, or any text with them",
    ),
    # Help and quit come first so that the footer keeps them in view on narrow terminals.
    Binding("question_mark", "help", "Help", id="browser.help", tooltip="Show every key"),
    Binding("q", "app.quit", "Quit", id="browser.quit", tooltip="Quit recbrowser (asks first while downloads run)"),
    Binding("r", "refresh", "Refresh", id="browser.refresh", tooltip="Look the selected call up again"),
    Binding(
        "o",
        "open",
        "Open",
        id="browser.open",
        tooltip=(
            "Play the selected segment: in the app when mpv is installed (turned off by "
            '"in_app_playback": false in settings.json), else RECBROWSER_PLAYER or the system opener'
        ),
    ),
    Binding("c", "copy", "Copy", id="browser.copy", tooltip="Copy the selected segment's URL to the clipboard"),
    Binding("d", "download('segment')", "Download", id="browser.download", tooltip="Download the selected segment"),
    Binding(
        "D",
        "download('call')",
        "Download call",
        show=False,
        id="browser.download_call",
        tooltip="Download every segment of the selected call",
    ),
    Binding(
        "x",
        "cancel_download",
        "Cancel download",
        id="browser.cancel",
        show=False,
        tooltip="Cancel the highlighted download (or the selected segment's); the partial file is kept",
    ),
    Binding(
        "h", "history", "History", id="browser.history", tooltip="Past lookups: search, show cached results, forget"
    ),
    Binding("k", "key", "API key", show=False, id="browser.key", tooltip="Set or change the Magpipe API key"),
    Binding("l", "calls_view", "Calls", id="browser.calls", tooltip="Browse the account's calls, newest first"),
]

# In-app playback's keys (the app's, with priority, so they also work with the segments table
# focused): active only while mpv plays, on the browser and the calls view, and never while an
# input has focus (RecBrowserApp.check_action), so otherwise the keys mean what they always did.
PLAYBACK_BINDINGS: list[BindingType] = [
    Binding(
        "space",
        "playback_pause",
        "Pause",
        id="playback.pause",
        priority=True,
        tooltip="While playing in the app: pause or resume",
    ),
    Binding("s", "playback_stop", "Stop", id="playback.stop", priority=True, tooltip="While playing: stop"),
    Binding(
        "left",
        "playback_seek(-5)",
        "Back 5 s",
        id="playback.back",
        show=False,
        priority=True,
        tooltip="While playing: 5 seconds back",
    ),
    Binding(
        "right",
        "playback_seek(5)",
        "Forward 5 s",
        id="playback.forward",
        show=False,
        priority=True,
        tooltip="While playing: 5 seconds on",
    ),
    Binding(
        "shift+left",
        "playback_seek(-30)",
        "Back 30 s",
        id="playback.back_long",
        show=False,
        priority=True,
        tooltip="While playing: 30 seconds back",
    ),
    Binding(
        "shift+right",
        "playback_seek(30)",
        "Forward 30 s",
        id="playback.forward_long",
        show=False,
        priority=True,
        tooltip="While playing: 30 seconds on",
    ),
    Binding(
        "left_square_bracket",
        "playback_speed(-1)",
        "Slower",
        id="playback.slower",
        show=False,
        priority=True,
        tooltip="While playing: slower (down to 0.5x)",
    ),
    Binding(
        "right_square_bracket",
        "playback_speed(1)",
        "Faster",
        id="playback.faster",
        show=False,
        priority=True,
        tooltip="While playing: faster (up to 2x)",
    ),
]
PLAYBACK_ACTIONS = frozenset({"playback_pause", "playback_stop", "playback_seek", "playback_speed"})

# The transcript pane's keys (they win over the screen's while the pane has focus).
TRANSCRIPT_BINDINGS: list[BindingType] = [
    Binding("slash,ctrl+f", "search", "Search", id="transcript.search", tooltip="Find words in the transcript"),
    Binding("n", "next_match(1)", "Next match", id="transcript.next", tooltip="Go to the next match"),
    Binding("N", "next_match(-1)", "Previous match", id="transcript.previous", tooltip="Go to the match before"),
]

# The calls view's filter form.
FILTER_FORM_BINDINGS: list[BindingType] = [
    Binding(
        "escape", "cancel", "Cancel", id="filters.cancel", tooltip="Close the form, keeping the filters as they were"
    ),
    Binding("ctrl+s", "apply", "Apply", id="filters.apply", tooltip="List the calls these filters match"),
    Binding("ctrl+r", "clear", "Clear", id="filters.clear", tooltip="List every call again, without filters"),
]

# The calls view's keys.
CALLS_VIEW_BINDINGS: list[BindingType] = [
    Binding("slash", "filter", "Filter", id="calls.filter", tooltip="Filter the loaded calls by any words"),
    Binding("question_mark", "help", "Help", id="calls.help", tooltip="Show every key"),
    Binding("escape,l", "close", "Back", id="calls.back", tooltip="Back to the looked-up calls and the call-ID input"),
    Binding("f", "filters", "Filters", id="calls.filters", tooltip="Date range, direction, status, agent, number"),
    Binding("m", "more", "Load more", id="calls.more", tooltip="Load the next page of calls"),
    Binding("r", "reload", "Reload", id="calls.reload", tooltip="List the calls again from the newest"),
    Binding("q", "app.quit", "Quit", id="calls.quit", tooltip="Quit recbrowser (asks first while downloads run)"),
]


@dataclass(frozen=True)
class BoundKey:
    """One active binding: the key it has now (as shown), the binding, and where its action runs."""

    key: str
    binding: Binding
    node: Screen[Any] | App[Any]


def keymap_of(app: App[Any]) -> Mapping[str, str]:
    """The keymap in effect: binding id → keys (comma-separated, in Textual's long form)."""
    return app._keymap  # Textual keeps the normalised keymap here and has no public getter


def key_shown(app: App[Any], binding: Binding) -> str:
    """The binding's key as the footer shows it, after the keymap (its first key when it has several)."""
    keys = keymap_of(app).get(binding.id) if binding.id else None
    if keys:
        binding = binding.with_key(keys.split(",")[0].strip(), key_display=None)
    return app.get_key_display(binding)


def bound_keys(screen: Screen[Any]) -> list[BoundKey]:
    """The screen's and the app's bindings that have words, one per action, in the order declared,
    whatever has focus (a focused input would hide most keys from the footer)."""
    app = screen.app
    found: list[BoundKey] = []
    seen: set[str] = set()
    nodes: tuple[Screen[Any] | App[Any], ...] = (screen, app)
    for node in nodes:
        for _key, binding in node._bindings:
            if not binding.description or binding.action in seen:
                continue
            if binding.system or binding.action in TEXTUAL_ONLY:
                continue  # Textual's own keys: in NAVIGATION_HELP, or of no use here
            seen.add(binding.action)
            found.append(BoundKey(key_shown(app, binding), binding, node))
    return found


def help_rows(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(key, action, explanation) for the screen's and the app's bindings, then navigation."""
    rows = [(bound.key, bound.binding.description, bound.binding.tooltip) for bound in bound_keys(screen)]
    keys = {row[0] for row in rows}
    keymap = keymap_of(screen.app)
    for key, words, explanation, binding_id in NAVIGATION_HELP:
        if binding_id is not None and binding_id in keymap:
            key = key_shown(screen.app, Binding(keymap[binding_id], ""))
        if key not in keys:
            rows.append((key, words, explanation))
    return rows


def palette_commands(screen: Screen[Any]) -> Iterator[SystemCommand]:
    """One command palette entry per bound action: its words, what it does and its key."""
    for bound in bound_keys(screen):
        binding = bound.binding
        explanation = f"{binding.tooltip} ({bound.key})" if binding.tooltip else f"Key: {bound.key}"
        yield SystemCommand(binding.description, explanation, partial(bound.node.run_action, binding.action))


def declared_bindings(
    packages: tuple[str, ...] = ("recbrowser.tui.screens", "recbrowser.tui.widgets"),
) -> dict[str, list[Binding]]:
    """The bindings each of recbrowser's screens, widgets and app declares, by class name (importing them all)."""
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{name}.{module.name}")
    return {
        f"{cls.__module__}.{cls.__qualname__}": [b for b in cls.BINDINGS if isinstance(b, Binding)]
        for cls in _subclasses(DOMNode)
        if cls.__module__.startswith("recbrowser.") and "BINDINGS" in cls.__dict__
    }


def declared_binding_ids() -> set[str]:
    """Every binding id a keymap can name."""
    return {b.id for bindings in declared_bindings().values() for b in bindings if b.id}


def keymap_warnings(keymap: Mapping[str, str], known: set[str]) -> list[str]:
    """One warning naming the keymap entries that name no binding (the rest still apply)."""
    unknown = sorted(set(keymap) - known)
    if not unknown:
        return []
    names = ", ".join(repr(binding_id) for binding_id in unknown)
    return [f"Ignoring keymap entries for unknown bindings: {names}. Known: {', '.join(sorted(known))}."]


def keymap_clashes(keymap: Mapping[str, str]) -> list[str]:
    """A warning for each binding whose key the (normalised) keymap gives to another binding of the
    same screen or widget: Textual lets the new one have it, and the old one goes without."""
    warnings = []
    for bindings in declared_bindings().values():
        given = {key: b for b in bindings if b.id is not None and b.id in keymap for key in keymap[b.id].split(",")}
        for binding in bindings:
            if binding.id in keymap:
                continue
            for key in binding.key.split(","):
                taker = given.get(key.strip())
                if taker is not None:
                    warnings.append(
                        f"The keymap gives {key.strip()} to {taker.id}: {binding.description or binding.action} "
                        f"({binding.id or binding.action}) no longer has it."
                    )
    return warnings


def _subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
