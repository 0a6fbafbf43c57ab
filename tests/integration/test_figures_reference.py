"""The KPI figures of an imported batch equal an independent computation straight from the
contract's "Derived figures" over the batch's CSV files (plain pandas, sharing no code with
the data-access layer), for several filter combinations, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection

from data_access.demo import generate_demo, write_demo_csv
from data_access.filters import Filters, Scope
from data_access.importer import import_batch
from data_access.queries.kpis import kpi_totals

END = date(2026, 6, 30)


def reference_kpis(
    batch: Path,
    start: date,
    end: date,
    regions: tuple[str, ...] = (),
    clinics: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
) -> dict[str, object]:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(batch / f"{name}.csv", dtype=str, keep_default_na=False)

    def day(text: pd.Series) -> pd.Series:
        return pd.to_datetime(text.str.slice(0, 10))  # the demo writes clinic-local times

    sites = read("clinics")
    if regions:
        sites = sites[sites["region"].isin(regions)]
    if clinics:
        sites = sites[sites["clinic_id"].isin(clinics)]
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)

    procs = read("procedures")
    procs["day"] = day(procs["performed_at"])
    procs = procs[procs["day"].between(lo, hi) & procs["clinic_id"].isin(sites["clinic_id"])]
    if types:
        procs = procs[procs["procedure_type"].isin(types)]
    n = len(procs)

    events = read("adverse_events")
    n_events = int(events["procedure_id"].isin(procs["procedure_id"]).sum())

    follow = read("followups").merge(procs[["procedure_id", "day"]], on="procedure_id")
    follow["days_after"] = (day(follow["followup_at"]) - follow["day"]).dt.days
    follow["followup_day"] = day(follow["followup_at"])
    window = follow[follow["days_after"].between(0, 14)]
    first = window.sort_values(["followup_day", "followup_id"]).groupby("procedure_id").head(1)

    refs = read("referrals")
    refs["day"] = pd.to_datetime(refs["referred_on"])
    refs = refs[refs["day"].between(lo, hi) & refs["clinic_id"].isin(sites["clinic_id"])]
    by_source = refs["source"].value_counts().sort_index()

    return {
        "procedures": n,
        "patients": int(procs["patient_id"].nunique()),
        "adverse_events": n_events,
        "ae_rate_per_1000": 1000 * n_events / n if n else None,
        "followup_rate": window["procedure_id"].nunique() / n if n else None,
        "median_soreness": float(np.median(first["soreness"].astype(int))) if len(first) else None,
        "referrals": len(refs),
        "referrals_by_source": {str(k): int(v) for k, v in by_source.items()},
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    directory = tmp_path_factory.mktemp("reference-batch")
    demo = generate_demo(clinics=8, years=1.5, seed=11, end=END)
    write_demo_csv(demo, directory)
    return (
        directory,
        sorted(demo.clinics["region"].unique()),
        sorted(demo.clinics["clinic_id"]),
    )


def test_kpis_match_an_independent_computation(
    conn: Connection, batch: tuple[Path, list[str], list[str]]
) -> None:
    directory, regions, clinic_ids = batch
    import_batch(conn=conn, directory=directory, today=END)
    cases = [
        dict(start=date(2025, 1, 1), end=date(2026, 6, 30)),
        dict(start=date(2026, 4, 1), end=date(2026, 6, 30), regions=(regions[0],)),
        dict(start=date(2025, 7, 13), end=date(2025, 8, 2), clinics=(clinic_ids[1],)),
        dict(start=date(2026, 1, 1), end=date(2026, 3, 31), types=("dry_needling",)),
        dict(
            start=date(2025, 11, 1),
            end=date(2026, 2, 28),
            regions=tuple(regions[:2]),
            types=("tpi_local_anesthetic", "tpi_corticosteroid"),
        ),
        dict(start=date(2026, 6, 30), end=date(2026, 6, 30)),
        dict(start=date(2020, 1, 1), end=date(2020, 12, 31)),
    ]
    for case in cases:
        filters = Filters(
            start=case["start"],
            end=case["end"],
            regions=case.get("regions", ()),
            clinics=case.get("clinics", ()),
            procedure_types=case.get("types", ()),
        )
        got = kpi_totals(conn=conn, filters=filters, scope=Scope.everything()).as_dict()
        expected = reference_kpis(directory, **case)
        assert got["ae_rate_per_1000"] == pytest.approx(expected["ae_rate_per_1000"]), case
        assert got["followup_rate"] == pytest.approx(expected["followup_rate"]), case
        exact = {k: v for k, v in got.items() if k not in {"ae_rate_per_1000", "followup_rate"}}
        assert exact == {k: expected[k] for k in exact}, case
    assert got["procedures"] == 0  # the 2020 case: before the network existed
