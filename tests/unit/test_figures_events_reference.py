"""The events-by-severity chart's builder against a plain pandas reference, on random rows.

The builder reads its rows in one plain Python pass (a pandas filter and index per event type
cost ~5 ms of every filter change, see ``dashboard.figures.adverse_events``). The reference
below is the pandas version it replaced: for any rows, including event types and severities
the contract does not name and missing counts, both must produce the same figure.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.figures import palette
from dashboard.figures.adverse_events import SEVERITY_LABELS, events_by_severity_figure
from dashboard.figures.common import figure, ordered
from data_access.contract import EVENT_TYPE_LABELS, EventType, Severity


def reference_by_severity(rows: pd.DataFrame) -> dict[str, Any]:
    severities = [s.value for s in Severity]
    data = []
    for code in ordered(rows["event_type"], [t.value for t in EventType]):
        part = rows[rows["event_type"] == code].set_index("severity")["events"]
        label = EVENT_TYPE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": [SEVERITY_LABELS[s] for s in severities],
                "x": [None if pd.isna(n := part.get(s, 0)) else int(n) for s in severities],
                "marker": {"color": palette.event_color(code), "line": {"width": 0}},
                "customdata": [code] * len(severities),
                "hovertemplate": f"{label}, %{{y}}: <b>%{{x:,}}</b><extra></extra>",
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.35,
        "yaxis": {
            "categoryorder": "array",
            "showgrid": False,
            "categoryarray": [SEVERITY_LABELS[s] for s in reversed(severities)],
        },
        "xaxis": {"title": {"text": "Adverse events"}, "rangemode": "tozero"},
    }
    return figure(data, layout, height=300)


TYPES = [t.value for t in EventType] + ["unknown_type"]
SEVERITIES = [s.value for s in Severity] + ["unheard_of"]


@st.composite
def event_rows(draw: st.DrawFn) -> pd.DataFrame:
    cells = draw(
        st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from(SEVERITIES)), unique=True)
    )
    counts = draw(
        st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=len(cells),
                 max_size=len(cells))
    )  # fmt: skip
    nullable = draw(st.booleans()) or any(n is None for n in counts)
    return pd.DataFrame(
        {
            "event_type": pd.array([t for t, _ in cells], dtype="string"),
            "severity": pd.array([s for _, s in cells], dtype="string"),
            "events": pd.array(counts, dtype="Int64" if nullable else "int64"),
        }
    )


@settings(max_examples=300, deadline=None)
@given(rows=event_rows())
def test_events_by_severity_matches_the_pandas_reference(rows: pd.DataFrame) -> None:
    expected = json.dumps(reference_by_severity(rows), sort_keys=True)
    assert json.dumps(events_by_severity_figure(rows), sort_keys=True) == expected
