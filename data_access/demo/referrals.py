"""The demo referrals: who sent new patients to each clinic, and who never came.

Data-access layer (demo data). Most new patients were referred 3–40 days before their first
procedure, at the same clinic under the same patient id; some referrals never lead to a
procedure, and referrals of the last weeks partly await their first visit. Sources follow the
clinic's regional habits (chiropractors in the Ozarks, physical therapists up north, ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.contract import REFERRALS, ReferralSource
from data_access.demo.batch import contract_frame, labels, prefixed_ids
from data_access.demo.calendar import Period
from data_access.demo.draws import categorical
from data_access.demo.network import Network
from data_access.demo.procedures import ProcedureDraw

#: Share of new patients who came with a referral on record.
REFERRED = 0.72
#: Referrals that never lead to a procedure, per referral that does.
NEVER_TREATED = 0.3
#: Referrals are accepted up to three weeks before a clinic opens.
BEFORE_OPENING = np.timedelta64(21, "D")
#: Days looked beyond the period for referred patients not yet seen.
PENDING_HORIZON = 45


def _lag(rng: np.random.Generator, size: int) -> np.ndarray:
    """Days from referral to first procedure: 3 to 40, mostly one to three weeks."""
    return (3 + np.minimum(rng.gamma(2.0, 5.5, size), 37)).astype(np.int64)


def _pending(
    rng: np.random.Generator, network: Network, period: Period, procedures: ProcedureDraw
) -> tuple[np.ndarray, np.ndarray]:
    """Clinics and first-visit days (after the period) of referred patients not yet seen."""
    recent = procedures.first_visit & (procedures.day > period.last - np.timedelta64(60, "D"))
    per_day = np.bincount(procedures.clinic[recent], minlength=len(network)) / 60 * REFERRED
    counts = rng.poisson(per_day * PENDING_HORIZON)
    clinic = np.repeat(np.arange(len(network)), counts)
    days = period.last + rng.integers(1, PENDING_HORIZON + 1, clinic.size).astype("timedelta64[D]")
    return clinic, days


def generate_referrals(
    rng: np.random.Generator, network: Network, period: Period, procedures: ProcedureDraw
) -> pd.DataFrame:
    first = np.flatnonzero(procedures.first_visit)
    referred = first[rng.random(first.size) < REFERRED]
    treated_clinic = procedures.clinic[referred]
    treated_on = procedures.day[referred] - _lag(rng, referred.size).astype("timedelta64[D]")
    treated_patient = procedures.patient_ids[procedures.patient[referred]]

    pending_clinic, pending_first = _pending(rng, network, period, procedures)
    pending_on = pending_first - _lag(rng, pending_clinic.size).astype("timedelta64[D]")

    # Never treated: dated like the clinic's activity (a random procedure's day, a little earlier).
    lost_count = round(referred.size * NEVER_TREATED)
    anchor = rng.integers(0, max(procedures.clinic.size, 1), lost_count)
    lost_clinic = procedures.clinic[anchor] if procedures.clinic.size else anchor
    lost_on = procedures.day[anchor] - rng.integers(0, 20, lost_count).astype("timedelta64[D]")

    untreated = pending_clinic.size + lost_count
    numbers = procedures.patient_numbers_used + 1 + rng.permutation(untreated)
    untreated_patient = prefixed_ids("P-", numbers, 6)

    clinic = np.concatenate([treated_clinic, pending_clinic, lost_clinic]).astype(np.int64)
    on = np.concatenate([treated_on, pending_on, lost_on]).astype("datetime64[D]")
    patient = np.concatenate([treated_patient, untreated_patient])
    earliest = np.maximum(network.opened[clinic] - BEFORE_OPENING, period.first)
    keep = (on >= earliest) & (on <= period.last)
    clinic, on, patient = clinic[keep], on[keep], patient[keep]
    source = categorical(rng, network.referral_mix, clinic)

    order = np.lexsort((patient, clinic, on))
    return contract_frame(
        REFERRALS,
        {
            "referral_id": prefixed_ids("RF-", np.arange(1, clinic.size + 1), 6),
            "clinic_id": network.clinic_ids[clinic[order]],
            "patient_id": patient[order],
            "referred_on": on[order],
            "source": labels(ReferralSource, source[order]),
        },
    )
