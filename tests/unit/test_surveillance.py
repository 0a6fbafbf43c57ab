"""Signal logic on constructed frames: funnel flags, control-chart signals, serious events,
rates with intervals, and the order of the signals list."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data_access.filters import Grain
from data_access.statistics import FunnelZone
from data_access.surveillance import (
    NETWORK,
    ChartMethod,
    ChartSubject,
    chart_subjects,
    clinic_funnel,
    control_chart,
    group_rates,
    share_rates,
    subject_series,
    with_intervals,
)
from data_access.surveillance_signals import (
    SIGNAL_COLUMNS,
    SignalKind,
    chart_signals,
    is_informative,
    surveillance_signals,
)

AS_OF = date(2026, 6, 30)
P0 = 0.007


def clinics_frame(events, procedures, *, names=None, regions=None) -> pd.DataFrame:
    count = len(events)
    return pd.DataFrame(
        {
            "clinic_id": [f"C{i:02d}" for i in range(count)],
            "name": names or [f"Clinic {i:02d}" for i in range(count)],
            "region": regions or ["North" if i % 2 else "South" for i in range(count)],
            "procedures": procedures,
            "adverse_events": events,
        }
    )


def null_network(seed: int, clinics: int = 40, volume: int = 400) -> pd.DataFrame:
    """Clinics whose events are pure binomial noise around P0 (volumes 200..1,000)."""
    rng = np.random.default_rng(seed)
    procedures = rng.integers(200, 1000, clinics)
    return clinics_frame(rng.binomial(procedures, P0).tolist(), procedures.tolist())


def no_events() -> pd.DataFrame:
    columns = [
        *("event_id", "onset_on", "performed_on", "clinic_id", "clinic_name"),
        *("procedure_type", "event_type", "severity", "serious", "outcome", "reviewed"),
    ]
    return pd.DataFrame(columns=columns).astype({"serious": bool})


def all_signals(clinics, *, series=None, events=None, grain=Grain.MONTH, adjust=True):
    funnel = clinic_funnel(clinics, adjust_for_overdispersion=adjust)
    series = (
        series
        if series is not None
        else pd.DataFrame(columns=["clinic_id", "period", "procedures", "events"])
    )
    charts = [
        control_chart(subject_series(series, clinics, s), s) for s in chart_subjects(clinics)
    ] if not series.empty else []  # fmt: skip
    types = pd.DataFrame(columns=["procedure_type", "procedures", "events"])
    return surveillance_signals(
        funnel=funnel, procedure_types=group_rates(types, "procedure_type", funnel.p0),
        charts=charts, grain=grain, series_by_clinic=series, clinics=clinics,
        serious_events=events if events is not None else no_events(), as_of=AS_OF,
    )  # fmt: skip


def test_clinic_at_five_times_the_network_rate_is_flagged_by_name():
    clinics = null_network(seed=7)
    clinics.loc[5, ["procedures", "adverse_events"]] = [600, 21]  # 35 per 1,000, ~5x
    clinics.loc[5, "name"] = "Harlan Pain & Wellness"
    funnel = clinic_funnel(clinics)
    assert funnel.table.loc[5, "zone"] == FunnelZone.ALARM_HIGH
    signals = all_signals(clinics)
    high = signals[signals["kind"] == SignalKind.CLINIC_HIGH]
    assert high["subject_name"].tolist() == ["Harlan Pain & Wellness"]
    assert high["clinic_id"].tolist() == ["C05"]
    assert "21 events in 600 procedures" in high["reason"].iloc[0]
    assert "99.8%" in high["reason"].iloc[0]
    assert high["headline"].iloc[0].startswith("Harlan Pain & Wellness:")


def test_five_fold_clinic_is_still_flagged_when_limits_allow_for_overdispersion():
    rng = np.random.default_rng(3)
    procedures = rng.integers(2000, 6000, 30)
    true_rates = P0 * rng.gamma(3.0, 1 / 3.0, 30)  # clinics differ more than chance
    events = rng.binomial(procedures, true_rates)
    clinics = clinics_frame(events.tolist(), procedures.tolist())
    clinics.loc[0, ["procedures", "adverse_events"]] = [1200, 42]
    funnel = clinic_funnel(clinics, adjust_for_overdispersion=True)
    assert funnel.overdispersion.overdispersed and funnel.adjusted
    assert funnel.phi == pytest.approx(funnel.overdispersion.phi)
    assert funnel.table.loc[0, "zone"] == FunnelZone.ALARM_HIGH
    exact = clinic_funnel(clinics, adjust_for_overdispersion=False)
    flagged = lambda f: int(f.table["zone"].isin(["alarm_high", "alarm_low"]).sum())  # noqa: E731
    assert flagged(funnel) <= flagged(exact)


@pytest.mark.parametrize("seed", range(10))
def test_clinics_at_the_null_rate_are_mostly_not_flagged(seed):
    funnel = clinic_funnel(null_network(seed))
    beyond = funnel.table["zone"].isin([FunnelZone.ALARM_HIGH, FunnelZone.ALARM_LOW])
    # 0.2% expected per clinic; allow one unlucky clinic in 40.
    assert beyond.sum() <= 1
    assert not funnel.adjusted  # pure binomial noise is not overdispersed (phi ~0.68)


def test_false_signal_share_over_many_null_networks_is_small():
    flagged = total = 0
    for seed in range(50):
        table = clinic_funnel(null_network(seed)).table
        flagged += int(table["zone"].isin([FunnelZone.ALARM_HIGH, FunnelZone.ALARM_LOW]).sum())
        total += len(table)
    assert flagged / total < 0.01


def test_funnel_table_limits_and_centre():
    clinics = clinics_frame([2, 12, 0], [100, 400, 60])
    funnel = clinic_funnel(clinics)
    assert funnel.p0 == pytest.approx(14 / 560)
    table = funnel.table
    assert (table["lower998"] <= table["lower95"]).all()
    assert (table["upper95"] <= table["upper998"]).all()
    assert (table["lower998"] >= 0).all()
    assert table["expected"].tolist() == pytest.approx([100 * 14 / 560, 400 * 14 / 560, 1.5])


def test_clinic_without_procedures_has_no_zone_and_no_signal():
    clinics = clinics_frame([3, 0, 5], [500, 0, 450])
    table = clinic_funnel(clinics).table
    assert pd.isna(table.loc[1, "zone"])
    assert np.isnan(table.loc[1, "upper998"])
    assert all_signals(clinics).empty


def test_empty_selection_gives_no_signals_and_no_errors():
    clinics = clinics_frame([], [])
    funnel = clinic_funnel(clinics)
    assert np.isnan(funnel.p0) and funnel.table.empty
    assert all_signals(clinics).empty
    assert list(all_signals(clinics).columns) == SIGNAL_COLUMNS


def test_with_intervals_matches_garwood_and_wilson():
    rows = with_intervals(pd.DataFrame({"events": [0, 12], "procedures": [100, 400]}))
    assert rows["rate"].tolist() == pytest.approx([0.0, 30.0])
    assert rows.loc[0, "rate_low"] == 0.0
    assert rows.loc[0, "rate_high"] == pytest.approx(36.888794, rel=1e-6)  # chi2(.975, 2)/2
    assert rows.loc[0, "proportion_high"] == pytest.approx(0.036994, rel=1e-4)  # Wilson 0/100
    assert rows.loc[1, "proportion"] == pytest.approx(0.03)


def test_share_rates_use_the_whole_selection_as_denominator():
    counts = pd.DataFrame(
        {"event_type": ["vasovagal", "vasovagal", "bleeding"],
         "severity": ["mild", "moderate", "mild"], "events": [4, 1, 3]}
    )  # fmt: skip
    by_type = share_rates(counts, "event_type", 1000).set_index("event_type")
    assert by_type.loc["vasovagal", "rate"] == pytest.approx(5.0)
    assert by_type.loc["bleeding", "procedures"] == 1000
    by_severity = share_rates(counts, "severity", 1000).set_index("severity")
    assert by_severity.loc["mild", "events"] == 7


def test_procedure_type_out_of_line_is_a_signal():
    clinics = clinics_frame([30, 30], [4000, 4000])
    types = pd.DataFrame(
        {"procedure_type": ["dry_needling", "tpi_saline"], "procedures": [4000, 4000],
         "events": [52, 8]}
    )  # fmt: skip
    funnel = clinic_funnel(clinics)
    rates = group_rates(types, "procedure_type", 60 / 8000)
    assert rates.set_index("procedure_type").loc["dry_needling", "zone"] == "alarm_high"
    signals = surveillance_signals(
        funnel=funnel, procedure_types=rates, charts=[], grain=Grain.MONTH,
        series_by_clinic=pd.DataFrame(), clinics=clinics, serious_events=no_events(),
        as_of=AS_OF,
    )  # fmt: skip
    kinds = dict(zip(signals["subject_key"], signals["kind"], strict=True))
    assert kinds == {"dry_needling": "procedure_type_high", "tpi_saline": "procedure_type_low"}
    assert signals["subject_name"].tolist()[0] == "Dry needling"


def monthly(events, procedures, clinic="C00") -> pd.DataFrame:
    periods = pd.date_range("2024-01-01", periods=len(events), freq="MS")
    return pd.DataFrame(
        {"clinic_id": clinic, "period": periods, "procedures": procedures, "events": events}
    )


def test_a_month_far_above_the_limit_is_a_chart_signal_naming_the_clinic():
    clinics = clinics_frame([0], [0], names=["Elko Trigger Point Center"])
    events = [12, 6, 12, 6, 12, 6, 12, 6, 40, 12, 6, 12]  # crossing the average: no run
    series = monthly(events, [1000] * 12)
    subject = ChartSubject("clinic", "C00", "Elko Trigger Point Center")
    chart = control_chart(subject_series(series, clinics, subject), subject, ChartMethod.P)
    assert chart.table["above"].tolist() == [False] * 8 + [True] + [False] * 3
    found = chart_signals(chart, Grain.MONTH, series, clinics)
    assert [s["kind"] for s in found] == [SignalKind.CHART_ABOVE]
    assert found[0]["subject_name"] == "Elko Trigger Point Center"
    assert found[0]["clinic_id"] == "C00"
    assert found[0]["signal_on"] == pd.Timestamp("2024-09-01")
    assert "Sep 2024" in found[0]["reason"]


def test_a_sustained_shift_is_a_run_rule_signal():
    events = [5] * 12 + [9] * 12
    chart = control_chart(monthly(events, [1000] * 24), NETWORK, ChartMethod.P)
    assert chart.runs.runs_signal
    assert chart.longest_run == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"))
    found = chart_signals(chart, Grain.MONTH, pd.DataFrame(), clinics_frame([], []))
    runs = [s for s in found if s["kind"] == SignalKind.CHART_RUNS]
    assert len(runs) == 1
    assert "12 periods in a row" in runs[0]["reason"]


def test_network_point_above_names_the_clinic_with_most_excess_events():
    clinics = clinics_frame([0, 0], [0, 0], names=["Quiet Clinic", "Busy Clinic"])
    quiet = monthly([7] * 12, [1000] * 12, "C00")
    busy = monthly([7] * 8 + [40] + [7] * 3, [1000] * 12, "C01")
    series = pd.concat([quiet, busy], ignore_index=True)
    chart = control_chart(subject_series(series, clinics, NETWORK), NETWORK, ChartMethod.P)
    found = chart_signals(chart, Grain.MONTH, series, clinics)
    above = [s for s in found if s["kind"] == SignalKind.CHART_ABOVE]
    assert "Most excess events: Busy Clinic" in above[0]["reason"]


def test_sparse_charts_raise_no_signals():
    events = [0, 0, 3, 0, 0, 1, 0, 0, 0, 2, 0, 0]  # ~0.5 events expected per month
    chart = control_chart(monthly(events, [80] * 12), NETWORK)
    assert not is_informative(chart)
    assert chart_signals(chart, Grain.MONTH, pd.DataFrame(), clinics_frame([], [])) == []


def test_laney_chart_is_chosen_automatically_only_when_periods_are_overdispersed():
    rng = np.random.default_rng(11)
    stable = control_chart(monthly(rng.binomial(2000, P0, 24).tolist(), [2000] * 24))
    assert stable.method is ChartMethod.P
    wandering = rng.binomial(20000, P0 * rng.gamma(4, 1 / 4, 24))
    chart = control_chart(monthly(wandering.tolist(), [20000] * 24))
    assert chart.method is ChartMethod.LANEY and chart.sigma_z > 1


def serious_events() -> pd.DataFrame:
    rows = [
        ("E1", "2026-05-02", "C01", "Española Clinic", "pneumothorax", "severe", True, False),
        ("E2", "2026-06-10", "C02", "O'Neill Clinic", "vasovagal", "mild", False, False),
        ("E3", "2026-06-20", "C03", "Harlan Pain & Wellness", "infection", "severe", True, True),
    ]
    frame = pd.DataFrame(
        rows, columns=["event_id", "onset_on", "clinic_id", "clinic_name", "event_type",
                       "severity", "serious", "reviewed"]
    )  # fmt: skip
    frame["onset_on"] = pd.to_datetime(frame["onset_on"]).dt.date
    frame["performed_on"] = frame["onset_on"]
    frame["procedure_type"] = "dry_needling"
    frame["outcome"] = "resolved"
    frame["reviewer"], frame["expectedness"], frame["relatedness"] = "dr.m", "expected", "related"
    return frame


def test_every_serious_event_is_a_signal_newest_first():
    clinics = null_network(seed=1)
    clinics.loc[3, ["procedures", "adverse_events"]] = [900, 32]
    signals = all_signals(clinics, events=serious_events())
    serious = signals[signals["kind"] == SignalKind.SERIOUS_EVENT]
    assert serious["event_id"].tolist() == ["E3", "E1"]  # E2 is not serious
    assert serious["subject_name"].tolist() == ["Harlan Pain & Wellness", "Española Clinic"]
    assert "Reviewed by dr.m" in serious["reason"].iloc[0]
    assert "Not yet reviewed" in serious["reason"].iloc[1]
    # Newest first: the funnel signal is dated at the end of the range.
    assert signals["kind"].iloc[0] == SignalKind.CLINIC_HIGH
    dates = signals["signal_on"].tolist()
    assert dates == sorted(dates, reverse=True)
