"""``clinicops import`` end to end through the command line, on both backends: the batch's rows
and figures arrive, and the summary queues it emptied take no room afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from dashboard.cli import main
from data_access.engine import make_engine
from data_access.filters import Filters, Scope
from data_access.queries.kpis import kpi_totals
from data_access.schema_summaries import PENDING_TABLES
from data_access.summaries import summaries_pending
from tests.conftest import make_settings
from tests.integration.csv_batches import GOOD, write_batch


def test_import_summarises_the_batch_and_leaves_the_queues_compact(
    fresh_database_url: str, tmp_path: Path
) -> None:
    env = {"CLINICOPS_DATABASE_URL": fresh_database_url, "CLINICOPS_DATA_DIR": str(tmp_path)}
    assert CliRunner().invoke(main, ["init-db"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["import", str(write_batch(tmp_path / "b", GOOD))], env=env)
    assert result.exit_code == 0, result.output
    assert "procedures: 2 inserted" in result.stdout
    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    try:
        with engine.connect() as conn:
            assert not summaries_pending(conn)
            totals = kpi_totals(
                conn=conn,
                filters=Filters(start=date(2025, 3, 1), end=date(2025, 3, 31)),
                scope=Scope.everything(),
            )
            assert (totals.procedures, totals.adverse_events, totals.referrals) == (2, 1, 1)
            if conn.dialect.name == "postgresql":
                # Emptied by the refresh and vacuumed after the commit: no dead rows for
                # every request's pending check to read.
                pages = conn.execute(
                    select(*(func.pg_relation_size(table.name) for table in PENDING_TABLES))
                ).one()
                assert tuple(pages) == (0,) * len(PENDING_TABLES)
    finally:
        engine.dispose()
