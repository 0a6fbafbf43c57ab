"""``/adverse-events``: adverse-event surveillance for medical directors.

Presentation layer: the page's layout and its callbacks. Under the overview's URL filters
(start, end, region, clinic, procedure) it answers "is any clinic, procedure type or period
out of line, beyond what chance explains?": signals first, then the funnel plot, the control
chart, rates with exact intervals, and the event table with case review. Callbacks are thin:
parse the URL, read the (cached) query frames, analyse, hand to a view builder.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard import auth_context, outage, runtime
from dashboard.csv_export import to_csv
from dashboard.panels.data import cached
from dashboard.scope import scope_key
from dashboard.surveillance import case_review, filters_view, ids
from dashboard.surveillance.analysis import (
    Analysis,
    analyse,
    cached_frames,
    chart_signal_rows,
    directory,
    signals,
)
from dashboard.surveillance.event_grid import COLUMNS, event_grid_rows
from dashboard.surveillance.layout import page_layout
from dashboard.surveillance.page_state import PATH, PageState, parse_page_search, signal_href
from dashboard.surveillance.signals_view import signals_list
from dashboard.surveillance.views import (
    NO_PROCEDURES,
    chart_view,
    funnel_view,
    notice,
    rates_view,
    summary,
)
from dashboard.url_state import Catalogue
from data_access.queries.case_reviews import events_with_reviews

dash.register_page(
    __name__, path=PATH, name="Adverse events", title="Adverse events · ClinicOps", order=1
)

# Dash runs this module once per app; callbacks of the page's parts register with it.
case_review.register()
filters_view.register()
outage.reread_url_on_recovery(ids.LOCATION)  # after an outage, the page redraws by itself

SWITCH_LABEL = "Allow for overdispersion"
RESTRICTED = (
    "Adverse-event surveillance shows individual events and exact small counts, so it is not "
    "available to accounts with small-cell suppression. Ask a medical director."
)


def _one(value: Any) -> str | None:
    """A query parameter given once (Dash passes repeated ones as a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def layout(**kwargs: Any) -> html.Div:
    return page_layout(
        rates=_one(kwargs.get("rates")) or "clinic",
        event=_one(kwargs.get("event")),
        queue="queue" in kwargs,
    )


def _catalogue() -> Catalogue:
    return directory(auth_context.current_scope()).catalogue


def _state(search: str | None) -> PageState:
    return parse_page_search(search, _catalogue())


def _analysis(state: PageState, adjust: bool = True) -> Analysis:
    frames = cached_frames(state.filters, auth_context.current_scope())
    return analyse(frames, adjust_for_overdispersion=adjust)


def _chart_signals(state: PageState, analysis: Analysis) -> list[dict[str, object]]:
    """Every chart's signals, cached with the frames (they do not depend on reviews)."""
    scope = auth_context.current_scope()
    return cached(
        "ae-chart-signals",
        lambda _conn: chart_signal_rows(analysis),
        state.filters,
        scope_key(scope),
    )


def _subject_options(analysis: Analysis) -> list[dict[str, str]]:
    words = {"network": "", "region": "Region: ", "clinic": "Clinic: "}
    return [{"label": words[s.kind] + s.name, "value": s.token} for s in analysis.subjects]


@dash.callback(
    Output(ids.SUMMARY, "children"),
    Output(ids.NOTICE, "children"),
    Output(ids.SIGNALS, "children"),
    Output(ids.FUNNEL_GRAPH, "figure"),
    Output(ids.FUNNEL_NOTE, "children"),
    Output(ids.ADJUST_SWITCH, "disabled"),
    Output(ids.ADJUST_SWITCH, "label"),
    Input(ids.LOCATION, "search"),
    Input(ids.ADJUST_SWITCH, "value"),
    Input(ids.REVIEWS_VERSION, "data"),
)
def _render(search: str | None, adjust: bool | None, _reviews: int | None) -> tuple[Any, ...]:
    scope = auth_context.current_scope()
    if scope.suppress_small_cells:
        return RESTRICTED, None, RESTRICTED, dash.no_update, "", True, SWITCH_LABEL
    state = _state(search)
    analysis = _analysis(state, adjust=adjust is not False)
    # Reviews change without an import: read the serious events fresh, never cached.
    with runtime.current().connect() as conn:
        serious = events_with_reviews(
            conn=conn, filters=state.filters, scope=scope, serious_only=True, limit=None
        )
    found = signals(analysis, serious, state.filters.end, _chart_signals(state, analysis))
    known = _catalogue()
    items = signals_list(
        found,
        lambda signal: signal_href(signal, state.filters, known),
        empty=None if analysis.frames.procedures else NO_PROCEDURES,
    )
    figure, note, disabled = funnel_view(analysis, state.focus)
    label = SWITCH_LABEL + (" (not needed here)" if disabled else "")
    return (
        summary(state.filters, analysis), notice(state.url.dropped), items, figure, note,
        disabled, label,
    )  # fmt: skip


@dash.callback(
    Output(ids.CHART_SUBJECT, "options"),
    Output(ids.CHART_SUBJECT, "value"),
    Input(ids.LOCATION, "search"),
)
def _subjects(search: str | None) -> tuple[list[dict[str, str]], str]:
    """The chart's subjects, and the one the URL names (the whole selection otherwise)."""
    if auth_context.current_scope().suppress_small_cells:
        return [], "network"
    state = _state(search)
    analysis = _analysis(state)
    return _subject_options(analysis), analysis.subject(state.chart).token


@dash.callback(
    Output(ids.RATES_BODY, "children"),
    Input(ids.LOCATION, "search"),
    Input(ids.RATES_TABS, "active_tab"),
)
def _rates(search: str | None, tab: str | None) -> Any:
    if auth_context.current_scope().suppress_small_cells:
        return RESTRICTED
    return rates_view(_analysis(_state(search)), tab or "clinic")


@dash.callback(
    Output(ids.CHART_GRAPH, "figure"),
    Output(ids.CHART_NOTE, "children"),
    Input(ids.LOCATION, "search"),
    Input(ids.CHART_SUBJECT, "value"),
    Input(ids.CHART_METHOD, "value"),
)
def _chart(search: str | None, token: str | None, method: str | None) -> tuple[Any, Any]:
    if auth_context.current_scope().suppress_small_cells:
        return dash.no_update, RESTRICTED
    return chart_view(_analysis(_state(search)), token, method)


@dash.callback(
    Output(ids.EVENT_GRID, "rowData"),
    Input(ids.LOCATION, "search"),
    Input(ids.REVIEWS_VERSION, "data"),
)
def _events(search: str | None, _reviews: int | None) -> list[dict[str, Any]]:
    scope = auth_context.current_scope()
    if scope.suppress_small_cells:
        return []
    with runtime.current().connect() as conn:
        events = events_with_reviews(conn=conn, filters=_state(search).filters, scope=scope)
    return event_grid_rows(events)


@dash.callback(
    Output(ids.EVENT_DOWNLOAD, "data"),
    Input(ids.EVENT_CSV, "n_clicks"),
    State(ids.EVENT_GRID, "virtualRowData"),
    State(ids.LOCATION, "search"),
    prevent_initial_call=True,
)
def _download(_clicks: int | None, rows: list[dict[str, Any]] | None, search: str | None) -> Any:
    """The rows as shown (after the grid's sorting and filters), formula-safe."""
    shown = pd.DataFrame(rows or [], columns=[field for field, _ in COLUMNS])
    frame = shown.rename(columns=dict(COLUMNS))
    auth_context.audit("export_adverse_events", f"{len(frame)} rows; {search or ''}")
    return dcc.send_string(to_csv(frame), "adverse-events.csv")


dash.clientside_callback(
    """function(figure, hash, done) {
        if (!hash || hash === done) { return window.dash_clientside.no_update; }
        // Charts above the target may still be growing: scroll again once they have.
        const scroll = () => {
            const target = document.getElementById(hash.slice(1));
            if (target) { target.scrollIntoView({block: "start"}); }
        };
        [100, 700, 1500].forEach((ms) => setTimeout(scroll, ms));
        return hash;
    }""",
    Output(ids.SCROLLED, "data"),
    Input(ids.FUNNEL_GRAPH, "figure"),
    State(ids.LOCATION, "hash"),
    State(ids.SCROLLED, "data"),
)
