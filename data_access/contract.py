"""The clinic export format of ``shared/DATA_CONTRACT.md`` as code: files, columns, enumerations.

Data-access layer. The importer validates against these specs, the exporter writes them and
the demo generator produces them, so the format is spelled out exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProcedureType(StrEnum):
    TPI_LOCAL_ANESTHETIC = "tpi_local_anesthetic"
    TPI_CORTICOSTEROID = "tpi_corticosteroid"
    TPI_SALINE = "tpi_saline"
    DRY_NEEDLING = "dry_needling"
    OTHER = "other"


class BodyRegion(StrEnum):
    HEAD = "head"
    NECK = "neck"
    SHOULDER = "shoulder"
    UPPER_BACK = "upper_back"
    LOWER_BACK = "lower_back"
    HIP = "hip"
    LIMB = "limb"
    OTHER = "other"


class Indication(StrEnum):
    MYOFASCIAL_PAIN = "myofascial_pain"
    HEADACHE = "headache"
    NECK_PAIN = "neck_pain"
    BACK_PAIN = "back_pain"
    FIBROMYALGIA = "fibromyalgia"
    OTHER = "other"


class Relief(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    COMPLETE = "complete"


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    VISIT = "visit"
    PORTAL = "portal"


class EventType(StrEnum):
    INJECTION_SITE_PAIN = "injection_site_pain"
    INFECTION = "infection"
    BLEEDING = "bleeding"
    ALLERGIC_REACTION = "allergic_reaction"
    VASOVAGAL = "vasovagal"
    PNEUMOTHORAX = "pneumothorax"
    OTHER = "other"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Outcome(StrEnum):
    RESOLVED = "resolved"
    RESOLVING = "resolving"
    NOT_RESOLVED = "not_resolved"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class ReferralSource(StrEnum):
    PRIMARY_CARE = "primary_care"
    ORTHOPEDICS = "orthopedics"
    NEUROLOGY = "neurology"
    CHIROPRACTIC = "chiropractic"
    PHYSICAL_THERAPY = "physical_therapy"
    EMERGENCY_DEPARTMENT = "emergency_department"
    OTHER_SPECIALIST = "other_specialist"
    SELF = "self"
    WEBSITE = "website"
    INSURER = "insurer"
    OTHER = "other"


#: Labels people read; the codes above are what files and URLs carry.
PROCEDURE_TYPE_LABELS: dict[str, str] = {
    "tpi_local_anesthetic": "TPI – local anesthetic",
    "tpi_corticosteroid": "TPI – corticosteroid",
    "tpi_saline": "TPI – saline",
    "dry_needling": "Dry needling",
    "other": "Other",
}
EVENT_TYPE_LABELS: dict[str, str] = {
    "injection_site_pain": "Injection-site pain",
    "infection": "Infection",
    "bleeding": "Bleeding / bruising",
    "allergic_reaction": "Allergic reaction",
    "vasovagal": "Vasovagal",
    "pneumothorax": "Pneumothorax",
    "other": "Other",
}
REFERRAL_SOURCE_LABELS: dict[str, str] = {
    "primary_care": "Primary care",
    "orthopedics": "Orthopedics",
    "neurology": "Neurology",
    "chiropractic": "Chiropractic",
    "physical_therapy": "Physical therapy",
    "emergency_department": "Emergency dept.",
    "other_specialist": "Other specialist",
    "self": "Self",
    "website": "Website",
    "insurer": "Insurer",
    "other": "Other",
}


class Kind(StrEnum):
    """How a column's text is parsed."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"  # a date, or a date and time, optionally with a UTC offset
    BOOLEAN = "boolean"
    ENUM = "enum"
    STATE = "state"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    min_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of a batch; ``name`` is both the file stem and the table name."""

    name: str
    key: str
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _enum(name: str, values: type[StrEnum], required: bool = False) -> Column:
    return Column(name, Kind.ENUM, required=required, choices=tuple(v.value for v in values))


def _score(name: str, required: bool = False) -> Column:
    return Column(name, Kind.INTEGER, required=required, min_value=0, max_value=10)


US_STATES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP".split()
)

CLINICS = FileSpec(
    "clinics",
    "clinic_id",
    (
        Column("clinic_id", Kind.TEXT, required=True, min_length=1, max_length=64),
        Column("name", Kind.TEXT, required=True, min_length=1, max_length=200),
        Column("region", Kind.TEXT, required=True, min_length=1, max_length=100),
        Column("city", Kind.TEXT, max_length=200),
        Column("state", Kind.STATE),
        Column("latitude", Kind.DECIMAL, min_value=-90, max_value=90),
        Column("longitude", Kind.DECIMAL, min_value=-180, max_value=180),
        Column("ruca_code", Kind.INTEGER, min_value=1, max_value=10),
        Column("opened_on", Kind.DATE),
    ),
)

PROCEDURES = FileSpec(
    "procedures",
    "procedure_id",
    (
        Column("procedure_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("clinic_id", Kind.TEXT, required=True, min_length=1, max_length=64),
        Column("patient_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("provider_id", Kind.TEXT, max_length=128),
        Column("performed_at", Kind.DATETIME, required=True),
        _enum("procedure_type", ProcedureType, required=True),
        Column("cpt_code", Kind.TEXT, max_length=16),
        _enum("body_region", BodyRegion),
        _enum("indication", Indication),
        Column("trigger_points", Kind.INTEGER, min_value=1, max_value=1000),
        _score("pain_before"),
        _score("pain_after"),
    ),
)

FOLLOWUPS = FileSpec(
    "followups",
    "followup_id",
    (
        Column("followup_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("procedure_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("followup_at", Kind.DATETIME, required=True),
        _score("soreness", required=True),
        _score("pain"),
        _enum("relief", Relief),
        _enum("channel", Channel),
    ),
)

ADVERSE_EVENTS = FileSpec(
    "adverse_events",
    "event_id",
    (
        Column("event_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("procedure_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        _enum("event_type", EventType, required=True),
        _enum("severity", Severity, required=True),
        Column("serious", Kind.BOOLEAN),
        Column("onset_at", Kind.DATETIME, required=True),
        _enum("outcome", Outcome),
        Column("description", Kind.TEXT, max_length=20_000),
    ),
)

REFERRALS = FileSpec(
    "referrals",
    "referral_id",
    (
        Column("referral_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("clinic_id", Kind.TEXT, required=True, min_length=1, max_length=64),
        Column("patient_id", Kind.TEXT, required=True, min_length=1, max_length=128),
        Column("referred_on", Kind.DATE, required=True),
        _enum("source", ReferralSource, required=True),
    ),
)

#: In dependency order: a file may refer only to files before it.
FILES: tuple[FileSpec, ...] = (CLINICS, PROCEDURES, FOLLOWUPS, ADVERSE_EVENTS, REFERRALS)
FILES_BY_NAME: dict[str, FileSpec] = {f.name: f for f in FILES}

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})

#: Time zone of a clinic by its state, used to turn a timestamp with a UTC offset into the
#: clinic-local date. States split across zones take the zone most of their people live in.
STATE_TIMEZONES: dict[str, str] = {
    **dict.fromkeys(
        "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV".split(),
        "America/New_York",
    ),
    **dict.fromkeys("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI".split(), "America/Chicago"),
    **dict.fromkeys("CO ID MT NM UT WY".split(), "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys("CA NV OR WA".split(), "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "MP": "Pacific/Saipan",
    "AS": "Pacific/Pago_Pago",
}
