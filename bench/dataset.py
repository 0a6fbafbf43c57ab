"""The benchmark network: 200 rural clinics over 5 years, as contract batches on disk.

Benchmark support (not part of the test run). It reuses the demo generator
(:mod:`data_access.demo`), whose clinics, schedules, returning patients, follow-ups, adverse
events and referrals look like the real thing, and changes three things for scale:

* the clinics' daily volumes are scaled so that the network performs about ``procedures``
  procedures in the 5 years (the demo's 200 clinics do ~1.7 M);
* the clinics are generated and written in ``batches`` groups (in region order), one contract
  batch folder each, as if clinics joined the network one group at a time: memory stays at a
  tenth of the whole, and each import touches its own clinics' summary cells;
* about 3 % of patients also visit a second clinic of their group (so "distinct patients" over
  several clinics is not the sum of the clinics'); ids get a per-batch prefix.

The period ends on a fixed date (``END``), so the replayed filter changes always find data.

    python -m bench.dataset --procedures 1000000 --out /tmp/clinicops-bench/1m
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data_access.demo.batch import DemoBatch
from data_access.demo.calendar import Period
from data_access.demo.csv_files import write_demo_csv
from data_access.demo.events import generate_adverse_events
from data_access.demo.followups import generate_followups
from data_access.demo.network import Network, build_network
from data_access.demo.procedures import generate_procedures
from data_access.demo.referrals import generate_referrals
from data_access.demo.schedule import expected_volume

END = date(2026, 10, 31)
YEARS = 5
CLINICS = 200
SEED = 20261124
#: Share of patients (with at least two visits) who also go to a second clinic, and the
#: share of their later visits that happen there.
SHARED_PATIENTS = 0.03
VISITS_ELSEWHERE = 0.35
#: The demo's realised volume per unit of expected volume (busy/quiet days, closures).
REALISED = 0.981


def _subnetwork(network: Network, index: np.ndarray) -> Network:
    """The clinics at ``index`` as a network of their own."""
    sliced: dict[str, Any] = {}
    for item in dataclasses.fields(network):
        value = getattr(network, item.name)
        if isinstance(value, pd.DataFrame):
            sliced[item.name] = value.iloc[index].reset_index(drop=True)
        elif isinstance(value, np.ndarray):
            sliced[item.name] = value[index]
        elif isinstance(value, tuple):
            sliced[item.name] = tuple(value[i] for i in index)
        else:
            sliced[item.name] = value
    return Network(**sliced)


def _share_patients(rng: np.random.Generator, frame: pd.DataFrame, clinic_ids: np.ndarray) -> int:
    """Send some later visits of some patients to another clinic of the batch; returns how
    many patients now visit two clinics."""
    patients = frame["patient_id"].to_numpy()
    visits = pd.Series(patients).value_counts()
    candidates = visits.index[visits >= 2].to_numpy()
    chosen = rng.choice(candidates, size=round(SHARED_PATIENTS * len(candidates)), replace=False)
    other_of = dict(zip(chosen, rng.choice(clinic_ids, size=len(chosen)), strict=True))
    # A hash lookup: ``np.isin`` of object arrays sorts them with Python comparisons, and at
    # 10M that was most of the generation's half hour.
    is_chosen = pd.Series(patients).isin(chosen).to_numpy()
    first_seen = ~pd.Series(patients).duplicated().to_numpy()
    moved = is_chosen & ~first_seen & (rng.random(len(patients)) < VISITS_ELSEWHERE)
    target = np.array([other_of[p] for p in patients[moved]], dtype=object)
    clinics = frame["clinic_id"].to_numpy(dtype=object).copy()
    really = target != clinics[moved]
    rows = np.flatnonzero(moved)[really]
    clinics[rows] = target[really]
    frame["clinic_id"] = clinics
    return len(set(patients[rows]))


def _prefix(values: pd.Series, old: str, new: str) -> pd.Series:
    return values.str.replace(old, new, n=1, regex=False)


def _batch(network: Network, period: Period, index: np.ndarray, seed: int, k: int) -> DemoBatch:
    sub = _subnetwork(network, index)
    streams = np.random.default_rng([seed, k]).spawn(5)
    draw = generate_procedures(streams[0], sub, period)
    followups = generate_followups(streams[1], sub, period, draw)
    events = generate_adverse_events(streams[2], sub, period, draw)
    referrals = generate_referrals(streams[3], sub, period, draw)
    procedures = draw.frame.copy()
    _share_patients(streams[4], procedures, sub.clinic_ids)
    tag = f"{k:02d}-"
    procedures["procedure_id"] = _prefix(procedures["procedure_id"], "PR-", f"PR{tag}")
    procedures["patient_id"] = _prefix(procedures["patient_id"], "P-", f"P{tag}")
    followups["followup_id"] = _prefix(followups["followup_id"], "FU-", f"FU{tag}")
    followups["procedure_id"] = _prefix(followups["procedure_id"], "PR-", f"PR{tag}")
    events["event_id"] = _prefix(events["event_id"], "AE-", f"AE{tag}")
    events["procedure_id"] = _prefix(events["procedure_id"], "PR-", f"PR{tag}")
    referrals["referral_id"] = _prefix(referrals["referral_id"], "RF-", f"RF{tag}")
    referrals["patient_id"] = _prefix(referrals["patient_id"], "P-", f"P{tag}")
    return DemoBatch(
        clinics=sub.clinics,
        procedures=procedures,
        followups=followups,
        adverse_events=events,
        referrals=referrals,
    )


def _write_batch(
    network: Network, period: Period, index: np.ndarray, seed: int, k: int, folder: Path
) -> dict[str, int]:
    return write_demo_csv(_batch(network, period, index, seed, k), folder)


def build_dataset(
    procedures: int,
    out: Path,
    *,
    clinics: int = CLINICS,
    years: int = YEARS,
    batches: int = 10,
    seed: int = SEED,
    end: date = END,
    jobs: int = 1,
) -> dict[str, Any]:
    """Write ``batches`` contract batch folders ``out/batch_00`` ... and ``out/manifest.json``
    (rows per file, the clinics and regions); returns the manifest.

    Each batch draws from its own seeded streams, so ``jobs`` processes write the same files
    as one."""
    period = Period.ending(end, years)
    network = build_network(np.random.default_rng(seed), clinics, period)
    expected = float(expected_volume(network, period).sum()) * REALISED
    network = dataclasses.replace(
        network, daily_volume=network.daily_volume * procedures / expected
    )
    out.mkdir(parents=True, exist_ok=True)
    totals: dict[str, int] = {}
    folders = [f"batch_{k:02d}" for k in range(batches)]
    work = [
        (network, period, index, seed, k, out / folder)
        for k, (index, folder) in enumerate(
            zip(np.array_split(np.arange(clinics), batches), folders, strict=True)
        )
    ]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for written in pool.map(_write_batch, *zip(*work, strict=True)):
            for name, rows in written.items():
                totals[name] = totals.get(name, 0) + rows
    manifest = {
        "procedures_requested": procedures,
        "rows": totals,
        "first_day": str(period.start),
        "last_day": str(period.end),
        "batches": folders,
        "clinics": network.clinics[["clinic_id", "region"]].to_dict(orient="records"),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def load_manifest(out: Path) -> dict[str, Any] | None:
    path = out / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="batches written at once"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    manifest = build_dataset(args.procedures, args.out, batches=args.batches, jobs=args.jobs)
    print(json.dumps(manifest["rows"]), f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
