"""the ragged days of a distinct-patient count read from an index alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 21:30:00.000000

A distinct-patient count over a range that starts or ends mid-month counts, for the days
before the first whole month and after the last, the procedures whose previous or next visit
lies outside the range (``data_access.queries.patients``). At ten million procedures a year
from mid-March is some 130,000 rows of ``procedure_visits``, read three times per filter
change (the KPI cards, the previous period, the clinic table). On PostgreSQL
``ix_procedure_visits_on_clinic`` now includes every column those counts read, so each is an
index-only range scan instead of a bitmap scan of the table. SQLite keeps the plain index
(it has no included columns; its figures met their target without this).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_INDEX = "ix_procedure_visits_on_clinic"
# As in data_access.schema_summaries.VISIT_INDEX_INCLUDES when this revision was written.
_INCLUDES = [
    "shared",
    "procedure_type",
    "clinic_prev_on",
    "clinic_next_on",
    "clinic_type_prev_on",
    "clinic_type_next_on",
    "network_prev_on",
    "network_next_on",
    "network_type_prev_on",
    "network_type_next_on",
]


def _recreate(includes: list[str]) -> None:
    op.drop_index(_INDEX, table_name="procedure_visits")
    op.create_index(
        _INDEX, "procedure_visits", ["performed_on", "clinic_id"], postgresql_include=includes
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate(_INCLUDES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate([])
