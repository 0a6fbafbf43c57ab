"""The words a panel shows instead of blank axes when nothing matches the filters.

Presentation layer.
"""

from __future__ import annotations

from dash import html

NO_PROCEDURES = "No procedures match these filters"


def empty_state(message: str = NO_PROCEDURES, hint: str | None = None) -> html.Div:
    """A centred message (and an optional hint on what to change) filling the panel body."""
    children: list[html.Component] = [
        html.Div("∅", className="empty-state-mark", **{"aria-hidden": "true"}),
        html.P(message, className="empty-state-message"),
    ]
    if hint:
        children.append(html.P(hint, className="empty-state-hint"))
    return html.Div(children, className="empty-state", role="status")
