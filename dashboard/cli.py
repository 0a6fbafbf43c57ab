"""The ``clinicops`` command line: database set-up, import, export, demo data, summary, serve.

Application layer. Each command reads the settings once, owns its transaction, and turns
every expected failure (bad argument, bad batch, unreachable database) into one clear line on
stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from data_access.contract import ProcedureType
from data_access.engine import make_engine
from data_access.filters import FilterError, Filters, Scope
from data_access.migrate import is_at_head, upgrade_to_head
from data_access.settings import Settings, SettingsError, load_settings

EXIT_INVALID_DATA = 2


class CliContext:
    """Settings and the engine, created when a command first needs them."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings()
            except SettingsError as exc:
                raise click.ClickException(f"configuration: {exc}") from None
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def ready_engine(self) -> Engine:
        """The engine of a database at the latest schema. The embedded database is migrated
        on the spot; a shared one must be migrated deliberately with ``clinicops init-db``."""
        with database_errors(self.settings):
            if self.settings.is_embedded:
                upgrade_to_head(self.engine)
            elif not is_at_head(self.engine):
                raise click.ClickException(
                    "the database schema is not up to date: run `clinicops init-db` first"
                )
        return self.engine


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """Turn driver errors into one line naming the database (without its password)."""
    try:
        yield
    except OperationalError as exc:
        from sqlalchemy.engine import make_url

        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise click.ClickException(f"cannot use the database at {where}: {reason}") from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error: {str(exc).splitlines()[0]}") from None


def parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param=param) from None


class _Silent:
    """Stands in for a progress bar when stderr is not a terminal (logs, CI, pipes)."""

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, _rows: int) -> None:
        return None

    def render_finish(self) -> None:
        return None


def progress_reporter(label: str, total: int | None) -> Any:
    """A progress bar on a terminal; nothing at all otherwise."""
    if not sys.stderr.isatty():
        return _Silent()
    return click.progressbar(
        length=total, label=label, file=sys.stderr, show_pos=True, show_eta=total is not None
    )


pass_context = click.make_pass_decorator(CliContext, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clinicops")
@click.pass_context
def main(click_ctx: click.Context) -> None:
    """ClinicOps: operations dashboard for a network of rural pain-management clinics.

    Configuration comes from CLINICOPS_* environment variables (see the README); without any,
    an embedded SQLite database in your user data folder is used.
    """
    context = click_ctx.ensure_object(CliContext)
    click_ctx.call_on_close(context.close)


@main.command("init-db")
@pass_context
def init_db(ctx: CliContext) -> None:
    """Create the schema, or bring an existing database to the latest migration."""
    with database_errors(ctx.settings):
        upgrade_to_head(ctx.engine)
    click.echo("database is at the latest schema")


@main.command("import")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows; write rejected rows to a rejects file.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write rejected rows (with --skip-invalid).",
)
@pass_context
def import_command(
    ctx: CliContext, directory: Path, skip_invalid: bool, rejects_path: Path | None
) -> None:
    """Import a batch folder in the clinic export format (all or nothing by default)."""
    from data_access.importer import ImportRejected, import_batch
    from data_access.summaries import compact_queues

    if rejects_path is not None and not skip_invalid:
        raise click.UsageError("--rejects only makes sense with --skip-invalid")
    if not directory.is_dir():
        raise click.ClickException(f"{directory}: no such folder")
    engine = ctx.ready_engine()
    total = _count_data_lines(directory)
    with database_errors(ctx.settings), progress_reporter("importing", total) as bar:
        try:
            with engine.begin() as conn:
                report = import_batch(
                    conn=conn,
                    directory=directory,
                    skip_invalid=skip_invalid,
                    rejects_path=rejects_path,
                    default_timezone=ctx.settings.default_timezone,
                    progress=bar.update,
                )
        except ImportRejected as rejected:
            bar.render_finish()
            for problem in rejected.problems:
                click.echo(str(problem), err=True)
            click.echo(
                f"import refused: {len(rejected.problems)} problem(s); nothing was imported "
                "(use --skip-invalid to import the valid rows)",
                err=True,
            )
            sys.exit(EXIT_INVALID_DATA)
    compact_queues(engine)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name in report.inserted:
        click.echo(
            f"{name}: {report.inserted[name]} inserted, {report.updated.get(name, 0)} updated, "
            f"{report.unchanged.get(name, 0)} unchanged, {report.rejected.get(name, 0)} rejected"
        )
    if report.rejects_path is not None:
        click.echo(f"rejected rows written to {report.rejects_path}", err=True)
        sys.exit(EXIT_INVALID_DATA)


def _count_data_lines(directory: Path) -> int | None:
    """Rough number of data rows in a batch, for the progress bar's length."""
    try:
        total = 0
        for path in directory.glob("*.csv"):
            with path.open("rb") as handle:
                total += max(
                    sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                    - 1,
                    0,
                )
        return total or None
    except OSError:
        return None


@main.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--start", callback=parse_date, help="First procedure date (YYYY-MM-DD).")
@click.option("--end", callback=parse_date, help="Last procedure date (YYYY-MM-DD).")
@click.option("--clinic", "clinics", multiple=True, help="Only this clinic id (repeatable).")
@pass_context
def export_command(
    ctx: CliContext, directory: Path, start: date | None, end: date | None, clinics: tuple[str, ...]
) -> None:
    """Write a batch in the clinic export format."""
    from data_access.exporter import export_batch

    if start and end and start > end:
        raise click.BadParameter(f"--start {start} is after --end {end}")
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), engine.connect() as conn:
        try:
            written = export_batch(
                conn=conn, directory=directory, start=start, end=end, clinics=clinics
            )
        except OSError as exc:
            raise click.ClickException(f"{directory}: {exc.strerror or exc}") from None
    for name, rows in written.items():
        click.echo(f"{name}: {rows} rows")


@main.command("demo")
@click.option("--clinics", type=click.IntRange(1, 2000), default=40, show_default=True)
@click.option("--years", type=click.FloatRange(0.1, 20), default=3.0, show_default=True)
@click.option("--seed", type=int, default=20261124, show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write a contract batch to this folder instead of the database.",
)
@pass_context
def demo_command(ctx: CliContext, clinics: int, years: float, seed: int, out: Path | None) -> None:
    """Generate a realistic, deterministic demo network of rural clinics."""
    from data_access.demo import generate_demo, write_demo_csv

    batch = generate_demo(clinics=clinics, years=years, seed=seed)
    if out is not None:
        written = write_demo_csv(batch, out)
        for name, rows in written.items():
            click.echo(f"{name}: {rows} rows")
        return
    engine = ctx.ready_engine()
    with database_errors(ctx.settings):
        loaded = load_demo_into(engine, batch)
    for name, rows in loaded.items():
        click.echo(f"{name}: {rows} rows")


def load_demo_into(engine: Engine, batch: Any) -> dict[str, int]:
    """Load a generated demo into an empty database, with a progress bar on a terminal."""
    from data_access.demo import load_demo
    from data_access.queries.clinics import has_data
    from data_access.summaries import compact_queues

    with engine.begin() as conn:
        if has_data(conn=conn):
            raise click.ClickException(
                "the database already holds clinics: demo data goes only into an empty "
                "database (use --out DIR and `clinicops import DIR` to add it anyway)"
            )
        total = sum(len(frame) for frame in batch.frames().values())
        with progress_reporter("loading demo data", total) as bar:
            loaded = dict(load_demo(conn=conn, batch=batch, progress=bar.update))
    compact_queues(engine)
    return loaded


@main.command("summary")
@click.option("--start", callback=parse_date, required=True, help="First date (YYYY-MM-DD).")
@click.option("--end", callback=parse_date, required=True, help="Last date (YYYY-MM-DD).")
@click.option("--region", "regions", multiple=True, help="Region (repeatable).")
@click.option("--clinic", "clinics", multiple=True, help="Clinic id (repeatable).")
@click.option(
    "--procedure",
    "procedure_types",
    multiple=True,
    type=click.Choice([t.value for t in ProcedureType]),
    help="Procedure type (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
)
@pass_context
def summary_command(
    ctx: CliContext,
    start: date,
    end: date,
    regions: tuple[str, ...],
    clinics: tuple[str, ...],
    procedure_types: tuple[str, ...],
    output_format: str,
) -> None:
    """Print the KPI figures of the dashboard's cards for these filters."""
    from data_access.queries.kpis import kpi_totals

    try:
        filters = Filters(
            start=start, end=end, regions=regions, clinics=clinics, procedure_types=procedure_types
        )  # type: ignore[arg-type]
    except FilterError as exc:
        raise click.BadParameter(str(exc)) from None
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), engine.connect() as conn:
        figures = kpi_totals(conn=conn, filters=filters, scope=Scope.everything()).as_dict()
    if output_format == "json":
        click.echo(json.dumps(figures, ensure_ascii=False))
    else:
        click.echo(format_summary_table(figures))


def format_summary_table(figures: dict[str, Any]) -> str:
    def show(value: Any, formatter: Callable[[Any], str]) -> str:
        return "—" if value is None else formatter(value)

    lines = [
        ("Procedures", show(figures["procedures"], "{:,}".format)),
        ("Patients", show(figures["patients"], "{:,}".format)),
        ("Adverse events", show(figures["adverse_events"], "{:,}".format)),
        ("AE rate per 1,000", show(figures["ae_rate_per_1000"], "{:.2f}".format)),
        ("Follow-up rate", show(figures["followup_rate"], "{:.1%}".format)),
        ("Median soreness", show(figures["median_soreness"], "{:.1f}".format)),
        ("Referrals", show(figures["referrals"], "{:,}".format)),
    ]
    lines += [(f"  {source}", f"{n:,}") for source, n in figures["referrals_by_source"].items()]
    width = max(len(label) for label, _ in lines)
    return "\n".join(f"{label:<{width}}  {value:>10}" for label, value in lines)


@main.command("serve")
@click.option("--host", help="Address to listen on (default: CLINICOPS_HOST or 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port (default: CLINICOPS_PORT or 8050)."
)
@click.option("--production", is_flag=True, help="Serve with gunicorn instead of Flask's server.")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="With --production."
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=1, show_default=True, help="With --production."
)
@pass_context
def serve_command(
    ctx: CliContext,
    host: str | None,
    port: int | None,
    production: bool,
    workers: int,
    threads: int,
) -> None:
    """Serve the dashboard (Flask's development server unless --production)."""
    from dashboard.app import create_app, prepare_database

    settings = ctx.settings
    try:
        app = create_app(settings)
    except SettingsError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
    with database_errors(settings):
        # Gunicorn forks its workers: summarise before that (no thread may cross a fork).
        prepare_database(settings, ctx.engine, background=not production)
    if production:
        ctx.close()  # no pooled connection may cross gunicorn's fork
    host, port = host or settings.host, port or settings.port
    if production:
        from dashboard.production import serve

        serve(app.server, host=host, port=port, workers=workers, threads=threads)
    else:
        app.run(host=host, port=port, debug=settings.debug)


from dashboard.cli_users import user_group  # noqa: E402  (needs main's helpers)

main.add_command(user_group)
