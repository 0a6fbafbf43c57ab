"""The adverse-event page's static layout: header, signals, funnel, chart, rates, events.

Presentation layer, layout only (cheap, no data): the page's callbacks fill every body. Each
section states in one sentence what it shows (``explain``); the ids are ``ids``' constants,
with the section ids doubling as link anchors from the signals list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.filter_bar import FilterBarIds, filter_bar
from dashboard.surveillance import explain, ids
from dashboard.surveillance.case_review import review_modal
from dashboard.surveillance.event_grid import event_grid
from dashboard.surveillance.page_state import RATE_TABS

FILTER_IDS = FilterBarIds.for_page("ae")
METHOD_OPTIONS = [
    {"label": "Automatic", "value": "auto"},
    {"label": "p-chart", "value": "p"},
    {"label": "Laney p′", "value": "laney"},
]
RATE_TAB_LABELS = dict(
    zip(RATE_TABS, ("By clinic", "By procedure type", "By event type", "By severity"), strict=True)
)


def card(
    title: str,
    explanation: str,
    body: Sequence[Any],
    *,
    section_id: str,
    tools: Sequence[Any] = (),
) -> html.Section:
    """A titled card whose first line says, in one sentence, how to read it."""
    header = dbc.CardHeader(
        html.Div(
            [html.H2(title, className="h5 mb-0 me-auto"), *tools],
            className="d-flex flex-wrap align-items-center gap-2",
        )
    )
    lead = html.P(explanation, className="small text-body-secondary mb-2")
    return html.Section(
        dbc.Card([header, dbc.CardBody([lead, *body])], className="shadow-sm"),
        id=section_id,
        className="mb-3",
        style={"scrollMarginTop": "1rem"},
    )


def _loading(*children: Any) -> dcc.Loading:
    return dcc.Loading(list(children), type="circle", color="#0F5C6E", delay_show=150)


def page_layout(*, rates: str, event: str | None, queue: bool) -> html.Div:
    """The page, pre-set from the URL's page parameters that choose its initial state (the
    open rates tab, the event under review, the review queue); the callbacks read the rest
    of the URL (filters, chart subject, clinic focus)."""
    funnel_tools = [
        dbc.Switch(id=ids.ADJUST_SWITCH, value=True, label="Allow for overdispersion",
                   className="mb-0 small"),
    ]  # fmt: skip
    chart_tools = [
        dcc.Dropdown(id=ids.CHART_SUBJECT, value=None, clearable=False,
                     style={"minWidth": "16rem"}, placeholder="Network, region or clinic"),
        dbc.RadioItems(id=ids.CHART_METHOD, options=METHOD_OPTIONS, value="auto", inline=True,
                       className="small pe-2"),
    ]  # fmt: skip
    csv = dbc.Button(
        "⤓ CSV",
        id=ids.EVENT_CSV,
        color="secondary",
        outline=True,
        size="sm",
        title="Download the rows shown (after your sorting and filters) as CSV",
    )
    return html.Div(
        [
            dcc.Location(id=ids.LOCATION, refresh="callback-nav"),
            dcc.Store(id=ids.REVIEWS_VERSION, data=0),
            dcc.Store(id=ids.SCROLLED),
            html.Div(
                [
                    html.H1("Adverse-event surveillance", className="h3 mb-1"),
                    html.P(
                        "Which clinics, procedure types or periods are out of line, beyond "
                        "what chance explains, and which events await review.",
                        className="text-body-secondary mb-2",
                    ),
                    filter_bar(FILTER_IDS),
                    html.Div(id=ids.NOTICE),
                    _loading(html.P(id=ids.SUMMARY, className="fw-semibold mt-2 mb-0")),
                ],
                className="mb-3",
            ),
            card(
                "Signals",
                explain.SIGNALS,
                [
                    _loading(
                        html.Div(id=ids.SIGNALS, style={"maxHeight": "28rem", "overflowY": "auto"})
                    )
                ],
                section_id="ae-signals-section",
            ),
            card(
                "Clinics against the network: funnel plot",
                explain.FUNNEL,
                [
                    _loading(
                        dcc.Graph(
                            id=ids.FUNNEL_GRAPH,
                            config={"displaylogo": False},
                            style={"height": "420px"},
                        ),
                        html.P(id=ids.FUNNEL_NOTE, className="small mb-0 mt-2"),
                    )
                ],
                section_id=ids.FUNNEL_SECTION,
                tools=funnel_tools,
            ),
            card(
                "Rates with 95% intervals",
                explain.INTERVALS,
                [
                    dbc.Tabs(
                        [dbc.Tab(label=RATE_TAB_LABELS[tab], tab_id=tab) for tab in RATE_TABS],
                        id=ids.RATES_TABS,
                        active_tab=rates,
                        className="mb-2",
                    ),
                    _loading(html.Div(id=ids.RATES_BODY)),
                ],
                section_id=ids.RATES_SECTION,
            ),
            card(
                "Rate over time: control chart",
                explain.P_CHART,
                [
                    _loading(
                        dcc.Graph(
                            id=ids.CHART_GRAPH,
                            config={"displaylogo": False},
                            style={"height": "340px"},
                        ),
                        html.Div(id=ids.CHART_NOTE, className="small mt-2"),
                    )
                ],
                section_id=ids.CHART_SECTION,
                tools=chart_tools,
            ),
            card(
                "Adverse events",
                explain.EVENTS,
                [event_grid(queue=queue), dcc.Download(id=ids.EVENT_DOWNLOAD)],
                section_id=ids.EVENTS_SECTION,
                tools=[csv],
            ),
            review_modal(event),
        ],
        className="ae-page py-3",
    )
