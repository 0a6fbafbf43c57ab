"""CSV downloads of every overview panel, through one pattern-matching callback.

Presentation layer. A panel's CSV is built from the same cached query as its chart (each
panel module lists its table functions in ``TABLES``), then passed through
``csv_export.to_csv``, which neutralises text a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import dash
import pandas as pd
from dash import MATCH, Input, Output, State, ctx, no_update

from dashboard.auth_context import audit, cell_threshold
from dashboard.csv_export import to_csv
from dashboard.panels import (
    adverse_events,
    clinic_map,
    followups,
    ids,
    referrals,
    volumes,
)
from dashboard.panels.common import store_filters
from dashboard.suppression_rules import export_frame
from data_access.filters import Filters

PANEL_TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = MappingProxyType(
    {
        **clinic_map.TABLES,
        **volumes.TABLES,
        **followups.TABLES,
        **adverse_events.TABLES,
        **referrals.TABLES,
    }
)


def csv_filename(panel: str, filters: Filters) -> str:
    return f"clinicops-{panel}-{filters.start.isoformat()}-to-{filters.end.isoformat()}.csv"


def download_csv(n_clicks: int | None, data: Mapping[str, Any] | None) -> Any:
    """Callback: the clicked panel's data as a CSV download."""
    if not n_clicks or not isinstance(ctx.triggered_id, Mapping):
        return no_update
    panel = ctx.triggered_id.get("panel")
    table = PANEL_TABLES.get(str(panel))
    if table is None:
        return no_update
    filters = store_filters(data)
    audit("export", f"overview {panel}: {filters}")
    return {
        "content": to_csv(export_frame(lambda: table(filters), cell_threshold())),
        "filename": csv_filename(str(panel), filters),
        "type": "text/csv",
        "base64": False,
    }


def register() -> None:
    dash.callback(
        Output({"type": ids.CSV_DOWNLOAD, "panel": MATCH}, "data"),
        Input({"type": ids.CSV_BUTTON, "panel": MATCH}, "n_clicks"),
        State(ids.FILTERS, "data"),
        prevent_initial_call=True,
    )(download_csv)
