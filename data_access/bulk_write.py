"""Bulk upsert of validated rows into a contract table through a temporary staging table.

Data-access layer, used by the importer inside the caller's transaction (it never commits).
Each chunk of rows goes into a TEMP staging table (PostgreSQL: ``COPY`` through psycopg 3 on
the same connection; SQLite: ``executemany``), then one set-based statement per step: count
the ids that already exist, find follow-ups and events a moved procedure would now precede,
and ``INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE ... WHERE`` something changed, so an
unchanged row is not rewritten. Inserted = staged - existing; updated = changed - inserted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Select,
    Table,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from data_access.schema import adverse_events, followups, procedures


@dataclass(frozen=True)
class Counts:
    inserted: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class MovedChild:
    """A follow-up or event in the database dated before its procedure's new date."""

    procedure_id: str
    performed_on: date
    file: str  # "followups" or "adverse_events"
    child_id: str
    child_on: date


@functools.cache
def _stage_of(table: Table) -> Table:
    """The temporary staging table of ``table``, one ``Table`` object per process: SQLAlchemy
    caches compiled statements by the identity of their tables, so a new object per import
    compiled every statement of every import afresh."""
    return Table(
        f"import_stage_{table.name}",
        MetaData(),
        *(Column(c.name, c.type) for c in table.columns),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


class StagedUpsert:
    """Upserts chunks of rows (tuples in the table's column order) into ``table``."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        self.postgres = conn.dialect.name == "postgresql"
        self.columns = [c.name for c in table.columns]
        self.key = next(c.name for c in table.primary_key.columns)
        self.stage = _stage_of(table)
        self.stage.drop(conn, checkfirst=True)
        self.stage.create(conn)
        self._upsert = self._upsert_statement()

    def write(self, rows: list[tuple[Any, ...]]) -> tuple[Counts, list[MovedChild]]:
        """Stage and upsert ``rows`` (ids unique among them); moved children are reported for
        procedures only and do not stop the write."""
        if not rows:
            return Counts(0, 0, 0), []
        self._load(rows)
        stage, table = self.stage, self.table
        joined = stage.join(table, stage.c[self.key] == table.c[self.key])
        if table is procedures:
            later = func.count().filter(stage.c.performed_on > procedures.c.performed_on)
            existing, moving = self.conn.execute(
                select(func.count(), later).select_from(joined)
            ).one()
            moved = self._moved_children() if moving else []
        else:
            existing = self.conn.execute(select(func.count()).select_from(joined)).scalar_one()
            moved = []
        if self.postgres:
            counted = select(func.count()).select_from(
                self._upsert.returning(literal(1)).cte("upserted")
            )
            changed = self.conn.execute(counted).scalar_one()
        else:
            changed = self.conn.execute(self._upsert).rowcount
        self._clear()
        inserted = len(rows) - existing
        updated = changed - inserted
        return Counts(inserted, updated, existing - updated), moved

    def close(self) -> None:
        self.stage.drop(self.conn)

    def _load(self, rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            columns = ", ".join(self.columns)
            raw = self.conn.connection.driver_connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {self.stage.name} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            names = self.columns
            self.conn.execute(
                self.stage.insert(), [dict(zip(names, row, strict=True)) for row in rows]
            )

    def _clear(self) -> None:
        if self.postgres:
            self.conn.execute(text(f"TRUNCATE {self.stage.name}"))
        else:
            self.conn.execute(delete(self.stage))

    def _upsert_statement(self) -> Any:
        insert = postgresql_insert if self.postgres else sqlite_insert
        # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT to parse it unambiguously.
        source = select(*(self.stage.c[name] for name in self.columns)).where(true())
        statement = insert(self.table).from_select(self.columns, source)
        others = [name for name in self.columns if name != self.key]
        return statement.on_conflict_do_update(
            index_elements=[self.key],
            set_={name: statement.excluded[name] for name in others},
            where=or_(*(self.table.c[n].is_distinct_from(statement.excluded[n]) for n in others)),
        )

    def _moved_children(self) -> list[MovedChild]:
        """Children in the database dated before the new date of a procedure that moves later."""
        stage = self.stage

        def before(child: Table, key: str, on: str, file: str) -> Select[Any]:
            return (
                select(
                    stage.c.procedure_id,
                    stage.c.performed_on,
                    literal(file).label("file"),
                    child.c[key].label("child_id"),
                    child.c[on].label("child_on"),
                )
                .join(procedures, procedures.c.procedure_id == stage.c.procedure_id)
                .join(child, child.c.procedure_id == stage.c.procedure_id)
                .where(stage.c.performed_on > procedures.c.performed_on)
                .where(child.c[on] < stage.c.performed_on)
            )

        query = union_all(
            before(followups, "followup_id", "followup_on", "followups"),
            before(adverse_events, "event_id", "onset_on", "adverse_events"),
        )
        return [MovedChild(*row) for row in self.conn.execute(query)]
