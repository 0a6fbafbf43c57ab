"""summary_patients: one row per first month K instead of every K

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 07:00:00.000000

``summary_patients`` held the cumulative ``first_visits(M, K)`` for every month K from the
first month with data to M: months x earlier months rows per unit, whatever the data (932,107
rows for a 100,000-procedure batch over three years), all rewritten when older data arrived.
It now holds each month's procedures by the first K for which they count (``k_month``; the
query sums ``k_month <= K``): at most one row per procedure, written in one GROUP BY. Same
columns, a new meaning and a primary key ordered for the reads (unit, then month, then K).
The table is rebuilt here from ``procedure_visits`` with this revision's own SQL; patients
still pending are recomputed by the next refresh as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("unit_kind", sa.String(length=1)),
    ("procedure_type", sa.String(length=32)),
    ("k_month", sa.Date()),
    ("month", sa.Date()),
    ("unit", sa.String(length=100)),
    ("shared", sa.Boolean()),
    ("first_visits", sa.Integer()),
)

#: (unit_kind, unit, procedure type, previous-visit column of procedure_visits)
_STEPS = (
    ("c", "clinic_id", "'*'", "clinic_prev_on"),
    ("c", "clinic_id", "procedure_type", "clinic_type_prev_on"),
    ("n", "''", "'*'", "network_prev_on"),
    ("n", "''", "procedure_type", "network_type_prev_on"),
)


def _create(*key: str) -> None:
    op.create_table(
        "summary_patients",
        *(sa.Column(name, kind, nullable=False) for name, kind in _COLUMNS),
        sa.PrimaryKeyConstraint(*key, name="pk_summary_patients"),
    )


def upgrade() -> None:
    op.drop_table("summary_patients")
    _create("unit_kind", "procedure_type", "unit", "month", "shared", "k_month")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for kind, unit, procedure_type, prev in _STEPS:
        if postgresql:
            month = "CAST(date_trunc('month', performed_on) AS DATE)"
            after = f"CAST(date_trunc('month', {prev}) + INTERVAL '1 month' AS DATE)"
            start = "DATE '0001-01-01'"
        else:
            month = "date(performed_on, 'start of month')"
            after = f"date({prev}, 'start of month', '+1 month')"
            start = "'0001-01-01'"
        # Constants only (column names and SQL literals above), never data.
        op.execute(
            "INSERT INTO summary_patients "  # noqa: S608
            "(unit_kind, procedure_type, k_month, month, unit, shared, first_visits) "
            f"SELECT '{kind}', {procedure_type}, COALESCE({after}, {start}), {month}, "
            f"{unit}, shared, COUNT(*) FROM procedure_visits "
            f"WHERE {prev} IS NULL OR {prev} < {month} "
            "GROUP BY 2, 3, 4, 5, 6"
        )


def downgrade() -> None:
    # Revision 0003's refresh rebuilds an empty table from scratch: every patient is queued
    # (and the queries read the base tables) until it has run.
    op.drop_table("summary_patients")
    _create("unit_kind", "procedure_type", "k_month", "unit", "month", "shared")
    op.execute(
        "INSERT INTO summary_pending_patients (patient_id) "
        "SELECT DISTINCT patient_id FROM procedure_visits AS v WHERE NOT EXISTS "
        "(SELECT 1 FROM summary_pending_patients AS p WHERE p.patient_id = v.patient_id)"
    )
