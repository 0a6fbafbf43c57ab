"""Panel frame: the card every chart sits in, with its title, options, CSV download and a
loading state over its body.

Presentation layer. The body is what the panel's callback replaces (a chart, a table or an
empty state); while that callback runs, ``dcc.Loading`` dims the old body and shows a
spinner over it, so the page never jumps to blank.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.download import csv_button


def panel_frame(
    *,
    title: str,
    body_id: dict[str, str],
    title_id: dict[str, str] | None = None,
    csv_id: dict[str, str] | None = None,
    download_id: dict[str, str] | None = None,
    subtitle: str | None = None,
    options: Sequence[html.Component] = (),
    scroll: bool = False,
    min_height: int = 300,
    class_name: str = "",
) -> dbc.Card:
    """A card with a header (title, subtitle, options, CSV button) and a loading body."""
    tools: list[html.Component] = list(options)
    if csv_id is not None and download_id is not None:
        tools += [csv_button(csv_id, title), dcc.Download(id=download_id)]
    heading = [html.H3(title, className="panel-title", **({"id": title_id} if title_id else {}))]
    if subtitle:
        heading.append(html.P(subtitle, className="panel-subtitle"))
    body = html.Div(
        id=body_id,
        className="panel-body-inner" + (" panel-scroll" if scroll else ""),
        style={"minHeight": f"{min_height}px"},
    )
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Div(heading, className="panel-heading"),
                    html.Div(tools, className="panel-tools"),
                ],
                className="panel-header",
            ),
            dbc.CardBody(
                dcc.Loading(
                    body,
                    type="circle",
                    color="#0F5C6E",
                    delay_show=120,
                    overlay_style={"visibility": "visible", "opacity": 0.45},
                    parent_className="panel-loading",
                ),
                className="panel-body",
            ),
        ],
        className=f"panel h-100 {class_name}".strip(),
    )


def section(title: str, lead: str, rows: Sequence[html.Component], section_id: str) -> html.Section:
    """A titled group of panels answering one set of questions."""
    return html.Section(
        [
            html.Div(
                [html.H2(title, className="section-title"), html.P(lead, className="section-lead")],
                className="section-heading",
            ),
            *rows,
        ],
        id=section_id,
        className="page-section",
    )
