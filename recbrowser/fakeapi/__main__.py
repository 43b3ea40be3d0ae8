"""``python -m recbrowser.fakeapi [--port N]``: serve the fake Magpipe API until Ctrl-C."""

from recbrowser.fakeapi.foreground import main

if __name__ == "__main__":
    raise SystemExit(main())
