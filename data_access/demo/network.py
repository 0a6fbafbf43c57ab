"""The demo clinic network: which clinics exist, where, since when, and how each one works.

Data-access layer (demo data). ``build_network`` returns the ``clinics`` frame plus one value
per clinic of everything the activity generators need (size, opening days, procedure and
follow-up habits, adverse-event rate, referral mix), so clinics differ the way real ones do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.contract import CLINICS, ReferralSource
from data_access.demo.batch import contract_frame, prefixed_ids
from data_access.demo.calendar import Period
from data_access.demo.draws import dirichlet_around
from data_access.demo.places import (
    NAME_TEMPLATES,
    REFERRAL_BASE_MIX,
    REGION_WEIGHTS,
    REGIONS,
    SECOND_SITE_SUFFIXES,
)

#: Network-wide procedure mix in ``ProcedureType`` order (local anesthetic, corticosteroid,
#: saline, dry needling, other); each clinic scatters around it and some specialise.
TYPE_MIX = np.array([0.44, 0.20, 0.07, 0.24, 0.05])
#: Follow-up channel mix in ``Channel`` order (phone, sms, visit, portal).
CHANNEL_MIX = np.array([0.45, 0.25, 0.15, 0.15])
#: Relative volume by weekday (Monday first) of a full-time clinic.
FULL_TIME_WEEK = np.array([1.05, 1.0, 1.0, 1.0, 0.82, 0.0, 0.0])
SATURDAY_SESSION = 0.2
PART_TIME_DAYS: tuple[tuple[int, ...], ...] = ((1, 3), (0, 2), (2, 4), (0, 2, 4), (1, 2, 3), (0, 3))
#: Adverse events per procedure across the network (before clinic variation and drift).
NETWORK_AE_RATE = 0.0068
#: A drifting clinic's adverse-event rate climbs from the network's over the last two years
#: to this multiple of it on the last day (about 4× on average over the last year).
DRIFT_DAYS = 730
DRIFT_PEAK = 5.5


@dataclass(frozen=True)
class Network:
    """The ``clinics`` frame and, aligned with its rows, each clinic's working habits."""

    clinics: pd.DataFrame
    clinic_ids: np.ndarray
    region: np.ndarray  # index into REGIONS
    opened: np.ndarray  # datetime64[D]
    daily_volume: np.ndarray  # expected procedures on a full open day, at the period's end
    week: np.ndarray  # (clinics, 7) relative volume by weekday
    part_time: np.ndarray
    growth: np.ndarray  # yearly
    new_patient_share: np.ndarray
    type_mix: np.ndarray  # (clinics, 5)
    channel_mix: np.ndarray  # (clinics, 4)
    referral_mix: np.ndarray  # (clinics, 11)
    followup_rate: np.ndarray
    ae_rate: np.ndarray
    provider_ids: tuple[tuple[str, ...], ...]
    dates_only: np.ndarray  # exports dates without clock times
    drifting: np.ndarray

    def __len__(self) -> int:
        return len(self.clinic_ids)


def _regions_and_sites(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Region of each clinic (one per region first, the rest by weight) and its rank within
    the region, sorted by region then rank."""
    first = np.arange(min(count, len(REGIONS)))
    weights = np.asarray(REGION_WEIGHTS) / sum(REGION_WEIGHTS)
    rest = rng.choice(len(REGIONS), size=count - first.size, p=weights)
    region = np.sort(np.concatenate([first, rest]))
    starts = np.searchsorted(region, region, side="left")
    return region, np.arange(count) - starts


def _drifting(rng: np.random.Generator, eligible: np.ndarray, size: np.ndarray) -> np.ndarray:
    """One clinic (two in networks of 12 or more) drifts, chosen among the eligible."""
    count = 1 if size.size < 12 else 2
    pool = np.flatnonzero(eligible)
    if pool.size < count:
        pool = np.argsort(-size, kind="stable")[: max(count, pool.size)]
    chosen = rng.choice(pool, size=count, replace=False)
    drifting = np.zeros(size.size, dtype=bool)
    drifting[chosen] = True
    return drifting


def _providers(
    rng: np.random.Generator, region: np.ndarray, size: np.ndarray, part_time: np.ndarray
) -> tuple[tuple[str, ...], ...]:
    """Provider ids per clinic; a part-time clinic is served by a provider riding circuit from
    the region's first full-time clinic, where there is one."""
    headcount = np.where(part_time, 1, 1 + (size // 7).astype(np.int64))
    numbers = np.cumsum(headcount) - headcount
    own = [
        tuple(prefixed_ids("PRV-", numbers[i] + 1 + np.arange(headcount[i]), 3).tolist())
        for i in range(size.size)
    ]
    result = []
    for i in range(size.size):
        home = np.flatnonzero((region == region[i]) & ~part_time)
        if part_time[i] and home.size and rng.random() < 0.7:
            result.append(own[home[0]][:1])
        else:
            result.append(own[i])
    return tuple(result)


def build_network(rng: np.random.Generator, count: int, period: Period) -> Network:
    """Draw ``count`` clinics for ``period``."""
    region, rank = _regions_and_sites(rng, count)
    towns = [REGIONS[r].towns[k % len(REGIONS[r].towns)] for r, k in zip(region, rank, strict=True)]
    site = rank // len(REGIONS[0].towns)
    template = rng.integers(0, len(NAME_TEMPLATES), count)
    names = [
        NAME_TEMPLATES[t].format(town=town.name)
        + (SECOND_SITE_SUFFIXES[(s - 1) % len(SECOND_SITE_SUFFIXES)] if s else "")
        for t, town, s in zip(template, towns, site, strict=True)
    ]
    jitter = np.where(site > 0, 0.02, 0.006)
    latitude = np.array([t.latitude for t in towns]) + rng.normal(0, 1, count) * jitter
    longitude = np.array([t.longitude for t in towns]) + rng.normal(0, 1, count) * jitter

    # Most clinics predate the period; some open during it (not in its last eight months).
    first, last = period.first, period.last
    established = first - rng.integers(120, 15 * 365, count) * np.timedelta64(1, "D")
    window = int((last - first).astype(int)) - 270
    opens_late = (rank > 0) & (rng.random(count) < 0.15) & (window > 30)
    late = first + (30 + rng.integers(0, max(window - 30, 1), count)) * np.timedelta64(1, "D")
    opened = np.where(opens_late, late, established).astype("datetime64[D]")

    daily_volume = np.exp(rng.uniform(np.log(2.5), np.log(25.0), count))
    part_time = rng.random(count) < np.where(daily_volume < 6, 0.35, 0.1)
    week = np.tile(FULL_TIME_WEEK, (count, 1))
    week[:, 5] = np.where(rng.random(count) < 0.2, SATURDAY_SESSION, 0.0)
    pattern = rng.integers(0, len(PART_TIME_DAYS), count)
    for clinic in np.flatnonzero(part_time):
        week[clinic] = 0.0
        week[clinic, list(PART_TIME_DAYS[pattern[clinic]])] = 1.15

    type_mix = dirichlet_around(rng, TYPE_MIX, count, 30)
    specialty = rng.choice(3, size=count, p=[0.6, 0.2, 0.2])  # none, dry needling, steroid
    type_mix[specialty == 1, 3] *= 3.0
    type_mix[specialty == 2, 1] *= 3.0
    type_mix /= type_mix.sum(axis=1, keepdims=True)

    base_referrals = np.array([REFERRAL_BASE_MIX[s] for s in ReferralSource])
    referral_mix = np.empty((count, len(ReferralSource)))
    for i in range(count):
        boosted = base_referrals.copy()
        for source, factor in REGIONS[region[i]].referral_boosts:
            boosted[list(ReferralSource).index(source)] *= factor
        referral_mix[i] = dirichlet_around(rng, boosted, 1, 80)[0]

    drift_from = last - np.timedelta64(DRIFT_DAYS, "D")
    eligible = ~part_time & (opened <= drift_from) & (daily_volume >= np.median(daily_volume))
    drifting = _drifting(rng, eligible, daily_volume)
    # A drifting clinic starts at the network's rate, so its drift alone sets it apart.
    ae_rate = np.where(drifting, 1.0, rng.gamma(16.0, 1 / 16.0, count)) * NETWORK_AE_RATE
    clinic_ids = prefixed_ids("CL-", np.arange(1, count + 1), 3)
    clinics = contract_frame(
        CLINICS,
        {
            "clinic_id": clinic_ids,
            "name": names,
            "region": [REGIONS[r].name for r in region],
            "city": [t.name for t in towns],
            "state": [t.state for t in towns],
            "latitude": np.round(latitude, 5),
            "longitude": np.round(longitude, 5),
            "ruca_code": [t.ruca_code for t in towns],
            "opened_on": opened,
        },
    )
    return Network(
        clinics=clinics,
        clinic_ids=clinic_ids,
        region=region,
        opened=opened,
        daily_volume=daily_volume,
        week=week,
        part_time=part_time,
        growth=rng.normal(0.05, 0.03, count),
        new_patient_share=rng.uniform(0.24, 0.34, count),
        type_mix=type_mix,
        channel_mix=dirichlet_around(rng, CHANNEL_MIX, count, 12),
        referral_mix=referral_mix,
        followup_rate=rng.uniform(0.55, 0.95, count),
        ae_rate=ae_rate,
        provider_ids=_providers(rng, region, daily_volume, part_time),
        dates_only=rng.random(count) < 0.08,
        drifting=drifting,
    )


def drift_multiplier(
    network: Network, clinic: np.ndarray, days: np.ndarray, period: Period
) -> np.ndarray:
    """Adverse-event rate multiplier of each procedure's clinic on its day (1 unless the clinic
    drifts: then rising linearly over the last ``DRIFT_DAYS`` to ``DRIFT_PEAK`` at the end)."""
    progress = 1 - (period.last - days).astype(np.int64) / DRIFT_DAYS
    rise = (DRIFT_PEAK - 1) * np.clip(progress, 0, 1)
    return 1 + np.where(network.drifting[clinic], rise, 0.0)
