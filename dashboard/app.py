"""The Dash application factory and first-start preparation of the embedded database.

Presentation layer. ``create_app(settings)`` builds a fresh app (pages, assets, cache,
runtime services); ``prepare_database`` migrates the embedded database and fills it with demo
data on first start, so ``python app.py`` shows a working dashboard with nothing installed.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import dash
import numpy  # noqa: F401  (plotly imports numpy lazily; racing threads saw it half-loaded)
from sqlalchemy import Engine

from dashboard import auth, auth_ui, health, json_response, outage, request_log, runtime
from dashboard.components import shell
from dashboard.single_flight import SingleFlight
from dashboard.surveillance import navbar_badge
from data_access.engine import SQLITE_IMMEDIATE
from data_access.migrate import upgrade_to_head
from data_access.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


def prepare_database(
    settings: Settings, engine: Engine, *, echo: bool = True, background: bool = False
) -> threading.Thread | None:
    """Migrate the embedded database and, when it holds no clinics yet, load the demo
    network. A shared database is left alone (``clinicops init-db`` migrates it).

    The demo's base rows are committed first; the summary tables are then brought up to date
    (also after a start that was stopped before they were). With ``background`` that runs in a
    thread, returned, so the first start serves in seconds: until the refresh commits, the
    queries see pending cells and answer from the base tables (slower, never different)."""
    from dashboard.demo_users import ensure_demo_users
    from data_access.queries.clinics import has_data

    if not settings.is_embedded:
        return None
    upgrade_to_head(engine, summarise=False)  # summarised below, in the background
    with engine.connect() as conn:
        loaded = has_data(conn=conn)
    if loaded or not settings.demo_on_empty:
        ensure_demo_users(settings, engine, echo=echo)  # sign-in: one demo user per role
        return summarise(engine, echo=echo, background=background)
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
        load_demo(conn=conn, batch=batch, progress=report, summarise=False)
    if echo:
        print(f"\n  demo data ready in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    ensure_demo_users(settings, engine, echo=echo)
    return summarise(engine, echo=echo, background=background)


def summarise(engine: Engine, *, echo: bool, background: bool) -> threading.Thread | None:
    """Refresh the summary tables if any write is pending (in a daemon thread if
    ``background``); a failure is reported and leaves them pending: the queries keep reading
    the base tables, and the next start tries again."""
    from data_access.summaries import compact_queues, refresh_summaries, summaries_pending

    with engine.connect() as conn:
        if not summaries_pending(conn):
            return None

    def run() -> None:
        began = time.perf_counter()
        if echo:
            print("  building summary tables ...", file=sys.stderr, flush=True)
        try:
            immediate = {SQLITE_IMMEDIATE: True}  # hold the write lock from the start
            with engine.connect().execution_options(**immediate) as conn, conn.begin():
                refresh_summaries(conn)
        except Exception as exc:  # reported, never fatal: the base tables still answer
            print(f"  summary tables not built ({exc}); figures come from the base tables",
                  file=sys.stderr)  # fmt: skip
            return
        compact_queues(engine)
        if echo:
            print(f"  summary tables ready in {time.perf_counter() - began:.1f} s",
                  file=sys.stderr)  # fmt: skip

    if not background:
        run()
        return None
    thread = threading.Thread(target=run, name="clinicops-summaries", daemon=True)
    thread.start()
    return thread


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
    json_response.install()  # callback answers in one orjson pass
    app.server.config["SECRET_KEY"] = settings.resolved_secret_key()
    cache = runtime.make_cache(settings)
    cache.init_app(app.server)
    runtime.install(
        app.server,
        runtime.Runtime(
            settings=settings,
            cache=cache,
            _engine=engine,
            single_flight=SingleFlight(redis_url=settings.redis_url),
        ),
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
    auth_ui.register()
    _claim_callbacks(app)
    return app


def _claim_callbacks(app: dash.Dash) -> None:
    """Dash hands every callback registered with ``dash.callback`` (page modules, which Dash
    runs again for each app, and the shell's) to whichever app serves a request first. Let
    this app take its own now, so that apps built side by side in one process (tests, app
    factories) each own exactly their callbacks, neither none nor two copies."""
    with app.server.test_request_context("/"):
        app._setup_server()  # Dash's own first-request set-up; it runs once per app
