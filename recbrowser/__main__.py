"""`python -m recbrowser` runs the command line."""

from recbrowser.cli import program

if __name__ == "__main__":
    raise SystemExit(program())
