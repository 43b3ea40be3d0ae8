"""`python -m recbrowser` runs the command line."""

from recbrowser.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
