"""The Dash application factory and first-start preparation of the embedded database.

Presentation layer. ``create_app(settings)`` builds a fresh app (pages, assets, cache,
runtime services); ``prepare_database`` migrates the embedded database and fills it with demo
data on first start, so ``python app.py`` shows a working dashboard with nothing installed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import numpy  # noqa: F401  (plotly imports numpy lazily; racing threads saw it half-loaded)
from sqlalchemy import Engine

from dashboard import health, runtime
from data_access.migrate import upgrade_to_head
from data_access.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


def prepare_database(settings: Settings, engine: Engine, *, echo: bool = True) -> None:
    """Migrate the embedded database and, when it holds no clinics yet, load the demo
    network. A shared database is left alone (``clinicops init-db`` migrates it)."""
    from data_access.queries.clinics import has_data

    if not settings.is_embedded:
        return
    upgrade_to_head(engine)
    with engine.connect() as conn:
        if has_data(conn=conn) or not settings.demo_on_empty:
            return
    from data_access.demo import generate_demo, load_demo

    began = time.perf_counter()
    if echo:
        print("First start: generating demo data for 40 rural clinics ...", file=sys.stderr)
    batch = generate_demo()
    total = sum(len(frame) for frame in batch.frames().values())
    done = 0

    def report(rows: int) -> None:
        nonlocal done
        done += rows
        if echo:
            print(f"\r  loading {done:,}/{total:,} rows", end="", file=sys.stderr, flush=True)

    with engine.begin() as conn:
        load_demo(conn=conn, batch=batch, progress=report)
    if echo:
        print(f"\n  demo data ready in {time.perf_counter() - began:.1f} s", file=sys.stderr)


def create_app(settings: Settings, *, engine: Engine | None = None) -> dash.Dash:
    """A new ClinicOps Dash app for these settings. Without ``engine`` one is created on the
    first request."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(ASSETS_DIR),
        external_stylesheets=[],
        title="ClinicOps",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.server.config["SECRET_KEY"] = settings.resolved_secret_key()
    cache = runtime.make_cache(settings)
    cache.init_app(app.server)
    runtime.install(
        app.server,
        runtime.Runtime(settings=settings, cache=cache, _engine=engine),
    )
    app.server.register_blueprint(health.blueprint)
    app.layout = dbc.Container([dash.page_container], fluid=True)
    return app
