"""A reused statement template gives exactly the statement a fresh build would.

``summed`` and the distinct-patient count build one template per *shape* of the range, the
selection and the figure, and fill in its values (``queries._summary``'s module docstring).
If a shape's key left out something that changes the statement, a template built for one
filter would be reused for another of a different structure and answer the wrong question.
So every combination below is compiled twice, on both dialects: taken from the template cache
that every earlier combination has filled, and built from its own selection without any
template; the SQL and its parameters must be the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.filters import Grain
from data_access.queries import _summary, patients
from data_access.queries._ranges import cover, cover_buckets
from data_access.queries._summary import Selection, _summed_template, summed
from data_access.queries.clinics import OPEN_FOR_WANTED_TYPES
from data_access.schema_summaries import (
    summary_events,
    summary_open_days,
    summary_procedures,
    summary_referral_conversion,
    summary_referrals,
)

CLINICS = tuple(f"c{n:03d}" for n in range(12))
REGIONS = {"North": CLINICS[:4], "South": CLINICS[4:8], "West": CLINICS[8:]}
TYPES = ("anesthetic", "corticosteroid", "saline", "dry_needling")
FIRST_DAY = date(2021, 11, 1)
DAYS = 5 * 365

#: The figures' calls of ``summed`` (as in ``data_access.queries``), by the part they vary.
FIGURES: list[dict[str, Any]] = [
    {"table": summary_procedures, "measures": ["procedures", "followed_up"]},
    {"table": summary_procedures, "measures": ["procedures"], "per_clinic": True},
    {
        "table": summary_procedures,
        "keys": [summary_procedures.c.procedure_type],
        "measures": ["procedures", "adverse_events"],
        "by_type": True,
        "nonzero": "procedures",
        "order_by": ["procedure_type"],
    },
    {
        "table": summary_procedures,
        "measures": ["procedures", "adverse_events"],
        "per_clinic": True,
        "bucket": Grain.MONTH,
        "nonzero": "procedures",
        "order_by": ["clinic_id", "period"],
    },
    {
        "table": summary_events,
        "keys": [summary_events.c.event_type, summary_events.c.severity],
        "measures": ["events"],
        "nonzero": "events",
        "order_by": ["event_type", "severity"],
    },
    {
        "table": summary_referrals,
        "keys": [summary_referrals.c.source],
        "measures": ["referrals"],
        "typed": False,
        "bucket": Grain.WEEK,
    },
    {
        "table": summary_referral_conversion,
        "keys": [summary_referral_conversion.c.days_to_first],
        "measures": ["referrals"],
        "per_clinic": True,
        "typed": False,
    },
    {
        "table": summary_open_days,
        "measures": ["days"],
        "per_clinic": True,
        "typed": False,
        "rolled_up": False,
        "where": [OPEN_FOR_WANTED_TYPES],
        "params": {"wanted_types": 5},
    },
]


def _selection(rng: random.Random, postgres: bool) -> Selection:
    kind = rng.choice(["every", "none", "region", "regions+clinic", "clinics"])
    chosen_types = rng.choice([None, None, (rng.choice(TYPES),), tuple(rng.sample(TYPES, 2))])
    if kind == "every":
        return Selection(None, (), (), chosen_types, CLINICS, postgres)
    if kind == "none":
        return Selection((), (), (), chosen_types, CLINICS, postgres)
    regions = sorted(rng.sample(sorted(REGIONS), 1 if kind == "region" else 2))
    leftover: tuple[str, ...] = ()
    if kind == "regions+clinic":
        outside = [c for c in CLINICS if not any(c in REGIONS[r] for r in regions)]
        leftover = (rng.choice(outside),)
    if kind == "clinics":
        ids = tuple(sorted(rng.sample(CLINICS, 3)))
        return Selection(ids, (), ids, chosen_types, CLINICS, postgres)
    ids = tuple(sorted({c for r in regions for c in REGIONS[r]} | set(leftover)))
    return Selection(ids, tuple(regions), leftover, chosen_types, CLINICS, postgres)


def _range(rng: random.Random) -> tuple[date, date]:
    start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    length = rng.choice([0, 1, 6, 13, 30, 45, 90, 200, 365, 800, 1800])
    return start, start + timedelta(days=length)


def _combinations(count: int) -> Iterator[tuple[str, Callable[[], Select[Any]]]]:
    rng = random.Random(20261125)
    for n in range(count):
        postgres = rng.random() < 0.5
        selection = _selection(rng, postgres)
        start, end = _range(rng)
        if n % 3 == 2:
            level, shared_only, per_clinic = rng.choice(
                [("network", None, False), ("clinic", None, True), ("clinic", False, False)]
            )
            yield (
                "postgresql" if postgres else "sqlite",
                lambda s=selection, a=start, b=end, lv=level, so=shared_only, pc=per_clinic: (
                    patients._counted(s, a, b, lv, so, per_clinic=pc)
                ),
            )
            continue
        options = dict(rng.choice(FIGURES))
        bucket = options.get("bucket")
        parts = cover_buckets(start, end, bucket) if bucket else cover(start, end)
        yield (
            "postgresql" if postgres else "sqlite",
            lambda s=selection, p=parts, o=options: summed(
                o["table"], p, s, **{k: v for k, v in o.items() if k != "table"}
            ),
        )


def _clear() -> None:
    _summed_template.cache_clear()
    patients._counted_template.cache_clear()


def _compiled(dialect: str, statement: Select[Any]) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(
        dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect()
    )
    return str(compiled), dict(compiled.params)


@pytest.fixture(autouse=True)
def _empty_template_caches() -> Iterator[None]:
    _clear()
    yield
    _clear()


def test_a_reused_template_is_the_statement_built_for_the_selection_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    combinations = list(_combinations(900))
    reused = [_compiled(dialect, build()) for dialect, build in combinations]
    # The reference: every statement built from its own selection, no template cache.
    with monkeypatch.context() as patch:
        patch.setattr(_summary, "_template", _summary._build)
        patch.setattr(patients, "_template", patients._build)
        direct = [_compiled(dialect, build()) for dialect, build in combinations]
    # Templates were in fact reused, across different dates and clinics.
    assert _summed_template.cache_info().hits > 100
    assert patients._counted_template.cache_info().hits > 50
    for n, (expected, got) in enumerate(zip(direct, reused, strict=True)):
        assert got == expected, f"combination {n}"


def test_a_template_holds_no_value_of_the_filter_it_was_built_for() -> None:
    """The values are parameters: two ranges and selections of one shape share one template,
    and each statement carries its own dates and clinics."""
    north = Selection(REGIONS["North"], ("North",), (), None, CLINICS, True)
    south = Selection(REGIONS["South"], ("South",), (), None, CLINICS, True)
    first = summed(
        summary_procedures,
        cover(date(2024, 3, 1), date(2024, 5, 31)),
        north,
        measures=["procedures"],
    )
    second = summed(
        summary_procedures,
        cover(date(2023, 6, 1), date(2023, 8, 31)),
        south,
        measures=["procedures"],
    )
    assert _summed_template.cache_info().misses == 1
    _, first_params = _compiled("postgresql", first)
    _, second_params = _compiled("postgresql", second)
    assert first_params["regions"] == ["North"] and second_params["regions"] == ["South"]
    assert first_params["first_0"] == date(2024, 3, 1)
    assert second_params["first_0"] == date(2023, 6, 1)
