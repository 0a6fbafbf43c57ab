"""The navbar of every page: the product's name and how fresh the data are.

Presentation layer (the app shell). "Data through <date>" is the newest procedure date the
user's scope can see, read through the result cache when a page is opened (and again once
the database is back after an outage).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from dashboard import outage, runtime
from dashboard.scope import current_scope, scope_key
from data_access.queries.clinics import latest_procedure_date

SHELL_LOCATION = "shell-location"
FRESHNESS = "shell-data-freshness"


def navbar(items: Sequence[html.Component] = ()) -> html.Header:
    """The navbar; ``items`` (a user menu, a review badge …) sit before the freshness."""
    return html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    html.A(
                        [
                            html.Span("✚", className="brand-mark", **{"aria-hidden": "true"}),
                            html.Span("ClinicOps", className="brand-name"),
                            html.Span("Pain-management clinics", className="brand-tagline"),
                        ],
                        href="/",
                        className="navbar-brand d-flex align-items-center",
                    ),
                    html.Div(
                        [*items, html.Span(id=FRESHNESS, className="data-freshness")],
                        className="shell-navbar-items",
                    ),
                ],
                fluid=True,
                className="shell-width",
            ),
            dark=True,
            className="shell-navbar",
        ),
        className="shell-header",
    )


def freshness_text(latest: date | None) -> str:
    if latest is None:
        return "No data yet"
    return f"Data through {latest.day} {latest:%b %Y}"


def show_freshness(_pathname: str | None, _recovered: float | None = None) -> tuple[str, str]:
    """Callback: the freshness label and its exact date (as the element's title), on every
    page change and again once the database is back after an outage."""
    scope = current_scope()
    latest = runtime.current().cached(
        "latest_procedure_date",
        lambda conn: latest_procedure_date(conn=conn, scope=scope),
        scope_key(scope),
    )
    return freshness_text(latest), (latest.isoformat() if latest else "")


def shell_location() -> dcc.Location:
    return dcc.Location(id=SHELL_LOCATION, refresh=False)


def register_callbacks() -> None:
    dash.callback(
        Output(FRESHNESS, "children"),
        Output(FRESHNESS, "title"),
        Input(SHELL_LOCATION, "pathname"),
        Input(outage.RECOVERED_ID, "data"),
    )(show_freshness)
