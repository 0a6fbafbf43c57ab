"""The overview's filter state: the URL is its single source of truth.

Presentation layer. Two callbacks and no loop between them:

* ``url_to_filters`` (on the URL's query string) validates it, fills the filter store the
  panels read, sets the filter bar's options and values, and names every dropped value in a
  notice;
* ``controls_to_url`` (on a filter control, the reset button or a click on a clinic or a
  procedure type in a chart) works out the new filters from the store and what changed, and
  writes their query string to the URL, which pushes a browser history entry. When the
  controls merely echo the store (after ``url_to_filters`` set them) it does nothing.

The browser's back button changes the URL, and ``url_to_filters`` takes it from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update

from dashboard.panels import ids
from dashboard.panels.data import catalogue, directory, filters_from_store, filters_to_store
from dashboard.url_state import Catalogue, Preset, matching_preset, parse_search, preset_range
from dashboard.url_state import to_search as search_of
from data_access.contract import ProcedureType
from data_access.filters import FilterError, Filters

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


def notice(dropped: Sequence[Any]) -> html.Component | None:
    if not dropped:
        return None
    return dbc.Alert(
        [
            html.Strong("Some filters in the link were ignored: "),
            html.Ul([html.Li(str(item)) for item in dropped], className="mb-0 mt-1"),
        ],
        color="warning",
        dismissable=True,
        className="filter-notice",
    )


def url_to_filters(search: str | None) -> tuple[Any, ...]:
    """Callback: the URL's filters into the store, the filter bar and the notice."""
    known = catalogue()
    state = parse_search(search, known)
    filters = state.filters
    regions = sorted(known.regions)
    first = known.first_day.isoformat()
    last = known.last_day.isoformat()
    preset = matching_preset(filters.start, filters.end, known)
    return (
        filters_to_store(filters),
        filters.start.isoformat(),
        filters.end.isoformat(),
        min(first, filters.start.isoformat()),
        max(last, filters.end.isoformat()),
        preset.value if preset else None,
        [{"label": region, "value": region} for region in regions],
        list(filters.regions),
        clinic_options(filters.regions),
        list(filters.clinics),
        [t.value for t in filters.procedure_types],
        notice(state.dropped),
    )


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


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def next_filters(
    current: Filters,
    trigger: Any,
    values: Mapping[str, Any],
    known: Catalogue,
) -> Filters:
    """The filters after one change (``trigger`` is the id of what changed)."""
    if trigger == BAR.reset:
        start, end = preset_range(Preset.LAST_90_DAYS, known)
        return Filters(start=start, end=end)
    if trigger == BAR.preset and values["preset"] in set(Preset):
        start, end = preset_range(values["preset"], known)
        return replace(current, start=start, end=end)
    if trigger == BAR.dates:
        start, end = _day(values["start"]), _day(values["end"])
        if start is None or end is None or start > end:
            return current
        return replace(current, start=start, end=end)
    if trigger == BAR.regions:
        regions = tuple(values["regions"] or ())
        region_of = known.clinic_regions
        clinics = tuple(c for c in current.clinics if not regions or region_of[c] in regions)
        return replace(current, regions=regions, clinics=clinics)
    if trigger == BAR.clinics:
        return replace(current, clinics=tuple(values["clinics"] or ()))
    if trigger == BAR.procedures:
        return replace(
            current, procedure_types=tuple(ProcedureType(t) for t in values["procedures"] or ())
        )
    if isinstance(trigger, Mapping):
        code = _clicked_code(values["click"])
        if code is None:
            return current
        if trigger.get("type") == ids.CLINIC_CHART and code in known.clinic_regions:
            return replace(current, clinics=_toggled(current.clinics, code))
        if trigger.get("type") == ids.TYPE_CHART and code in set(ProcedureType):
            toggled = _toggled(tuple(t.value for t in current.procedure_types), code)
            return replace(current, procedure_types=tuple(ProcedureType(t) for t in toggled))
    return current


def controls_to_url(
    preset: str | None,
    start: str | None,
    end: str | None,
    regions: list[str] | None,
    clinics: list[str] | None,
    procedures: list[str] | None,
    _reset: int | None,
    _clinic_clicks: list[Any],
    _type_clicks: list[Any],
    store: Mapping[str, Any] | None,
) -> Any:
    """Callback: the query string of the filters after the change that triggered it."""
    if not store or ctx.triggered_id is None:
        return no_update
    current = filters_from_store(store)
    values = {
        "preset": preset,
        "start": start,
        "end": end,
        "regions": regions,
        "clinics": clinics,
        "procedures": procedures,
        "click": ctx.triggered[0]["value"] if isinstance(ctx.triggered_id, Mapping) else None,
    }
    known = catalogue()
    try:
        updated = next_filters(current, ctx.triggered_id, values, known)
    except (FilterError, KeyError, ValueError):
        return no_update
    if updated == current and ctx.triggered_id != BAR.reset:
        return no_update
    return search_of(updated, known)


def register() -> None:
    dash.callback(
        Output(ids.FILTERS, "data"),
        Output(BAR.dates, "start_date"),
        Output(BAR.dates, "end_date"),
        Output(BAR.dates, "min_date_allowed"),
        Output(BAR.dates, "max_date_allowed"),
        Output(BAR.preset, "value"),
        Output(BAR.regions, "options"),
        Output(BAR.regions, "value"),
        Output(BAR.clinics, "options"),
        Output(BAR.clinics, "value"),
        Output(BAR.procedures, "value"),
        Output(ids.NOTICE, "children"),
        Input(ids.URL, "search"),
    )(url_to_filters)
    dash.callback(
        Output(ids.URL, "search"),
        Input(BAR.preset, "value"),
        Input(BAR.dates, "start_date"),
        Input(BAR.dates, "end_date"),
        Input(BAR.regions, "value"),
        Input(BAR.clinics, "value"),
        Input(BAR.procedures, "value"),
        Input(BAR.reset, "n_clicks"),
        Input({"type": ids.CLINIC_CHART, "panel": ALL}, "clickData"),
        Input({"type": ids.TYPE_CHART, "panel": ALL}, "clickData"),
        State(ids.FILTERS, "data"),
        prevent_initial_call=True,
    )(controls_to_url)
