"""recbrowser: a keyboard-driven terminal browser for Magpipe call recordings."""

__version__ = "0.1.0"
