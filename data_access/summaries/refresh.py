"""``refresh_summaries``: bring every summary table in line with the base tables.

Data-access layer. Called inside the writer's transaction by the importer (after a batch's
rows are written, before the savepoint is released), by the demo loader and by the migration
that created the summaries; it never commits. It recomputes exactly the cells that triggers on
the base tables noted in the ``summary_pending_*`` tables, then empties those: afterwards the
summary tables equal a recomputation from scratch, and the query layer reads them again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Date,
    Engine,
    Integer,
    Select,
    SmallInteger,
    String,
    Table,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from data_access.queries._sql import FOLLOWUP_WINDOW_DAYS, days_between
from data_access.schema import adverse_events, followups, procedures, referrals
from data_access.schema_summaries import (
    NOT_CONVERTED,
    PENDING_TABLES,
    summary_pending_days,
    summary_pending_patients,
    summary_pending_referral_days,
)
from data_access.summaries.additive import ANALYZE_ABOVE_DAYS, refresh_families
from data_access.summaries.families import ProcedureWork, procedure_families, referral_families
from data_access.summaries.visits import refresh_visits
from data_access.summaries.work import analyze, create_temp, drop

logger = logging.getLogger("clinicops.summaries")

#: Key of the transaction-level advisory lock that serialises refreshes on PostgreSQL.
REFRESH_LOCK = 0x5C11_0A55
#: PostgreSQL ``work_mem`` during a refresh: its sorts and hash aggregates over a large batch
#: spilled to disk at the default 4 MB (a handful of nodes per statement, one statement at a
#: time, so this bounds the refresh to a few hundred MB).
REFRESH_WORK_MEM = "256MB"
#: The columns of each base table that the refresh joins, groups or filters on.
JOINED_COLUMNS: dict[Table, tuple[str, ...]] = {
    procedures: ("procedure_id", "patient_id", "clinic_id", "performed_on", "procedure_type"),
    followups: ("followup_id", "procedure_id", "followup_on"),
    adverse_events: ("event_id", "procedure_id"),
    referrals: ("referral_id", "clinic_id", "patient_id", "referred_on"),
}


def pending_condition() -> ColumnElement[bool]:
    """True while a write has not been summarised yet (then the summaries must not be read);
    a column expression, so a query can ask it alongside what it reads."""
    return or_(*(exists(select(t.c[t.primary_key.columns.keys()[0]])) for t in PENDING_TABLES))


def summaries_pending(conn: Connection) -> bool:
    """Whether a write has not been summarised yet."""
    return bool(conn.execute(select(pending_condition())).scalar_one())


def mark_everything_pending(conn: Connection) -> None:
    """Queue every clinic day and patient (after a bulk load that bypassed the triggers, or to
    rebuild the summaries from scratch)."""
    _insert_ignore(
        conn,
        summary_pending_days,
        ["clinic_id", "day"],
        select(procedures.c.clinic_id, procedures.c.performed_on).distinct(),
    )
    _insert_ignore(
        conn,
        summary_pending_patients,
        ["patient_id"],
        select(procedures.c.patient_id).distinct(),
    )
    _insert_ignore(
        conn,
        summary_pending_referral_days,
        ["clinic_id", "day"],
        select(referrals.c.clinic_id, referrals.c.referred_on).distinct(),
    )


@contextmanager
def triggers_suspended(conn: Connection) -> Iterator[None]:
    """Bulk writes into empty base tables without the triggers' per-row bookkeeping, then
    every clinic day and patient queued at once (what the triggers would have noted).

    On SQLite the row triggers cost more than the inserts themselves (a demo load took three
    times as long): their DDL is read from ``sqlite_master``, dropped, and created again at
    the end, all in the caller's transaction (SQLite's DDL is transactional, so a failure
    rolls the drop back too). PostgreSQL's statement triggers cost little and stay."""
    saved: list[tuple[str, str]] = []
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'summary\\_%' ESCAPE '\\'"
            )
        )
        saved = [(str(name), str(ddl)) for name, ddl in rows]
        for name, _ in saved:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, ddl in saved:
        conn.exec_driver_sql(ddl)
    mark_everything_pending(conn)


def refresh_summaries(conn: Connection) -> bool:
    """Recompute the pending cells; returns whether there were any."""
    if not summaries_pending(conn):
        return False
    if conn.dialect.name == "postgresql":
        # One refresh at a time, until the writer commits: a refresh reads the base tables as
        # committed when each statement starts, so the second of two concurrent imports then
        # recomputes its cells with the first one's rows included (SQLite serialises writers).
        conn.execute(select(func.pg_advisory_xact_lock(REFRESH_LOCK)))
    with _postgresql_setting(conn, "work_mem", REFRESH_WORK_MEM):
        _refresh(conn)
    return True


def compact_queues(engine: Engine) -> None:
    """Give back the pages of the summary queues that a committed refresh emptied (PostgreSQL;
    SQLite frees them on delete). Call it after the commit: VACUUM cannot run in a transaction.

    Every data request asks whether writes await summarising (:func:`pending_condition`, a
    scan of these tables, about fifteen times per filter change). A refresh deletes the rows
    it summarised, which leaves the tables empty but their pages full of dead rows until
    autovacuum comes, a minute or more later, or never where it is off: after a 1M import in
    ten batches each scan read 3,600 pages, 5.5 ms, about 80 ms of every filter change.
    ``SKIP_LOCKED``: a queue that another import holds is left for the next time, never
    waited for. Best effort: a failure is logged and leaves the tables as they were."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(table.name for table in PENDING_TABLES)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM (SKIP_LOCKED) {names}"))
    except SQLAlchemyError:
        logger.warning("could not vacuum the summary queues", exc_info=True)


@contextmanager
def _postgresql_setting(conn: Connection, name: str, value: str) -> Iterator[None]:
    """``SET LOCAL name = value`` for the block, then back to what it was (if the block fails,
    the caller's rollback of its savepoint undoes the setting too)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    before = conn.execute(select(func.current_setting(name))).scalar_one()
    conn.execute(select(func.set_config(name, value, True)))
    yield
    conn.execute(select(func.set_config(name, before, True)))


def _refresh(conn: Connection) -> None:
    for table in PENDING_TABLES:
        analyze(conn, table)
    days = conn.execute(select(func.count()).select_from(summary_pending_days)).scalar_one()
    large = days > ANALYZE_ABOVE_DAYS and conn.dialect.name == "postgresql"
    if large:
        # A large batch was just written: the joins below need its rows in the planner's
        # statistics (autovacuum's analyse comes minutes later).
        for table, columns in JOINED_COLUMNS.items():
            analyze(conn, table, columns=columns)
    refresh_visits(conn)
    if large:
        # The rollups join thousands of cells with summary rows written moments ago (in no
        # statistics yet): hash joins, never a nested loop over a table believed empty.
        conn.execute(text("SET LOCAL enable_nestloop = off"))
    # A referral converts through its patient's procedures at its clinic: patients whose
    # procedures changed have their referrals' days recomputed.
    _insert_ignore(
        conn,
        summary_pending_referral_days,
        ["clinic_id", "day"],
        select(referrals.c.clinic_id, referrals.c.referred_on)
        .where(referrals.c.patient_id.in_(select(summary_pending_patients.c.patient_id)))
        .distinct(),
    )
    _refresh_procedure_days(conn)
    _refresh_referral_days(conn)
    for table in PENDING_TABLES:
        conn.execute(delete(table))
    if large:
        conn.execute(text("SET LOCAL enable_nestloop TO DEFAULT"))


def _insert_ignore(conn: Connection, table: Table, names: list[str], rows: Select[Any]) -> None:
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT to parse it unambiguously.
    rows = rows.where(true())
    conn.execute(insert(table).from_select(names, rows).on_conflict_do_nothing())


def _refresh_procedure_days(conn: Connection) -> None:
    days = summary_pending_days
    p = procedures.c
    facts = create_temp(
        conn,
        "summary_work_facts",
        Column("procedure_id", String(128), primary_key=True),
        Column("clinic_id", String(64), nullable=False),
        Column("day", Date, nullable=False),
        Column("procedure_type", String(32), nullable=False),
        Column("pain_before", SmallInteger),
        Column("pain_after", SmallInteger),
    )
    conn.execute(
        facts.insert().from_select(
            [c.name for c in facts.columns],
            select(
                p.procedure_id,
                p.clinic_id,
                p.performed_on,
                p.procedure_type,
                p.pain_before,
                p.pain_after,
            ).join(days, and_(days.c.clinic_id == p.clinic_id, days.c.day == p.performed_on)),
        )
    )
    analyze(conn, facts)
    first = create_temp(
        conn,
        "summary_work_first",
        Column("procedure_id", String(128), primary_key=True),
        Column("soreness", SmallInteger, nullable=False),
    )
    rank = func.row_number().over(
        partition_by=followups.c.procedure_id,
        order_by=(followups.c.followup_on, followups.c.followup_id),
    )
    ranked = (
        select(followups.c.procedure_id, followups.c.soreness, rank.label("rank"))
        .join_from(facts, followups, followups.c.procedure_id == facts.c.procedure_id)
        .where(days_between(facts.c.day, followups.c.followup_on).between(0, FOLLOWUP_WINDOW_DAYS))
        .subquery()
    )
    conn.execute(
        first.insert().from_select(
            ["procedure_id", "soreness"],
            select(ranked.c.procedure_id, ranked.c.soreness).where(ranked.c.rank == 1),
        )
    )
    events = create_temp(
        conn,
        "summary_work_events",
        Column("procedure_id", String(128), primary_key=True),
        Column("events", Integer, nullable=False),
    )
    conn.execute(
        events.insert().from_select(
            ["procedure_id", "events"],
            select(adverse_events.c.procedure_id, func.count())
            .join_from(facts, adverse_events, adverse_events.c.procedure_id == facts.c.procedure_id)
            .group_by(adverse_events.c.procedure_id),
        )
    )
    analyze(conn, first, events)
    work = ProcedureWork(facts=facts, first=first, events=events)
    refresh_families(conn, procedure_families(work), days)
    drop(conn, facts, first, events)


def _refresh_referral_days(conn: Connection) -> None:
    days = summary_pending_referral_days
    r, p = referrals.c, procedures.c
    work = create_temp(
        conn,
        "summary_work_referrals",
        Column("referral_id", String(128), primary_key=True),
        Column("clinic_id", String(64), nullable=False),
        Column("day", Date, nullable=False),
        Column("source", String(32), nullable=False),
        Column("days_to_first", Integer, nullable=False),
    )
    first_on = func.min(p.performed_on)
    rows = (
        select(
            r.referral_id,
            r.clinic_id,
            r.referred_on,
            r.source,
            func.coalesce(days_between(r.referred_on, first_on), NOT_CONVERTED),
        )
        .join(days, and_(days.c.clinic_id == r.clinic_id, days.c.day == r.referred_on))
        .outerjoin(
            procedures,
            and_(
                p.patient_id == r.patient_id,
                p.clinic_id == r.clinic_id,
                p.performed_on >= r.referred_on,
            ),
        )
        .group_by(r.referral_id, r.clinic_id, r.referred_on, r.source)
    )
    conn.execute(work.insert().from_select([c.name for c in work.columns], rows))
    analyze(conn, work)
    refresh_families(conn, referral_families(work), days)
    drop(conn, work)
