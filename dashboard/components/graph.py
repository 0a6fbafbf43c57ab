"""A chart as the page shows it: a ``dcc.Graph`` with the house modebar and PNG download.

Presentation layer. The modebar keeps only "download as PNG" (named after the panel) and the
reset buttons: zooming a bar chart by accident is the commonest way people get lost in one.
"""

from __future__ import annotations

from typing import Any

from dash import dcc

from dashboard.figures.common import Figure

REMOVED_BUTTONS = [
    "zoom2d",
    "pan2d",
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "resetScale2d",
    "zoomInGeo",
    "zoomOutGeo",
    "resetGeo",
    "hoverClosestGeo",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
    "sendChartToCloud",  # would upload the chart, clinic data included, to Plotly's cloud
    "sendDataToCloud",
]


def graph_config(filename: str, *, topojson_url: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": REMOVED_BUTTONS,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }
    if topojson_url is not None:
        # plotly.js would fetch the USA outline from its CDN; the app serves it from assets/.
        config["topojsonURL"] = topojson_url
    return config


def chart(
    graph_id: str | dict[str, str],
    fig: Figure,
    *,
    filename: str,
    topojson_url: str | None = None,
    class_name: str = "",
) -> dcc.Graph:
    """A graph as wide as its panel and as tall as its figure says (so a long clinic ranking
    scrolls inside its panel instead of squeezing its rows)."""
    height = fig["layout"].get("height")
    return dcc.Graph(
        id=graph_id,
        figure=fig,
        config=graph_config(filename, topojson_url=topojson_url),
        responsive=True,
        style={"height": f"{height}px"} if height else None,
        className=f"panel-graph {class_name}".strip(),
    )
