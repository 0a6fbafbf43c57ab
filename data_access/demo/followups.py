"""The demo follow-ups: soreness, pain and relief reported in the days after a procedure.

Data-access layer (demo data). Clinics reach 55–95 % of their patients, mostly 1–14 days
after, a few later, some twice. Soreness fades over days and is worse after dry needling than
after anesthetic injections (Hong 1994: soreness in all dry-needled patients vs 42 % of
lidocaine-injected ones), so day-1 medians come out near 5 and 2, and near 0–1 by day 14.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.contract import FOLLOWUPS, Channel, Relief
from data_access.demo.batch import contract_frame, labels, masked_ints, prefixed_ids
from data_access.demo.calendar import Period, weekday
from data_access.demo.draws import categorical, rounded_score
from data_access.demo.network import Network
from data_access.demo.procedures import ProcedureDraw

#: Day-1 soreness by procedure type (local anesthetic, corticosteroid, saline, dry needling,
#: other), its fading time in days, and the share with no soreness at all.
SORENESS_DAY1 = np.array([2.4, 2.9, 3.6, 5.3, 3.0])
SORENESS_FADE_DAYS = 3.5
NO_SORENESS = np.array([0.22, 0.15, 0.10, 0.02, 0.10])
#: Lasting pain reduction (points) by procedure type.
LASTING_RELIEF = np.array([2.0, 2.6, 1.1, 2.0, 1.5])
#: Days after the procedure of a first follow-up: 0, 1, 2, …, 35.
FIRST_DAY_WEIGHTS = np.concatenate(
    [[0.03, 0.26, 0.17, 0.11], np.full(4, 0.05), np.full(7, 0.025), np.full(21, 0.06 / 21)]
)
SECOND_FOLLOWUP = 0.18
CHANNELS = tuple(Channel)
#: Working hours by channel (phone, sms, visit, portal): patients answer portals late.
CHANNEL_HOURS = np.array([[9.0, 17.5], [8.0, 20.0], [8.0, 16.5], [6.5, 23.0]])
WAITS_FOR_WEEKDAY = np.array([c in (Channel.PHONE, Channel.VISIT) for c in CHANNELS])


def generate_followups(
    rng: np.random.Generator, network: Network, period: Period, procedures: ProcedureDraw
) -> pd.DataFrame:
    clinic = procedures.clinic
    reached = rng.random(clinic.size) < network.followup_rate[clinic]
    twice = reached & (rng.random(clinic.size) < SECOND_FOLLOWUP)
    first_row = np.flatnonzero(reached)
    first_days = categorical(rng, FIRST_DAY_WEIGHTS, first_row.size)
    second_days = first_days[twice[first_row]] + 4 + rng.geometric(1 / 7, int(twice.sum()))
    row = np.concatenate([first_row, np.flatnonzero(twice)])
    days_after = np.concatenate([first_days, second_days])

    channel = categorical(rng, network.channel_mix, clinic[row])
    on = procedures.day[row] + days_after.astype("timedelta64[D]")
    wd = weekday(on)
    shift = np.where(WAITS_FOR_WEEKDAY[channel], np.select([wd == 5, wd == 6], [2, 1], 0), 0)
    days_after = days_after + shift
    on = on + shift.astype("timedelta64[D]")
    keep = on <= period.last
    row, days_after, channel, on = row[keep], days_after[keep], channel[keep], on[keep]
    size = row.size

    hours = CHANNEL_HOURS[channel]
    minute = (60 * (hours[:, 0] + rng.random(size) * (hours[:, 1] - hours[:, 0]))).astype(int)
    same_day = days_after == 0
    later_that_day = procedures.minute[row] + 120 + rng.integers(0, 240, size)
    minute = np.where(
        same_day, np.minimum(np.maximum(minute, later_that_day), 23 * 60 + 55), minute
    )
    minute = np.where(network.dates_only[clinic[row]], 0, minute)
    followup_at = on.astype("datetime64[m]") + minute.astype("timedelta64[m]")

    kind = procedures.kind[row]
    fading = np.exp(-np.maximum(days_after - 1, 0) / SORENESS_FADE_DAYS)
    typical = SORENESS_DAY1[kind] * fading * np.where(same_day, 1.1, 1.0)
    soreness = rounded_score(typical * rng.lognormal(0, 0.35, size) + rng.normal(0, 0.6, size))
    soreness[rng.random(size) < NO_SORENESS[kind]] = 0

    before = procedures.pain_before[row]
    relief_points = np.maximum(rng.normal(LASTING_RELIEF[kind], 1.5), 0)
    pain = rounded_score(before - relief_points + rng.normal(0, 0.7, size))
    share_relieved = (before - pain) / np.maximum(before, 1)
    relief = np.select([share_relieved >= 0.7, share_relieved >= 0.25], [2, 1], 0)

    order = np.lexsort((row, followup_at))
    return contract_frame(
        FOLLOWUPS,
        {
            "followup_id": prefixed_ids("FU-", np.arange(1, size + 1), 7),
            "procedure_id": procedures.frame["procedure_id"].to_numpy()[row[order]],
            "followup_at": followup_at[order],
            "soreness": soreness[order],
            "pain": masked_ints(pain[order], rng.random(size) < 0.12),
            "relief": labels(Relief, relief[order], rng.random(size) < 0.08),
            "channel": labels(CHANNELS, channel[order], rng.random(size) < 0.02),
        },
    )
