"""Serving the dashboard with gunicorn, the production WSGI server.

Application layer. ``clinicops serve --production`` builds the app once in the master (so a
bad configuration fails before any worker starts), disposes the Engine's pool, and lets
gunicorn fork the workers: each worker opens its own connections on first use.
"""

from __future__ import annotations

from typing import Any

import flask
from gunicorn.app.base import BaseApplication


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
            "accesslog": "-",
        },
    ).run()
