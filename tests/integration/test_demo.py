"""Loading the demo into the database, on SQLite and PostgreSQL: every row, every value."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Connection, Table, func, select

from data_access.contract import FILES_BY_NAME, STATE_TIMEZONES
from data_access.demo import DemoBatch, generate_demo, load_demo, write_demo_csv
from data_access.demo.batch import contract_frame
from data_access.demo.load import LOCAL_DATE_COLUMNS, DemoTablesNotEmpty
from data_access.importer import import_batch
from data_access.schema import CONTRACT_TABLES, adverse_events, clinics, procedures

END = date(2026, 5, 15)


@pytest.fixture(scope="module")
def batch() -> DemoBatch:
    return generate_demo(clinics=6, years=1, end=END)


def count_rows(conn: Connection, table: Table, *where: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_load_inserts_every_row_and_reports_progress(conn: Connection, batch: DemoBatch) -> None:
    reported: list[int] = []
    counts = load_demo(conn=conn, batch=batch, progress=reported.append, chunk_rows=4_000)
    expected = {name: len(frame) for name, frame in batch.frames().items()}
    assert counts == expected
    assert sum(reported) == sum(expected.values())
    assert len(reported) > len(expected)
    for name, table in CONTRACT_TABLES.items():
        assert count_rows(conn, table) == expected[name], name


def read_back(conn: Connection, name: str) -> pd.DataFrame:
    """A table as the contract frame it was loaded from: a NULL clock time is the date alone."""
    spec, table = FILES_BY_NAME[name], CONTRACT_TABLES[name]
    rows = conn.execute(select(table).order_by(table.c[spec.key])).mappings().all()
    columns: dict[str, list[Any]] = {}
    for column in spec.column_names:
        if column in LOCAL_DATE_COLUMNS:
            day = LOCAL_DATE_COLUMNS[column]
            assert all(r[column] is None or r[column].date() == r[day] for r in rows)
            columns[column] = [r[column] or datetime.combine(r[day], time()) for r in rows]
        else:
            columns[column] = [r[column] for r in rows]
    return contract_frame(spec, columns)


def test_every_value_round_trips(conn: Connection, batch: DemoBatch) -> None:
    load_demo(conn=conn, batch=batch)
    for name, frame in batch.frames().items():
        expected = frame.sort_values(FILES_BY_NAME[name].key, ignore_index=True)
        pd.testing.assert_frame_equal(read_back(conn, name), expected, obj=name)
    # A clinic exporting dates only: its procedures have no clock time.
    moments = batch.procedures["performed_at"]
    dated_only = count_rows(conn, procedures, procedures.c.performed_at.is_(None))
    assert dated_only == (moments.dt.normalize() == moments).sum() > 0
    assert count_rows(conn, adverse_events, adverse_events.c.serious) == (
        batch.adverse_events["serious"].sum()
    )


def test_clinics_keep_their_names_and_get_their_time_zone(
    conn: Connection, batch: DemoBatch
) -> None:
    load_demo(conn=conn, batch=batch)
    rows = conn.execute(select(clinics).order_by(clinics.c.clinic_id)).all()
    assert [r.name for r in rows] == batch.clinics["name"].tolist()
    assert any("'" in r.name for r in rows) and any("ñ" in r.name for r in rows)
    assert all(r.timezone == STATE_TIMEZONES[r.state] for r in rows)
    assert [r.opened_on for r in rows] == [d.date() for d in batch.clinics["opened_on"]]


def test_load_refuses_tables_that_already_hold_data(conn: Connection, batch: DemoBatch) -> None:
    load_demo(conn=conn, batch=batch)
    with pytest.raises(DemoTablesNotEmpty):
        load_demo(conn=conn, batch=batch)


def test_the_csv_batch_imports_to_the_same_rows(conn: Connection, tmp_path: Path) -> None:
    """The importer accepts every demo value and stores what ``load_demo`` stores."""
    batch = generate_demo(clinics=3, years=0.3, seed=11, end=END)
    write_demo_csv(batch, tmp_path)

    def snapshot() -> dict[str, Sequence[Any]]:
        return {
            name: conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            for name, table in CONTRACT_TABLES.items()
        }

    imported = conn.begin_nested()
    report = import_batch(conn=conn, directory=tmp_path, today=END)
    assert not any(report.rejected.values()) and not report.warnings
    through_import = snapshot()
    imported.rollback()

    load_demo(conn=conn, batch=batch)
    assert snapshot() == through_import
