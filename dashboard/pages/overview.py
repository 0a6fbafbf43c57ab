"""The overview, the page people open every morning (path "/").

Presentation layer. The layout is cheap and free of side effects: the filter bar, KPI cards
and panels are empty frames that the panels' callbacks fill once the URL's filters have been
read (``panels.filters``). The query string the router hands to :func:`layout` seeds the
page's own ``dcc.Location``, so the first render already knows the filters; that Location
has ``refresh=False``: writing to it pushes a history entry without reloading the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import outage
from dashboard.components.filter_bar import filter_bar
from dashboard.components.panel_frame import section
from dashboard.panels import (
    adverse_events,
    clinic_map,
    downloads,
    filters,
    followups,
    ids,
    kpis,
    referrals,
    volumes,
)

dash.register_page(
    __name__,
    path="/",
    name="Overview",
    title="ClinicOps · Overview",
    description="Procedures, follow-ups, adverse events and referrals across the clinics",
)

for module in (filters, kpis, volumes, followups, adverse_events, referrals, downloads):
    module.register()
outage.reread_url_on_recovery(ids.URL)  # after an outage, the panels redraw by themselves


def _query_string(query: dict[str, object]) -> str:
    """The router's parsed query back as a query string (values may be lists)."""
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        values: Iterable[object] = value if isinstance(value, list) else [value]
        pairs += [(name, str(v)) for v in values]
    return f"?{urlencode(pairs)}" if pairs else ""


def layout(**query: object) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False, search=_query_string(query)),
            dcc.Store(id=ids.FILTERS, storage_type="memory"),
            html.Div(filter_bar(ids.FILTER_BAR), className="filter-strip"),
            html.Div(id=ids.NOTICE),
            html.Main(
                [
                    kpis.layout(),
                    section(
                        "Clinics and procedure volumes",
                        "Where the clinics are, how busy each one is, and which fall behind.",
                        [
                            dbc.Row(
                                [clinic_map.map_column(), volumes.ranking_column()],
                                className="g-3",
                            ),
                            dbc.Row(volumes.trend_column(), className="g-3 mt-0"),
                        ],
                        f"{ids.PAGE}-section-volumes",
                    ),
                    section(
                        "Follow-up and soreness",
                        "Soreness reported after procedures, relief, and follow-ups done.",
                        [followups.layout()],
                        f"{ids.PAGE}-section-followups",
                    ),
                    section(
                        "Adverse events",
                        "Where adverse events happen, whether they are rising, and with which "
                        "procedure types.",
                        [adverse_events.layout()],
                        f"{ids.PAGE}-section-adverse-events",
                    ),
                    section(
                        "Referral sources",
                        "Where patients come from, and how many referrals lead to a procedure.",
                        [referrals.layout()],
                        f"{ids.PAGE}-section-referrals",
                    ),
                ],
                className="page-main",
            ),
        ],
        className="overview-page",
    )
