"""When procedures happen: clinic × day volumes and the clock time of each procedure.

Data-access layer (demo data). Volume is a whole clinic × day matrix (weekday habits, federal
holidays, seasons, slow growth, a ramp-up after opening, snow days) drawn as Poisson counts
and expanded to one row per procedure, with no loop over procedures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_access.demo.calendar import (
    Period,
    federal_holidays,
    seasonality,
    weekday,
    winter,
)
from data_access.demo.draws import minutes
from data_access.demo.network import Network
from data_access.demo.places import REGIONS

#: A new clinic starts at a fifth of its eventual volume and fills up over a few months.
RAMP_START = 0.2
RAMP_DAYS = 75.0


@dataclass(frozen=True)
class Visits:
    """One entry per procedure, sorted by clinic, day and clock time."""

    clinic: np.ndarray  # index into the network
    day: np.ndarray  # datetime64[D], clinic-local
    minute: np.ndarray  # minutes after local midnight


def expected_volume(network: Network, period: Period) -> np.ndarray:
    """Expected procedures per clinic (rows) and day (columns)."""
    days = period.days
    volume = network.daily_volume[:, None] * network.week[:, weekday(days)]
    volume *= seasonality(days)[None, :]
    years_to_end = (days - period.last).astype(np.int64) / 365.25
    volume *= np.exp(network.growth[:, None] * years_to_end[None, :])
    since_opening = (days[None, :] - network.opened[:, None]).astype(np.int64)
    ramp = 1 - (1 - RAMP_START) * np.exp(-np.maximum(since_opening, 0) / RAMP_DAYS)
    volume *= np.where(since_opening < 0, 0.0, ramp)
    volume[:, np.isin(days, federal_holidays(period))] = 0.0
    return volume


def draw_visits(rng: np.random.Generator, network: Network, period: Period) -> Visits:
    """Draw every procedure's clinic, day and time."""
    days = period.days
    volume = expected_volume(network, period)
    # Busy and quiet days, and days a clinic closes (provider away; snow up north in winter).
    volume *= rng.gamma(10.0, 0.1, volume.shape)
    snowy = np.array([REGIONS[r].snowy for r in network.region])
    closure = 0.015 + 0.05 * (snowy[:, None] & winter(days)[None, :])
    volume[rng.random(volume.shape) < closure] = 0.0
    counts = rng.poisson(volume).ravel()

    cell = np.repeat(np.arange(counts.size), counts)
    clinic = cell // days.size
    day = days[cell % days.size]
    saturday = weekday(day) == 5
    minute = np.where(
        saturday,
        minutes(8, 12, rng, cell.size),
        minutes(8, 16.5, rng, cell.size),
    )
    order = np.lexsort((minute, day, clinic))
    return Visits(clinic=clinic[order], day=day[order], minute=minute[order])
