"""The list of serious adverse events as a table (the panel's rows, newest first).

Presentation layer. Descriptions are free text from the clinics: they are shown verbatim as
text (Dash escapes them), never as markup, and long ones are clipped with the full text in
the cell's tooltip.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from data_access.contract import EVENT_TYPE_LABELS, PROCEDURE_TYPE_LABELS

SHOWN = 50
OUTCOME_LABELS = {
    "resolved": "Resolved",
    "resolving": "Resolving",
    "not_resolved": "Not resolved",
    "fatal": "Fatal",
    "unknown": "Unknown",
}


def _day(value: object) -> str:
    if value is None or pd.isna(value):
        return "—"
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}"


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def serious_events_table(rows: pd.DataFrame) -> html.Div:
    """The first ``SHOWN`` rows of ``event_rows(serious_only=True)`` as a table."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (
                    "Onset",
                    "Clinic",
                    "Procedure",
                    "Event",
                    "Severity",
                    "Outcome",
                    "Description",
                )
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(_day(row.onset_on), className="text-nowrap"),
                    html.Td(_text(row.clinic_name)),
                    html.Td(PROCEDURE_TYPE_LABELS.get(row.procedure_type, row.procedure_type)),
                    html.Td(EVENT_TYPE_LABELS.get(row.event_type, row.event_type)),
                    html.Td(_text(row.severity).capitalize()),
                    html.Td(OUTCOME_LABELS.get(_text(row.outcome), "—")),
                    html.Td(
                        _text(row.description),
                        className="event-description",
                        title=_text(row.description),
                    ),
                ]
            )
            for row in rows.head(SHOWN).itertuples(index=False)
        ]
    )
    note = (
        [
            html.P(
                f"Showing the newest {SHOWN} of {len(rows):,}; the CSV has them all.",
                className="panel-note",
            )
        ]
        if len(rows) > SHOWN
        else [html.P(f"{len(rows):,} serious event(s).", className="panel-note")]
    )
    return html.Div(
        [
            dbc.Table(
                [head, body], hover=True, size="sm", responsive=True, className="events-table mb-1"
            ),
            *note,
        ]
    )
