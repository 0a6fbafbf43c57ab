"""Distinct patients of a selection over any date range, exactly, without scanning it.

Data-access layer. A patient is counted once over [a, b] through the first of their
procedures in it: the procedure in [a, b] whose previous procedure (in the group counted: the
clinic, or the network) is before a. So over whole months [X, Y],

    patients = sum over months M in [X, Y] of first_visits(M, K = X)

(``summary_patients``: procedures of month M whose previous visit is before month K, summed
over the rows with ``k_month <= K``), a few rows per unit and month whatever the range's
length. Ragged ends are corrected per procedure from
``procedure_visits``, on whichever side of each end is shorter (at most half a month each):

* start: X = the first of a's month, minus the patients whose last visit in [X, a) is
  followed by none up to b; or X = the first of the next month, plus those whose last visit
  in [a, X) is followed by none up to b;
* end: Y = the end of b's month, minus the patients whose first visit in [X, Y] lies in
  (b, Y]; or Y = the end of the previous month, plus those whose first visit lies in [Y, b].

A single clinic and the whole network are counted with their own previous visits. Several
clinics (a region, a scope) add up their clinics' patients seen at no other clinic (most of
them in a rural network) and count the few patients seen at several clinics (``shared``)
directly. A filter of two to four procedure types has no summary (the previous visit depends
on the set of types): it is counted from the procedures table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)

from data_access.periods import Period, next_start, start_of
from data_access.queries._ranges import EARLIEST, LATEST
from data_access.queries._summary import Selection
from data_access.schema import procedures
from data_access.schema_summaries import (
    ALL_TYPES,
    NETWORK_UNIT,
    procedure_visits,
    summary_patients,
)

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Plan:
    core_first: date  # X: first day of the whole months counted from the summary
    core_last: date  # Y: last day of them (core_last < core_first: none)
    corrections: list[tuple[date, date, int, str]]  # (from, to, sign, "next" or "prev")


def _plan(a: date, b: date) -> _Plan:
    a_month = start_of(a, Period.MONTH)
    b_month = start_of(b, Period.MONTH)
    b_end = next_start(b_month, Period.MONTH) - ONE_DAY
    starts: list[tuple[date, list[tuple[date, date, int, str]]]] = [(a_month, [])]
    if a != a_month:
        starts = [
            (a_month, [(a_month, a - ONE_DAY, -1, "next")]),
            (
                next_start(a_month, Period.MONTH),
                [(a, next_start(a_month, Period.MONTH) - ONE_DAY, 1, "next")],
            ),
        ]
    ends: list[tuple[date, list[tuple[date, date, int, str]]]] = [(b, [])]
    if b != b_end:
        ends = [
            (b_end, [(b + ONE_DAY, b_end, -1, "prev")]),
            (b_month - ONE_DAY, [(b_month, b, 1, "prev")]),
        ]
    best: _Plan | None = None
    best_days = 0
    for x, start_fix in starts:
        if x > b + ONE_DAY:
            continue
        for y, end_fix in ends:
            if y + ONE_DAY < x or (y > b and b + ONE_DAY < x):
                continue
            fixes = start_fix + end_fix
            days = sum((to - since).days + 1 for since, to, _, _ in fixes)
            if best is None or days < best_days:
                best, best_days = _Plan(x, y, fixes), days
    assert best is not None  # (a_month, b_end) is always valid
    return best


def distinct_patients(
    conn: Connection, selection: Selection, start: date, end: date, *, per_clinic: bool
) -> dict[str, int]:
    """Distinct patients over [start, end]: per clinic (keys: clinic ids with any), or in
    total (key ``""``)."""
    if selection.empty:
        return {}
    start, end = max(start, EARLIEST), min(end, LATEST)
    types = selection.types
    if types is not None and len(types) > 1:
        return _from_procedures(conn, selection, start, end, per_clinic=per_clinic)
    if per_clinic or (selection.clinic_ids is not None and len(selection.clinic_ids) == 1):
        level, shared_only = "clinic", None
    elif selection.clinic_ids is None:
        level, shared_only = "network", None
    else:
        level, shared_only = "clinic", False
    statement = _counted(selection, start, end, level, shared_only, per_clinic=per_clinic)
    counts = {str(unit): int(n) for unit, n in conn.execute(statement) if n}
    if not per_clinic:
        total = sum(counts.values())
        return {"": total} if total else {}
    return counts


def _counted(
    selection: Selection,
    start: date,
    end: date,
    level: str,
    shared_only: bool | None,
    *,
    per_clinic: bool,
) -> Select[Any]:
    """The count's statement: a template for the shape of the plan and the selection
    (``_summary``'s module docstring), filled in with the dates, ids and type."""
    plan = _plan(start, end)
    template = _template(
        selection,
        level,
        shared_only,
        per_clinic,
        plan.core_last < plan.core_first,
        tuple((sign, side) for _, _, sign, side in plan.corrections),
    )
    values = {
        **selection.values(),
        "type_key": selection.types[0] if selection.types else ALL_TYPES,
        "start": start,
        "end": end,
        "core_first": plan.core_first,
        "core_last_month": start_of(plan.core_last, Period.MONTH),
    }
    for index, (since, to, _, _) in enumerate(plan.corrections):
        values[f"since_{index}"] = since
        values[f"to_{index}"] = to
    return template.params(values)


def _template(selection: Selection, *rest: Any) -> Any:
    """The template for this selection's shape (``rest``: :func:`_build`'s other arguments),
    from the per-process cache."""
    return _counted_template(selection.shape, *rest)


@lru_cache(maxsize=1024)
def _counted_template(shape: tuple[bool, ...], *rest: Any) -> Select[Any]:
    return _build(Selection.shaped(shape), *rest)


def _build(
    selection: Selection,
    level: str,
    shared_only: bool | None,
    per_clinic: bool,
    no_core: bool,
    corrections: tuple[tuple[int, str], ...],
) -> Select[Any]:
    """The count's statement for a selection of this shape and a plan of these corrections
    (sign, side), every value a named parameter (none is read from ``selection``)."""
    typed = selection.types is not None
    type_key = bindparam("type_key", type_=String)
    s, v = summary_patients.c, procedure_visits.c
    unit_of = {"clinic": "c", "network": "n"}[level]
    core_first = bindparam("core_first", type_=Date)
    core_where: list[ColumnElement[bool]] = [
        s.unit_kind == unit_of,
        s.procedure_type == type_key,
        s.k_month <= core_first,
        s.month.between(core_first, bindparam("core_last_month", type_=Date)),
    ]
    if no_core:
        core_where.append(false())
    visit_where: list[ColumnElement[bool]] = []
    if unit_of == "c":
        if not selection.every_clinic_by_period:
            core_where.append(selection.one_of_named(s.unit, "clinics"))
    else:  # the key's next column: bounds the index search by month
        core_where.append(s.unit == NETWORK_UNIT)
    if selection.clinic_ids is not None:
        visit_where.append(selection.one_of_named(v.clinic_id, "selected"))
    if shared_only is not None:
        core_where.append(s.shared == shared_only)
        visit_where.append(v.shared == shared_only)
    if typed:
        visit_where.append(v.procedure_type == type_key)
    unit = s.unit if per_clinic else literal("")
    core = select(unit.label("unit"), cast(s.first_visits, Integer).label("n")).where(*core_where)

    suffix = "_type" if typed else ""
    nxt, prev = v[f"{level}{suffix}_next_on"], v[f"{level}{suffix}_prev_on"]
    visit_unit = v.clinic_id if per_clinic else literal("")
    end = bindparam("end", type_=Date)
    parts: list[Select[Any]] = [core]
    # One branch per correction, each a count over one range of days: an index range scan
    # that reads only ``ix_procedure_visits_on_clinic`` on PostgreSQL (it includes every
    # column read here), where one scan of both ranges with a CASE per row was a bitmap scan
    # of the table. A procedure may lie in both corrections' days (a range within one month):
    # each branch counts it, as the sum of the two corrections must.
    for index, (sign, side) in enumerate(corrections):
        if side == "next":
            ok = or_(nxt.is_(None), nxt > end)
        else:
            ok = or_(prev.is_(None), prev < core_first)
        days = v.performed_on.between(
            bindparam(f"since_{index}", type_=Date), bindparam(f"to_{index}", type_=Date)
        )
        counted = select(visit_unit.label("unit"), (sign * func.count()).label("n")).where(
            days, ok, *visit_where
        )
        parts.append(counted.group_by(v.clinic_id) if per_clinic else counted)
    if shared_only is False:
        shared_where = [
            v.shared == True,  # noqa: E712
            v.performed_on.between(bindparam("start", type_=Date), end),
        ]
        if selection.clinic_ids is not None:
            shared_where.append(selection.one_of_named(v.clinic_id, "selected"))
        if typed:
            shared_where.append(v.procedure_type == type_key)
        parts.append(
            select(  # type: ignore[arg-type]
                literal("").label("unit"), func.count(v.patient_id.distinct()).label("n")
            ).where(*shared_where)
        )
    rows = union_all(*parts).subquery()
    return select(rows.c.unit, func.sum(rows.c.n)).group_by(rows.c.unit)


def _from_procedures(
    conn: Connection, selection: Selection, start: date, end: date, *, per_clinic: bool
) -> dict[str, int]:
    p = procedures.c
    unit = p.clinic_id if per_clinic else literal("")
    statement = select(unit, func.count(p.patient_id.distinct())).where(
        p.performed_on.between(start, end)
    )
    if selection.clinic_ids is not None:
        statement = statement.where(selection.one_of(p.clinic_id, selection.clinic_ids))
    if selection.types is not None:
        statement = statement.where(p.procedure_type.in_(selection.types))
    statement = statement.group_by(unit)
    return {str(u): int(n) for u, n in conn.execute(statement) if n}
