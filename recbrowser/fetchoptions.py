"""How each file of a download is fetched (kept apart from ``fetch`` so that building the
options does not load http.client and ssl before the first download)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchOptions:
    """Settings shared by the files of a batch; the defaults are the product's."""

    records: Path | None = None
    """Where completion records live; None: the state dir's (``completed.default_dir``)."""
    timeout: float = 30.0
    """Seconds a connect or a read may wait."""
    max_attempts: int = 4
    backoff_base: float = 0.5
    """Seconds before the second attempt; doubled for each one after (see ``retrying``)."""
    chunk_size: int = CHUNK
    """Each receive buffer (a few per file, reused for the whole file; see ``bodywriter``)."""
    direct_writes: bool = True
    """Write whole buffers past the page cache where the OS allows it (Linux ``O_DIRECT``)."""
