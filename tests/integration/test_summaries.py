"""The summary tables never disagree with the base tables, and the fast figures equal the
base-table ones, on SQLite and PostgreSQL.

A property test draws random import sequences through the real importer (new rows, then
re-imports that move procedures to other days, clinics, types and patients, late follow-ups
and events, changed severities, a clinic changing region, refused batches) and after each
import checks (1) every summary table equals a rebuild from scratch and (2) every figure
function of ``data_access.queries`` equals its base-table twin in ``queries.naive`` for random
filters and scopes. Further tests: writes that bypass the importer are never read from a stale
summary, the migration backfills existing rows, and distinct patients over every range of a
small network.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, inspect, select, text

from data_access.filters import Filters, Grain, Scope
from data_access.importer import ImportRejected, import_batch
from data_access.queries import (
    adverse_events,
    clinics,
    event_trends,
    kpis,
    referrals,
    relief,
    soreness,
    volumes,
)
from data_access.queries.naive import adverse_events as naive_adverse_events
from data_access.queries.naive import clinics as naive_clinics
from data_access.queries.naive import event_trends as naive_event_trends
from data_access.queries.naive import kpis as naive_kpis
from data_access.queries.naive import referrals as naive_referrals
from data_access.queries.naive import relief as naive_relief
from data_access.queries.naive import soreness as naive_soreness
from data_access.queries.naive import volumes as naive_volumes
from data_access.schema import clinics as clinics_table
from data_access.schema import procedures
from data_access.schema_summaries import (
    PENDING_TABLES,
    procedure_visits,
    summary_patients,
    summary_pending_patients,
)
from data_access.summaries import mark_everything_pending, refresh_summaries, summaries_pending
from tests.integration.handmade import load_handmade

FIRST_DAY = date(2024, 12, 20)  # the window spans a year's end, months and weeks
WINDOW_DAYS = 55
REGIONS = {"C1": "North", "C2": "North", "C3": "South", "C4": "South", "C5": "West"}
PATIENTS = [f"PT{i}" for i in range(8)]
TYPES = ["tpi_local_anesthetic", "tpi_corticosteroid", "tpi_saline", "dry_needling", "other"]
SOURCES = ["primary_care", "orthopedics", "self", "website"]
EVENT_TYPES = ["vasovagal", "bleeding", "infection"]
SEVERITIES = ["mild", "moderate", "severe"]

#: Every figure function and its base-table twin, with the options it takes.
FIGURES: list[tuple[str, Callable[..., Any], Callable[..., Any], dict[str, Any]]] = [
    ("kpi_totals", kpis.kpi_totals, naive_kpis.kpi_totals, {}),
    ("clinic_figures", clinics.clinic_figures, naive_clinics.clinic_figures, {}),
    ("soreness_histogram", soreness.soreness_histogram, naive_soreness.soreness_histogram, {}),
    ("soreness_by_clinic", soreness.soreness_by_clinic, naive_soreness.soreness_by_clinic, {}),
    (
        "soreness_by_days_after",
        soreness.soreness_by_days_after,
        naive_soreness.soreness_by_days_after,
        {},
    ),
    ("immediate_relief", relief.immediate_relief, naive_relief.immediate_relief, {}),
    (
        "volume_by_clinic_and_type",
        volumes.volume_by_clinic_and_type,
        naive_volumes.volume_by_clinic_and_type,
        {},
    ),
    (
        "events_by_type_and_severity",
        adverse_events.events_by_type_and_severity,
        naive_adverse_events.events_by_type_and_severity,
        {},
    ),
    (
        "rates_by_procedure_type",
        adverse_events.rates_by_procedure_type,
        naive_adverse_events.rates_by_procedure_type,
        {},
    ),
    (
        "referrals_by_clinic_and_source",
        referrals.referrals_by_clinic_and_source,
        naive_referrals.referrals_by_clinic_and_source,
        {},
    ),
    (
        "referral_conversion",
        referrals.referral_conversion,
        naive_referrals.referral_conversion,
        {},
    ),
] + [
    (name, fast, slow, {"grain": grain})
    for grain in Grain
    for name, fast, slow in (
        ("volume_trend", volumes.volume_trend, naive_volumes.volume_trend),
        ("event_series", adverse_events.event_series, naive_adverse_events.event_series),
        ("referral_trend", referrals.referral_trend, naive_referrals.referral_trend),
        (
            "event_series_by_clinic",
            event_trends.event_series_by_clinic,
            naive_event_trends.event_series_by_clinic,
        ),
    )
]


def assert_same(name: str, fast: Any, slow: Any) -> None:
    if isinstance(slow, pd.DataFrame):
        assert list(fast.columns) == list(slow.columns), name
        if slow.empty and fast.empty:
            return
        pd.testing.assert_frame_equal(
            fast.reset_index(drop=True),
            slow.reset_index(drop=True),
            check_dtype=False,
            check_exact=False,
            rtol=1e-12,
            obj=name,
        )
    elif hasattr(slow, "as_dict"):
        assert _rounded(fast.as_dict()) == _rounded(slow.as_dict()), name
    else:
        assert fast == slow, name


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 9) if isinstance(v, float) else v for k, v in values.items()}


def assert_figures_agree(conn: Connection, filters: Filters, scope: Scope) -> None:
    assert not summaries_pending(conn)
    for name, fast, slow, options in FIGURES:
        expected = slow(conn=conn, filters=filters, scope=scope, **options)
        actual = fast(conn=conn, filters=filters, scope=scope, **options)
        assert_same(f"{name}{options} {filters} {scope}", actual, expected)


def summary_snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary table's rows, sorted."""
    from data_access.schema import metadata

    names = sorted(
        name
        for name in metadata.tables
        if (name.startswith("summary_") and not name.startswith("summary_pending"))
        or name == "procedure_visits"
    )
    snapshot = {}
    for name in names:
        table = metadata.tables[name]
        rows = conn.execute(select(table)).all()
        snapshot[name] = sorted(tuple(str(v) for v in row) for row in rows)
    return snapshot


def assert_summaries_fresh(conn: Connection) -> None:
    """The summaries equal a rebuild from scratch of the same base tables."""
    assert not summaries_pending(conn)
    kept = summary_snapshot(conn)
    rebuild = conn.begin_nested()
    for name in kept:
        conn.execute(text(f"DELETE FROM {name}"))
    mark_everything_pending(conn)
    refresh_summaries(conn)
    rebuilt = summary_snapshot(conn)
    rebuild.rollback()
    for name in kept:
        assert kept[name] == rebuilt[name], name


# --- Random import sequences ---------------------------------------------------------------


@dataclass
class Model:
    """What the database holds (ids and dates), to draw valid follow-ups and events."""

    procedures: dict[str, date] = field(default_factory=dict)
    followups: dict[str, tuple[str, date]] = field(default_factory=dict)
    events: dict[str, tuple[str, date]] = field(default_factory=dict)
    referrals: dict[str, tuple[str, str, date]] = field(default_factory=dict)
    counter: int = 0

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


def _day(offset: int) -> date:
    return FIRST_DAY + timedelta(days=offset)


def _write(directory: Path, name: str, header: list[str], rows: list[list[object]]) -> None:
    if not rows:
        return
    with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def draw_batch(data: st.DataObject, model: Model, first: bool, directory: Path) -> Model:
    """Write a random batch into ``directory``; returns the model as it is if the batch is
    accepted (the caller keeps the old one if it is refused)."""
    after = Model(
        dict(model.procedures),
        dict(model.followups),
        dict(model.events),
        dict(model.referrals),
        model.counter,
    )
    regions = dict(REGIONS)
    if not first and data.draw(st.booleans(), label="move a clinic"):
        regions["C2"] = data.draw(st.sampled_from(["South", "West", "East"]), label="new region")
    if first or regions != REGIONS:
        _write(
            directory,
            "clinics",
            ["clinic_id", "name", "region", "state"],
            [[c, f"Clinic {c}", r, "KY"] for c, r in regions.items()],
        )
    proc_rows: list[list[object]] = []
    chosen: list[str] = []
    if model.procedures:
        chosen = data.draw(
            st.lists(st.sampled_from(sorted(model.procedures)), max_size=4, unique=True),
            label="procedures changed",
        )
    new = data.draw(st.integers(3 if first else 0, 10), label="new procedures")
    for procedure_id in chosen + [after.new_id("P") for _ in range(new)]:
        offset = data.draw(st.integers(0, WINDOW_DAYS), label="day")
        before = data.draw(st.one_of(st.none(), st.integers(0, 10)), label="pain before")
        after_pain = data.draw(st.one_of(st.none(), st.integers(0, 10)), label="pain after")
        clinic = data.draw(st.sampled_from(sorted(REGIONS)), label="clinic")
        patient = data.draw(st.sampled_from(PATIENTS), label="patient")
        if model.referrals and data.draw(st.booleans(), label="a referred patient comes"):
            referral = data.draw(st.sampled_from(sorted(model.referrals)), label="referral")
            clinic, patient, _ = model.referrals[referral]
        proc_rows.append(
            [
                procedure_id,
                clinic,
                patient,
                _day(offset).isoformat(),
                data.draw(st.sampled_from(TYPES), label="type"),
                before,
                after_pain,
            ]
        )
        after.procedures[procedure_id] = _day(offset)
    _write(
        directory,
        "procedures",
        [
            "procedure_id",
            "clinic_id",
            "patient_id",
            "performed_at",
            "procedure_type",
            "pain_before",
            "pain_after",
        ],
        proc_rows,
    )
    known = sorted(after.procedures)
    fu_rows: list[list[object]] = []
    for _ in range(data.draw(st.integers(0, 8), label="follow-ups")):
        procedure_id = data.draw(st.sampled_from(known), label="followed")
        followup_id = (
            data.draw(st.sampled_from(sorted(after.followups)), label="follow-up again")
            if after.followups and data.draw(st.booleans(), label="update a follow-up")
            else after.new_id("F")
        )
        if followup_id in [row[0] for row in fu_rows]:
            continue
        on = after.procedures[procedure_id] + timedelta(days=data.draw(st.integers(0, 16)))
        fu_rows.append([followup_id, procedure_id, on.isoformat(), data.draw(st.integers(0, 10))])
        after.followups[followup_id] = (procedure_id, on)
    _write(
        directory, "followups", ["followup_id", "procedure_id", "followup_at", "soreness"], fu_rows
    )
    ev_rows: list[list[object]] = []
    for _ in range(data.draw(st.integers(0, 3), label="events")):
        procedure_id = data.draw(st.sampled_from(known), label="harmed")
        event_id = (
            data.draw(st.sampled_from(sorted(after.events)), label="event again")
            if after.events and data.draw(st.booleans(), label="update an event")
            else after.new_id("E")
        )
        if event_id in [row[0] for row in ev_rows]:
            continue
        on = after.procedures[procedure_id] + timedelta(days=data.draw(st.integers(0, 3)))
        ev_rows.append(
            [
                event_id,
                procedure_id,
                data.draw(st.sampled_from(EVENT_TYPES)),
                data.draw(st.sampled_from(SEVERITIES)),
                on.isoformat(),
            ]
        )
        after.events[event_id] = (procedure_id, on)
    _write(
        directory,
        "adverse_events",
        ["event_id", "procedure_id", "event_type", "severity", "onset_at"],
        ev_rows,
    )
    ref_rows: list[list[object]] = []
    for _ in range(data.draw(st.integers(0, 4), label="referrals")):
        referral_id = (
            data.draw(st.sampled_from(sorted(after.referrals)), label="referral again")
            if after.referrals and data.draw(st.booleans(), label="update a referral")
            else after.new_id("R")
        )
        if referral_id in [row[0] for row in ref_rows]:
            continue
        clinic = data.draw(st.sampled_from(sorted(REGIONS)))
        patient = data.draw(st.sampled_from([*PATIENTS, "PT-never"]))
        on = _day(data.draw(st.integers(-10, WINDOW_DAYS)))
        ref_rows.append(
            [referral_id, clinic, patient, on.isoformat(), data.draw(st.sampled_from(SOURCES))]
        )
        after.referrals[referral_id] = (clinic, patient, on)
    _write(
        directory,
        "referrals",
        ["referral_id", "clinic_id", "patient_id", "referred_on", "source"],
        ref_rows,
    )
    return after


def draw_filters(data: st.DataObject) -> tuple[Filters, Scope]:
    start = _day(data.draw(st.integers(-15, WINDOW_DAYS), label="start"))
    if data.draw(st.booleans(), label="month-aligned start"):
        start = start.replace(day=1)
    end = start + timedelta(days=data.draw(st.integers(0, 80), label="length"))
    regions = data.draw(
        st.lists(st.sampled_from(["North", "South", "West", "East"]), max_size=2, unique=True)
    )
    chosen = data.draw(st.lists(st.sampled_from(sorted(REGIONS)), max_size=3, unique=True))
    types = data.draw(
        st.one_of(
            st.just([]),
            st.lists(st.sampled_from(TYPES), min_size=1, max_size=1),
            st.lists(st.sampled_from(TYPES), min_size=2, max_size=5, unique=True),
        )
    )
    scope = data.draw(
        st.sampled_from(
            [
                Scope.everything(),
                Scope(regions=frozenset({"North"}), label="north"),
                Scope(clinics=frozenset({"C1", "C3"}), label="two"),
                Scope(regions=frozenset({"South"}), clinics=frozenset({"C5"}), label="mixed"),
            ]
        )
    )
    filters = Filters(
        start=start,
        end=end,
        regions=tuple(regions),
        clinics=tuple(chosen),
        procedure_types=tuple(types),
    )
    return filters, scope


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_imports_keep_summaries_exact(conn: Connection, data: st.DataObject) -> None:
    example = conn.begin_nested()
    try:
        model = Model()
        for step in range(data.draw(st.integers(1, 3), label="imports")):
            with tempfile.TemporaryDirectory() as tmp:
                directory = Path(tmp)
                after = draw_batch(data, model, step == 0, directory)
                try:
                    import_batch(conn=conn, directory=directory, today=date(2026, 11, 24))
                    model = after
                except ImportRejected:
                    pass  # e.g. a procedure moved after its follow-ups: nothing changed
            assert_summaries_fresh(conn)
            for _ in range(2):
                assert_figures_agree(conn, *draw_filters(data))
    finally:
        example.rollback()


# --- Writes that bypass the importer, the migration's backfill, patients over every range --


def test_direct_writes_are_never_read_from_stale_summaries(conn: Connection) -> None:
    load_handmade(conn)  # plain INSERTs: the triggers queue the cells
    assert summaries_pending(conn)
    january = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
    totals = kpis.kpi_totals(conn=conn, filters=january, scope=Scope.everything())
    assert (totals.procedures, totals.patients) == (5, 4)
    refresh_summaries(conn)
    assert not summaries_pending(conn)
    assert_summaries_fresh(conn)
    assert_figures_agree(conn, january, Scope.everything())
    conn.execute(
        procedures.update().where(procedures.c.procedure_id == "P3").values(clinic_id="C3")
    )
    assert summaries_pending(conn)  # an UPDATE is noted too
    refresh_summaries(conn)
    assert_summaries_fresh(conn)
    assert_figures_agree(conn, january, Scope.everything())
    for table in PENDING_TABLES:
        assert conn.execute(select(table)).first() is None


def test_migration_backfills_existing_rows(fresh_database_url: str, tmp_path: Path) -> None:
    from alembic import command

    from data_access.engine import make_engine
    from data_access.migrate import alembic_config, upgrade_to_head
    from tests.conftest import make_settings

    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0002")
            load_handmade(connection)
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert not summaries_pending(connection)
            assert connection.execute(select(procedure_visits)).first() is not None
            assert connection.execute(select(summary_patients)).first() is not None
            assert_summaries_fresh(connection)
            for start, end in [
                (date(2025, 1, 1), date(2025, 1, 31)),
                (date(2024, 12, 3), date(2025, 2, 9)),
            ]:
                assert_figures_agree(connection, Filters(start=start, end=end), Scope.everything())
    finally:
        engine.dispose()


def test_histogram_columns_migration_round_trip(fresh_database_url: str, tmp_path: Path) -> None:
    """Revision 0005 (soreness histograms as columns) and its downgrade queue every clinic
    day instead of converting rows: the summaries are rebuilt by the refresh, in whichever
    layout the schema has, and nothing is read from them until then."""
    from alembic import command

    from data_access.engine import make_engine
    from data_access.migrate import alembic_config, upgrade_to_head
    from tests.conftest import make_settings

    filters = Filters(start=date(2024, 12, 3), end=date(2025, 2, 9))
    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            load_handmade(connection)
            refresh_summaries(connection)
            command.downgrade(alembic_config(connection), "0004")
            tables = set(inspect(connection).get_table_names())
            assert {"summary_first_soreness", "summary_followup_soreness"} <= tables
            columns = {c["name"] for c in inspect(connection).get_columns("summary_procedures")}
            assert "first_soreness_0" not in columns
            assert summaries_pending(connection)
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert "summary_first_soreness" not in inspect(connection).get_table_names()
            assert not summaries_pending(connection)
            assert_summaries_fresh(connection)
            assert_figures_agree(connection, filters, Scope.everything())
            # Rebuilt, not merely empty: the soreness figures come from the new columns.
            assert soreness.soreness_histogram(
                conn=connection, filters=filters, scope=Scope.everything()
            )
    finally:
        engine.dispose()


def test_patient_steps_migration_rebuilds_from_visits(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Revision 0004 rebuilds ``summary_patients`` from ``procedure_visits`` with its own SQL,
    equal to what the refresh writes; its downgrade queues every patient again."""
    from alembic import command

    from data_access.engine import make_engine
    from data_access.migrate import alembic_config
    from tests.conftest import make_settings

    ranges = [(date(2025, 1, 1), date(2025, 1, 31)), (date(2024, 12, 3), date(2025, 2, 9))]
    patients = select(summary_patients).order_by(*summary_patients.primary_key.columns)
    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
            load_handmade(connection)
            refresh_summaries(connection)
            refreshed = connection.execute(patients).all()
            assert refreshed
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
            assert summaries_pending(connection)
            assert connection.execute(select(summary_patients)).first() is None
            # 0004 alone, from the visits the refresh wrote (not from the pending queue).
            connection.execute(delete(summary_pending_patients))
            command.upgrade(alembic_config(connection), "0004")
            assert connection.execute(patients).all() == refreshed
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
            refresh_summaries(connection)
        with engine.connect() as connection:
            assert not summaries_pending(connection)
            assert_summaries_fresh(connection)
            for start, end in ranges:
                assert_figures_agree(connection, Filters(start=start, end=end), Scope.everything())
    finally:
        engine.dispose()


def test_a_database_behind_the_code_is_read_from_the_base_tables(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Code newer than its database (served before ``clinicops init-db`` has run) must not
    read summaries whose meaning a later migration changed (0004 did, for
    ``summary_patients``: read the old way, 90 days of the demo showed 208,066 patients for
    21,077 procedures). It answers from the base tables until the schema is current."""
    from alembic import command

    from data_access.engine import make_engine
    from data_access.migrate import alembic_config
    from data_access.queries._summary import plan
    from tests.conftest import make_settings

    filters = Filters(start=date(2024, 12, 3), end=date(2025, 2, 9))
    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
            load_handmade(connection)
            refresh_summaries(connection)
            # Summaries that say something else than the base tables: as a table written
            # under an older meaning would.
            connection.execute(
                summary_patients.update().values(first_visits=summary_patients.c.first_visits * 7)
            )
            command.stamp(alembic_config(connection), "0003")
        with engine.connect() as connection:
            assert plan(connection, filters, Scope.everything()) is None
            fast = kpis.kpi_totals(conn=connection, filters=filters, scope=Scope.everything())
            slow = naive_kpis.kpi_totals(conn=connection, filters=filters, scope=Scope.everything())
            assert fast.patients == slow.patients > 0
        with engine.begin() as connection:
            command.stamp(alembic_config(connection), "head")
        with engine.connect() as connection:
            # Current again: the summaries are read (and their planted error shows).
            assert plan(connection, filters, Scope.everything()) is not None
            fast = kpis.kpi_totals(conn=connection, filters=filters, scope=Scope.everything())
            assert fast.patients != slow.patients
    finally:
        engine.dispose()


@pytest.fixture
def network(conn: Connection) -> Iterator[Connection]:
    """A few months of a small network, imported: patients return, some to other clinics."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        _write(
            directory,
            "clinics",
            ["clinic_id", "name", "region"],
            [[c, c, r] for c, r in REGIONS.items()],
        )
        rows = []
        for i in range(160):
            day = date(2024, 11, 1) + timedelta(days=(i * 37) % 120)
            clinic = sorted(REGIONS)[(i * 7) % 5 if i % 9 else (i // 9) % 5]
            rows.append(
                [f"P{i}", clinic, f"PT{(i * 13) % 23}", day.isoformat(), TYPES[(i * 3) % 5]]
            )
        _write(
            directory,
            "procedures",
            ["procedure_id", "clinic_id", "patient_id", "performed_at", "procedure_type"],
            rows,
        )
        import_batch(conn=conn, directory=directory, today=date(2026, 11, 24))
    yield conn


@pytest.mark.parametrize("types", [(), ("dry_needling",), ("other", "tpi_saline")])
@pytest.mark.parametrize(
    "scope",
    [Scope.everything(), Scope(regions=frozenset({"North"})), Scope(clinics=frozenset({"C4"}))],
    ids=["everything", "region", "clinic"],
)
def test_patients_over_every_range(
    network: Connection, types: tuple[str, ...], scope: Scope
) -> None:
    first = date(2024, 10, 28)
    starts = [first + timedelta(days=d) for d in range(0, 130, 11)]
    for start in starts:
        for length in (0, 6, 30, 31, 62, 140):
            filters = Filters(
                start=start, end=start + timedelta(days=length), procedure_types=types
            )
            fast = kpis.kpi_totals(conn=network, filters=filters, scope=scope)
            slow = naive_kpis.kpi_totals(conn=network, filters=filters, scope=scope)
            assert fast.patients == slow.patients, filters
            by_clinic = clinics.clinic_figures(conn=network, filters=filters, scope=scope)
            expected = naive_clinics.clinic_figures(conn=network, filters=filters, scope=scope)
            assert by_clinic["patients"].tolist() == expected["patients"].tolist(), filters


@pytest.mark.parametrize(
    "scope",
    [Scope.everything(), Scope(regions=frozenset({"North"})), Scope(clinics=frozenset({"C4"}))],
    ids=["everything", "region", "clinic"],
)
@pytest.mark.parametrize("per_clinic", [False, True], ids=["total", "per-clinic"])
def test_ragged_days_of_a_patient_count_are_read_from_an_index(
    network: Connection, scope: Scope, per_clinic: bool
) -> None:
    """Each ragged edge of a distinct-patient count is one range of an index over its days.
    On PostgreSQL the index includes every column such a count reads (and the count of
    patients seen at several clinics reads only its partial index), so each is an index-only
    scan that never visits the table; SQLite searches the same index."""
    from sqlalchemy.sql.visitors import iterate

    from data_access.queries._summary import plan
    from data_access.queries.patients import _counted

    filters = Filters(start=date(2024, 11, 17), end=date(2025, 2, 9))
    selection = plan(network, filters, scope)
    assert selection is not None
    several = selection.clinic_ids is not None and len(selection.clinic_ids) > 1
    if per_clinic or not several:
        level, shared_only = ("clinic" if per_clinic or selection.clinic_ids else "network"), None
    else:
        level, shared_only = "clinic", False
    statement = _counted(
        selection, filters.start, filters.end, level, shared_only, per_clinic=per_clinic
    )
    if network.dialect.name == "postgresql":
        indexes = {
            index["name"]: {
                *index["column_names"],
                *index.get("dialect_options", {}).get("postgresql_include", []),
            }
            for index in inspect(network).get_indexes("procedure_visits")
        }
        branches = [
            branch
            for branch in statement.get_final_froms()[0].element.selects  # type: ignore[attr-defined]
            if procedure_visits in branch.get_final_froms()
        ]
        assert len(branches) == 2 + (shared_only is False)
        for branch in branches:
            read = {
                element.name
                for element in iterate(branch)
                if getattr(element, "table", None) is procedure_visits
            }
            index = (
                "ix_procedure_visits_shared_on"
                if "patient_id" in read
                else "ix_procedure_visits_on_clinic"
            )
            assert read - {"shared"} <= indexes[index], (index, read - indexes[index])
    else:
        compiled = statement.compile(network, compile_kwargs={"literal_binds": True})
        lines = [
            row[-1]
            for row in network.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            if "procedure_visits" in row[-1]
        ]
        assert lines and all(line.startswith("SEARCH procedure_visits USING") for line in lines)


#: The figures read per clinic, for every clinic of the network at once.
PER_CLINIC_FIGURES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (clinics.clinic_figures, {}),
    (soreness.soreness_by_clinic, {}),
    (event_trends.event_series_by_clinic, {"grain": Grain.MONTH}),
    (referrals.referrals_by_clinic_and_source, {}),
    (referrals.referral_conversion, {}),
]
#: The second index of each summary read per clinic, as its leading columns: the equalities
#: a per-clinic read of every clinic makes, then the period.
PERIOD_INDEXES = {
    "summary_procedures": ["grain", "unit_kind", "period_start"],
    "summary_open_days": ["grain", "unit_kind", "period_start"],
    "summary_referrals": ["grain", "unit_kind", "period_start"],
    "summary_referral_conversion": ["grain", "unit_kind", "period_start"],
    "summary_patients": ["unit_kind", "procedure_type", "month"],
}


@pytest.mark.parametrize("figure", range(len(PER_CLINIC_FIGURES)))
def test_every_clinic_is_read_by_period(network: Connection, figure: int) -> None:
    """A figure per clinic over the whole network lists no clinics on PostgreSQL: it asks for
    every clinic row of each part of the range, which the summary's second index (leading
    with the period, after the equalities) answers as one range per part; a list of every
    clinic was one descent of the key per clinic and part, and milliseconds of planning.
    (Which index PostgreSQL picks depends on the data's size: at 10M procedures it is the
    period index, on these few rows any index is as cheap, so the plan is not asserted.)
    SQLite keeps the list and searches the key, never scanning a table."""
    from sqlalchemy import event

    function, options = PER_CLINIC_FIGURES[figure]
    filters = Filters(start=date(2024, 11, 17), end=date(2025, 2, 9))
    executed: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if any(name in statement for name in PERIOD_INDEXES):
            executed.append((statement, parameters))

    event.listen(network, "before_cursor_execute", record)
    try:
        function(conn=network, filters=filters, scope=Scope.everything(), **options)
    finally:
        event.remove(network, "before_cursor_execute", record)
    assert executed
    for statement, parameters in executed:
        read = {name for name in PERIOD_INDEXES if f"FROM {name}" in statement}
        assert read, statement
        if network.dialect.name == "postgresql":
            assert "ANY" not in statement and ".unit IN" not in statement, statement
            for table in read:
                leading = [
                    index["column_names"][: len(PERIOD_INDEXES[table])]
                    for index in inspect(network).get_indexes(table)
                    if index["name"] == f"ix_{table}_clinics_by_period"
                ]
                assert leading == [PERIOD_INDEXES[table]], (table, leading)
        else:
            lines = [
                row[-1]
                for row in network.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                if any(name in row[-1] for name in PERIOD_INDEXES)
            ]
            assert lines and all(line.startswith("SEARCH") for line in lines), lines


@pytest.mark.parametrize("summarise", [True, False], ids=["summarised", "deferred"])
def test_demo_load_queues_every_cell_and_keeps_the_triggers(
    conn: Connection, summarise: bool
) -> None:
    """``load_demo`` writes without the row triggers and queues every cell itself: summarised
    at once, or later (the first start's background refresh) with the base tables answering
    meanwhile; either way the triggers are back for the next write."""
    from data_access.demo import generate_demo, load_demo

    batch = generate_demo(clinics=3, years=0.5, seed=7, end=date(2025, 6, 30))
    load_demo(conn=conn, batch=batch, summarise=summarise)
    assert summaries_pending(conn) is not summarise
    if not summarise:
        refresh_summaries(conn)
    assert_summaries_fresh(conn)
    year = Filters(start=date(2024, 12, 1), end=date(2025, 6, 30))
    assert_figures_agree(conn, year, Scope.everything())
    moved = conn.execute(select(procedures.c.procedure_id).limit(1)).scalar_one()
    conn.execute(
        procedures.update()
        .where(procedures.c.procedure_id == moved)
        .values(performed_on=date(2025, 1, 2))
    )
    assert summaries_pending(conn)  # the triggers are back
    refresh_summaries(conn)
    assert_summaries_fresh(conn)


def test_plan_reads_its_state_in_one_statement(conn: Connection) -> None:
    """The pending check, the clinics' fingerprint and (on PostgreSQL) serial reads for the
    rest of the transaction come from one round trip of one row; the clinics themselves are
    read again only when the table changed (by an import or by hand), and then at once.
    Pending writes still send the queries to the base tables, and a database without clinics
    plans an empty selection."""
    from sqlalchemy import event

    from data_access.queries import _summary
    from data_access.queries._summary import plan

    _summary._CLINICS.clear()  # the memo is per process: start without another test's clinics
    filters = Filters(start=date(2024, 12, 3), end=date(2025, 2, 9))
    north = Filters(start=filters.start, end=filters.end, regions=("North",))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    plan(conn, filters, Scope.everything())  # the schema's version is read once per process
    event.listen(conn, "before_cursor_execute", count)
    try:
        statements.clear()
        empty = plan(conn, filters, Scope.everything())
        assert empty is not None and empty.empty and len(statements) == 1
        load_handmade(conn)
        refresh_summaries(conn)
        statements.clear()
        selection = plan(conn, filters, Scope.everything())
        assert len(statements) == 2  # new clinics: read once
        assert selection is not None and selection.clinic_ids is None
        assert len(selection.every_clinic) > 1
        statements.clear()
        assert plan(conn, filters, Scope.everything()) == selection
        assert len(statements) == 1  # the same clinics: from the memo
        if conn.dialect.name == "postgresql":
            parallel = conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
            assert parallel == "0"
        in_north = plan(conn, north, Scope.everything())
        assert in_north is not None and in_north.clinic_ids == ("C1", "C2")
        # A clinic moved to another region without an import: the next plan knows it.
        conn.execute(
            clinics_table.update().where(clinics_table.c.clinic_id == "C3").values(region="North")
        )
        refresh_summaries(conn)  # a region's rows change with its clinics
        moved = plan(conn, north, Scope.everything())
        assert moved is not None and moved.clinic_ids is None  # every clinic is in North now
        conn.execute(
            clinics_table.update().where(clinics_table.c.clinic_id == "C3").values(region="South")
        )
        refresh_summaries(conn)
        back = plan(conn, north, Scope.everything())
        assert back == in_north
        mark_everything_pending(conn)
        assert plan(conn, filters, Scope.everything()) is None
    finally:
        event.remove(conn, "before_cursor_execute", count)
