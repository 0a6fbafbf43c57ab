"""Serving the dashboard with gunicorn, the production WSGI server.

Application layer. ``clinicops serve --production`` builds the app once in the master (so a
bad configuration fails before any worker starts), disposes the Engine's pool, and lets
gunicorn fork the workers: each worker opens its own connections on first use, and freezes
its long-lived objects out of the garbage collector once warm (:mod:`dashboard.heap`).
"""

from __future__ import annotations

from typing import Any

import flask
from gunicorn.app.base import BaseApplication

from dashboard import heap

#: Seconds an idle connection stays open for the browser's next request. Gunicorn's default
#: (2 s) is about the pause between two clicks, so the next callback often went out on a
#: connection the server was closing at that moment: a "connection reset" for the client (a
#: browser retries it; a reverse proxy with upstream keep-alive answers 502, since it may not
#: retry a POST). Longer than the usual proxy idle timeout (60 s), so the proxy closes first.
#: gthread workers park idle connections in their poller, not in a thread.
KEEPALIVE_SECONDS = 75


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
    heap.freeze_when_warm(server)  # before the fork: each worker counts its own callbacks
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
        },
    ).run()
