"""The adverse-event page's filter bar, kept in the URL: read it, and write changes back.

Presentation layer. The bar is the overview's component (``components.filter_bar``) with the
page's own ids; the URL is the only state. :func:`fill_filter_bar` sets the bar from the
query string; :func:`search_for_bar` turns the bar's values back into a query string, keeping
the page's own parameters, so a bookmark or a link from a signal reproduces the view.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, ctx

from dashboard import auth_context
from dashboard.surveillance import ids
from dashboard.surveillance.analysis import directory
from dashboard.surveillance.layout import FILTER_IDS
from dashboard.surveillance.page_state import parse_page_search
from dashboard.url_state import Catalogue, matching_preset, preset_range, to_search
from data_access.filters import FilterError, Filters

#: Page parameters that survive a change of filters (a clinic focus may not).
KEPT_ON_CHANGE = ("chart", "rates")


def fill_filter_bar(search: str | None, known: Catalogue) -> tuple[Any, ...]:
    """(preset, start, end, min date, max date, region options, regions, clinic options,
    clinics, procedure types) for the bar, from the query string."""
    filters = parse_page_search(search, known).filters
    preset = matching_preset(filters.start, filters.end, known)
    regions = sorted(known.regions)
    allowed = [
        c for c, r in known.clinic_regions.items() if not filters.regions or r in filters.regions
    ]
    return (
        preset.value if preset else None,
        filters.start.isoformat(), filters.end.isoformat(),
        known.first_day.isoformat(), known.last_day.isoformat(),
        [{"label": region, "value": region} for region in regions], list(filters.regions),
        allowed, list(filters.clinics), [t.value for t in filters.procedure_types],
    )  # fmt: skip


def search_for_bar(
    current: str | None,
    known: Catalogue,
    *,
    start: date,
    end: date,
    regions: list[str],
    clinics: list[str],
    procedures: list[str],
) -> str:
    """The query string for these bar values, with the current page parameters that still
    make sense (chart subject, open rates tab)."""
    filters = Filters(start=start, end=end, regions=tuple(regions), clinics=tuple(clinics),
                      procedure_types=tuple(procedures))  # type: ignore[arg-type]  # fmt: skip
    pairs = parse_qsl(to_search(filters, known).lstrip("?"))
    own = [(k, v) for k, v in parse_qsl((current or "").lstrip("?")) if k in KEPT_ON_CHANGE]
    pairs += own
    return f"?{urlencode(pairs)}" if pairs else ""


def _fill(search: str | None) -> tuple[Any, ...]:
    known = directory(auth_context.current_scope())
    values = list(fill_filter_bar(search, known.catalogue))
    names = known.names
    values[7] = sorted(
        ({"label": names.get(c, c), "value": c} for c in values[7]), key=lambda o: o["label"]
    )
    return tuple(values)


def _write(
    preset: str | None, start: str | None, end: str | None, regions: list[str] | None,
    clinics: list[str] | None, procedures: list[str] | None, _reset: int | None,
    current: str | None,
) -> str:  # fmt: skip
    known = directory(auth_context.current_scope()).catalogue
    if ctx.triggered_id == FILTER_IDS.reset:
        return "" if current else dash.no_update
    if ctx.triggered_id == FILTER_IDS.preset and preset:
        first, last = preset_range(preset, known)
    elif start and end:
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
    else:
        return dash.no_update
    try:
        search = search_for_bar(current, known, start=first, end=last, regions=regions or [],
                                clinics=clinics or [], procedures=procedures or [])  # fmt: skip
    except FilterError:
        return dash.no_update
    # The bar was just filled from the URL: leave the URL (and its page parameters) alone.
    if parse_page_search(search, known).filters == parse_page_search(current, known).filters:
        return dash.no_update
    return search


def register() -> None:
    """Register this module's callbacks with the app being built (call it from the page
    module, which Dash runs once per app)."""
    dash.callback(
        Output(FILTER_IDS.preset, "value"),
        Output(FILTER_IDS.dates, "start_date"),
        Output(FILTER_IDS.dates, "end_date"),
        Output(FILTER_IDS.dates, "min_date_allowed"),
        Output(FILTER_IDS.dates, "max_date_allowed"),
        Output(FILTER_IDS.regions, "options"),
        Output(FILTER_IDS.regions, "value"),
        Output(FILTER_IDS.clinics, "options"),
        Output(FILTER_IDS.clinics, "value"),
        Output(FILTER_IDS.procedures, "value"),
        Input(ids.LOCATION, "search"),
    )(_fill)
    dash.callback(
        Output(ids.LOCATION, "search"),
        Input(FILTER_IDS.preset, "value"),
        Input(FILTER_IDS.dates, "start_date"),
        Input(FILTER_IDS.dates, "end_date"),
        Input(FILTER_IDS.regions, "value"),
        Input(FILTER_IDS.clinics, "value"),
        Input(FILTER_IDS.procedures, "value"),
        Input(FILTER_IDS.reset, "n_clicks"),
        State(ids.LOCATION, "search"),
        prevent_initial_call=True,
    )(_write)
