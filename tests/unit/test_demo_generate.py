"""The demo generator: deterministic, valid per the contract, and shaped like real clinics."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.holiday import USFederalHolidayCalendar

from data_access.contract import FILES_BY_NAME, US_STATES, FileSpec, Kind
from data_access.demo import DemoBatch, generate_demo
from data_access.demo.batch import KIND_DTYPES

END = date(2026, 5, 15)


@pytest.fixture(scope="module")
def small() -> DemoBatch:
    return generate_demo(clinics=6, years=1, end=END)


@pytest.fixture(scope="module")
def medium() -> DemoBatch:
    """Big enough for rates and medians to settle."""
    return generate_demo(clinics=12, years=2, end=END)


def assert_valid(spec: FileSpec, frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == spec.column_names
    assert frame[spec.key].is_unique
    for column in spec.columns:
        values = frame[column.name]
        assert str(values.dtype) == KIND_DTYPES[column.kind], column.name
        if column.required:
            assert values.notna().all(), f"{spec.name}.{column.name} has blanks"
        present = values.dropna()
        if column.choices:
            assert present.isin(column.choices).all(), column.name
        if column.kind is Kind.STATE:
            assert present.isin(US_STATES).all()
        if column.kind in (Kind.TEXT, Kind.ENUM):
            lengths = present.str.len()
            assert lengths.min() >= (column.min_length or 1), column.name
            assert lengths.max() <= (column.max_length or 10**6), column.name
        if column.min_value is not None:
            assert (present >= column.min_value).all(), column.name
        if column.max_value is not None:
            assert (present <= column.max_value).all(), column.name


def with_procedure(batch: DemoBatch, frame: pd.DataFrame) -> pd.DataFrame:
    procedures = batch.procedures[["procedure_id", "clinic_id", "performed_at", "procedure_type"]]
    return frame.merge(procedures, on="procedure_id", how="left", validate="many_to_one")


def days_after(moments: pd.Series, performed_at: pd.Series) -> pd.Series:
    return (moments.dt.normalize() - performed_at.dt.normalize()).dt.days


def test_same_arguments_give_identical_frames() -> None:
    first = generate_demo(clinics=5, years=0.5, seed=7, end=END)
    again = generate_demo(clinics=5, years=0.5, seed=7, end=END)
    other = generate_demo(clinics=5, years=0.5, seed=8, end=END)
    for name, frame in first.frames().items():
        pd.testing.assert_frame_equal(frame, again.frames()[name])
    assert first.drifting_clinics == again.drifting_clinics
    assert not first.procedures.equals(other.procedures)
    assert not first.clinics.equals(other.clinics)


def test_frames_are_keyed_by_contract_file(small: DemoBatch) -> None:
    assert list(small.frames()) == [
        "clinics",
        "procedures",
        "followups",
        "adverse_events",
        "referrals",
    ]


def test_every_value_is_valid_per_the_contract(small: DemoBatch) -> None:
    for name, frame in small.frames().items():
        assert len(frame) > 0, name
        assert_valid(FILES_BY_NAME[name], frame)


def test_references_resolve(small: DemoBatch) -> None:
    clinic_ids = set(small.clinics["clinic_id"])
    assert set(small.procedures["clinic_id"]) <= clinic_ids
    assert set(small.referrals["clinic_id"]) <= clinic_ids
    procedure_ids = set(small.procedures["procedure_id"])
    assert set(small.followups["procedure_id"]) <= procedure_ids
    assert set(small.adverse_events["procedure_id"]) <= procedure_ids
    assert set(small.drifting_clinics) <= clinic_ids


def test_dates_lie_in_the_period_and_never_before_the_procedure(small: DemoBatch) -> None:
    start = pd.Timestamp(END - timedelta(days=364))
    last_moment = pd.Timestamp(END) + pd.Timedelta(days=1)
    for frame, column in (
        (small.procedures, "performed_at"),
        (small.followups, "followup_at"),
        (small.adverse_events, "onset_at"),
        (small.referrals, "referred_on"),
    ):
        assert frame[column].min() >= start, column
        assert frame[column].max() < last_moment, column
    for frame, column in ((small.followups, "followup_at"), (small.adverse_events, "onset_at")):
        joined = with_procedure(small, frame)
        assert (days_after(joined[column], joined["performed_at"]) >= 0).all()
        timed = joined[column].dt.normalize().ne(joined[column])
        timed &= joined["performed_at"].dt.normalize().ne(joined["performed_at"])
        assert (joined.loc[timed, column] >= joined.loc[timed, "performed_at"]).all()
    events = with_procedure(small, small.adverse_events)
    assert days_after(events["onset_at"], events["performed_at"]).max() <= 3


def test_default_end_is_today() -> None:
    batch = generate_demo(clinics=2, years=0.25)
    assert batch.procedures["performed_at"].max().date() <= date.today()
    assert batch.procedures["performed_at"].max().date() >= date.today() - timedelta(days=30)


def test_clinics_look_like_a_rural_network(small: DemoBatch) -> None:
    names = small.clinics["name"]
    assert names.str.contains("'").any()
    assert names.str.contains("ñ").any()
    assert small.clinics["region"].nunique() == 6
    network = generate_demo(clinics=40, years=0.25, end=END).clinics
    assert network["region"].nunique() == 9
    assert (network["ruca_code"] >= 4).mean() >= 0.8
    assert (
        network["latitude"].between(24, 50).all() and network["longitude"].between(-125, -66).all()
    )


def test_clinics_work_weekdays_outside_holidays_and_after_opening(medium: DemoBatch) -> None:
    performed = medium.procedures["performed_at"]
    assert (performed.dt.day_of_week >= 5).mean() < 0.03
    holidays = USFederalHolidayCalendar().holidays(performed.min(), performed.max())
    assert not performed.dt.normalize().isin(holidays).any()
    opened = medium.procedures["clinic_id"].map(medium.clinics.set_index("clinic_id")["opened_on"])
    assert (performed.dt.normalize() >= opened).all()
    per_clinic = medium.procedures["clinic_id"].value_counts()
    assert per_clinic.max() / per_clinic.min() > 3


def test_procedures_are_consistent(medium: DemoBatch) -> None:
    procedures = medium.procedures
    needling = procedures["procedure_type"] == "dry_needling"
    cpt = procedures["cpt_code"]
    assert cpt[needling].dropna().isin(["20560", "20561"]).all()
    tpi = procedures["procedure_type"].str.startswith("tpi_")
    assert cpt[tpi].dropna().isin(["20552", "20553"]).all()
    assert procedures["trigger_points"].dropna().between(1, 6).all()
    assert procedures["patient_id"].str.fullmatch(r"P-\d{6,}").all()
    visits = procedures["patient_id"].value_counts()
    assert (visits > 1).mean() > 0.3
    improvement = (procedures["pain_before"] - procedures["pain_after"]).dropna()
    assert 0.6 < (improvement >= 2).mean() < 0.9
    assert procedures["pain_before"].isna().any()


def test_soreness_after_dry_needling_exceeds_local_anesthetic(medium: DemoBatch) -> None:
    joined = with_procedure(medium, medium.followups)
    days = days_after(joined["followup_at"], joined["performed_at"])
    early = joined[days.between(1, 3)]
    median = early.groupby("procedure_type")["soreness"].median()
    assert median["dry_needling"] > median["tpi_local_anesthetic"]
    assert joined.loc[days.between(13, 14), "soreness"].median() <= 1
    reached = medium.procedures["procedure_id"].isin(medium.followups["procedure_id"])
    by_clinic = reached.groupby(medium.procedures["clinic_id"]).mean()
    assert by_clinic.between(0.45, 0.97).all()


def test_adverse_events_are_rare_mostly_mild_and_drift_upward(medium: DemoBatch) -> None:
    events, procedures = medium.adverse_events, medium.procedures
    assert 0.003 <= len(events) / len(procedures) <= 0.015
    assert (events["severity"] == "mild").mean() > 0.6
    assert events["serious"].mean() < 0.05
    assert events["description"].str.contains("\n").any()
    assert events["description"].str.contains('"').any()

    assert len(medium.drifting_clinics) == 2
    last_year = pd.Timestamp(END) - pd.Timedelta(days=365)
    recent = procedures[procedures["performed_at"] > last_year]
    recent_events = with_procedure(medium, events)
    recent_events = recent_events[recent_events["performed_at"] > last_year]
    drifting = recent["clinic_id"].isin(medium.drifting_clinics)
    others = (~recent_events["clinic_id"].isin(medium.drifting_clinics)).sum() / (~drifting).sum()
    for clinic in medium.drifting_clinics:
        rate = (recent_events["clinic_id"] == clinic).sum() / (recent["clinic_id"] == clinic).sum()
        assert rate >= 2.5 * others, clinic


def test_referrals_precede_first_procedures(medium: DemoBatch) -> None:
    referrals, procedures = medium.referrals, medium.procedures
    assert 0.15 < len(referrals) / len(procedures) < 0.5
    first = procedures.groupby(["patient_id", "clinic_id"], as_index=False)["performed_at"].min()
    joined = referrals.merge(first, on=["patient_id", "clinic_id"], how="left")
    lag = (joined["performed_at"].dt.normalize() - joined["referred_on"]).dt.days
    assert 0.6 < lag.notna().mean() < 0.9
    assert lag.dropna().between(3, 40).all()
    assert referrals["source"].value_counts().index[0] == "primary_care"


@pytest.mark.parametrize("arguments", [{"clinics": 0}, {"years": 0}])
def test_rejects_an_empty_network(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        generate_demo(**arguments)  # type: ignore[arg-type]


def test_a_one_clinic_network_still_works() -> None:
    batch = generate_demo(clinics=1, years=0.2, end=END)
    assert len(batch.clinics) == 1 and len(batch.procedures) > 0
    assert batch.drifting_clinics == ("CL-001",)
    assert np.isin(batch.followups["procedure_id"], batch.procedures["procedure_id"]).all()
