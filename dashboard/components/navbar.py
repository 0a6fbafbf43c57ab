"""The navbar of every page: the product's name, how fresh the data are, and the items the
app puts in it (page links, review badge, user menu), folded behind a toggler on phones.

Presentation layer (the app shell). "Data through <date>" is the newest procedure date the
user's scope can see, read through the result cache when a page is opened (and again once
the database is back after an outage). The menu opens and closes in the browser (a clientside
callback, ``assets/navbar-menu.js``), without a round trip to the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard import outage, runtime
from dashboard.scope import current_scope, scope_key
from data_access.queries.clinics import latest_procedure_date

SHELL_LOCATION = "shell-location"
FRESHNESS = "shell-data-freshness"
MENU_TOGGLER = "shell-menu-toggler"
MENU = "shell-menu"

#: Below this Bootstrap breakpoint (1200 px) the navbar's items fold into the toggler's menu:
#: an administrator's full row (brand, links, review badge, user, audit, sign-out, freshness)
#: needs about 1,030 px even without the tagline, more than a 992 px ("lg") screen has.
EXPAND = "xl"

#: Opens and closes the menu on the toggler, and closes it after any navigation
#: (assets/navbar-menu.js).
TOGGLE_MENU = ClientsideFunction(namespace="clinicops", function_name="toggleNavbarMenu")


def navbar(items: Sequence[html.Component] = ()) -> html.Header:
    """The navbar; ``items`` (links, a review badge, a user menu …) sit before the freshness.

    From the ``xl`` breakpoint up everything is one row. Below it the items fold into a menu
    behind a toggler, while the name and the freshness stay on screen, stacked in the brand
    corner. The freshness is the container's own child (not the menu's) so it can be in both
    places: CSS orders it last in the row, or puts it under the name.
    """
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
                    html.Span(id=FRESHNESS, className="data-freshness"),
                    dbc.NavbarToggler(id=MENU_TOGGLER, n_clicks=0),
                    dbc.Collapse(
                        html.Div(list(items), className="shell-navbar-items"),
                        id=MENU,
                        is_open=False,
                        navbar=True,
                        className="shell-menu",
                    ),
                ],
                fluid=True,
                className="shell-width shell-navbar-bar",
            ),
            dark=True,
            expand=EXPAND,
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
    dash.clientside_callback(
        TOGGLE_MENU,
        Output(MENU, "is_open"),
        Input(MENU_TOGGLER, "n_clicks"),
        Input(SHELL_LOCATION, "href"),
        State(MENU, "is_open"),
        State(MENU_TOGGLER, "id"),
        prevent_initial_call=True,
    )
