"""soreness histograms as columns: one row per histogram instead of one per score

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00.000000

The soreness histograms held one row per score: ``summary_first_soreness`` (procedures by
the soreness of their first follow-up) and ``summary_followup_soreness`` (follow-ups by
bucket of days after and soreness) were over half of all summary rows, and every row costs
its primary-key entry on each import. A score is one of eleven integers, so each histogram
is now one row with a count per score: the first follow-up's histogram is eleven columns of
``summary_procedures`` (``first_soreness_0`` .. ``first_soreness_10``, a row that exists for
every procedure anyway), and ``summary_followup_soreness`` has one row per cell and type with
eleven columns for each of the four buckets of days after (``soreness_<bucket>_<score>``).

The three tables are created anew and every clinic day is queued: the refresh that
``upgrade_to_head`` runs after the migrations rebuilds them, and until it has run the
queries read the base tables. The downgrade does the same with the old layout.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SCORES = range(11)
_PROCEDURE_COUNTS = (
    "procedures",
    "followed_up",
    "adverse_events",
    "pain_scored",
    "pain_before_sum",
    "pain_after_sum",
    "pain_improved",
)


def _table(name: str, dims: list[sa.Column], counts: list[str]) -> None:
    op.create_table(
        name,
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("unit_kind", sa.String(length=1), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        *dims,
        *(sa.Column(count, sa.Integer(), nullable=False) for count in counts),
        sa.PrimaryKeyConstraint(
            "grain",
            "unit_kind",
            "unit",
            "period_start",
            *(column.name for column in dims),
            name=f"pk_{name}",
        ),
    )


def _procedure_type() -> sa.Column:
    return sa.Column("procedure_type", sa.String(length=32), nullable=False)


def _days_bucket() -> sa.Column:
    return sa.Column("days_bucket", sa.SmallInteger(), nullable=False)


def _soreness() -> sa.Column:
    return sa.Column("soreness", sa.SmallInteger(), nullable=False)


def _queue_every_clinic_day() -> None:
    op.execute(
        "INSERT INTO summary_pending_days (clinic_id, day) "
        "SELECT DISTINCT clinic_id, performed_on FROM procedures AS p WHERE NOT EXISTS "
        "(SELECT 1 FROM summary_pending_days AS d "
        "WHERE d.clinic_id = p.clinic_id AND d.day = p.performed_on)"
    )


def upgrade() -> None:
    for name in ("summary_procedures", "summary_first_soreness", "summary_followup_soreness"):
        op.drop_table(name)
    _table(
        "summary_procedures",
        [_procedure_type()],
        [*_PROCEDURE_COUNTS, *(f"first_soreness_{score}" for score in _SCORES)],
    )
    _table(
        "summary_followup_soreness",
        [_procedure_type()],
        [f"soreness_{bucket}_{score}" for bucket in range(4) for score in _SCORES],
    )
    _queue_every_clinic_day()


def downgrade() -> None:
    for name in ("summary_procedures", "summary_followup_soreness"):
        op.drop_table(name)
    _table("summary_procedures", [_procedure_type()], list(_PROCEDURE_COUNTS))
    _table("summary_first_soreness", [_procedure_type(), _soreness()], ["procedures"])
    _table(
        "summary_followup_soreness", [_procedure_type(), _days_bucket(), _soreness()], ["followups"]
    )
    _queue_every_clinic_day()
