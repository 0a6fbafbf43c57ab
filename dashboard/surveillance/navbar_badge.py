"""Navbar badge: how many serious adverse events still await a medical director's review.

Presentation layer. :func:`review_badge` is a self-contained navbar item (a link to the review
queue on ``/adverse-events``, a count badge, a poll timer and a refresh store); mount it once
in the app's navbar and call :func:`register` once per app where it is mounted. The count
covers every date within the signed-in user's scope, is read
fresh (reviews change without an import, so it is never cached), and refreshes on page
load, every minute, and at once when the case-review modal saves a review (it sets
``BADGE_REFRESH``).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from dashboard import auth_context, runtime
from dashboard.surveillance import ids
from dashboard.surveillance.page_state import PATH
from data_access.queries.case_reviews import unreviewed_serious_count

POLL_MS = 60_000
QUEUE_HREF = f"{PATH}?queue=serious#ae-events"


def review_badge() -> html.Span:
    """The navbar item. Hidden count until the first refresh; "0" shows as a quiet badge."""
    return html.Span(
        [
            dcc.Link(
                [
                    "Serious events to review ",
                    dbc.Badge("…", id=ids.BADGE_COUNT, color="secondary", pill=True),
                ],
                href=QUEUE_HREF,
                className="nav-link",
                title="Serious adverse events with no case review yet",
            ),
            dcc.Interval(id=ids.BADGE_POLL, interval=POLL_MS),
            dcc.Store(id=ids.BADGE_REFRESH, data=0),
        ],
        id=ids.BADGE,
        hidden=True,
    )


def badge_text(count: int) -> tuple[str, str]:
    """The badge's text and colour: red while anything awaits review."""
    return f"{count:,}", "danger" if count else "secondary"


def _refresh_badge(_ticks: int | None, _refresh: Any) -> tuple[str, str, bool]:
    """The count for a medical director; the whole item hidden for anyone who cannot review."""
    if not auth_context.can_review_cases():
        return "", "secondary", True
    with runtime.current().connect() as conn:
        count = unreviewed_serious_count(
            conn=conn, filters=None, scope=auth_context.current_scope()
        )
    return (*badge_text(count), False)


def register() -> None:
    """Register this module's callbacks with the app ``create_app`` is building."""
    dash.callback(
        Output(ids.BADGE_COUNT, "children"),
        Output(ids.BADGE_COUNT, "color"),
        Output(ids.BADGE, "hidden"),
        Input(ids.BADGE_POLL, "n_intervals"),
        Input(ids.BADGE_REFRESH, "data"),
    )(_refresh_badge)
