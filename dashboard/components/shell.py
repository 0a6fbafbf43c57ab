"""The app shell around every page: navbar on top, the page in a centred container, a footer.

Presentation layer. ``create_app`` sets :func:`shell_layout` as the app's layout and calls
:func:`register_callbacks` once per app.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import outage
from dashboard.components import navbar


def shell_layout(navbar_items: Sequence[html.Component] = ()) -> html.Div:
    """Navbar (with optional extra items on its right), page container and footer."""
    return html.Div(
        [
            navbar.shell_location(),
            navbar.navbar(navbar_items),
            outage.notice(),
            dbc.Container(dash.page_container, fluid=True, className="shell-width shell-page"),
            html.Footer(
                dbc.Container(
                    "ClinicOps · figures follow the clinic data contract's definitions",
                    fluid=True,
                    className="shell-width",
                ),
                className="shell-footer",
            ),
        ],
        className="shell",
    )


def page_links() -> dbc.Nav:
    """Links to the pages every signed-in user may open."""
    return dbc.Nav(
        [
            dbc.NavLink("Overview", href="/", active="exact"),
            dbc.NavLink("Adverse events", href="/adverse-events", active="exact"),
        ],
        className="shell-page-links",
        navbar=True,
    )


def register_callbacks() -> None:
    navbar.register_callbacks()
