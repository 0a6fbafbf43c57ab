"""The overview's filter state: the URL is its single source of truth.

Presentation layer. The overview's filter bar is kept in its URL by the shared
``components.url_filters`` (see there for the two callbacks and the back button); this
module says what is the overview's own: the filter store its panels read, the notice strip,
clinic options labelled with their region, and clicks on a clinic or a procedure type in a
chart, which select it (or clear it, when it was selected).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dash import ALL, Input

from dashboard.components.url_filters import UrlFilters, bar_change
from dashboard.panels import ids
from dashboard.panels.data import catalogue, directory, filters_to_store
from dashboard.url_state import Catalogue
from data_access.contract import ProcedureType
from data_access.filters import Filters

BAR = ids.FILTER_BAR


def clinic_options(regions: Sequence[str]) -> list[dict[str, str]]:
    """Clinics to choose from, narrowed to the chosen regions, labelled "Name (Region)"."""
    frame = directory()
    if regions:
        frame = frame[frame["region"].isin(regions)]
    return [
        {"label": f"{name} ({region})", "value": clinic_id}
        for clinic_id, name, region in zip(
            frame["clinic_id"], frame["name"], frame["region"], strict=True
        )
    ]


def _toggled(current: tuple[str, ...], value: str) -> tuple[str, ...]:
    """Clicking a selected item clears it; clicking another selects it alone."""
    return tuple(v for v in current if v != value) if value in current else (value,)


def _clicked_code(click: Mapping[str, Any] | None) -> str | None:
    points = (click or {}).get("points") or []
    if not points:
        return None
    custom = points[0].get("customdata")
    code = custom[0] if isinstance(custom, list) and custom else custom
    return code if isinstance(code, str) else None


def next_filters(
    current: Filters,
    trigger: Any,
    values: Mapping[str, Any],
    known: Catalogue,
) -> Filters:
    """The filters after one change (``trigger`` is the id of what changed): a control of
    the bar, or a click on a chart (``values["click"]``)."""
    if not isinstance(trigger, Mapping):
        return bar_change(BAR, current, trigger, values, known)
    code = _clicked_code(values["click"])
    if code is None:
        return current
    if trigger.get("type") == ids.CLINIC_CHART and code in known.clinic_regions:
        return replace(current, clinics=_toggled(current.clinics, code))
    if trigger.get("type") == ids.TYPE_CHART and code in set(ProcedureType):
        toggled = _toggled(tuple(t.value for t in current.procedure_types), code)
        return replace(current, procedure_types=tuple(ProcedureType(t) for t in toggled))
    return current


URL_FILTERS = UrlFilters(
    bar=BAR,
    location=ids.URL,
    catalogue=catalogue,
    clinic_options=clinic_options,
    store=ids.FILTERS,
    to_store=filters_to_store,
    notice=ids.NOTICE,
    triggers=(
        Input({"type": ids.CLINIC_CHART, "panel": ALL}, "clickData"),
        Input({"type": ids.TYPE_CHART, "panel": ALL}, "clickData"),
    ),
    change=next_filters,
)


def register() -> None:
    URL_FILTERS.register()
