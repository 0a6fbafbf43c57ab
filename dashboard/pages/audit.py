"""The audit log page (``/audit``): recent sign-ins, exports, case reviews and user changes.

Presentation layer. Admins only: everyone else gets a "not allowed" message, and the refresh
callback refuses them too (a hand-made callback request gets nothing). Text is shown verbatim
by the grid, which renders cell values as text, never as HTML.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, html

from dashboard import runtime
from dashboard.auth_context import audit, is_admin
from data_access.queries import audit as audit_log

dash.register_page(__name__, path="/audit", title="Audit log · ClinicOps", name="Audit log")

GRID = "audit-grid"
REFRESH = "audit-refresh"
ACTION = "audit-action"
LIMIT = 1000
ACTIONS = [
    audit_log.SIGN_IN,
    audit_log.SIGN_OUT,
    audit_log.EXPORT,
    audit_log.CASE_REVIEW,
    audit_log.USER_CHANGE,
    audit_log.ACCESS_DENIED,
]
COLUMNS = [
    {"field": "at", "headerName": "When (UTC)", "width": 190},
    {"field": "username", "headerName": "User", "width": 140},
    {"field": "address", "headerName": "Address", "width": 140},
    {"field": "action", "headerName": "Action", "width": 130},
    {"field": "outcome", "headerName": "Outcome", "width": 110},
    {"field": "detail", "headerName": "Detail", "flex": 1, "tooltipField": "detail"},
]


def not_allowed() -> dbc.Alert:
    return dbc.Alert("Only administrators may see the audit log.", color="warning")


def audit_rows(action: str | None = None) -> list[dict[str, Any]]:
    with runtime.current().connect() as conn:
        entries = audit_log.recent(conn=conn, limit=LIMIT, action=action or None)
    return [
        {
            "at": entry.at.isoformat(sep=" ", timespec="seconds"),
            "username": entry.username or "",
            "address": entry.address or "",
            "action": entry.action,
            "outcome": entry.outcome,
            "detail": entry.detail,
        }
        for entry in entries
    ]


def layout(**_query: Any) -> html.Div:
    if not is_admin():
        return html.Div([html.H1("Audit log", className="h4"), not_allowed()])
    return html.Div(
        [
            html.H1("Audit log", className="h4"),
            html.P(f"The newest {LIMIT:,} entries, newest first.", className="text-muted"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Select(
                            id=ACTION,
                            options=[{"label": "All actions", "value": ""}]
                            + [{"label": a.replace("_", " "), "value": a} for a in ACTIONS],
                            value="",
                        ),
                        width="auto",
                    ),
                    dbc.Col(dbc.Button("Refresh", id=REFRESH, n_clicks=0), width="auto"),
                ],
                className="g-2 mb-2",
            ),
            dag.AgGrid(
                id=GRID,
                columnDefs=COLUMNS,
                rowData=audit_rows(),
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                style={"height": "70vh"},
            ),
        ]
    )


@dash.callback(
    Output(GRID, "rowData"),
    Input(REFRESH, "n_clicks"),
    Input(ACTION, "value"),
    prevent_initial_call=True,
)
def refresh(_clicks: int, action: str | None) -> list[dict[str, Any]]:
    if not is_admin():
        audit(audit_log.ACCESS_DENIED, "audit log callback", outcome="refused")
        return []
    return audit_rows(action if action in ACTIONS else None)
