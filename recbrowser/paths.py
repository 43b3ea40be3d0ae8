"""Every directory and file recbrowser uses, and how a path is shown in messages.

Every path comes from platformdirs, so XDG_* variables (and their equivalents on other
systems) move them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_NAME = "recbrowser"


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
