"""every clinic's summary rows of a range of periods read as one index range

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 23:40:00.000000

The per-clinic figures of the whole network (the map, the rankings, soreness, adverse events
and referrals by clinic, distinct patients per clinic) listed every clinic: ``unit =
ANY(<200 clinics>)`` on a key that leads with the unit, so PostgreSQL descended the key once
per clinic and part of the range and spent milliseconds planning each array. A second index
that leads with the period (after the grain and the unit kind) makes every clinic's rows of
one part one index range (``data_access.queries._summary.Selection.every_clinic_by_period``).
PostgreSQL only: SQLite keeps reading by the key (see ``schema_summaries._clinics_by_period``).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As in data_access.schema_summaries when this revision was written.
_INDEXES = {
    "summary_procedures": ["grain", "unit_kind", "period_start", "procedure_type"],
    "summary_referrals": ["grain", "unit_kind", "period_start"],
    "summary_referral_conversion": ["grain", "unit_kind", "period_start"],
    "summary_open_days": ["grain", "unit_kind", "period_start"],
    "summary_patients": ["unit_kind", "procedure_type", "month", "k_month"],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in _INDEXES.items():
        op.create_index(f"ix_{table}_clinics_by_period", table, columns)
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _INDEXES:
        op.drop_index(f"ix_{table}_clinics_by_period", table_name=table)
