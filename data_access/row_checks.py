"""The checks of an import that span columns, rows and files, turning parsed cells into rows.

Data-access layer, used by the importer once a chunk's cells are parsed: references to
clinics and procedures (in the database or earlier in this batch), clinic-local dates (a UTC
offset is converted to the zone of the clinic, or of the procedure's clinic), dates more
than one day in the future, follow-ups and events dated before their procedure, the
both-or-neither rule of coordinates, and the columns the database derives (a clinic's time
zone, the DATE columns beside each optional time, an event's ``serious`` default).

Each builder adds its findings to the chunk and returns the derived columns; the importer
then keeps the rows without issues. A row whose only issue is that a row it refers to was
rejected is marked ``dependent``: in ``--skip-invalid`` mode it is rejected with that reason,
and in all-or-nothing mode it is not reported again (its parent's problem already is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from data_access.contract import STATE_TIMEZONES
from data_access.validation import Invalid, Stamp, show

#: Looks up procedures by id: id -> (clinic-local date, IANA zone of its clinic).
ProcedureLookup = Callable[[set[str]], dict[str, tuple[date, str]]]


class Issue(NamedTuple):
    column: str
    reason: str
    dependent: bool = False  # only because a row it refers to was rejected


@dataclass
class ParsedChunk:
    """A chunk of one file after cell parsing: values per contract column, issues per row."""

    file: str  # contract name, e.g. "procedures"
    lines: list[int]
    records: list[list[str]]
    values: dict[str, list[Any]]
    issues: dict[int, list[Issue]] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)  # rows whose cells line up with the header
    duplicates: set[int] = field(default_factory=set)

    def add(self, row: int, column: str, reason: str, dependent: bool = False) -> None:
        self.issues.setdefault(row, []).append(Issue(column, reason, dependent))


@dataclass
class BatchState:
    """What the checks of later files need to know about the database and earlier files."""

    latest: date  # the last acceptable clinic-local date: today plus one day
    default_timezone: str
    clinic_zones: dict[str, str]  # clinic id -> IANA zone, database and accepted batch rows
    lookup_procedures: ProcedureLookup
    rejected: dict[str, dict[str, int]]  # file -> id -> line of the rejected row


def _clinic_zone(chunk: ParsedChunk, state: BatchState, row: int, clinic: Any) -> str | None:
    if not isinstance(clinic, str):
        return None
    line = state.rejected["clinics"].get(clinic)
    if line is not None:
        reason = f"clinic {show(clinic)} was rejected (clinics.csv:{line})"
        chunk.add(row, "clinic_id", reason, dependent=True)
        return None
    zone = state.clinic_zones.get(clinic)
    if zone is None:
        reason = f"clinic {show(clinic)} is neither in the database nor in clinics.csv"
        chunk.add(row, "clinic_id", reason)
    return zone


def _local(
    chunk: ParsedChunk, state: BatchState, row: int, column: str, stamp: Any, zone: str | None
) -> tuple[date | None, datetime | None]:
    """Clinic-local date and time of a parsed date-time cell, checked against the future."""
    if not isinstance(stamp, Stamp) or (stamp.offset is not None and zone is None):
        return None, None  # invalid, or the clinic is unknown (that is reported already)
    on, at = stamp.local(zone)
    if on > state.latest:
        chunk.add(row, column, f"{on} is more than one day in the future")
    return on, at


def _future(chunk: ParsedChunk, state: BatchState, column: str) -> None:
    for row in chunk.candidates:
        value = chunk.values[column][row]
        if isinstance(value, date) and value > state.latest:
            chunk.add(row, column, f"{value} is more than one day in the future")


def clinic_columns(chunk: ParsedChunk, state: BatchState) -> dict[str, list[Any]]:
    values = chunk.values
    zones: list[str | None] = [None] * len(chunk.lines)
    for row in chunk.candidates:
        latitude, longitude = values["latitude"][row], values["longitude"][row]
        if (latitude is None) != (longitude is None) and not (
            isinstance(latitude, Invalid) or isinstance(longitude, Invalid)
        ):
            empty, given = (
                ("latitude", "longitude") if latitude is None else ("longitude", "latitude")
            )
            chunk.add(row, empty, f"is empty but {given} is given (both or neither)")
        code = values["state"][row]
        if not isinstance(code, Invalid):
            zones[row] = STATE_TIMEZONES.get(code, state.default_timezone)
    _future(chunk, state, "opened_on")
    return {"timezone": zones}


def procedure_columns(chunk: ParsedChunk, state: BatchState) -> dict[str, list[Any]]:
    values, size = chunk.values, len(chunk.lines)
    performed_on: list[date | None] = [None] * size
    performed_at: list[datetime | None] = [None] * size
    for row in chunk.candidates:
        zone = _clinic_zone(chunk, state, row, values["clinic_id"][row])
        stamp = values["performed_at"][row]
        performed_on[row], performed_at[row] = _local(
            chunk, state, row, "performed_at", stamp, zone
        )
    return {"performed_on": performed_on, "performed_at": performed_at}


def _after_procedure(
    chunk: ParsedChunk, state: BatchState, column: str
) -> tuple[list[date | None], list[datetime | None]]:
    """Local date and time of a follow-up's or event's ``column``, checked against its
    procedure (which must exist and must not be rejected)."""
    values, size = chunk.values, len(chunk.lines)
    rejected = state.rejected["procedures"]
    ids = values["procedure_id"]
    wanted = {ids[row] for row in chunk.candidates if isinstance(ids[row], str)}
    found = state.lookup_procedures(wanted.difference(rejected))
    dates: list[date | None] = [None] * size
    times: list[datetime | None] = [None] * size
    for row in chunk.candidates:
        procedure_id, parent = ids[row], None
        if isinstance(procedure_id, str):
            line = rejected.get(procedure_id)
            parent = found.get(procedure_id) if line is None else None
            if line is not None:
                reason = f"procedure {show(procedure_id)} was rejected (procedures.csv:{line})"
                chunk.add(row, "procedure_id", reason, dependent=True)
            elif parent is None:
                reason = (
                    f"procedure {show(procedure_id)} is neither in the database "
                    "nor in procedures.csv"
                )
                chunk.add(row, "procedure_id", reason)
        zone = parent[1] if parent else None
        on, at = _local(chunk, state, row, column, values[column][row], zone)
        dates[row], times[row] = on, at
        if parent is not None and on is not None and on < parent[0]:
            chunk.add(row, column, f"{on} is before the date of its procedure ({parent[0]})")
    return dates, times


def followup_columns(chunk: ParsedChunk, state: BatchState) -> dict[str, list[Any]]:
    followup_on, followup_at = _after_procedure(chunk, state, "followup_at")
    return {"followup_on": followup_on, "followup_at": followup_at}


def event_columns(chunk: ParsedChunk, state: BatchState) -> dict[str, list[Any]]:
    onset_on, onset_at = _after_procedure(chunk, state, "onset_at")
    serious = [False if value is None else value for value in chunk.values["serious"]]
    return {"onset_on": onset_on, "onset_at": onset_at, "serious": serious}


def referral_columns(chunk: ParsedChunk, state: BatchState) -> dict[str, list[Any]]:
    for row in chunk.candidates:
        _clinic_zone(chunk, state, row, chunk.values["clinic_id"][row])
    _future(chunk, state, "referred_on")
    return {}


#: Contract file -> the builder of its derived columns.
COLUMN_BUILDERS: dict[str, Callable[[ParsedChunk, BatchState], dict[str, list[Any]]]] = {
    "clinics": clinic_columns,
    "procedures": procedure_columns,
    "followups": followup_columns,
    "adverse_events": event_columns,
    "referrals": referral_columns,
}
