"""What every overview panel callback does the same way: read the filter store, name the
PNG download, frame the panel.

Presentation layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, html
from dash.exceptions import PreventUpdate

from dashboard.components.panel_frame import panel_frame
from dashboard.panels import ids
from dashboard.panels.data import filters_from_store
from data_access.filters import Filters


def store_filters(data: Mapping[str, Any] | None) -> Filters:
    """The filters of the store, or no update before the URL has been read."""
    if not data:
        raise PreventUpdate
    return filters_from_store(data)


def png_name(panel: str) -> str:
    return f"clinicops-{panel}"


def panel(
    name: str,
    title: str,
    *,
    subtitle: str | None = None,
    options: Sequence[html.Component] = (),
    scroll: bool = False,
    min_height: int = 300,
    width: Mapping[str, int] | None = None,
) -> dbc.Col:
    """A panel of the overview in its grid column (full width on phones)."""
    return dbc.Col(
        panel_frame(
            title=title,
            subtitle=subtitle,
            body_id=ids.body(name),
            title_id=ids.title(name),
            csv_id=ids.csv_button(name),
            download_id=ids.csv_download(name),
            options=options,
            scroll=scroll,
            min_height=min_height,
        ),
        xs=12,
        **dict(width or {"lg": 6}),
        className="panel-col",
    )


Render = Callable[[Mapping[str, Any] | None], Any]


def render_all(
    renders: Sequence[tuple[str, Render]],
) -> Callable[[Mapping[str, Any] | None], list[Any]]:
    """One callback body rendering several panels from the same filters, in order."""

    def render(data: Mapping[str, Any] | None) -> list[Any]:
        return [render_one(data) for _, render_one in renders]

    return render


def register_together(renders: Sequence[tuple[str, Render]]) -> None:
    """Register one callback that fills these panels' bodies when the filters change: one
    response instead of several, so the browser re-renders the page once for them."""
    dash.callback(
        [Output(ids.body(name), "children") for name, _ in renders],
        Input(ids.FILTERS, "data"),
        prevent_initial_call=True,
    )(render_all(renders))
