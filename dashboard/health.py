"""Liveness and readiness endpoints for load balancers and orchestrators.

Presentation-layer wiring. ``/healthz`` says the process answers; ``/readyz`` says the
database is reachable and at the latest migration. Neither needs sign-in and neither returns
any clinic data.
"""

from __future__ import annotations

import flask
from sqlalchemy.exc import SQLAlchemyError

from dashboard import runtime
from data_access.migrate import current_revision, head_revision

blueprint = flask.Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> flask.Response:
    return flask.jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[flask.Response, int]:
    try:
        with runtime.current().connect() as conn:
            revision = current_revision(conn)
    except SQLAlchemyError:
        return flask.jsonify(status="unavailable", reason="database unreachable"), 503
    expected = head_revision()
    if revision != expected:
        return (
            flask.jsonify(status="unavailable", reason="database schema not at latest migration"),
            503,
        )
    return flask.jsonify(status="ready", schema=revision), 200
