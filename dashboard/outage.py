"""What the dashboard does while the clinic database is down: a notice, not an error.

Presentation layer, Flask and Dash wiring. PostgreSQL queries already fail fast
(``connect_timeout`` and ``statement_timeout`` in ``data_access.engine``); this module turns
that failure into an answer. :func:`init_app` registers one Flask error handler for database
outage errors, wherever they are raised (the sign-in hook re-reads the user on every request,
so during an outage it fails before any callback runs, and every callback's query fails the
same way). A Dash callback request then gets HTTP 200 with no output updated and a
``sideUpdate`` (the same channel as ``dash.set_props``) that opens the shared notice and
starts its retry timer; a page request gets a short 503 page with ``Retry-After``. The retry
callback closes the notice once the database answers again and bumps :data:`RECOVERED_ID`.
A page that hands its ``dcc.Location`` to :func:`reread_url_on_recovery` then reads its URL
again, so its panels redraw without a reload. Errors that are not outages (a SQL bug, a
constraint) still surface as they did.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, dcc, html
from flask.typing import ResponseReturnValue
from sqlalchemy import exc, text

from dashboard import runtime

ALERT_ID = "shell-db-outage"
RETRY_ID = "shell-db-retry"
RECOVERED_ID = "shell-db-recovered"
RETRY_SECONDS = 10
MESSAGE = "Clinic database unavailable, retrying every few seconds. Figures shown may be stale."
CALLBACK_PATH = "/_dash-update-component"

logger = logging.getLogger("clinicops.outage")


class DatabaseUnavailable(RuntimeError):
    """The clinic database cannot be reached; raise it from code that detects an outage
    itself, and the same notice is shown."""


#: Failures of the connection or the server rather than of the statement: the server is down
#: or unreachable (OperationalError also covers a statement cancelled by statement_timeout),
#: the connection broke (InterfaceError), or no pooled connection came free (TimeoutError).
_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
)


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` means "database unavailable" (retrying may help), as opposed to a
    bug such as a ProgrammingError or IntegrityError, which must stay visible."""
    if isinstance(error, _OUTAGE_ERRORS):
        return True
    # Any other driver error counts only when SQLAlchemy saw the connection drop with it.
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def notice() -> html.Div:
    """The shared notice and its retry timer and recovery counter: once, in the app shell."""
    return html.Div(
        [
            dbc.Alert(MESSAGE, id=ALERT_ID, color="warning", is_open=False, className="mb-2"),
            dcc.Interval(id=RETRY_ID, interval=RETRY_SECONDS * 1000, disabled=True),
            dcc.Store(id=RECOVERED_ID, data=0),
        ]
    )


def init_app(server: flask.Flask) -> None:
    """Answer outage errors raised anywhere in a request of ``server`` with the notice."""
    for error_class in (*_OUTAGE_ERRORS, exc.DBAPIError):
        server.register_error_handler(error_class, _answer_outage)


def register_callbacks() -> None:
    """The retry: once a timer tick gets through, close the notice and stop the timer."""
    dash.callback(
        Output(ALERT_ID, "is_open"),
        Output(RETRY_ID, "disabled"),
        Output(RECOVERED_ID, "data"),
        Input(RETRY_ID, "n_intervals"),
        prevent_initial_call=True,
    )(retry)


def retry(_ticks: int | None) -> tuple[bool, bool, float]:
    """Closes the notice if the database answers; while it does not, the error reaches
    :func:`_answer_outage` like any other request's and the notice stays open."""
    with runtime.current().connect() as conn:
        conn.execute(text("SELECT 1"))
    return False, True, time.time()


def reread_url_on_recovery(location_id: str) -> None:
    """Once the database answers again, give the page's ``dcc.Location`` its own search back:
    every callback that reads the URL runs again, as after the back button, so panels left
    stale or empty by the outage redraw, and the filter bar shows the filters the figures are
    for (a change made during the outage failed before it reached the URL: it is dropped).
    The same search pushes no history entry. Call it once per app from the page module."""
    dash.callback(
        Output(location_id, "search", allow_duplicate=True),
        Input(RECOVERED_ID, "data"),
        State(location_id, "search"),
        prevent_initial_call=True,
    )(same_search)


def same_search(_recovered: float | None, search: str | None) -> str:
    return search or ""


def open_notice_props() -> dict[str, dict[str, Any]]:
    """The props that show the notice and start the retry timer (a ``sideUpdate``)."""
    return {ALERT_ID: {"is_open": True}, RETRY_ID: {"disabled": False}}


def _answer_outage(error: Exception) -> ResponseReturnValue:
    if not is_outage(error):
        raise error  # Flask answers 500 as it did before this handler existed
    # The class names only: SQLAlchemy's message carries the statement and its parameters,
    # which may hold clinic ids or patient keys.
    cause = type(getattr(error, "orig", None) or error).__name__
    logger.warning("clinic database unavailable (%s) at %s", cause, flask.request.path)
    if flask.request.path == CALLBACK_PATH:
        # No output updated; the renderer applies sideUpdate like dash.set_props.
        return flask.jsonify(multi=True, response={}, sideUpdate=open_notice_props())
    page = flask.Response(
        f"<!doctype html><title>ClinicOps</title><p>{MESSAGE}</p>"
        f'<meta http-equiv="refresh" content="{RETRY_SECONDS}">',
        status=503,
        mimetype="text/html",
    )
    page.headers["Retry-After"] = str(RETRY_SECONDS)
    return page
