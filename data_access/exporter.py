"""Exporting the database as a batch in the clinic export format (``shared/DATA_CONTRACT.md``).

Data-access layer; the CLI's ``clinicops export`` calls :func:`export_batch` with its own
connection. Procedures are chosen by clinic-local date (``performed_on``) and clinic;
follow-ups and adverse events follow their procedures; referrals are chosen by
``referred_on`` and clinic; clinics are the chosen ones (all without a clinic list). Every
contract file is written, header first, even when empty: UTF-8, RFC 4180 (CRLF), dates
``YYYY-MM-DD``, date-times ``YYYY-MM-DDTHH:MM`` (``:SS`` and a fraction only when stored),
the date alone where no time is stored, booleans ``true``/``false``, absent values empty.

Text that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) is written with a leading apostrophe, which the importer strips again
(:func:`data_access.csv_rows.neutralise_formula`), so export then import into an empty
database reproduces the same rows. Rows stream from the database in batches (a server-side
cursor on PostgreSQL), so the size of an export is bounded by disk, not memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, select

from data_access.contract import FILES, FileSpec, Kind
from data_access.csv_rows import neutralise_formula
from data_access.schema import CONTRACT_TABLES, procedures, referrals
from data_access.schema import clinics as clinics_table

#: Rows fetched per round trip while streaming.
FETCH_ROWS = 10_000
#: Contract date-time column -> (stored clinic-local date, stored optional wall-clock time).
_STAMP_COLUMNS = {
    "performed_at": ("performed_on", "performed_at"),
    "followup_at": ("followup_on", "followup_at"),
    "onset_at": ("onset_on", "onset_at"),
}


def export_batch(
    *,
    conn: Connection,
    directory: Path,
    start: date | None = None,
    end: date | None = None,
    clinics: Sequence[str] = (),
) -> dict[str, int]:
    """Write the chosen rows as contract files into ``directory`` (created if need be) and
    return the number of rows written per file (``clinics``, ``procedures``, ...)."""
    directory.mkdir(parents=True, exist_ok=True)
    chosen = list(dict.fromkeys(clinics))
    in_range: list[ColumnElement[bool]] = []
    if start is not None:
        in_range.append(procedures.c.performed_on >= start)
    if end is not None:
        in_range.append(procedures.c.performed_on <= end)
    if chosen:
        in_range.append(procedures.c.clinic_id.in_(chosen))
    written: dict[str, int] = {}
    for spec in FILES:
        query = _query(spec, in_range, start, end, chosen)
        written[spec.name] = _write(conn, spec, query, directory / spec.filename)
    return written


def _query(
    spec: FileSpec,
    procedure_filter: list[ColumnElement[bool]],
    start: date | None,
    end: date | None,
    chosen: list[str],
) -> Select[Any]:
    table = CONTRACT_TABLES[spec.name]
    columns = [table.c[name] for column in spec.columns for name in _stored(column.name)]
    query = select(*columns).order_by(table.c[spec.key])
    if spec.name == "clinics":
        return query.where(clinics_table.c.clinic_id.in_(chosen)) if chosen else query
    if spec.name == "procedures":
        return query.where(*procedure_filter)
    if spec.name == "referrals":
        if start is not None:
            query = query.where(referrals.c.referred_on >= start)
        if end is not None:
            query = query.where(referrals.c.referred_on <= end)
        return query.where(referrals.c.clinic_id.in_(chosen)) if chosen else query
    # Follow-ups and adverse events follow their procedures.
    if not procedure_filter:
        return query
    joined = table.join(procedures, procedures.c.procedure_id == table.c.procedure_id)
    return query.select_from(joined).where(*procedure_filter)


def _stored(name: str) -> tuple[str, ...]:
    return _STAMP_COLUMNS.get(name, (name,))


def _write(conn: Connection, spec: FileSpec, query: Select[Any], path: Path) -> int:
    formatters = [_FORMATTERS[column.kind] for column in spec.columns]
    stamp_at = {i for i, column in enumerate(spec.columns) if column.kind is Kind.DATETIME}
    count = 0
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(spec.column_names)
        # Per statement: Connection.execution_options() would change the caller's connection.
        result = conn.execute(query, execution_options={"yield_per": FETCH_ROWS})
        for batch in result.partitions():
            lines = []
            for row in batch:
                cells, stored = [], iter(row)
                for index, formatter in enumerate(formatters):
                    value = next(stored)
                    if index in stamp_at:
                        moment = next(stored)  # the optional time stored beside the date
                        value = None if value is None else (value, moment)
                    cells.append("" if value is None else formatter(value))
                lines.append(cells)
            writer.writerows(lines)
            count += len(lines)
    partial.replace(path)
    return count


def _decimal(value: float) -> str:
    text = repr(float(value))
    # The contract's decimals have no exponent: 1e-05 is written 0.00001.
    return format(Decimal(text), "f") if "e" in text else text


def _stamp(value: tuple[date, datetime | None]) -> str:
    day, moment = value
    if moment is None:
        return day.isoformat()
    if moment.microsecond:
        return moment.isoformat(timespec="microseconds")
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


_FORMATTERS: dict[Kind, Callable[[Any], str]] = {
    Kind.TEXT: neutralise_formula,
    Kind.INTEGER: str,
    Kind.DECIMAL: _decimal,
    Kind.DATE: date.isoformat,
    Kind.DATETIME: _stamp,
    Kind.BOOLEAN: lambda value: "true" if value else "false",
    Kind.ENUM: str,
    Kind.STATE: str,
}
