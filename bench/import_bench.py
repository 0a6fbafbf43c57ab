"""Import benchmark: a synthetic contract batch of N procedures into a fresh database.

Generates (vectorised with numpy, written with pandas) 200 clinics, N procedures, about 0.8
follow-ups, 0.8 % adverse events and 0.3 referrals per procedure into a temporary folder, in a
separate process so that its memory does not count; then imports it with
:func:`data_access.importer.import_batch` into a database created for the run (PostgreSQL,
dropped afterwards) or a temporary SQLite file, and prints rows/s and the peak RSS.

    python bench/import_bench.py                      # 1,000,000 procedures on PostgreSQL
    python bench/import_bench.py 100000 --backend sqlite
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
import uuid
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access.contract import (
    STATE_TIMEZONES,
    BodyRegion,
    Channel,
    EventType,
    Indication,
    Outcome,
    ProcedureType,
    ReferralSource,
    Relief,
    Severity,
)
from data_access.engine import make_engine
from data_access.importer import import_batch
from data_access.migrate import upgrade_to_head
from data_access.settings import load_settings

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLINICS = 200
DESCRIPTIONS = np.array(
    ["Felt faint, recovered after 10 min", 'Bruise "2 cm"', "Redness\nresolved next day", ""],
    dtype=object,
)


def _codes(rng: np.random.Generator, values: type[StrEnum], size: int) -> np.ndarray:
    return rng.choice(np.array([v.value for v in values]), size)


def _ids(prefix: str, count: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(count).astype(str), 8)).astype(object)


def _blank(values: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    values = values.astype(object)
    values[rng.random(len(values)) < share] = ""
    return values


def generate(n: int, directory: Path, seed: int = 20261124) -> None:
    """Write the batch's five CSV files into ``directory``."""
    rng = np.random.default_rng(seed)
    last = np.datetime64(date.today() - timedelta(days=20))
    states = np.array(sorted(STATE_TIMEZONES), dtype=object)
    clinic_ids = _ids("C", CLINICS)
    pd.DataFrame(
        {
            "clinic_id": clinic_ids,
            "name": np.char.add("Clinic ", np.arange(CLINICS).astype(str)),
            "region": rng.choice(np.array(["North", "South", "East", "West"]), CLINICS),
            "state": rng.choice(states, CLINICS),
            "latitude": np.round(rng.uniform(25, 49, CLINICS), 5),
            "longitude": np.round(rng.uniform(-124, -67, CLINICS), 5),
            "ruca_code": rng.integers(1, 11, CLINICS),
            "opened_on": (last - rng.integers(1500, 4000, CLINICS)).astype(str),
        }
    ).to_csv(directory / "clinics.csv", index=False, lineterminator="\r\n")

    day: np.ndarray = last - rng.integers(0, 3 * 365, n)
    minute = rng.integers(7 * 60, 18 * 60, n)
    with_offset = rng.random(n) < 0.02  # some systems send UTC: noon UTC is the same day
    minute[with_offset] = 12 * 60  # in every US zone, Guam's included
    moment = day.astype("datetime64[m]") + minute
    stamp = np.datetime_as_string(moment, unit="m").astype(object)
    stamp[with_offset] = np.char.add(stamp[with_offset].astype(str), "Z")
    date_only = rng.random(n) < 0.1
    stamp[date_only] = np.datetime_as_string(day[date_only], unit="D")
    before = rng.integers(0, 11, n)
    pd.DataFrame(
        {
            "procedure_id": _ids("P", n),
            "clinic_id": rng.choice(clinic_ids, n),
            "patient_id": np.char.add("PT", rng.integers(0, max(n // 3, 1), n).astype(str)),
            "provider_id": _blank(np.char.add("DR", rng.integers(0, 600, n).astype(str)), 0.1, rng),
            "performed_at": stamp,
            "procedure_type": _codes(rng, ProcedureType, n),
            "cpt_code": rng.choice(np.array(["20552", "20553", "20560", "20561", ""]), n),
            "body_region": _codes(rng, BodyRegion, n),
            "indication": _codes(rng, Indication, n),
            "trigger_points": rng.integers(1, 9, n),
            "pain_before": before,
            "pain_after": _blank(np.maximum(before - rng.integers(0, 5, n), 0), 0.2, rng),
        }
    ).to_csv(directory / "procedures.csv", index=False, lineterminator="\r\n")

    followed = np.flatnonzero(rng.random(n) < 0.8)
    count = len(followed)
    later = day[followed] + rng.integers(0, 15, count)
    pd.DataFrame(
        {
            "followup_id": _ids("F", count),
            "procedure_id": _ids("P", n)[followed],
            "followup_at": np.datetime_as_string(later, unit="D"),
            "soreness": rng.integers(0, 11, count),
            "pain": _blank(rng.integers(0, 11, count), 0.3, rng),
            "relief": _codes(rng, Relief, count),
            "channel": _codes(rng, Channel, count),
        }
    ).to_csv(directory / "followups.csv", index=False, lineterminator="\r\n")

    harmed = np.flatnonzero(rng.random(n) < 0.008)
    count = len(harmed)
    pd.DataFrame(
        {
            "event_id": _ids("E", count),
            "procedure_id": _ids("P", n)[harmed],
            "event_type": _codes(rng, EventType, count),
            "severity": _codes(rng, Severity, count),
            "serious": rng.choice(np.array(["true", "false", ""]), count),
            "onset_at": np.datetime_as_string(day[harmed] + rng.integers(0, 4, count), unit="D"),
            "outcome": _codes(rng, Outcome, count),
            "description": rng.choice(DESCRIPTIONS, count),
        }
    ).to_csv(directory / "adverse_events.csv", index=False, lineterminator="\r\n")

    count = int(n * 0.3)
    pd.DataFrame(
        {
            "referral_id": _ids("R", count),
            "clinic_id": rng.choice(clinic_ids, count),
            "patient_id": np.char.add("PT", rng.integers(0, max(n // 3, 1), count).astype(str)),
            "referred_on": np.datetime_as_string(last - rng.integers(0, 3 * 365, count), unit="D"),
            "source": _codes(rng, ReferralSource, count),
        }
    ).to_csv(directory / "referrals.csv", index=False, lineterminator="\r\n")


def _import(url: str, directory: Path, data_dir: Path) -> None:
    engine = make_engine(load_settings(data_dir=data_dir, database_url=url, statement_timeout_ms=0))
    upgrade_to_head(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        report = import_batch(conn=conn, directory=directory)
    seconds = time.perf_counter() - started
    engine.dispose()
    total = sum(report.inserted.values())
    procedures = report.inserted["procedures"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, rows in report.inserted.items():
        print(f"  {name:15} {rows:>10,} inserted, {report.rejected[name]:,} rejected")
    print(
        f"  {seconds:.1f} s: {procedures / seconds:,.0f} procedures/s, "
        f"{total / seconds:,.0f} rows/s (all files); peak RSS {peak_mb:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procedures", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL server (any database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clinicops-bench-") as tmp:
        batch = Path(tmp) / "batch"
        batch.mkdir()
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=generate, args=(args.procedures, batch)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("generating the batch failed")
        size = sum(path.stat().st_size for path in batch.iterdir()) / 1e6
        print(f"generated {size:,.0f} MB in {time.perf_counter() - started:.1f} s")
        if args.backend == "sqlite":
            print(f"importing into SQLite ({args.procedures:,} procedures)")
            _import(f"sqlite:///{tmp}/bench.sqlite3", batch, Path(tmp))
            return
        admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
        name = f"clinicops_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
            print(f"importing into PostgreSQL ({args.procedures:,} procedures)")
            _import(url, batch, Path(tmp))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
