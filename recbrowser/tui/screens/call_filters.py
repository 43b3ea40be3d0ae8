"""The calls view's filter form: date range, direction, status, agent (names from list-agents), number."""

from __future__ import annotations

from datetime import datetime, timezone

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from recbrowser.calls import Agent
from recbrowser.listing import DIRECTIONS, BadFilter, FilterForm
from recbrowser.text import printable
from recbrowser.tui.bindings import FILTER_FORM_BINDINGS

STATUS_HINT = (
    "Status matches what Magpipe stored, exactly (completed, no-answer, voicemail…): calls stored "
    "without one show as Completed but are not matched."
)


class FilterScreen(ModalScreen[FilterForm | None]):
    """Dismissed with the form (checked: list-calls can take it), or None when cancelled."""

    BINDINGS = FILTER_FORM_BINDINGS

    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; overflow-y: auto;
        border-title-style: bold; border-subtitle-color: $text-muted;
    }
    FilterScreen Grid { grid-size: 2; grid-columns: 11 1fr; grid-rows: 3; height: auto; }
    FilterScreen Label { padding: 1 0 0 0; }
    FilterScreen #filter-hint { color: $text-muted; height: auto; }
    FilterScreen #filter-problem { color: $error; height: auto; }
    """

    def __init__(self, form: FilterForm, agents: list[Agent] | None) -> None:
        super().__init__()
        self.form = form
        self.agents = agents

    def compose(self) -> ComposeResult:
        form = self.form
        agent_options = [(printable(a.name or a.id, limit=40), a.id) for a in self.agents or []]
        if form.agent_id and form.agent_id not in {a.id for a in self.agents or []}:
            agent_options.append((printable(form.agent_name or form.agent_id, limit=40), form.agent_id))
        with Vertical() as box:
            box.border_title = "Filter calls"
            box.border_subtitle = "Enter applies · Escape cancels"
            with Grid():
                yield Label("Since")
                yield Input(form.since, placeholder="7d, 24h, today, 2026-11-02…", id="filter-since")
                yield Label("Until")
                yield Input(form.until, placeholder="yesterday, 2026-11-02T14:30…", id="filter-until")
                yield Label("Direction")
                yield Select(
                    [(d, d) for d in DIRECTIONS],
                    value=form.direction or Select.NULL,
                    prompt="any",
                    id="filter-direction",
                )
                yield Label("Status")
                yield Input(form.status, placeholder="completed, no-answer, voicemail…", id="filter-status")
                yield Label("Agent")
                yield Select(
                    agent_options,
                    value=form.agent_id or Select.NULL,
                    prompt="any" if self.agents is not None else "any (the agents could not be listed)",
                    id="filter-agent",
                )
                yield Label("Number")
                yield Input(form.number, placeholder="+15551234567 (either side of the call)", id="filter-number")
            yield Static(STATUS_HINT, id="filter-hint")
            yield Static(id="filter-problem")

    def on_mount(self) -> None:
        self.query_one("#filter-since", Input).focus()

    def _form(self) -> FilterForm:
        direction = self.query_one("#filter-direction", Select).value
        agent = self.query_one("#filter-agent", Select).value
        agent_id = agent if isinstance(agent, str) else ""
        names = {a.id: a.name or "" for a in self.agents or []}
        return FilterForm(
            since=self.query_one("#filter-since", Input).value,
            until=self.query_one("#filter-until", Input).value,
            direction=direction if isinstance(direction, str) else "",
            status=self.query_one("#filter-status", Input).value,
            agent_id=agent_id,
            agent_name=names.get(agent_id, self.form.agent_name if agent_id == self.form.agent_id else ""),
            number=self.query_one("#filter-number", Input).value,
        )

    @on(Input.Submitted)
    def action_apply(self) -> None:
        """Check the form (a bad field is said here, and the form stays); dismiss with it."""
        form = self._form()
        try:
            form.filters(now=datetime.now(timezone.utc))
        except BadFilter as problem:
            self.query_one("#filter-problem", Static).update(str(problem))
            return
        self.dismiss(form)

    def action_clear(self) -> None:
        self.dismiss(FilterForm())

    def action_cancel(self) -> None:
        self.dismiss(None)
