"""The case-review modal: a medical director classifies an event and adds a note.

Presentation layer. Clicking a row of the event grid (or following a serious-event signal,
``?event=ID``) opens the modal with the event's details, the form, and its review history,
newest first. Saving appends a review (``queries.case_reviews.record_review``: never an
update) in its own transaction, with the signed-in user as reviewer and the current UTC time;
then the grid, the signals and the navbar badge refresh. All text is shown as text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import MissingCallbackContextException

from dashboard import auth_context, runtime
from dashboard.surveillance import ids
from dashboard.surveillance.event_grid import review_status
from data_access.contract import EVENT_TYPE_LABELS, PROCEDURE_TYPE_LABELS
from data_access.queries.case_reviews import (
    ReviewError,
    event_detail,
    record_review,
    review_history,
)
from data_access.surveillance_signals import readable

EXPECTEDNESS_OPTIONS = [
    {"label": "Expected (a known risk of the procedure)", "value": "expected"},
    {"label": "Unexpected", "value": "unexpected"},
]
RELATEDNESS_OPTIONS = [
    {"label": "Related to the procedure", "value": "related"},
    {"label": "Not related to the procedure", "value": "not_related"},
]
CLOSE = "ae-review-close"


def review_modal(event_id: str | None = None) -> html.Div:
    """The modal and the store naming the event under review (pre-set from the URL)."""
    opened = {"event_id": event_id, "at": 0} if event_id else None
    form = [
        dbc.Label("Was the event expected?", className="fw-semibold mb-1"),
        dbc.RadioItems(id=ids.REVIEW_EXPECTEDNESS, options=EXPECTEDNESS_OPTIONS, className="mb-2"),
        dbc.Label("Was it related to the procedure?", className="fw-semibold mb-1"),
        dbc.RadioItems(id=ids.REVIEW_RELATEDNESS, options=RELATEDNESS_OPTIONS, className="mb-2"),
        dbc.Label("Note", html_for=ids.REVIEW_NOTE, className="fw-semibold mb-1"),
        dbc.Textarea(id=ids.REVIEW_NOTE, rows=3, maxLength=4000,
                     placeholder="Reasoning, follow-up actions, who was informed"),
    ]  # fmt: skip
    return html.Div(
        [
            dcc.Store(id=ids.REVIEW_EVENT, data=opened),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("Case review")),
                    dbc.ModalBody(
                        [
                            html.Div(id=ids.REVIEW_DETAILS, className="mb-3"),
                            html.Div(form, className="mb-3"),
                            html.Div(id=ids.REVIEW_FEEDBACK),
                            html.H3("Review history", className="h6 mt-3"),
                            html.Div(id=ids.REVIEW_HISTORY),
                        ]
                    ),
                    dbc.ModalFooter(
                        [
                            dbc.Button("Close", id=CLOSE, color="secondary", outline=True),
                            dbc.Button("Save review", id=ids.REVIEW_SAVE, color="primary"),
                        ]
                    ),
                ],
                id=ids.REVIEW_MODAL,
                size="lg",
                scrollable=True,
                is_open=False,
            ),
        ]
    )


def event_details(event: dict[str, Any]) -> html.Div:
    """Who, where, what: the event as a definition list; the description as plain text."""
    items = [
        ("Clinic", event["clinic_name"]),
        ("Procedure", f"{PROCEDURE_TYPE_LABELS.get(event['procedure_type'], 'Other')} on "
                      f"{event['performed_on']:%d %b %Y}"),
        ("Event", f"{EVENT_TYPE_LABELS.get(event['event_type'], 'Other')}, onset "
                  f"{event['onset_on']:%d %b %Y}"),
        ("Severity", readable(event["severity"]).capitalize()
         + (" · serious" if event["serious"] else "")),
        ("Outcome", readable(event["outcome"]).capitalize()),
    ]  # fmt: skip
    rows: list[Any] = []
    for term, value in items:
        rows += [html.Dt(term, className="col-sm-3"), html.Dd(value, className="col-sm-9 mb-1")]
    description = event.get("description")
    rows += [
        html.Dt("Description", className="col-sm-3"),
        html.Dd(
            description if description else "No description recorded.",
            className="col-sm-9 mb-1",
            style={"whiteSpace": "pre-wrap"},
            id="ae-review-description",
        ),
    ]
    return html.Dl(rows, className="row mb-0 small")


def history_list(history: pd.DataFrame) -> Any:
    if history.empty:
        return html.P("Not reviewed yet.", className="small text-body-secondary mb-0")
    items = []
    for row in history.to_dict("records"):
        status = review_status({**row, "reviewed": True}, with_time=True)
        note = row["note"] or "(no note)"
        items.append(
            html.Li(
                [html.Div(status, className="fw-semibold"),
                 html.Div(note, style={"whiteSpace": "pre-wrap"})],
                className="list-group-item small",
            )
        )  # fmt: skip
    return html.Ol(items, className="list-group", id="ae-review-history-list")


def _open_from_grid(clicked: dict[str, Any] | None) -> Any:
    if not clicked or not clicked.get("rowId"):
        return dash.no_update
    return {"event_id": clicked["rowId"], "at": clicked.get("timestamp")}


def _show_event(opened: dict[str, Any] | None, _close: int | None) -> tuple[Any, ...]:
    if ctx.triggered_id == CLOSE or not opened:
        return False, *([dash.no_update] * 6)
    event_id = str(opened["event_id"])
    scope = auth_context.current_scope()
    with runtime.current().connect() as conn:
        event = event_detail(conn=conn, event_id=event_id, scope=scope)
        history = review_history(conn=conn, event_id=event_id) if event else None
    if event is None:
        message = html.P(f"Event {event_id} does not exist or is outside your clinics.")
        return True, message, None, None, None, None, ""
    # The form starts from the current classification: a new review often confirms it.
    current = history.iloc[0] if history is not None and not history.empty else None
    expected = current["expectedness"] if current is not None else None
    related = current["relatedness"] if current is not None else None
    return True, event_details(event), history_list(history), None, expected, related, ""


def _save_review(
    _clicks: int | None,
    opened: dict[str, Any] | None,
    expectedness: str | None,
    relatedness: str | None,
    note: str | None,
    version: int | None,
) -> tuple[Any, ...]:
    if not opened:
        return dbc.Alert("Choose an event first.", color="warning"), *([dash.no_update] * 3)
    if not auth_context.can_review_cases():
        message = "Your role cannot record case reviews; a medical director can."
        return dbc.Alert(message, color="warning"), *([dash.no_update] * 3)
    if not expectedness or not relatedness:
        message = "Choose whether the event was expected and whether it was related."
        return dbc.Alert(message, color="warning"), *([dash.no_update] * 3)
    event_id = str(opened["event_id"])
    scope = auth_context.current_scope()
    try:
        with runtime.current().engine.begin() as conn:
            if event_detail(conn=conn, event_id=event_id, scope=scope) is None:
                raise ReviewError(f"event {event_id} is outside your clinics")
            record_review(conn=conn, event_id=event_id, reviewer=auth_context.current_username(),
                          expectedness=expectedness, relatedness=relatedness, note=note or "",
                          at=datetime.now(UTC))  # fmt: skip
            history = review_history(conn=conn, event_id=event_id)
    except ReviewError as exc:
        return dbc.Alert(f"Not saved: {exc}.", color="danger"), *([dash.no_update] * 3)
    auth_context.audit("case_review", f"event {event_id}: {expectedness}, {relatedness}")
    _refresh_badge((version or 0) + 1)
    saved = dbc.Alert("Review saved.", color="success", duration=4000)
    return saved, history_list(history), (version or 0) + 1, ""


def _refresh_badge(version: int) -> None:
    """Ask the navbar badge to recount (a no-op where no badge is mounted, or when the
    callback runs as a plain function)."""
    try:
        dash.set_props(ids.BADGE_REFRESH, {"data": version})
    except MissingCallbackContextException:
        return


def register() -> None:
    """Register this module's callbacks with the app being built (call it from the page
    module, which Dash runs once per app)."""
    dash.callback(
        Output(ids.REVIEW_EVENT, "data"),
        Input(ids.EVENT_GRID, "cellClicked"),
        prevent_initial_call=True,
    )(_open_from_grid)
    dash.callback(
        Output(ids.REVIEW_MODAL, "is_open"),
        Output(ids.REVIEW_DETAILS, "children"),
        Output(ids.REVIEW_HISTORY, "children"),
        Output(ids.REVIEW_FEEDBACK, "children", allow_duplicate=True),
        Output(ids.REVIEW_EXPECTEDNESS, "value"),
        Output(ids.REVIEW_RELATEDNESS, "value"),
        Output(ids.REVIEW_NOTE, "value", allow_duplicate=True),
        Input(ids.REVIEW_EVENT, "data"),
        Input(CLOSE, "n_clicks"),
        prevent_initial_call="initial_duplicate",
    )(_show_event)
    dash.callback(
        Output(ids.REVIEW_FEEDBACK, "children"),
        Output(ids.REVIEW_HISTORY, "children", allow_duplicate=True),
        Output(ids.REVIEWS_VERSION, "data"),
        Output(ids.REVIEW_NOTE, "value"),
        Input(ids.REVIEW_SAVE, "n_clicks"),
        State(ids.REVIEW_EVENT, "data"),
        State(ids.REVIEW_EXPECTEDNESS, "value"),
        State(ids.REVIEW_RELATEDNESS, "value"),
        State(ids.REVIEW_NOTE, "value"),
        State(ids.REVIEWS_VERSION, "data"),
        prevent_initial_call=True,
    )(_save_review)
