"""Serving the dashboard with gunicorn, the production WSGI server.

Application layer. ``clinicops serve --production`` builds the app once in the master (so a
bad configuration fails before any worker starts), disposes the Engine's pool, and lets
gunicorn fork the workers: each worker opens its own connections on first use. Before each
fork the master freezes its objects out of the garbage collector's reach (:func:`freeze_heap`).
"""

from __future__ import annotations

import gc
from typing import Any

import flask
from gunicorn.app.base import BaseApplication

#: Seconds an idle connection stays open for the browser's next request. Gunicorn's default
#: (2 s) is about the pause between two clicks, so the next callback often went out on a
#: connection the server was closing at that moment: a "connection reset" for the client (a
#: browser retries it; a reverse proxy with upstream keep-alive answers 502, since it may not
#: retry a POST). Longer than the usual proxy idle timeout (60 s), so the proxy closes first.
#: gthread workers park idle connections in their poller, not in a thread.
KEEPALIVE_SECONDS = 75


def freeze_heap(_arbiter: object = None, _worker: object = None) -> None:
    """Move every object the master holds (the app, Dash, plotly, pandas, SQLAlchemy: about
    a million) to the collector's permanent generation, as the ``gc`` documentation advises
    before a fork: a worker's full collections then traverse only what it made itself (in a
    replay of the benchmark's filter changes at 1M procedures, in-process, a full collection
    paused a callback for 146 ms before and 66 ms after), and they no longer write to the
    pages the workers share with the master."""
    gc.collect()
    gc.freeze()


class ProductionServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, server: flask.Flask, options: dict[str, Any]) -> None:
        self.server = server
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None and key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> flask.Flask:
        return self.server


def serve(server: flask.Flask, *, host: str, port: int, workers: int, threads: int) -> None:
    ProductionServer(
        server,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": 60,
            "keepalive": KEEPALIVE_SECONDS,
            "accesslog": "-",
            "pre_fork": freeze_heap,
        },
    ).run()
