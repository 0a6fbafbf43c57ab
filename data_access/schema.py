"""Tables of the ClinicOps database (SQLAlchemy Core), mirroring the data contract.

Data-access layer. Every clinic-local date the figures use is stored as its own DATE column
(``performed_on``, ``followup_on``, ``onset_on``) beside the optional wall-clock time, so
range filters hit an index and no query has to convert time zones. Alembic migrations in
``data_access/migrations`` create these tables; this module is their single description.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from data_access.contract import (
    BodyRegion,
    Channel,
    EventType,
    Indication,
    Outcome,
    ProcedureType,
    ReferralSource,
    Relief,
    Severity,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _one_of(column: str, values: type[StrEnum], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)


#: Every score (pain, soreness) is an integer in this range, as the contract says.
SCORES = range(0, 11)


def _score_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {SCORES[0]} AND {SCORES[-1]}", name=column)


clinics = Table(
    "clinics",
    metadata,
    Column("clinic_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(100), nullable=False),
    Column("city", String(200)),
    Column("state", String(2)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("ruca_code", SmallInteger),
    Column("opened_on", Date),
    # Not in the contract: derived from the state at import, it turns timestamps carrying a
    # UTC offset into clinic-local dates.
    Column("timezone", String(64), nullable=False),
    CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
    CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="lat_lon_pair"),
    CheckConstraint("ruca_code BETWEEN 1 AND 10", name="ruca_code"),
    Index("ix_clinics_region", "region"),
)

procedures = Table(
    "procedures",
    metadata,
    Column("procedure_id", String(128), primary_key=True),
    Column("clinic_id", String(64), ForeignKey("clinics.clinic_id"), nullable=False),
    Column("patient_id", String(128), nullable=False),
    Column("provider_id", String(128)),
    Column("performed_on", Date, nullable=False),
    Column("performed_at", DateTime),
    Column("procedure_type", String(32), nullable=False),
    Column("cpt_code", String(16)),
    Column("body_region", String(16)),
    Column("indication", String(32)),
    Column("trigger_points", Integer),
    Column("pain_before", SmallInteger),
    Column("pain_after", SmallInteger),
    _one_of("procedure_type", ProcedureType),
    _one_of("body_region", BodyRegion),
    _one_of("indication", Indication),
    CheckConstraint("trigger_points >= 1", name="trigger_points"),
    _score_check("pain_before"),
    _score_check("pain_after"),
    # Date range first: the network-wide views scan a range over every clinic.
    Index("ix_procedures_on_clinic_type", "performed_on", "clinic_id", "procedure_type"),
    Index("ix_procedures_clinic_on", "clinic_id", "performed_on"),
    # Referral -> first procedure conversion looks up a patient's procedures at a clinic.
    Index("ix_procedures_patient_clinic_on", "patient_id", "clinic_id", "performed_on"),
)

followups = Table(
    "followups",
    metadata,
    Column("followup_id", String(128), primary_key=True),
    Column(
        "procedure_id",
        String(128),
        ForeignKey("procedures.procedure_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("followup_on", Date, nullable=False),
    Column("followup_at", DateTime),
    Column("soreness", SmallInteger, nullable=False),
    Column("pain", SmallInteger),
    Column("relief", String(16)),
    Column("channel", String(16)),
    _score_check("soreness"),
    _score_check("pain"),
    _one_of("relief", Relief),
    _one_of("channel", Channel),
    Index("ix_followups_procedure_on", "procedure_id", "followup_on"),
)

adverse_events = Table(
    "adverse_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column(
        "procedure_id",
        String(128),
        ForeignKey("procedures.procedure_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_type", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("serious", Boolean(create_constraint=False), nullable=False, server_default="0"),
    Column("onset_on", Date, nullable=False),
    Column("onset_at", DateTime),
    Column("outcome", String(16)),
    Column("description", Text),
    _one_of("event_type", EventType),
    _one_of("severity", Severity),
    _one_of("outcome", Outcome),
    Index("ix_adverse_events_procedure", "procedure_id"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", String(128), primary_key=True),
    Column("clinic_id", String(64), ForeignKey("clinics.clinic_id"), nullable=False),
    Column("patient_id", String(128), nullable=False),
    Column("referred_on", Date, nullable=False),
    Column("source", String(32), nullable=False),
    _one_of("source", ReferralSource),
    Index("ix_referrals_on_clinic", "referred_on", "clinic_id"),
)

#: One row per import: its id is the data version that result caches are keyed by.
import_log = Table(
    "import_log",
    metadata,
    Column("import_id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", DateTime, nullable=False),
    Column("source", Text, nullable=False),
    Column("rows_inserted", Integer, nullable=False),
    Column("rows_updated", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
)

#: Contract file name -> table, for the importer and exporter.
CONTRACT_TABLES: dict[str, Table] = {
    "clinics": clinics,
    "procedures": procedures,
    "followups": followups,
    "adverse_events": adverse_events,
    "referrals": referrals,
}


# --- Case review of adverse events (medical directors) -------------------------------------

#: Append-only: a review is never overwritten; an event's current review is its newest row.
case_reviews = Table(
    "case_reviews",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "event_id",
        String(128),
        ForeignKey("adverse_events.event_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("reviewed_at", DateTime, nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("expectedness", String(16), nullable=False),
    Column("relatedness", String(16), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    CheckConstraint("expectedness IN ('expected', 'unexpected')", name="expectedness"),
    CheckConstraint("relatedness IN ('related', 'not_related')", name="relatedness"),
    Index("ix_case_reviews_event_at", "event_id", "reviewed_at"),
)

# --- Users, their data scope, and the audit trail --------------------------------------------

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("disabled", Boolean(create_constraint=False), nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    Column("password_changed_at", DateTime, nullable=False),
    CheckConstraint(
        "role IN ('admin', 'medical_director', 'regional_manager', 'staff')", name="role"
    ),
)

#: A user's regions and clinics (their scope); none at all means every clinic for the roles
#: that may have that (admin, medical director).
user_scopes = Table(
    "user_scopes",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.user_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("kind", String(8), primary_key=True),
    Column("value", String(100), primary_key=True),
    CheckConstraint("kind IN ('region', 'clinic')", name="kind"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(64)),
    Column("address", String(64)),
    Column("action", String(32), nullable=False),
    Column("outcome", String(16), nullable=False, server_default="ok"),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_audit_log_at", "at"),
    # Sign-in throttling counts recent failures per user and per address.
    Index("ix_audit_log_action_user_at", "action", "username", "at"),
    Index("ix_audit_log_action_address_at", "action", "address", "at"),
)

# The summary tables share this metadata (Alembic compares against all of it).
from data_access import schema_summaries  # noqa: E402, F401
