"""The ``keymap`` setting as read from settings.json: good entries kept, the rest a warning."""

from __future__ import annotations

import json
from pathlib import Path

from recbrowser.settings import Settings


def load(tmp_path: Path, keymap: object) -> Settings:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"utc": True, "keymap": keymap}), encoding="utf-8")
    return Settings.load(path)


def test_a_keymap_maps_binding_ids_to_keys(tmp_path: Path) -> None:
    settings = load(tmp_path, {"browser.refresh": "f5", "browser.download": "ctrl+d,g"})
    assert settings.keymap == {"browser.refresh": "f5", "browser.download": "ctrl+d,g"}
    assert settings.warnings == []


def test_no_keymap_is_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"utc": true}', encoding="utf-8")
    assert Settings.load(path).keymap == {}


def test_a_keymap_that_is_not_an_object_is_a_warning_and_nothing_else_is_lost(tmp_path: Path) -> None:
    settings = load(tmp_path, ["browser.refresh", "f5"])
    assert settings.keymap == {}
    assert settings.utc is True
    assert settings.warnings == [
        f'Ignoring keymap in {tmp_path / "settings.json"}: expected an object such as {{"browser.refresh": "f5"}}.'
    ]


def test_entries_without_usable_keys_are_warned_about_one_by_one(tmp_path: Path) -> None:
    settings = load(tmp_path, {"browser.copy": 5, "browser.open": "", "browser.key": "f2,,f3", "browser.refresh": "f5"})
    assert settings.keymap == {"browser.refresh": "f5"}
    assert [warning.split(" in ")[0] for warning in settings.warnings] == [
        "Ignoring keymap entry 'browser.copy'",
        "Ignoring keymap entry 'browser.open'",
        "Ignoring keymap entry 'browser.key'",
    ]
    assert all(warning.endswith('expected keys such as "f5" or "f5,ctrl+r".') for warning in settings.warnings)
