"""Where recbrowser keeps things, its settings, and the API key store.

Every path comes from platformdirs, so XDG_* variables (and their equivalents on other
systems) move them. The key lives in a file of its own, 0600 inside a 0700 directory.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from recbrowser.durable import fsync_dir
from recbrowser.text import os_reason

APP_NAME = "recbrowser"
DEFAULT_API_URL = "https://api.magpipe.ai/functions/v1"
ENV_KEY = "MAGPIPE_API_KEY"
ENV_URL = "MAGPIPE_API_URL"
KEY_WHERE = "in Magpipe: Settings → API → Generate New Key"
"""Where a user gets a key, for every message that asks for one."""
DEFAULT_REQUEST_DEADLINE = 60.0
"""Seconds one API request may take in all (``request_deadline`` in settings.json)."""
MAX_REQUEST_DEADLINE = 3600.0

_MGP_KEY = re.compile(r"mgp_[0-9a-fA-F]{40}")
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")


class Secret:
    """A string that never shows itself: ``str``, ``repr`` and f-strings give the masked form."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def mask(key: str) -> str:
    """``mgp_ab…yz``: enough to recognise a key, never enough to use it."""
    if len(key) < 12:
        return "…"
    return f"{key[:6]}…{key[-2:]}"


class InvalidKey(ValueError):
    """The text cannot be an API key at all (empty, or would corrupt an HTTP header)."""


def check_key(text: str) -> tuple[str, str | None]:
    """Clean a pasted key. Returns (key, warning); warning is set when it looks unusual.

    Raises InvalidKey for text that can never work (empty, spaces or control characters inside).
    """
    key = text.strip()
    if key.lower().startswith("bearer "):
        key = key[7:].strip()
    if not key:
        raise InvalidKey("The key is empty.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in key) or not key.isascii():
        raise InvalidKey("The key contains spaces, control or non-ASCII characters; paste just the key.")
    if _MGP_KEY.fullmatch(key) or _JWT.fullmatch(key):
        return key, None
    return (
        key,
        "This does not look like a Magpipe API key (mgp_ followed by 40 hex characters) or a session token (eyJ…).",
    )


@dataclass(frozen=True)
class Paths:
    """Every directory recbrowser uses."""

    config_dir: Path
    data_dir: Path
    downloads_dir: Path
    state_dir: Path | None = None  # None: the platform's state dir (so a demo's log outlives its temp dir)
    records_dir: Path | None = None  # None: ``downloads`` in the platform's state dir

    @classmethod
    def default(cls) -> Paths:
        import platformdirs

        return cls(
            config_dir=platformdirs.user_config_path(APP_NAME),
            data_dir=platformdirs.user_data_path(APP_NAME),
            downloads_dir=platformdirs.user_downloads_path() / APP_NAME,
            state_dir=platformdirs.user_state_path(APP_NAME),
        )

    @property
    def key_file(self) -> Path:
        return self.config_dir / "api_key"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def log_file(self) -> Path:
        """Where unexpected failures are logged with their traceback (see ``errorlog``)."""
        if self.state_dir is not None:
            return self.state_dir / "recbrowser.log"
        import platformdirs

        return platformdirs.user_state_path(APP_NAME) / "recbrowser.log"

    @property
    def download_records(self) -> Path:
        """Where a record of each completed download is kept (see ``completed``)."""
        if self.records_dir is not None:
            return self.records_dir
        from recbrowser.completed import default_dir

        return default_dir()


def display_path(path: Path) -> str:
    """The path with the home directory shown as ``~``, for messages."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed and make it readable by the user only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, readable by the user only (0600 in a 0700 dir)."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


class UnreadableKeyFile(Exception):
    """The key file exists but cannot be read as text; the message says which and why."""


class KeyStore:
    """The saved API key: one file, 0600, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Secret | None:
        """The saved key, or None; raises UnreadableKeyFile when the file exists but cannot be used."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnreadableKeyFile(f"Ignoring the saved key file {self.path}: {os_reason(exc)}.") from None
        except UnicodeDecodeError:
            raise UnreadableKeyFile(f"Ignoring the saved key file {self.path}: it is not text.") from None
        return Secret(text) if text else None

    def save(self, key: str) -> None:
        write_private(self.path, (key + "\n").encode("utf-8"))

    def clear(self) -> bool:
        """Remove the saved key; True when there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


@dataclass
class Settings:
    """User settings, kept as JSON in the config dir. Unknown or bad values fall back to defaults."""

    api_url: str | None = None
    download_dir: str | None = None
    refresh_interval: float = 30.0
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    utc: bool = False
    """Show times in UTC instead of local time."""
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
        if isinstance(raw.get("utc"), bool):
            settings.utc = raw["utc"]
        elif "utc" in raw:
            settings.warnings.append(f"Ignoring utc in {path}: expected true or false.")
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
