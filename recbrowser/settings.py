"""The user's settings (settings.json in the config dir), and which API URL and key are in effect."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from recbrowser.apikey import ENV_KEY
from recbrowser.keystore import KeyStore, UnreadableKeyFile
from recbrowser.paths import Paths
from recbrowser.privatefiles import write_private
from recbrowser.secret import Secret

DEFAULT_API_URL = "https://api.magpipe.ai/functions/v1"
ENV_URL = "MAGPIPE_API_URL"
DEFAULT_REQUEST_DEADLINE = 60.0
"""Seconds one API request may take in all (``request_deadline`` in settings.json)."""
MAX_REQUEST_DEADLINE = 3600.0


@dataclass
class Settings:
    """User settings, kept as JSON in the config dir. Unknown or bad values fall back to defaults."""

    api_url: str | None = None
    download_dir: str | None = None
    refresh_interval: float = 30.0
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    utc: bool = False
    """Show times in UTC instead of local time."""
    in_app_playback: bool = True
    """Play inside the app with mpv when mpv is on PATH and RECBROWSER_PLAYER is unset."""
    play_next: bool = False
    """In-app playback goes on with the call's next segment when one ends."""
    keymap: dict[str, str] = field(default_factory=dict)
    """The app's keys by binding id, e.g. ``{"browser.refresh": "f5"}`` (``App.set_keymap``)."""
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            return cls(warnings=[f"Ignoring unreadable settings file {path}: {exc}"])
        if not isinstance(raw, dict):
            return cls(warnings=[f"Ignoring settings file {path}: not a JSON object"])
        settings = cls()
        for name, kind in (("api_url", str), ("download_dir", str)):
            if isinstance(raw.get(name), kind):
                setattr(settings, name, raw[name])
        for name in ("utc", "in_app_playback", "play_next"):
            if isinstance(raw.get(name), bool):
                setattr(settings, name, raw[name])
            elif name in raw:
                settings.warnings.append(f"Ignoring {name} in {path}: expected true or false.")
        interval = raw.get("refresh_interval")
        if isinstance(interval, (int, float)) and not isinstance(interval, bool) and interval > 0:
            settings.refresh_interval = float(interval)
        deadline = raw.get("request_deadline")
        if (
            isinstance(deadline, (int, float))
            and not isinstance(deadline, bool)
            and 0 < deadline <= MAX_REQUEST_DEADLINE
        ):
            settings.request_deadline = float(deadline)
        elif deadline is not None:
            settings.warnings.append(
                f"Ignoring request_deadline in {path}: expected seconds between 0 and {MAX_REQUEST_DEADLINE:.0f}; "
                f"using {DEFAULT_REQUEST_DEADLINE:.0f}."
            )
        settings.keymap = _keymap(raw.get("keymap", {}), path, settings.warnings)
        return settings

    def save(self, path: Path) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "warnings"}
        write_private(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))


def _keymap(raw: object, path: Path, warnings: list[str]) -> dict[str, str]:
    """The ``keymap`` setting's well-formed entries (binding id → comma-separated keys); a warning for the rest."""
    if not isinstance(raw, dict):
        warnings.append(f'Ignoring keymap in {path}: expected an object such as {{"browser.refresh": "f5"}}.')
        return {}
    keymap: dict[str, str] = {}
    for binding_id, keys in raw.items():
        if isinstance(keys, str) and all(key.strip() and " " not in key.strip() for key in keys.split(",")):
            keymap[binding_id] = keys
        else:
            warnings.append(
                f'Ignoring keymap entry {binding_id!r} in {path}: expected keys such as "f5" or "f5,ctrl+r".'
            )
    return keymap


@dataclass(frozen=True)
class Resolved:
    """The API URL and key in effect, and where each came from."""

    api_url: str
    api_url_source: str
    key: Secret | None
    key_source: str | None
    warnings: tuple[str, ...] = ()
    """Problems to show the user, e.g. a key file that could not be read."""
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    """Seconds one API request may take in all, from the settings."""


def resolve(
    paths: Paths,
    *,
    api_url_flag: str | None = None,
    env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> Resolved:
    """Apply precedence: --api-url > MAGPIPE_API_URL > settings > default; MAGPIPE_API_KEY > key file."""
    env = os.environ if env is None else env
    settings = settings if settings is not None else Settings.load(paths.settings_file)
    if api_url_flag:
        api_url, url_source = api_url_flag, "--api-url"
    elif env.get(ENV_URL, "").strip():
        api_url, url_source = env[ENV_URL].strip(), ENV_URL
    elif settings.api_url:
        api_url, url_source = settings.api_url, str(paths.settings_file)
    else:
        api_url, url_source = DEFAULT_API_URL, "default"
    env_key = env.get(ENV_KEY, "").strip()
    warnings: tuple[str, ...] = ()
    key: Secret | None
    key_source: str | None
    if env_key:
        key, key_source = Secret(env_key), ENV_KEY
    else:
        try:
            key = KeyStore(paths.key_file).load()
        except UnreadableKeyFile as exc:
            key, warnings = None, (str(exc),)
        key_source = str(paths.key_file) if key else None
    return Resolved(
        api_url=api_url.rstrip("/"),
        api_url_source=url_source,
        key=key,
        key_source=key_source,
        warnings=warnings,
        request_deadline=settings.request_deadline,
    )
