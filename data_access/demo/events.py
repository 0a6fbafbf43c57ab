"""The demo adverse events: rare, mostly mild, and rising at the drifting clinics.

Data-access layer (demo data). About 0.7 % of procedures have an event: mostly vasovagal,
bleeding/bruising and injection-site pain; infection and allergic reactions rarer;
pneumothorax very rare and nearly only after upper-back or shoulder work. Events beyond a
clinic's own rate (the drift) lean towards infection and injection-site pain, the pattern of
a lapse in technique. Onset is 0–3 days after; a short note describes most events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.contract import ADVERSE_EVENTS, BodyRegion, EventType, Outcome, Severity
from data_access.demo.batch import contract_frame, labels, prefixed_ids
from data_access.demo.calendar import Period
from data_access.demo.descriptions import describe
from data_access.demo.draws import categorical
from data_access.demo.network import Network, drift_multiplier
from data_access.demo.procedures import ProcedureDraw

EVENTS = tuple(EventType)
PNEUMOTHORAX = EVENTS.index(EventType.PNEUMOTHORAX)
#: Relative risk by procedure type (local anesthetic, corticosteroid, saline, dry needling,
#: other).
TYPE_RISK = np.array([0.9, 1.1, 0.9, 1.25, 1.0])
#: Event mix (``EventType`` order, pneumothorax weight set by body region below).
USUAL_MIX = np.array([0.30, 0.045, 0.27, 0.04, 0.30, 0.0, 0.045])
DRIFT_MIX = np.array([0.40, 0.22, 0.22, 0.03, 0.08, 0.0, 0.05])
PNEUMOTHORAX_WEIGHT = {BodyRegion.UPPER_BACK: 0.012, BodyRegion.SHOULDER: 0.010}
NECK_PNEUMOTHORAX_WEIGHT = 0.002
#: Severity (mild, moderate, severe) by event type.
SEVERITY = np.array(
    [
        [0.75, 0.23, 0.02],  # injection-site pain
        [0.45, 0.42, 0.13],  # infection
        [0.88, 0.11, 0.01],  # bleeding
        [0.62, 0.30, 0.08],  # allergic reaction
        [0.85, 0.14, 0.01],  # vasovagal
        [0.10, 0.50, 0.40],  # pneumothorax
        [0.70, 0.25, 0.05],  # other
    ]
)
#: Chance that a severe event (a moderate pneumothorax, too) is serious, by event type.
SERIOUS_IF_SEVERE = np.array([0.05, 0.5, 0.1, 0.6, 0.1, 0.8, 0.2])
#: Onset 0, 1, 2 or 3 days after the procedure, by event type.
ONSET_DAYS = np.array(
    [
        [0.55, 0.35, 0.10, 0.00],
        [0.00, 0.20, 0.45, 0.35],
        [0.85, 0.15, 0.00, 0.00],
        [0.90, 0.10, 0.00, 0.00],
        [1.00, 0.00, 0.00, 0.00],
        [0.75, 0.25, 0.00, 0.00],
        [0.50, 0.30, 0.15, 0.05],
    ]
)
#: Minutes after the procedure of a same-day onset, by event type (from, to).
SAME_DAY_MINUTES = np.array(
    [[60, 360], [120, 480], [0, 60], [5, 40], [0, 15], [20, 240], [10, 300]]
)
#: Outcome (``Outcome`` order) of settled events, of severe ones, and of the last ten days'.
OUTCOME_SETTLED = np.array([0.88, 0.06, 0.02, 0.0, 0.04])
OUTCOME_SEVERE = np.array([0.70, 0.12, 0.10, 0.0, 0.08])
OUTCOME_RECENT = np.array([0.35, 0.55, 0.02, 0.0, 0.08])


def _event_mixes(base: np.ndarray) -> np.ndarray:
    """One event mix per body region: pneumothorax only where the lung lies beneath."""
    mixes = np.tile(base, (len(BodyRegion), 1))
    for region, weight in PNEUMOTHORAX_WEIGHT.items():
        mixes[list(BodyRegion).index(region), PNEUMOTHORAX] = weight
    mixes[list(BodyRegion).index(BodyRegion.NECK), PNEUMOTHORAX] = NECK_PNEUMOTHORAX_WEIGHT
    return mixes


def generate_adverse_events(
    rng: np.random.Generator, network: Network, period: Period, procedures: ProcedureDraw
) -> pd.DataFrame:
    clinic, day = procedures.clinic, procedures.day
    usual_rate = network.ae_rate[clinic] * TYPE_RISK[procedures.kind]
    rate = usual_rate * drift_multiplier(network, clinic, day, period)
    u = rng.random(clinic.size)
    row = np.flatnonzero(u < rate)
    from_drift = u[row] >= usual_rate[row]
    size = row.size

    body = procedures.body[row]
    usual = categorical(rng, _event_mixes(USUAL_MIX), body)
    drifted = categorical(rng, _event_mixes(DRIFT_MIX), body)
    event = np.where(from_drift, drifted, usual)
    severity = categorical(rng, SEVERITY, event)
    serious_chance = np.where(
        severity == 2, SERIOUS_IF_SEVERE[event], np.where(event == PNEUMOTHORAX, 0.3, 0.0)
    )
    serious = (severity >= 1) & (rng.random(size) < serious_chance)

    onset_days = categorical(rng, ONSET_DAYS, event)
    onset_on = np.minimum(day[row] + onset_days.astype("timedelta64[D]"), period.last)
    same_day = onset_on == day[row]
    window = SAME_DAY_MINUTES[event]
    delay = window[:, 0] + (rng.random(size) * (window[:, 1] - window[:, 0])).astype(int)
    minute = np.minimum(procedures.minute[row] + delay, 23 * 60 + 59)
    # Later onsets are reported by date; clinics exporting dates only never give a time.
    known_time = same_day & (procedures.minute[row] > 0)
    onset_at = onset_on.astype("datetime64[m]") + np.where(known_time, minute, 0).astype(
        "timedelta64[m]"
    )

    recent = (period.last - onset_on).astype(np.int64) < 10
    outcome = np.select(
        [recent, severity == 2],
        [
            categorical(rng, OUTCOME_RECENT, size),
            categorical(rng, OUTCOME_SEVERE, size),
        ],
        categorical(rng, OUTCOME_SETTLED, size),
    )
    description = describe(rng, event)

    order = np.lexsort((row, onset_at))
    return contract_frame(
        ADVERSE_EVENTS,
        {
            "event_id": prefixed_ids("AE-", np.arange(1, size + 1), 6),
            "procedure_id": procedures.frame["procedure_id"].to_numpy()[row[order]],
            "event_type": labels(EVENTS, event[order]),
            "severity": labels(Severity, severity[order]),
            "serious": serious[order],
            "onset_at": onset_at[order],
            "outcome": labels(Outcome, outcome[order], rng.random(size) < 0.03),
            "description": description[order],
        },
    )
