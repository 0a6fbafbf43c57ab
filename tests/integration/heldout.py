"""A held-out network for the surveillance tests: one clinic at five times the others' rate.

Not the demo generator (whose drifting clinics the page was developed on): sixteen clinics in
four regions with a year of weekday procedures, adverse events drawn at 7 per 1,000 except at
:data:`OUTLIER_NAME`, drawn at 35 per 1,000 (five times). Deterministic for a seed. One event
carries markup in its description (``<b>x</b>``), is serious and is the newest, for the
plain-text checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, insert

from data_access.schema import adverse_events, clinics, procedures

BASE_RATE = 0.007
OUTLIER_ID = "HX-07"
OUTLIER_NAME = "Cedar Bluff Pain & Spine"
MARKUP_EVENT = "HX-AE-MARKUP"
MARKUP = "<b>x</b>"
REGIONS = ("Basin", "Delta", "Plains", "Ridge")
TYPES = ("tpi_local_anesthetic", "tpi_corticosteroid", "dry_needling", "tpi_saline")
EVENTS = ("vasovagal", "bleeding", "injection_site_pain", "infection")


@dataclass(frozen=True)
class HeldOut:
    start: date
    end: date
    outlier_id: str = OUTLIER_ID
    outlier_name: str = OUTLIER_NAME


def load_heldout_network(
    conn: Connection, *, seed: int = 4242, end: date = date(2025, 12, 31)
) -> HeldOut:
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=364)
    clinic_rows = [
        {"clinic_id": f"HX-{i:02d}", "name": f"Held-out Clinic {i:02d}",
         "region": REGIONS[i % 4], "timezone": "America/Chicago"}
        for i in range(16)
    ]  # fmt: skip
    clinic_rows[7]["name"] = OUTLIER_NAME
    conn.execute(insert(clinics), clinic_rows)
    days = [start + timedelta(days=d) for d in range(365)]
    weekdays = [day for day in days if day.weekday() < 5]
    procedure_rows, event_rows = [], []
    for clinic in clinic_rows:
        # A mid-sized outlier (5 a day): easily found over a year, hard over a few weeks.
        volume = 5.0 if clinic["clinic_id"] == OUTLIER_ID else rng.uniform(2.0, 7.0)
        rate = BASE_RATE * (5 if clinic["clinic_id"] == OUTLIER_ID else 1)
        for day in weekdays:
            for _ in range(rng.poisson(volume)):
                pid = f"HXP-{len(procedure_rows):06d}"
                procedure_rows.append(
                    {"procedure_id": pid, "clinic_id": clinic["clinic_id"],
                     "patient_id": f"HXPAT-{rng.integers(1, 5000)}", "performed_on": day,
                     "procedure_type": TYPES[rng.integers(0, 4)]}
                )  # fmt: skip
                if rng.random() < rate:
                    event_rows.append(
                        {"event_id": f"HX-AE-{len(event_rows):05d}", "procedure_id": pid,
                         "event_type": EVENTS[rng.integers(0, 4)], "severity": "mild",
                         "serious": False, "onset_on": day, "outcome": "resolved",
                         "description": "Settled without treatment."}
                    )  # fmt: skip
    # On the last day, so that it heads the event table (newest first).
    marked = max(procedure_rows, key=lambda row: (row["performed_on"], row["procedure_id"]))
    event_rows.append(
        {"event_id": MARKUP_EVENT, "procedure_id": marked["procedure_id"],
         "event_type": "infection", "severity": "severe", "serious": True,
         "onset_on": marked["performed_on"], "outcome": "resolving", "description": MARKUP}
    )  # fmt: skip
    conn.execute(insert(procedures), procedure_rows)
    conn.execute(insert(adverse_events), event_rows)
    return HeldOut(start=start, end=end)
