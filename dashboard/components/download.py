"""The CSV download button of a panel.

Presentation layer. The button only asks; the page's download callback builds the CSV from
the same query as the chart and sends it through the panel's ``dcc.Download``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def csv_button(button_id: dict[str, str], title: str) -> dbc.Button:
    return dbc.Button(
        [html.Span("⤓", className="me-1", **{"aria-hidden": "true"}), "CSV"],
        id=button_id,
        color="secondary",
        outline=True,
        size="sm",
        className="panel-csv",
        title=f"Download the data of “{title}” as CSV",
        n_clicks=0,
    )
