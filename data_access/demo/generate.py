"""``generate_demo``: a whole synthetic clinic network in the contract's exchange format.

Data-access layer (demo data). The network is drawn first, then procedures, and from those the
follow-ups, adverse events and referrals. Each stage has its own random stream spawned from
the seed, so the output depends only on the arguments (never on the clock beyond ``end``).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from data_access.demo.batch import DemoBatch
from data_access.demo.calendar import Period
from data_access.demo.events import generate_adverse_events
from data_access.demo.followups import generate_followups
from data_access.demo.network import build_network
from data_access.demo.procedures import generate_procedures
from data_access.demo.referrals import generate_referrals

DEFAULT_SEED = 20261124


def generate_demo(
    *,
    clinics: int = 40,
    years: float = 3.0,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
) -> DemoBatch:
    """A demo network of ``clinics`` clinics with ``years`` years of activity up to ``end``
    (default: today), so that the dashboard's default "last 90 days" always has data."""
    if clinics < 1:
        raise ValueError(f"clinics must be at least 1, not {clinics}")
    if not years > 0:
        raise ValueError(f"years must be positive, not {years}")
    period = Period.ending(end or date.today(), years)
    streams = np.random.default_rng(seed).spawn(5)
    network = build_network(streams[0], clinics, period)
    procedures = generate_procedures(streams[1], network, period)
    return DemoBatch(
        clinics=network.clinics,
        procedures=procedures.frame,
        followups=generate_followups(streams[2], network, period, procedures),
        adverse_events=generate_adverse_events(streams[3], network, period, procedures),
        referrals=generate_referrals(streams[4], network, period, procedures),
        drifting_clinics=tuple(network.clinic_ids[network.drifting].tolist()),
    )
