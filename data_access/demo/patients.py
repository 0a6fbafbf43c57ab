"""Who comes to each procedure: new patients and returning ones on a course of treatment.

Data-access layer (demo data). Each visit is a new patient's first (a clinic-specific share)
or a return of a patient first seen at least a week earlier at the same clinic, preferring
recent starters (a geometric look-back), so patients come back a few times over some weeks.
Clinics open before the period start with a pool of established patients. Fully vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.demo.calendar import Period
from data_access.demo.network import Network
from data_access.demo.schedule import Visits

#: A patient returns no sooner than this after their first visit.
MIN_RETURN_DAYS = 7
#: Returning visits reach back over about this many days' worth of new patients.
LOOKBACK_DAYS = 35


@dataclass(frozen=True)
class Patients:
    patient: np.ndarray  # per visit: index of the patient (0 .. total - 1)
    first_visit: np.ndarray  # per visit: a new patient's first visit
    visit_number: np.ndarray  # per visit: 0 for the patient's first visit in the data, 1, ...
    clinic: np.ndarray  # per patient: the patient's clinic

    @property
    def total(self) -> int:
        return int(self.clinic.size)


def _count_before(
    flags: np.ndarray, start: np.ndarray, clinic: np.ndarray, upto: np.ndarray
) -> np.ndarray:
    """Per visit, how many ``flags`` its clinic has at positions ``start .. upto`` inclusive."""
    running = np.concatenate([[0], np.cumsum(flags)])
    return np.maximum(running[upto + 1] - running[start[clinic]], 0)


def assign_patients(
    rng: np.random.Generator, network: Network, period: Period, visits: Visits
) -> Patients:
    """Give every visit a patient."""
    clinic = visits.clinic
    size = clinic.size
    clinics = np.arange(len(network))
    start = np.searchsorted(clinic, clinics, side="left")
    share = network.new_patient_share
    lookback = np.maximum(1.0, network.daily_volume * share * 0.8 * LOOKBACK_DAYS)
    before_period = network.opened < period.first - np.timedelta64(30, "D")
    established = np.where(before_period, np.ceil(3 * lookback), 0).astype(np.int64)

    # Last visit of the same clinic at least MIN_RETURN_DAYS before each visit (or start - 1).
    day = visits.day.astype(np.int64)
    key = clinic * 10**7 + day
    cutoff = np.searchsorted(key, key - MIN_RETURN_DAYS, side="right") - 1
    cutoff = np.maximum(cutoff, start[clinic] - 1)
    here = np.arange(size)

    is_new = rng.random(size) < share[clinic]
    eligible = established[clinic] + _count_before(is_new, start, clinic, cutoff)
    # Nobody to come back yet (a clinic's first week): the visit is a new patient's.
    is_new |= eligible == 0
    eligible = established[clinic] + _count_before(is_new, start, clinic, cutoff)

    back = rng.geometric(1 / lookback[clinic]) - 1
    returning = eligible - 1 - back % np.maximum(eligible, 1)
    started = established[clinic] + _count_before(is_new, start, clinic, here) - 1
    local = np.where(is_new, started, returning)

    new_count = np.bincount(clinic, weights=is_new, minlength=clinics.size).astype(np.int64)
    per_clinic = established + new_count
    offset = np.cumsum(per_clinic) - per_clinic
    patient = offset[clinic] + local
    visit_number = pd.Series(patient).groupby(patient, sort=False).cumcount().to_numpy()
    return Patients(
        patient=patient,
        first_visit=is_new,
        visit_number=visit_number,
        clinic=np.repeat(clinics, per_clinic),
    )
