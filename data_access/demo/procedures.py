"""The demo procedures: what was done to whom, by whom, where on the body, and how it went.

Data-access layer (demo data). A patient keeps a procedure type, body region, indication and
provider across visits (with occasional changes); CPT codes follow type and trigger points;
pain before is the patient's level easing over a course of visits, and pain after usually
two or more points lower. Returns the contract frame and the arrays later generators reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access.contract import PROCEDURES, BodyRegion, Indication, ProcedureType
from data_access.demo.batch import contract_frame, labels, masked_ints, prefixed_ids
from data_access.demo.calendar import Period
from data_access.demo.draws import categorical, rounded_score
from data_access.demo.network import Network
from data_access.demo.patients import assign_patients
from data_access.demo.schedule import draw_visits

BODY_MIX = np.array([0.05, 0.21, 0.15, 0.22, 0.22, 0.07, 0.05, 0.03])
#: Indication given the body region (rows in ``BodyRegion`` order, columns in ``Indication``
#: order: myofascial pain, headache, neck pain, back pain, fibromyalgia, other).
INDICATION_BY_BODY = np.array(
    [
        [0.25, 0.65, 0.03, 0.00, 0.04, 0.03],  # head
        [0.35, 0.12, 0.45, 0.00, 0.05, 0.03],  # neck
        [0.65, 0.00, 0.15, 0.03, 0.07, 0.10],  # shoulder
        [0.50, 0.00, 0.08, 0.30, 0.08, 0.04],  # upper back
        [0.30, 0.00, 0.00, 0.62, 0.05, 0.03],  # lower back
        [0.55, 0.00, 0.00, 0.25, 0.08, 0.12],  # hip
        [0.60, 0.00, 0.00, 0.00, 0.10, 0.30],  # limb
        [0.40, 0.00, 0.00, 0.10, 0.20, 0.30],  # other
    ]
)
TRIGGER_POINT_MIX = np.array([0.16, 0.24, 0.22, 0.18, 0.12, 0.08])  # 1 … 6 points
#: Chance of immediate relief of two points or more, by procedure type.
RESPONDS = np.array([0.80, 0.75, 0.55, 0.70, 0.60])
CPT_CODES = ("20552", "20553", "20560", "20561")
TYPES = tuple(ProcedureType)
DRY_NEEDLING = TYPES.index(ProcedureType.DRY_NEEDLING)
OTHER = TYPES.index(ProcedureType.OTHER)


@dataclass(frozen=True)
class ProcedureDraw:
    """The procedures frame and, aligned with its rows, values later generators build on."""

    frame: pd.DataFrame
    clinic: np.ndarray
    day: np.ndarray  # datetime64[D]
    minute: np.ndarray  # clock time (minutes after midnight); 0 where only the date is known
    kind: np.ndarray  # index into ProcedureType
    body: np.ndarray  # index into BodyRegion
    pain_before: np.ndarray  # the true score, also where the frame leaves it blank
    patient: np.ndarray
    first_visit: np.ndarray
    patient_ids: np.ndarray  # per patient index: the pseudonymous id
    patient_numbers_used: int


def _switch(rng: np.random.Generator, kept: np.ndarray, fresh: np.ndarray, p: float) -> np.ndarray:
    return np.where(rng.random(kept.size) < p, fresh, kept)


def generate_procedures(
    rng: np.random.Generator, network: Network, period: Period
) -> ProcedureDraw:
    visits = draw_visits(rng, network, period)
    patients = assign_patients(rng, network, period, visits)
    clinic, patient, size = visits.clinic, patients.patient, visits.clinic.size

    # What each patient usually gets; a visit sometimes differs.
    usual_kind = categorical(rng, network.type_mix, patients.clinic)
    usual_body = categorical(rng, BODY_MIX, patients.total)
    indication_u = rng.random(patients.total)
    baseline = np.clip(rng.normal(6.6, 1.3, patients.total), 4, 9)
    headcount = np.array([len(p) for p in network.provider_ids])
    usual_provider = rng.integers(0, headcount[patients.clinic])

    kind = _switch(rng, usual_kind[patient], categorical(rng, network.type_mix, clinic), 0.1)
    body = _switch(rng, usual_body[patient], categorical(rng, BODY_MIX, size), 0.15)
    indication = categorical(rng, INDICATION_BY_BODY, body, u=indication_u[patient])
    provider_index = _switch(rng, usual_provider[patient], rng.integers(0, headcount[clinic]), 0.15)
    flat_providers = np.array([p for ids in network.provider_ids for p in ids], dtype=object)
    provider_offset = np.cumsum(headcount) - headcount
    provider = flat_providers[provider_offset[clinic] + provider_index]
    provider[rng.random(size) < 0.015] = None

    points = categorical(rng, TRIGGER_POINT_MIX, size) + 1
    # 20552/20560: one or two muscles; 20553/20561: three or more (a point per muscle here).
    cpt = 2 * (kind == DRY_NEEDLING) + (points > 2)
    cpt_missing = (kind == OTHER) | (rng.random(size) < 0.02)

    easing = 0.25 * np.minimum(patients.visit_number, 6)
    before = rounded_score(baseline[patient] - easing + rng.normal(0, 0.8, size))
    before = np.maximum(before, 1)
    responds = rng.random(size) < RESPONDS[kind]
    drop = np.where(responds, 2 + np.minimum(rng.poisson(1.2, size), 3), rng.integers(0, 2, size))
    after = np.maximum(before - drop, 0)
    before_blank = rng.random(size) < 0.04
    after_blank = (before_blank & (rng.random(size) < 0.7)) | (rng.random(size) < 0.05)

    # Patient ids are scrambled so that numbers say nothing about clinic or arrival.
    numbers = rng.permutation(patients.total) + 1
    patient_ids = prefixed_ids("P-", numbers, 6)
    minute = np.where(network.dates_only[clinic], 0, visits.minute)
    performed_at = visits.day.astype("datetime64[m]") + minute.astype("timedelta64[m]")

    order = np.lexsort((clinic, performed_at))
    frame = contract_frame(
        PROCEDURES,
        {
            "procedure_id": prefixed_ids("PR-", np.arange(1, size + 1), 7),
            "clinic_id": network.clinic_ids[clinic[order]],
            "patient_id": patient_ids[patient[order]],
            "provider_id": provider[order],
            "performed_at": performed_at[order],
            "procedure_type": labels(TYPES, kind[order]),
            "cpt_code": labels(CPT_CODES, cpt[order], cpt_missing[order]),
            "body_region": labels(BodyRegion, body[order], (rng.random(size) < 0.01)),
            "indication": labels(Indication, indication[order], rng.random(size) < 0.03),
            "trigger_points": masked_ints(points[order], rng.random(size) < 0.02),
            "pain_before": masked_ints(before[order], before_blank[order]),
            "pain_after": masked_ints(after[order], after_blank[order]),
        },
    )
    return ProcedureDraw(
        frame=frame,
        clinic=clinic[order],
        day=visits.day[order],
        minute=minute[order],
        kind=kind[order],
        body=body[order],
        pain_before=before[order],
        patient=patient[order],
        first_visit=patients.first_visit[order],
        patient_ids=patient_ids,
        patient_numbers_used=patients.total,
    )
