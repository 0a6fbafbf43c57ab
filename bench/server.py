"""The production server the benchmark measures: the real app under gunicorn, plus one
trivial callback (Dash's own floor on the same server).

Benchmark support. ``python -m bench.server --port P --workers N [--threads T]`` builds the
app from the ``CLINICOPS_*`` environment exactly as ``clinicops serve --production`` does
(``dashboard.production.serve``), then registers ``bench-floor``: a callback that echoes its
input without touching the database or the cache. A request to it pays for everything a real
callback pays for (gunicorn, Flask, the sign-in check, Dash's request parsing and response
serialisation) and nothing else.
"""

from __future__ import annotations

import argparse

from dash import Input, Output

FLOOR_OUTPUT = "bench-floor"
FLOOR_INPUT = "bench-floor-input"


def trivial_callback(value: object) -> str:
    return f"{value}"


def build_server() -> object:
    import numpy  # noqa: F401  (as dashboard.app: imported before any worker thread)

    from dashboard.app import create_app
    from data_access.settings import get_settings

    app = create_app(get_settings())
    app.callback(Output(FLOOR_OUTPUT, "children"), Input(FLOOR_INPUT, "value"))(trivial_callback)
    return app.server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from dashboard.production import serve

    server = build_server()
    # Like ``clinicops serve --production``: the master built the app; workers open their own
    # connections on first use.
    serve(server, host=args.host, port=args.port, workers=args.workers, threads=args.threads)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
