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
import numpy  # noqa: F401  (plotly imports numpy lazily; racing threads saw it half-loaded)
from sqlalchemy import Engine

from dashboard import auth, auth_ui, health, outage, request_log, runtime
from dashboard.components import shell
from dashboard.surveillance import navbar_badge
from data_access.migrate import upgrade_to_head
from data_access.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


def prepare_database(settings: Settings, engine: Engine, *, echo: bool = True) -> None:
    """Migrate the embedded database and, when it holds no clinics yet, load the demo
    network. A shared database is left alone (``clinicops init-db`` migrates it)."""
    from dashboard.demo_users import ensure_demo_users
    from data_access.queries.clinics import has_data

    if not settings.is_embedded:
        return
    upgrade_to_head(engine)
    with engine.connect() as conn:
        loaded = has_data(conn=conn)
    if loaded or not settings.demo_on_empty:
        ensure_demo_users(settings, engine, echo=echo)  # sign-in: one demo user per role
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
    ensure_demo_users(settings, engine, echo=echo)


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
    auth.init_app(app, settings)  # sign-in on every route but /login and health, headers
    request_log.init_app(app.server)
    outage.init_app(app.server)
    app.layout = shell.shell_layout(
        [shell.page_links(), navbar_badge.review_badge(), auth_ui.user_menu()]
    )
    shell.register_callbacks()
    outage.register_callbacks()
    navbar_badge.register()
    _claim_callbacks(app)
    return app


def _claim_callbacks(app: dash.Dash) -> None:
    """Dash hands every callback registered with ``dash.callback`` (page modules, which Dash
    runs again for each app, and the shell's) to whichever app serves a request first. Let
    this app take its own now, so that apps built side by side in one process (tests, app
    factories) each own exactly their callbacks, neither none nor two copies."""
    with app.server.test_request_context("/"):
        app._setup_server()  # Dash's own first-request set-up; it runs once per app
