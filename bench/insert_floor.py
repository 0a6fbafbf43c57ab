"""The floor under any importer: how fast PostgreSQL alone writes the base rows of a batch.

Creates a database for the run (dropped afterwards) with the real schema (every migration,
so every index, foreign key and summary trigger as deployed), generates N procedures with
0.8 N follow-ups and 0.3 N referrals inside the server (no Python, no CSV, no network), then
times one plain ``INSERT ... SELECT`` per table: no parsing, no checks, no upsert, no summary
refresh. Whatever the importer does, it cannot write its rows faster than this. Each table is
then written again, in a transaction that is rolled back, with its secondary indexes and
triggers dropped first, to show what the indexes cost (an importer could only do that by
locking readers out of the table for the whole import).

    python bench/insert_floor.py                 # 1,000,000 procedures
    python bench/insert_floor.py 100000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.settings import load_settings

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLINICS = 200
TYPES = "array['tpi_local_anesthetic','tpi_corticosteroid','tpi_saline','dry_needling','other']"

#: (table, SELECT of its rows from generate_series(0, n - 1) i), in dependency order.
ROWS = {
    "procedures": f"""
        SELECT 'P' || lpad(i::text, 8, '0'), 'C' || lpad((i % {CLINICS})::text, 4, '0'),
               'PT' || (hashint4(i) & 1048575) % greatest(:n / 3, 1),
               'DR' || i % 600, date '2023-01-01' + (hashint4(i + 1) & 1023),
               NULL, ({TYPES})[1 + (hashint4(i + 2) & 1023) % 5], '20552', 'neck',
               'other', 3, 5, 3
        FROM generate_series(0, :n - 1) i""",
    # Four procedures in five have one.
    "followups": """
        SELECT 'F' || substr(procedure_id, 2), procedure_id,
               performed_on + (ascii(right(procedure_id, 1)) % 8), NULL, 4, NULL, 'partial', 'phone'
        FROM procedures WHERE right(procedure_id, 1) NOT IN ('0', '5')""",
    "referrals": f"""
        SELECT 'R' || lpad(i::text, 8, '0'), 'C' || lpad((i % {CLINICS})::text, 4, '0'),
               'PT' || (hashint4(i + 3) & 1048575) % greatest(:n / 3, 1),
               date '2023-01-01' + (hashint4(i + 4) & 1023), 'self'
        FROM generate_series(0, (:n * 3) / 10 - 1) i""",
}


def _clinics(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO clinics (clinic_id, name, region, state, timezone, opened_on) "
            f"SELECT 'C' || lpad(i::text, 4, '0'), 'Clinic ' || i, 'North', 'IA', "
            f"'America/Chicago', date '2015-01-01' FROM generate_series(0, {CLINICS - 1}) i"
        )
    )


def _timed(conn: Connection, table: str, n: int) -> tuple[int, float]:
    started = time.perf_counter()
    result = conn.execute(text(f"INSERT INTO {table} {ROWS[table]}"), {"n": n})
    return result.rowcount, time.perf_counter() - started


def _bare(conn: Connection, table: str, n: int) -> float:
    """The same rows into the table with only its primary key (rolled back)."""
    with conn.begin():
        inspector = inspect(conn)
        for index in inspector.get_indexes(table):
            conn.execute(text(f'DROP INDEX "{index["name"]}"'))
        for key in inspector.get_foreign_keys(table):
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{key["name"]}"'))
        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {table} CASCADE"))
        _, seconds = _timed(conn, table, n)
        conn.rollback()
    return seconds


def run(url: str, n: int) -> None:
    engine = make_engine(
        load_settings(
            data_dir=Path(tempfile.gettempdir()), database_url=url, statement_timeout_ms=0
        )
    )
    upgrade_to_head(engine)
    total = 0.0
    with engine.connect() as conn:
        with conn.begin():
            _clinics(conn)
        results = []
        for table in ROWS:
            with conn.begin():
                rows, seconds = _timed(conn, table, n)
            total += seconds
            results.append((table, rows, seconds))
        conn.execute(text("ANALYZE"))
        conn.commit()
        for table, rows, seconds in results:
            bare = _bare(conn, table, n)
            print(
                f"  {table:11} {rows:>10,} rows in {seconds:6.1f} s: {rows / seconds:>9,.0f}/s"
                f"   (primary key only, no triggers: {bare:.1f} s)"
            )
    engine.dispose()
    print(f"  base rows of {n:,} procedures: {total:.1f} s, {n / total:,.0f} procedures/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procedures", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL server (any database)")
    args = parser.parse_args()
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    name = f"clinicops_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
        run(url, args.procedures)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
