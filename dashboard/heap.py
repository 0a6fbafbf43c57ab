"""A warmed-up worker's long-lived objects, frozen out of the cyclic garbage collector.

Application layer, installed by :func:`dashboard.production.serve` and by ``app.py`` (for
``gunicorn app:server``). A worker holds about 300,000 long-lived objects: the app, its
layout and callback map, plotly, pandas and SQLAlchemy with their caches. CPython's collector
walks every one of them in each full (oldest-generation) collection, which a filter change's
garbage sets off every few dozen changes: 162 ms with the GIL held, measured on the 1M
benchmark database, so every callback in flight on that worker waited for it. These pauses
made the replay's p95: on the same machine, the slow filter changes (230-300 ms against
80-110 ms in other rounds) hit three panels at once.

``gc.freeze()`` moves every object the collector tracks into a permanent generation that no
collection walks. Done once the worker has answered its first callbacks (so the modules and
caches its first requests created are frozen too, not only what existed at the fork), full
collections walk only what came after: at most 9 ms over 64 cold filter changes, in the same
measurement. It runs after the response is sent (``call_on_close``), after a full collection,
so no garbage is frozen; a frozen object is still freed when its last reference goes, only a
reference cycle among frozen objects is never collected, and that is a one-off set bounded by
what existed at the freeze. Python's documentation recommends the same for forked servers
(``gc.freeze``).
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import time

import flask

from dashboard.request_log import log_to_stderr

#: Callback requests a worker answers before it freezes: every panel callback of a few page
#: loads, so the modules and caches their first run creates are frozen with the rest.
CALLBACKS_BEFORE_FREEZE = 20
CALLBACK_PATH = "/_dash-update-component"

logger = logging.getLogger("clinicops.heap")


def freeze_when_warm(server: flask.Flask, *, after: int = CALLBACKS_BEFORE_FREEZE) -> None:
    """Freeze this process's heap once, after its ``after``-th callback request is answered.

    Register in the process that forks the workers, before the fork: each worker then counts
    its own callbacks from zero."""
    log_to_stderr(logger)
    answered = itertools.count(1)  # ``next`` on it is atomic under the GIL

    def count(response: flask.Response) -> flask.Response:
        if flask.request.path == CALLBACK_PATH and next(answered) == after:
            response.call_on_close(freeze)
        return response

    server.after_request(count)


def freeze() -> None:
    """Collect what is garbage now, then freeze everything left."""
    began = time.perf_counter()
    gc.collect()
    gc.freeze()
    logger.info(
        "process %d froze %d long-lived objects out of the garbage collector (%.0f ms)",
        os.getpid(),
        gc.get_freeze_count(),
        1000 * (time.perf_counter() - began),
    )
