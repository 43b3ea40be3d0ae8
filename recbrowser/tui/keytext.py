"""What the app says about the API key (no Textual)."""

from __future__ import annotations

from recbrowser.apikey import KEY_WHERE
from recbrowser.errors import NoApiKey, Unauthorized

KEY_ORIGIN = f"No key yet? Create one {KEY_WHERE} (it is shown only once)."
KEY_CODES = frozenset({NoApiKey.code, Unauthorized.code})  # failures a new key can fix
