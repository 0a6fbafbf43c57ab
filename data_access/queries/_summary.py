"""Reading the summary tables: which clinics, which units, which rows for a date range.

Data-access layer (internal). :func:`plan` resolves the filters and the scope against the
clinics table (one small query) into a :class:`Selection`: the selected clinics, the regions
they cover entirely and the clinics left over, and the procedure types. :func:`summed` then
builds one aggregate SELECT over a summary table: for every part of the range (from
:mod:`data_access.queries._ranges`) the rows of the right grain and units (the network row for
every clinic, region rows for whole regions where they exist, clinic rows otherwise), of the
``*`` type where no type filter applies. It returns ``None`` when a write has not been
summarised yet: the callers then answer from the base tables (``queries.naive``).

Statements are templates: what :func:`summed` builds depends on the range's parts, the
selection and the figure only through their *shape* (which grains, whether clinics are
listed, whether types are), and every value (dates, clinic ids, types) is a named parameter.
Each shape is built once per process and filled in with :meth:`Select.params`, which costs
microseconds, where building the SELECT of a five-part range cost most of a millisecond,
and a filter change runs about twenty of them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Connection,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    union_all,
)

from data_access.contract import ProcedureType
from data_access.filters import Filters, Grain, Scope
from data_access.migrate import schema_is_current
from data_access.periods import Period, sql_start
from data_access.queries._ranges import Part
from data_access.schema import clinics
from data_access.schema_summaries import ALL_TYPES, NETWORK_UNIT
from data_access.summaries import pending_condition
from data_access.summaries.additive import ALL_TYPE_GRAINS, CLINIC, NETWORK, REGION, REGION_GRAINS

_ALL_TYPE_VALUES = tuple(sorted(t.value for t in ProcedureType))


@dataclass(frozen=True)
class Selection:
    """What the filters and scope select, resolved to clinic ids."""

    #: Selected clinic ids, or ``None`` for every clinic (no region/clinic filter or scope).
    clinic_ids: tuple[str, ...] | None
    #: Regions all of whose clinics are selected, and the selected clinics outside them.
    whole_regions: tuple[str, ...]
    leftover: tuple[str, ...]
    #: Selected procedure types, or ``None`` for all of them.
    types: tuple[str, ...] | None
    #: Every clinic id (a per-clinic read lists them: one short index range per clinic).
    every_clinic: tuple[str, ...] = ()
    postgres: bool = False

    def one_of(self, column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
        """``column IN (values)``; on PostgreSQL one array parameter (``= ANY(:array)``):
        planning a statement with a few hundred separate parameters costs milliseconds."""
        if self.postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(String), unique=True))
        return column.in_(values)

    def one_of_named(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        """``column IN (:name)`` for a template: the list is given later, by :meth:`values`
        (one array parameter on PostgreSQL, as :meth:`one_of`)."""
        if self.postgres:
            return column == any_(bindparam(name, type_=ARRAY(String)))
        return column.in_(bindparam(name, expanding=True))

    @property
    def shape(self) -> tuple[bool, ...]:
        """What a statement for this selection looks like, whatever its ids and types: the
        key of a template (:meth:`values` fills it in)."""
        return (
            self.empty,
            self.clinic_ids is None,
            bool(self.whole_regions),
            bool(self.leftover),
            self.types is None,
            self.postgres,
        )

    @classmethod
    def shaped(cls, shape: tuple[bool, ...]) -> Selection:
        """A selection of this :attr:`shape` (its ids and types are placeholders): what a
        template is built from."""
        empty, every, regions, leftover, all_types, postgres = shape
        return cls(
            clinic_ids=None if every else () if empty else ("?",),
            whole_regions=("?",) if regions else (),
            leftover=("?",) if leftover else (),
            types=None if all_types else ("?",),
            every_clinic=("?",),
            postgres=postgres,
        )

    def values(self) -> dict[str, Any]:
        """The named parameters of a template built for this selection's :attr:`shape`."""
        return {
            "clinics": list(self.clinics_or_all),
            "selected": list(self.clinic_ids or ()),
            "regions": list(self.whole_regions),
            "leftover": list(self.leftover),
            "types": list(self.types or ()),
        }

    @property
    def every_clinic_by_period(self) -> bool:
        """Every clinic's rows are wanted, and PostgreSQL reads them by period: ``unit_kind =
        'c'`` alone is then one range of the period index per part
        (``schema_summaries.CLINICS_BY_PERIOD``), where a list of every clinic was one index
        descent per clinic and part, and milliseconds of planning the array."""
        return self.clinic_ids is None and self.postgres

    @property
    def clinics_or_all(self) -> tuple[str, ...]:
        return self.every_clinic if self.clinic_ids is None else self.clinic_ids

    @property
    def empty(self) -> bool:
        return self.clinic_ids is not None and not self.clinic_ids

    @property
    def clinic_list(self) -> list[str] | None:
        return None if self.clinic_ids is None else list(self.clinic_ids)


#: The clinics (id, region) of recently seen clinic tables, by their fingerprint.
_CLINICS: OrderedDict[str | None, tuple[tuple[str, str], ...]] = OrderedDict()
_CLINICS_KEPT = 16
_STATE: dict[str, Select[Any]] = {}


def _fingerprint() -> ColumnElement[str]:
    """The clinics table as one string (each id and region prefixed by its length, so no
    two tables give the same string): one short value to compare, not 200 rows to fetch.
    ``NULL`` when there is no clinic."""

    def field(column: Column[str]) -> ColumnElement[str]:
        return cast(func.length(column), String) + ":" + column

    return func.aggregate_strings(field(clinics.c.clinic_id) + field(clinics.c.region), ",")


def _state(dialect: str) -> Select[Any]:
    """Whether writes await summarising, the clinics' fingerprint and, on PostgreSQL, serial
    reads for the rest of the transaction: one statement, built once per dialect."""
    found = _STATE.get(dialect)
    if found is None:
        columns: list[ColumnElement[Any]] = [
            pending_condition().label("pending"),
            _fingerprint().label("fingerprint"),
        ]
        if dialect == "postgresql":
            # Summary reads are small: starting parallel workers costs more than it saves
            # (and on a busy two-core server, much more). ``set_config(..., true)`` is
            # ``SET LOCAL``: it holds for the rest of the transaction, the statements that
            # read the summaries.
            columns.append(
                func.set_config("max_parallel_workers_per_gather", "0", True).label("serial")
            )
        found = _STATE[dialect] = select(*columns).select_from(clinics)
    return found


def _clinic_regions(conn: Connection, fingerprint: str | None) -> tuple[tuple[str, str], ...]:
    """Every clinic's (id, region), sorted: from the memo while the clinics table still has
    this fingerprint, else read (with the fingerprint of what was read, in one statement)."""
    found = _CLINICS.get(fingerprint)
    if found is not None:
        return found
    current = select(_fingerprint()).scalar_subquery()
    rows = conn.execute(
        select(current.label("fingerprint"), clinics.c.clinic_id, clinics.c.region).order_by(
            clinics.c.clinic_id
        )
    ).all()
    found = tuple((row.clinic_id, row.region) for row in rows)
    _CLINICS[rows[0].fingerprint if rows else None] = found
    while len(_CLINICS) > _CLINICS_KEPT:
        _CLINICS.popitem(last=False)
    return found


def plan(conn: Connection, filters: Filters, scope: Scope) -> Selection | None:
    """The selection, or ``None`` while summaries are pending or the database's schema is
    behind the code's (read the base tables: slower, never wrong).

    One round trip of one row: every callback plans each of its queries, a dozen per filter
    change, and reading the 200 clinics each time was a tenth of the server's work. The
    clinics come from a per-process memo keyed by the table's fingerprint, so a changed
    clinic (by an import or by hand) is seen at once."""
    if not schema_is_current(conn):
        return None
    postgres = conn.dialect.name == "postgresql"
    state = conn.execute(_state(conn.dialect.name)).one()
    if state.pending:
        return None
    rows = _clinic_regions(conn, state.fingerprint)
    allowed = {clinic_id for clinic_id, _ in rows}
    region_of = dict(rows)
    if filters.regions:
        allowed &= {c for c, r in region_of.items() if r in filters.regions}
    if filters.clinics:
        allowed &= set(filters.clinics)
    if not scope.is_unrestricted:
        in_scope = {
            c
            for c, r in region_of.items()
            if (scope.regions is not None and r in scope.regions)
            or (scope.clinics is not None and c in scope.clinics)
        }
        allowed &= in_scope
    types = tuple(t.value for t in filters.procedure_types)
    chosen_types = None if not types or tuple(sorted(types)) == _ALL_TYPE_VALUES else types
    every = tuple(sorted(region_of))
    if len(allowed) == len(region_of) and len(allowed) > 0:
        return Selection(None, (), (), chosen_types, every, postgres)
    by_region: dict[str, list[str]] = {}
    for clinic_id, region in rows:
        by_region.setdefault(region, []).append(clinic_id)
    whole = tuple(
        sorted(r for r, members in by_region.items() if all(c in allowed for c in members))
    )
    leftover = tuple(sorted(c for c in allowed if region_of[c] not in whole))
    return Selection(tuple(sorted(allowed)), whole, leftover, chosen_types, every, postgres)


def unit_condition(
    table: Table, selection: Selection, period: Period, *, per_clinic: bool, rolled_up: bool
) -> ColumnElement[bool]:
    """Rows of the units that add up to the selection at this grain."""
    c = table.c
    if selection.empty:
        return false()
    if per_clinic or not rolled_up:
        if selection.every_clinic_by_period:
            return c.unit_kind == CLINIC
        return and_(c.unit_kind == CLINIC, selection.one_of_named(c.unit, "clinics"))
    if selection.clinic_ids is None:
        # The unit too, though the network has one: without it the key's period_start cannot
        # bound the index search (SQLite then read every network row of the grain).
        return and_(c.unit_kind == NETWORK, c.unit == NETWORK_UNIT)
    if period.value in REGION_GRAINS and selection.whole_regions:
        conditions = [and_(c.unit_kind == REGION, selection.one_of_named(c.unit, "regions"))]
        if selection.leftover:
            conditions.append(
                and_(c.unit_kind == CLINIC, selection.one_of_named(c.unit, "leftover"))
            )
        return or_(*conditions)
    return and_(c.unit_kind == CLINIC, selection.one_of_named(c.unit, "selected"))


def type_condition(
    table: Table, selection: Selection, period: Period, *, by_type: bool = False
) -> ColumnElement[bool]:
    """Rows of the selected types; ``*`` rows where all types are wanted together."""
    if selection.types is not None:
        return table.c.procedure_type.in_(bindparam("types", expanding=True))
    if period in ALL_TYPE_GRAINS and not by_type:
        return table.c.procedure_type == ALL_TYPES
    return table.c.procedure_type != ALL_TYPES  # days have typed rows only


def part_condition(
    table: Table,
    period: Period,
    index: int,
    selection: Selection,
    *,
    per_clinic: bool = False,
    typed: bool = True,
    rolled_up: bool = True,
    by_type: bool = False,
) -> ColumnElement[bool]:
    """Rows of the ``index``-th part of a range (of this grain): its first and last period
    starts are the parameters ``first_<index>`` and ``last_<index>``."""
    conditions = [
        table.c.grain == period.value,
        table.c.period_start.between(bindparam(f"first_{index}"), bindparam(f"last_{index}")),
        unit_condition(table, selection, period, per_clinic=per_clinic, rolled_up=rolled_up),
    ]
    if typed:
        conditions.append(type_condition(table, selection, period, by_type=by_type))
    return and_(*conditions)


def part_values(parts: Sequence[Part]) -> dict[str, Any]:
    """The parameters of :func:`part_condition` for each part."""
    values: dict[str, Any] = {}
    for index, part in enumerate(parts):
        values[f"first_{index}"] = part.first
        values[f"last_{index}"] = part.last
    return values


def summed(
    table: Table,
    parts: Sequence[Part],
    selection: Selection,
    *,
    keys: Sequence[Column[Any]] = (),
    measures: Sequence[str],
    per_clinic: bool = False,
    typed: bool = True,
    rolled_up: bool = True,
    bucket: Grain | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    params: Mapping[str, Any] | None = None,
    by_type: bool = False,
    nonzero: str | None = None,
    order_by: Sequence[str] = (),
) -> Select[Any]:
    """SELECT [unit AS clinic_id] [bucket AS period] keys..., SUM(measure)... over the parts,
    grouped by everything before the sums. ``by_type``: the keys include the procedure type
    (never read the ``*`` rows). ``nonzero``: only the groups where that sum is above zero;
    ``order_by``: the output columns to sort by.

    ``where``: further conditions on the summary rows, constants of the caller's module whose
    values are named parameters given in ``params`` (they are part of the template's key, so
    a condition built anew on every call would never find its template).

    Each part is its own branch of a UNION ALL, so that each gets its own index range scan
    (one OR of all parts with lists of clinics makes PostgreSQL scan the whole table)."""
    template = _template(
        table,
        tuple(part.period for part in parts),
        selection,
        tuple(keys),
        tuple(measures),
        per_clinic,
        typed,
        rolled_up,
        bucket,
        tuple(where),
        by_type,
        nonzero,
        tuple(order_by),
    )
    return template.params({**selection.values(), **part_values(parts), **(params or {})})


def _template(table: Table, periods: tuple[Period, ...], selection: Selection, *rest: Any) -> Any:
    """The template for this shape of :func:`summed`'s arguments (``rest``: the figure's
    options, in :func:`_build`'s order), from the per-process cache."""
    return _summed_template(table, periods, selection.shape, *rest)


@lru_cache(maxsize=1024)
def _summed_template(
    table: Table, periods: tuple[Period, ...], shape: tuple[bool, ...], *rest: Any
) -> Select[Any]:
    return _build(table, periods, Selection.shaped(shape), *rest)


def _build(
    table: Table,
    periods: tuple[Period, ...],
    selection: Selection,
    keys: tuple[Column[Any], ...],
    measures: tuple[str, ...],
    per_clinic: bool,
    typed: bool,
    rolled_up: bool,
    bucket: Grain | None,
    where: tuple[ColumnElement[bool], ...],
    by_type: bool,
    nonzero: str | None,
    order_by: tuple[str, ...],
) -> Select[Any]:
    """The statement of :func:`summed` for a selection of this shape and parts of these
    grains, every value a named parameter (none is read from ``selection``)."""
    wanted = [table.c.unit, table.c.period_start, *keys, *(table.c[m] for m in measures)]
    branches = [
        select(*wanted).where(
            part_condition(
                table,
                period,
                index,
                selection,
                per_clinic=per_clinic,
                typed=typed,
                rolled_up=rolled_up,
                by_type=by_type,
            ),
            *where,
        )
        for index, period in enumerate(periods)
    ]
    if not branches:
        branches = [select(*wanted).where(false())]
    rows = (
        union_all(*branches).subquery("parts")
        if len(branches) > 1
        else branches[0].subquery("parts")
    )
    groups: list[ColumnElement[Any]] = []
    if per_clinic:
        groups.append(rows.c.unit.label("clinic_id"))
    if bucket is not None:
        period = {Grain.DAY: Period.DAY, Grain.WEEK: Period.WEEK, Grain.MONTH: Period.MONTH}[bucket]
        if all(part is period for part in periods):
            # Rows of the bucket's own grain are their own bucket: grouping by the stored
            # start lets PostgreSQL group in index order, where truncating every row's date
            # first cost a sort (a third of a five-year monthly series per clinic).
            groups.append(rows.c.period_start.label("period"))
        else:
            groups.append(sql_start(rows.c.period_start, period).label("period"))
    groups += [rows.c[key.name] for key in keys]
    sums = [func.sum(rows.c[name]).label(name) for name in measures]
    statement = select(*groups, *sums).group_by(*groups)
    if nonzero is None and not order_by:
        return statement
    result = statement.subquery()
    if nonzero is not None:
        statement = result.select().where(result.c[nonzero] > 0)
    else:
        statement = result.select()
    return statement.order_by(*(result.c[name] for name in order_by))
