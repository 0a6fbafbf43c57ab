"""The adverse-event table: a sortable, filterable dash-ag-grid with CSV export.

Presentation layer. :func:`event_grid_rows` (pure) turns rows of
``queries.case_reviews.events_with_reviews`` into the grid's row dicts with readable labels;
:func:`event_grid` is the component. Descriptions are free text from clinics and may hold
markup: the grid shows them with AG Grid's default text renderer (no ``cellRenderer``, no
markdown, ``dangerously_allow_code`` off), so ``<b>x</b>`` reads as those characters.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd

from dashboard.surveillance import ids
from data_access.contract import EVENT_TYPE_LABELS, PROCEDURE_TYPE_LABELS
from data_access.surveillance_signals import readable

#: Column order of the grid and of its CSV export: (field, header).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("onset_on", "Onset"),
    ("clinic_name", "Clinic"),
    ("procedure_type", "Procedure type"),
    ("event_type", "Event type"),
    ("severity", "Severity"),
    ("serious", "Serious"),
    ("outcome", "Outcome"),
    ("description", "Description"),
    ("review_status", "Review status"),
    ("performed_on", "Procedure date"),
)
GRID_FIELDS = [field for field, _ in COLUMNS]


def _iso(value: Any) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def review_status(row: dict[str, Any], *, with_time: bool = False) -> str:
    """``Not reviewed`` or the current classification, reviewer and date (with the UTC time
    of day when ``with_time``: the history of one event may hold several a day)."""
    if not row.get("reviewed"):
        return "Not reviewed"
    expected = readable(row.get("expectedness")).capitalize()
    related = readable(row.get("relatedness"))
    when = _iso(row.get("reviewed_at"))
    if with_time and when:
        when = f"{pd.Timestamp(row['reviewed_at']):%Y-%m-%d %H:%M} UTC"
    return f"{expected}, {related} ({row.get('reviewer')}, {when})"


def event_grid_rows(events: pd.DataFrame) -> list[dict[str, Any]]:
    """Grid rows: dates as ISO text (they sort as text), codes as labels, ``serious`` as
    Yes/No; ``event_id`` and ``reviewed`` ride along for row ids and highlighting."""
    rows = []
    for row in events.to_dict("records"):
        description = row.get("description")
        rows.append(
            {
                "event_id": row["event_id"],
                "onset_on": _iso(row["onset_on"]),
                "performed_on": _iso(row["performed_on"]),
                "clinic_name": row["clinic_name"],
                "procedure_type": PROCEDURE_TYPE_LABELS.get(row["procedure_type"], "Other"),
                "event_type": EVENT_TYPE_LABELS.get(row["event_type"], "Other"),
                "severity": readable(row["severity"]).capitalize(),
                "serious": "Yes" if row["serious"] else "No",
                "outcome": readable(row["outcome"]).capitalize() if row["outcome"] else "",
                "description": description if isinstance(description, str) else "",
                "review_status": review_status(row),
                "reviewed": bool(row.get("reviewed")),
            }
        )
    return rows


#: Column widths in pixels; the description takes what is left (and at least its width).
WIDTHS = {"onset_on": 118, "performed_on": 128, "clinic_name": 220, "procedure_type": 175,
          "event_type": 170, "severity": 108, "serious": 98, "outcome": 118,
          "description": 300, "review_status": 260}  # fmt: skip


def _column(field: str, header: str) -> dict[str, Any]:
    # Explicit data types: inferred ones are settled only when the first rows arrive, which
    # recreates the column filters and drops a filter set before (the review queue's).
    kind = "dateString" if field in ("onset_on", "performed_on") else "text"
    column: dict[str, Any] = {
        "field": field, "headerName": header, "width": WIDTHS[field], "cellDataType": kind,
    }  # fmt: skip
    if field == "description":
        # Plain text: the default renderer, full text in a (text) tooltip.
        column.update({"tooltipField": "description", "flex": 1, "minWidth": WIDTHS[field]})
    if field == "onset_on":
        column["sort"] = "desc"
    if field in ("clinic_name", "review_status"):
        column["tooltipField"] = field
    return column


#: The review queue (``?queue=serious``): serious events nobody has reviewed yet.
QUEUE_FILTER = {
    "serious": {"filterType": "text", "type": "equals", "filter": "Yes"},
    "review_status": {"filterType": "text", "type": "equals", "filter": "Not reviewed"},
}


def event_grid(*, queue: bool = False) -> dag.AgGrid:
    """The grid, empty until the page's callback fills ``rowData``; filtered to the review
    queue when ``queue``."""
    return dag.AgGrid(
        id=ids.EVENT_GRID,
        columnDefs=[_column(field, header) for field, header in COLUMNS],
        rowData=[],
        filterModel=QUEUE_FILTER if queue else {},
        defaultColDef={"sortable": True, "filter": True, "floatingFilter": True,
                       "resizable": True},
        getRowId="params.data.event_id",
        getRowStyle={"styleConditions": [
            {"condition": "params.data.serious === 'Yes' && !params.data.reviewed",
             "style": {"backgroundColor": "#FDECEA", "fontWeight": "600"}},
        ]},
        dashGridOptions={
            "pagination": True, "paginationPageSize": 20,
            "paginationPageSizeSelector": [20, 50, 100],
            "tooltipShowDelay": 300, "animateRows": False,
            "localeText": {"noRowsToShow": "No adverse events in this selection."},
        },
        dangerously_allow_code=False,
        style={"height": "560px", "width": "100%"},
    )  # fmt: skip
