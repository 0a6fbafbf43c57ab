"""How the overview's callbacks reach the data: cached query calls and the filter store.

Presentation layer. Every query goes through :func:`query`, which memoises it with the
runtime's cache (keyed by the query, the filters, the scope and the data version), where only
one request computes a given result (see :mod:`dashboard.single_flight`): when a filter
changes, the map, the volume ranking, the follow-up completion and the adverse-event panels
all ask for ``clinic_figures`` at once, and all but one of them wait for that one instead of
running the same SQL. The filter store holds the filters alone (ISO dates and codes), never
results.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date
from typing import Any, TypeVar

import flask
import pandas as pd
from sqlalchemy import Connection

from dashboard import runtime
from dashboard.auth_context import cell_threshold
from dashboard.scope import current_scope, scope_key
from dashboard.suppression_rules import effective_threshold, suppress_query_result
from dashboard.url_state import Catalogue
from data_access.contract import ProcedureType
from data_access.filters import Filters
from data_access.queries.clinics import (
    clinic_directory,
    earliest_procedure_date,
    latest_procedure_date,
)

T = TypeVar("T")
DIRECTORY_MEMO = "clinicops_clinic_directory"


def cached(name: str, compute: Callable[[Connection], T], *key: Hashable) -> T:
    """``compute(conn)`` through the result cache, computed by one request at a time per key
    (:mod:`dashboard.single_flight`)."""
    return runtime.current().cached(name, compute, *key)


def query(name: str, function: Callable[..., T], filters: Filters, **options: Any) -> T:
    """A query function of ``data_access.queries`` for these filters and the current scope."""
    scope = current_scope()
    threshold = effective_threshold(cell_threshold())  # small-cell suppression
    return cached(
        name,
        lambda conn: suppress_query_result(
            name, function(conn=conn, filters=filters, scope=scope, **options), threshold
        ),
        filters,
        scope_key(scope),
        tuple(sorted(options.items())),
        threshold,
    )


def directory() -> pd.DataFrame:
    """Every clinic the user may see, with its attributes (read-only: shared by the request's
    panels, which ask for it several times, so the cache is read once per request)."""
    scope = current_scope()
    key = scope_key(scope)
    memo: dict[Hashable, pd.DataFrame] = flask.g.setdefault(DIRECTORY_MEMO, {})
    if key not in memo:
        memo[key] = cached(
            "clinic_directory", lambda conn: clinic_directory(conn=conn, scope=scope), key
        )
    return memo[key]


def clinic_names() -> Mapping[str, str]:
    frame = directory()
    return dict(zip(frame["clinic_id"], frame["name"], strict=True))


def catalogue() -> Catalogue:
    """What the URL may name, and the data's first and last dates."""
    scope = current_scope()

    def bounds(conn: Connection) -> tuple[date | None, date | None]:
        return (
            earliest_procedure_date(conn=conn, scope=scope),
            latest_procedure_date(conn=conn, scope=scope),
        )

    earliest, latest = cached("procedure_date_bounds", bounds, scope_key(scope))
    frame = directory()
    return Catalogue(
        clinic_regions=dict(zip(frame["clinic_id"], frame["region"], strict=True)),
        earliest=earliest,
        latest=latest,
    )


def filters_to_store(filters: Filters) -> dict[str, Any]:
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "regions": list(filters.regions),
        "clinics": list(filters.clinics),
        "procedure_types": [t.value for t in filters.procedure_types],
    }


def filters_from_store(data: Mapping[str, Any]) -> Filters:
    return Filters(
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        regions=tuple(data.get("regions") or ()),
        clinics=tuple(data.get("clinics") or ()),
        procedure_types=tuple(ProcedureType(t) for t in data.get("procedure_types") or ()),
    )
