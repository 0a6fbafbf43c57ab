"""One structured (JSON) log line per HTTP request, for operations and latency tracking.

Presentation layer, Flask wiring: :func:`init_app` registers hooks on the Dash app's server
that emit, through the ``clinicops.requests`` logger, the method, the path, the status, the
latency, the CPU time the request's thread spent (unlike the latency, not inflated by other
requests or processes sharing the cores) and the signed-in username, plus the output id of a
Dash callback. Deliberately never the query string, form or callback input values: they
carry clinic ids, filters and, in the adverse-event grid, patient keys and event
descriptions, and logs travel further than the database does.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import flask

from dashboard.auth_context import current_user_or_none

LOGGER_NAME = "clinicops.requests"
CALLBACK_PATH = "/_dash-update-component"
#: A multi-output callback's id runs to a few hundred characters; a crafted body must not
#: flood the log.
MAX_OUTPUT_CHARS = 2000
_STARTED = "clinicops_request_started"
_CPU_STARTED = "clinicops_request_cpu_started"

logger = logging.getLogger(LOGGER_NAME)


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg, unused-ignore]
    """Writes to whatever ``sys.stderr`` is at emit time: servers and test runners swap it,
    and a handler bound to the first one would write to a closed stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # called under the handler's lock
        super().emit(record)


def log_to_stderr(target: logging.Logger) -> None:
    """INFO and above of ``target`` to stderr, unless a deployment configured handlers."""
    if not target.handlers:
        handler = _CurrentStderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        target.addHandler(handler)
        target.setLevel(logging.INFO)


def init_app(server: flask.Flask) -> None:
    """Log every request of ``server``. Adds a stderr handler (INFO) only when the logger
    has none, so a deployment's own logging configuration wins."""
    log_to_stderr(logger)
    # First in line: sign-in's hook answers anonymous requests itself (401 or a redirect),
    # and Flask skips the later before_request hooks when one returns a response.
    server.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    server.after_request(_log_request)


def _start_clock() -> None:
    flask.g.setdefault(_STARTED, time.perf_counter())
    flask.g.setdefault(_CPU_STARTED, time.thread_time())


def _log_request(response: flask.Response) -> flask.Response:
    started = flask.g.get(_STARTED)
    cpu_started = flask.g.get(_CPU_STARTED)
    request = flask.request
    record: dict[str, Any] = {
        "method": request.method,
        "route": request.path,  # never request.full_path: the query string carries filters
        "status": response.status_code,
        "latency_ms": None if started is None else round(1000 * (time.perf_counter() - started), 1),
        "cpu_ms": None
        if cpu_started is None
        else round(1000 * (time.thread_time() - cpu_started), 1),
        "user": _username(),
    }
    if request.path == CALLBACK_PATH:
        record["callback_output"] = _callback_output(request)
    logger.info(json.dumps(record, ensure_ascii=False))
    return response


def _username() -> str | None:
    user = current_user_or_none()  # None for anonymous requests and the sign-in page
    return user.username if user is not None else None


def _callback_output(request: flask.Request) -> str | None:
    """The callback's output id(s) as Dash sends them, and nothing else of the body."""
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    return output[:MAX_OUTPUT_CHARS] if isinstance(output, str) else None
