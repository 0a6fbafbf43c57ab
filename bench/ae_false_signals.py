"""Funnel-plot signals on the demo network: are the drifting clinics found, and how many others?

Generates the default demo (``data_access.demo.generate_demo``; one or more seeds), counts each
clinic's procedures and adverse events over the last 12 months and over the whole period (by
the data contract's definitions, straight from the generated frames; ``--via-database`` loads
the batch into a temporary SQLite database and uses the page's own queries instead, which is
slower), and runs the page's statistics (``data_access.surveillance.clinic_funnel``). For
each window and each kind of funnel limits (exact binomial; and the page's default, widened by
phi when the clinics are overdispersed) it prints which drifting clinics are above their
99.8% limit and how many normal clinics are flagged: above the limit (false alarms of "more
events than chance") and beyond either limit.

    python bench/ae_false_signals.py                 # the default demo (seed 20261124)
    python bench/ae_false_signals.py --seeds 5       # five networks, seeds 20261124..+4
    python bench/ae_false_signals.py --via-database  # through the page's SQL queries
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine

from dashboard.surveillance.analysis import load_frames
from dashboard.url_state import Catalogue, Preset, preset_range
from data_access.demo import DEFAULT_SEED, DemoBatch, generate_demo, load_demo
from data_access.filters import Filters, Scope
from data_access.migrate import upgrade_to_head
from data_access.statistics import FunnelZone
from data_access.surveillance import clinic_funnel

HIGH = FunnelZone.ALARM_HIGH.value
LOW = FunnelZone.ALARM_LOW.value


def counts_from_batch(batch: DemoBatch, start: date, end: date) -> pd.DataFrame:
    """Per clinic: procedures performed in [start, end] and the adverse events among them
    (an event's clinic and date are its procedure's), with the clinic's name and region."""
    performed = pd.to_datetime(batch.procedures["performed_at"]).dt.date
    chosen = batch.procedures.loc[(performed >= start) & (performed <= end)]
    events = batch.adverse_events.merge(chosen[["procedure_id", "clinic_id"]], on="procedure_id")
    table = batch.clinics[["clinic_id", "name", "region"]].copy()
    volume = chosen.groupby("clinic_id").size()
    table["procedures"] = table["clinic_id"].map(volume).fillna(0).astype("int64")
    table["adverse_events"] = (
        table["clinic_id"].map(events.groupby("clinic_id").size()).fillna(0).astype("int64")
    )
    return table


def counts_from_database(batch: DemoBatch, windows: dict[str, tuple[date, date]]) -> dict:
    """The same counts through the page's queries on a temporary SQLite database."""
    found = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade_to_head(engine)
        with engine.begin() as conn:
            load_demo(conn=conn, batch=batch)
        with engine.connect() as conn:
            for window, (start, last) in windows.items():
                filters = Filters(start=start, end=last)
                found[window] = load_frames(conn=conn, filters=filters, scope=Scope.everything())
        engine.dispose()
    return {window: frames.clinics for window, frames in found.items()}


def flagged_rows(seed: int, end: date | None, via_database: bool) -> list[dict[str, object]]:
    batch = generate_demo(seed=seed, end=end)
    drifting = set(batch.drifting_clinics)
    performed = pd.to_datetime(batch.procedures["performed_at"]).dt.date
    catalogue = Catalogue(clinic_regions={}, earliest=performed.min(), latest=performed.max())
    windows = {
        "last 12 months": preset_range(Preset.LAST_12_MONTHS, catalogue),
        "whole period": preset_range(Preset.ALL_TIME, catalogue),
    }
    if via_database:
        counts = counts_from_database(batch, windows)
    else:
        counts = {name: counts_from_batch(batch, *bounds) for name, bounds in windows.items()}
    rows: list[dict[str, object]] = []
    for window, clinics in counts.items():
        for adjust in (False, True):
            funnel = clinic_funnel(clinics, adjust_for_overdispersion=adjust)
            table = funnel.table[funnel.table["procedures"] > 0]
            normal = table[~table["clinic_id"].isin(drifting)]
            drift = table[table["clinic_id"].isin(drifting)]
            rows.append(
                {
                    "seed": seed,
                    "window": window,
                    "limits": "adjusted if overdispersed" if adjust else "exact",
                    "phi": funnel.overdispersion.phi,
                    "adjusted": funnel.adjusted,
                    "drifting": sorted(drifting),
                    "drifting_flagged": sorted(drift.loc[drift["zone"] == HIGH, "clinic_id"]),
                    "normal": len(normal),
                    "normal_high": sorted(normal.loc[normal["zone"] == HIGH, "clinic_id"]),
                    "normal_low": sorted(normal.loc[normal["zone"] == LOW, "clinic_id"]),
                }
            )
    return rows


def report(rows: list[dict[str, object]]) -> None:
    for row in rows:
        normal = int(row["normal"])  # type: ignore[call-overload]
        high, low = list(row["normal_high"]), list(row["normal_low"])  # type: ignore[call-overload]
        print(
            f"seed {row['seed']} | {row['window']:<14} | {row['limits']:<25} | "
            f"phi {row['phi']:.2f}{' (adjusted)' if row['adjusted'] else ''}\n"
            f"    drifting clinics flagged above 99.8%: {row['drifting_flagged']} of "
            f"{row['drifting']}\n"
            f"    normal clinics flagged above 99.8%: {len(high)}/{normal} = "
            f"{len(high) / normal:.1%} {high}\n"
            f"    normal clinics beyond either 99.8% limit: {len(high) + len(low)}/{normal} = "
            f"{(len(high) + len(low)) / normal:.1%} (below: {low})"
        )
    frame = pd.DataFrame(rows)
    if frame["seed"].nunique() > 1:
        print("\nAcross seeds (normal clinics flagged, as a share of all normal clinics):")
        frame["high"] = frame["normal_high"].map(len)
        frame["either"] = frame["high"] + frame["normal_low"].map(len)
        frame["found"] = frame["drifting_flagged"].map(len) / frame["drifting"].map(len)
        summary = frame.groupby(["window", "limits"]).agg(
            false_high=("high", "sum"),
            false_either=("either", "sum"),
            normal=("normal", "sum"),
            drift_found=("found", "mean"),
        )
        summary["high_share"] = summary["false_high"] / summary["normal"]
        summary["either_share"] = summary["false_either"] / summary["normal"]
        print(summary.to_string(float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="networks to generate")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="first seed")
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last data day")
    parser.add_argument(
        "--via-database", action="store_true", help="count with the page's SQL queries"
    )
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for seed in range(args.seed, args.seed + args.seeds):
        rows += flagged_rows(seed, args.end, args.via_database)
    report(rows)


if __name__ == "__main__":
    main()
