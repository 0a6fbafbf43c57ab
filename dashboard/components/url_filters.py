"""The filter bar kept in the URL's query string, for every page that shows it.

Presentation layer. The URL is the filters' single source of truth. A page describes what is
its own in a :class:`UrlFilters` (its ids, where its catalogue and clinic options come from,
how it parses its query string, which of its own parameters survive a change of filters,
further triggers such as the overview's clickable charts) and calls
:meth:`UrlFilters.register` once. That registers two callbacks with no loop between them:

* URL -> bar (:meth:`UrlFilters.bar_state`): the query string is parsed, every unknown or
  malformed value dropped and named; the bar's options and values are set from it and, where
  the page has them, the filter store its panels read and a notice of what was dropped;
* bar -> URL (:meth:`UrlFilters.search_after`): a control, the reset button or a page's own
  trigger yields the new filters, whose query string is written to the page's
  ``dcc.Location``, which pushes a browser history entry. When the controls merely echo the
  URL (just after the first callback set them) the URL is left alone.

The back button changes the URL, and the first callback takes it from there. Dates are
inclusive; without dates the range is the default one (``url_state``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update

from dashboard.components.filter_bar import FilterBarIds
from dashboard.url_state import (
    Catalogue,
    Dropped,
    Preset,
    UrlState,
    matching_preset,
    parse_search,
    preset_range,
    to_search,
)
from data_access.contract import ProcedureType
from data_access.filters import FilterError, Filters

Option = dict[str, str]
#: The filters after one change: (current filters, id of what changed, the values of the
#: bar's controls and ``"click"``, the triggered value of a page's own trigger, catalogue).
ChangeRule = Callable[[Filters, Any, Mapping[str, Any], Catalogue], Filters]
SearchParser = Callable[[str | None, Catalogue], UrlState]


def notice(dropped: Sequence[Dropped]) -> html.Component | None:
    """The values of the link that were ignored, each with its reason (nothing if none)."""
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


def _day(value: str | None) -> date | None:
    """A date picker's value (ISO, maybe with a time) as a date; ``None`` if unusable."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def bar_change(
    bar: FilterBarIds,
    current: Filters,
    trigger: Any,
    values: Mapping[str, Any],
    known: Catalogue,
) -> Filters:
    """The filters after a change of one control of the bar (``trigger`` is its id): the
    current ones where the trigger is not the bar's or its value is unusable."""
    if trigger == bar.reset:
        start, end = preset_range(Preset.LAST_90_DAYS, known)
        return Filters(start=start, end=end)
    if trigger == bar.preset and values["preset"] in set(Preset):
        start, end = preset_range(values["preset"], known)
        return replace(current, start=start, end=end)
    if trigger == bar.dates:
        start, end = _day(values["start"]), _day(values["end"])
        if start is None or end is None or start > end:
            return current
        return replace(current, start=start, end=end)
    if trigger == bar.regions:
        # Clinics outside the chosen regions go, or the URL would name them only to drop them.
        regions = tuple(values["regions"] or ())
        region_of = known.clinic_regions
        clinics = tuple(c for c in current.clinics if not regions or region_of[c] in regions)
        return replace(current, regions=regions, clinics=clinics)
    if trigger == bar.clinics:
        return replace(current, clinics=tuple(values["clinics"] or ()))
    if trigger == bar.procedures:
        return replace(
            current, procedure_types=tuple(ProcedureType(t) for t in values["procedures"] or ())
        )
    return current


@dataclass(frozen=True)
class UrlFilters:
    """One page's filter bar, kept in its URL.

    ``location`` is the page's ``dcc.Location``; ``catalogue`` says what the URL may name and
    ``clinic_options`` lists the clinic dropdown's options for the chosen regions (both for
    the signed-in user). ``parse`` reads the page's query string, which may hold parameters
    of its own; ``kept_on_change`` names those that survive a change of filters (the reset
    button drops them all). ``store`` and ``to_store``: the ``dcc.Store`` the page's panels
    read, and what to write to it; ``notice``: where dropped values are shown, ``None`` when
    the page shows them itself. ``triggers`` are further inputs that change the filters
    through ``change`` (which defaults to the bar's own :func:`bar_change`).
    """

    bar: FilterBarIds
    location: str
    catalogue: Callable[[], Catalogue]
    clinic_options: Callable[[Sequence[str]], list[Option]]
    parse: SearchParser = parse_search
    kept_on_change: tuple[str, ...] = ()
    store: str | None = None
    to_store: Callable[[Filters], Any] | None = None
    notice: str | None = None
    triggers: tuple[Input, ...] = ()
    change: ChangeRule | None = None

    def __post_init__(self) -> None:
        if (self.store is None) != (self.to_store is None):
            raise ValueError("a filter store needs both its id and to_store")

    def bar_state(self, search: str | None) -> dict[str, Any]:
        """The bar's options and values (and the store and notice, where the page has them)
        for the URL's query string, keyed as :meth:`register`'s outputs."""
        known = self.catalogue()
        state = self.parse(search, known)
        filters = state.filters
        start, end = filters.start.isoformat(), filters.end.isoformat()
        preset = matching_preset(filters.start, filters.end, known)
        values: dict[str, Any] = {
            "preset": preset.value if preset else None,
            "start": start,
            "end": end,
            # A linked range outside the data stays selectable in the picker.
            "min_date": min(known.first_day.isoformat(), start),
            "max_date": max(known.last_day.isoformat(), end),
            "region_options": [{"label": r, "value": r} for r in sorted(known.regions)],
            "regions": list(filters.regions),
            "clinic_options": self.clinic_options(filters.regions),
            "clinics": list(filters.clinics),
            "procedures": [t.value for t in filters.procedure_types],
        }
        if self.store is not None and self.to_store is not None:
            values["store"] = self.to_store(filters)
        if self.notice is not None:
            values["notice"] = notice(state.dropped)
        return values

    def search_after(
        self, current: str | None, trigger: Any, values: Mapping[str, Any]
    ) -> str | None:
        """The query string after the change ``trigger`` made to the URL ``current``, or
        ``None`` to leave the URL alone (nothing changed, or the value is unusable)."""
        known = self.catalogue()
        filters = self.parse(current, known).filters
        change = self.change or partial(bar_change, self.bar)
        try:
            updated = change(filters, trigger, values, known)
        except (FilterError, KeyError, ValueError):
            return None
        if trigger == self.bar.reset:
            return to_search(updated, known)
        if updated == filters:
            return None
        pairs = parse_qsl(to_search(updated, known).lstrip("?"))
        own = parse_qsl((current or "").lstrip("?"))
        pairs += [(name, value) for name, value in own if name in self.kept_on_change]
        return f"?{urlencode(pairs)}" if pairs else ""

    def _write(self, current: str | None, **controls: Any) -> Any:
        trigger = ctx.triggered_id
        if trigger is None:
            return no_update
        click = ctx.triggered[0]["value"] if isinstance(trigger, Mapping) else None
        search = self.search_after(current, trigger, {**controls, "click": click})
        return no_update if search is None else search

    def register(self) -> None:
        """Register the two callbacks with the app being built (call it once, from the page
        module, which Dash runs once per app)."""
        bar = self.bar
        outputs = {
            "preset": Output(bar.preset, "value"),
            "start": Output(bar.dates, "start_date"),
            "end": Output(bar.dates, "end_date"),
            "min_date": Output(bar.dates, "min_date_allowed"),
            "max_date": Output(bar.dates, "max_date_allowed"),
            "region_options": Output(bar.regions, "options"),
            "regions": Output(bar.regions, "value"),
            "clinic_options": Output(bar.clinics, "options"),
            "clinics": Output(bar.clinics, "value"),
            "procedures": Output(bar.procedures, "value"),
        }
        if self.store is not None:
            outputs["store"] = Output(self.store, "data")
        if self.notice is not None:
            outputs["notice"] = Output(self.notice, "children")
        dash.callback(output=outputs, inputs={"search": Input(self.location, "search")})(
            self.bar_state
        )
        inputs: dict[str, Any] = {
            "preset": Input(bar.preset, "value"),
            "start": Input(bar.dates, "start_date"),
            "end": Input(bar.dates, "end_date"),
            "regions": Input(bar.regions, "value"),
            "clinics": Input(bar.clinics, "value"),
            "procedures": Input(bar.procedures, "value"),
            "reset": Input(bar.reset, "n_clicks"),
        }
        inputs |= {f"trigger_{i}": trigger for i, trigger in enumerate(self.triggers)}
        dash.callback(
            output=Output(self.location, "search"),
            inputs=inputs,
            state={"current": State(self.location, "search")},
            prevent_initial_call=True,
        )(self._write)
