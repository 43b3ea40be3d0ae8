"""One module per command; `recbrowser.cli` imports each only when it runs."""
