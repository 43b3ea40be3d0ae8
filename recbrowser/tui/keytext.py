"""What the app says about the API key (no Textual)."""

from __future__ import annotations

from recbrowser.apikey import KEY_WHERE

KEY_ORIGIN = f"No key yet? Create one {KEY_WHERE} (it is shown only once)."
