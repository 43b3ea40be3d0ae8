"""The Textual face of recbrowser. Nothing outside this package imports Textual."""
