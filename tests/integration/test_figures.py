"""Every derived figure of the data contract against values worked out by hand (see
``handmade.py`` for the data), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Connection

from data_access.filters import Filters, Grain, Scope
from data_access.queries.adverse_events import (
    event_rows,
    event_series,
    events_by_type_and_severity,
    rates_by_procedure_type,
)
from data_access.queries.clinics import (
    clinic_directory,
    clinic_figures,
    earliest_procedure_date,
    latest_procedure_date,
)
from data_access.queries.kpis import kpi_totals
from data_access.queries.referrals import (
    referral_conversion,
    referral_trend,
    referrals_by_clinic_and_source,
)
from data_access.queries.relief import immediate_relief
from data_access.queries.soreness import soreness_by_clinic, soreness_by_days_after
from data_access.queries.volumes import volume_by_clinic_and_type, volume_trend
from tests.integration.handmade import load_handmade

EVERYTHING = Scope.everything()
JANUARY = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))


@pytest.fixture
def db(conn: Connection) -> Connection:
    load_handmade(conn)
    return conn


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # P1 P2 P3 P4 P6; patients A B C E; events E1 E2 -> 2/5; follow-up 0-14 d: all but P3;
        # soreness sample P1 F1=2, P2 F3=6, P4 F5=4, P6 F05=0 (tie on the date) -> median 3.
        (
            JANUARY,
            dict(
                procedures=5,
                patients=4,
                adverse_events=2,
                ae_rate_per_1000=400.0,
                followup_rate=0.8,
                median_soreness=3.0,
                referrals=3,
                referrals_by_source={"chiropractic": 1, "primary_care": 1, "self": 1},
            ),
        ),
        (
            Filters(start=JANUARY.start, end=JANUARY.end, regions=("North",)),
            dict(
                procedures=4,
                patients=3,
                adverse_events=2,
                ae_rate_per_1000=500.0,
                followup_rate=0.75,
                median_soreness=4.0,
                referrals=2,
                referrals_by_source={"chiropractic": 1, "primary_care": 1},
            ),
        ),
        # Referrals ignore the procedure-type filter.
        (
            Filters(start=JANUARY.start, end=JANUARY.end, procedure_types=("dry_needling",)),
            dict(
                procedures=2,
                patients=2,
                adverse_events=0,
                ae_rate_per_1000=0.0,
                followup_rate=0.5,
                median_soreness=6.0,
                referrals=3,
                referrals_by_source={"chiropractic": 1, "primary_care": 1, "self": 1},
            ),
        ),
        (
            Filters(start=date(2025, 1, 10), end=date(2025, 1, 10)),
            dict(
                procedures=2,
                patients=2,
                adverse_events=1,
                ae_rate_per_1000=500.0,
                followup_rate=1.0,
                median_soreness=4.0,
                referrals=0,
                referrals_by_source={},
            ),
        ),
        # No procedures: rates undefined.
        (
            Filters(start=date(2025, 2, 1), end=date(2025, 2, 28), clinics=("C3",)),
            dict(
                procedures=0,
                patients=0,
                adverse_events=0,
                ae_rate_per_1000=None,
                followup_rate=None,
                median_soreness=None,
                referrals=0,
                referrals_by_source={},
            ),
        ),
        # Both filters: clinic C1 of region South selects nothing.
        (
            Filters(start=JANUARY.start, end=JANUARY.end, regions=("South",), clinics=("C1",)),
            dict(
                procedures=0,
                patients=0,
                adverse_events=0,
                ae_rate_per_1000=None,
                followup_rate=None,
                median_soreness=None,
                referrals=0,
                referrals_by_source={},
            ),
        ),
    ],
)
def test_kpi_totals(db: Connection, filters: Filters, expected: dict[str, object]) -> None:
    assert kpi_totals(conn=db, filters=filters, scope=EVERYTHING).as_dict() == expected


def test_scope_is_intersected_with_filters(db: Connection) -> None:
    staff_c3 = Scope(clinics=frozenset({"C3"}))
    assert kpi_totals(conn=db, filters=JANUARY, scope=staff_c3).procedures == 1
    # Asking for another clinic outside the scope yields nothing, not that clinic.
    asks_c1 = Filters(start=JANUARY.start, end=JANUARY.end, clinics=("C1",))
    assert kpi_totals(conn=db, filters=asks_c1, scope=staff_c3).procedures == 0
    north = Scope(regions=frozenset({"North"}))
    assert set(clinic_directory(conn=db, scope=north)["clinic_id"]) == {"C1", "C2"}
    assert kpi_totals(conn=db, filters=JANUARY, scope=north).referrals == 2


def test_clinic_figures_agree_with_totals(db: Connection) -> None:
    figures = clinic_figures(conn=db, filters=JANUARY, scope=EVERYTHING).set_index("clinic_id")
    assert figures.loc[
        "C1", ["procedures", "patients", "open_days", "followed_up", "adverse_events"]
    ].tolist() == [3, 2, 2, 2, 1]
    assert figures.loc["C2", ["procedures", "followed_up", "adverse_events"]].tolist() == [1, 1, 1]
    assert figures.loc["C3", ["procedures", "followed_up", "adverse_events"]].tolist() == [1, 1, 0]
    assert figures.loc["C3", "name"] == "Española Clinic"
    totals = kpi_totals(conn=db, filters=JANUARY, scope=EVERYTHING)
    assert figures["procedures"].sum() == totals.procedures
    assert figures["adverse_events"].sum() == totals.adverse_events


def test_volume_trend_by_week_and_month(db: Connection) -> None:
    weekly = volume_trend(conn=db, filters=JANUARY, scope=EVERYTHING, grain=Grain.WEEK)
    by_week = weekly.groupby("period")["procedures"].sum()
    # Mondays: 01-10 (Fri) -> 01-06; 01-15 (Wed) -> 01-13; 01-20 (Mon); 01-31 (Fri) -> 01-27.
    assert by_week.to_dict() == {
        pd.Timestamp("2025-01-06"): 2,
        pd.Timestamp("2025-01-13"): 1,
        pd.Timestamp("2025-01-20"): 1,
        pd.Timestamp("2025-01-27"): 1,
    }
    monthly = volume_trend(conn=db, filters=JANUARY, scope=EVERYTHING, grain=Grain.MONTH)
    assert set(monthly["period"]) == {pd.Timestamp("2025-01-01")}
    assert dict(zip(monthly["procedure_type"], monthly["procedures"], strict=True)) == {
        "dry_needling": 2,
        "other": 1,
        "tpi_corticosteroid": 1,
        "tpi_local_anesthetic": 1,
    }
    by_clinic = volume_by_clinic_and_type(conn=db, filters=JANUARY, scope=EVERYTHING)
    assert by_clinic["procedures"].sum() == 5


def test_soreness_distributions(db: Connection) -> None:
    by_days = soreness_by_days_after(conn=db, filters=JANUARY, scope=EVERYTHING)
    cells = {
        (r.procedure_type, r.days_after): (r.followups, r.median) for r in by_days.itertuples()
    }
    assert cells == {
        ("tpi_local_anesthetic", "0–1"): (1, 2.0),
        ("tpi_local_anesthetic", "2–3"): (1, 1.0),
        ("dry_needling", "0–1"): (1, 6.0),
        ("tpi_corticosteroid", "8–14"): (1, 4.0),
        ("other", "0–1"): (2, 1.5),
    }
    by_clinic = soreness_by_clinic(conn=db, filters=JANUARY, scope=EVERYTHING).set_index(
        "clinic_id"
    )
    # C1's sample: P1 -> 2, P2 -> 6 (P3's only follow-up is on day 21).
    assert by_clinic.loc["C1", ["followups", "minimum", "median", "maximum"]].tolist() == [
        2,
        2.0,
        4.0,
        6.0,
    ]
    assert by_clinic.loc["C3", "median"] == 0.0


def test_immediate_relief(db: Connection) -> None:
    relief = immediate_relief(conn=db, filters=JANUARY, scope=EVERYTHING).set_index(
        "procedure_type"
    )
    # Dry needling: 5->4 (1 point, 20%: no), 3->2 (1 point, 33%: yes).
    assert relief.loc["dry_needling", ["scored", "improved"]].tolist() == [2, 1]
    assert relief.loc["dry_needling", "mean_before"] == pytest.approx(4.0)
    assert relief.loc["other", "improved"] == 1  # 10 -> 8: two points
    assert "tpi_corticosteroid" not in relief.index  # no scores


def test_adverse_event_breakdowns(db: Connection) -> None:
    by_kind = events_by_type_and_severity(conn=db, filters=JANUARY, scope=EVERYTHING)
    assert sorted(
        zip(by_kind["event_type"], by_kind["severity"], by_kind["events"], strict=True)
    ) == [("bleeding", "moderate", 1), ("vasovagal", "mild", 1)]
    by_type = rates_by_procedure_type(conn=db, filters=JANUARY, scope=EVERYTHING)
    assert by_type.set_index("procedure_type")["events"].to_dict() == {
        "dry_needling": 0,
        "other": 0,
        "tpi_corticosteroid": 1,
        "tpi_local_anesthetic": 1,
    }
    series = event_series(conn=db, filters=JANUARY, scope=EVERYTHING, grain=Grain.MONTH)
    assert series[["procedures", "events"]].values.tolist() == [[5, 2]]
    serious = event_rows(conn=db, filters=JANUARY, scope=EVERYTHING, serious_only=True)
    assert serious["event_id"].tolist() == ["E2"]
    assert serious.loc[0, "description"] == '<b>E2</b> "x"'  # verbatim
    hidden = event_rows(conn=db, filters=JANUARY, scope=Scope(row_detail=False))
    assert hidden["description"].isna().all()
    assert "patient_id" not in hidden.columns


def test_referrals(db: Connection) -> None:
    by_source = referrals_by_clinic_and_source(conn=db, filters=JANUARY, scope=EVERYTHING)
    assert by_source["referrals"].sum() == 3
    trend = referral_trend(conn=db, filters=JANUARY, scope=EVERYTHING, grain=Grain.MONTH)
    assert trend["referrals"].sum() == 3
    conversion = referral_conversion(conn=db, filters=JANUARY, scope=EVERYTHING).set_index(
        "clinic_id"
    )
    assert conversion.loc["C1", ["referrals", "converted"]].tolist() == [2, 1]
    assert conversion.loc["C1", "median_days_to_first"] == 5.0
    assert conversion.loc["C3", "median_days_to_first"] == 14.0
    assert "C2" not in conversion.index  # R4 is in December


def test_date_bounds(db: Connection) -> None:
    assert latest_procedure_date(conn=db, scope=EVERYTHING) == date(2025, 2, 1)
    assert earliest_procedure_date(conn=db, scope=EVERYTHING) == date(2025, 1, 10)
    assert latest_procedure_date(conn=db, scope=Scope(clinics=frozenset({"C3"}))) == date(
        2025, 1, 15
    )
