"""The adverse-event page's filter bar, kept in the URL: read it, and write changes back.

Presentation layer. The bar is the overview's component (``components.filter_bar``) with the
page's own ids, kept in the URL by the shared ``components.url_filters``; the URL is the only
state. What is this page's own: its query string also holds page parameters
(``page_state``), of which the chart subject and the open rates tab survive a change of
filters, so that a bookmark or a link from a signal reproduces the view; the clinics are
listed by name; and the page shows dropped values in its summary (``views.notice``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard import auth_context
from dashboard.components.url_filters import UrlFilters
from dashboard.surveillance import ids
from dashboard.surveillance.analysis import directory
from dashboard.surveillance.layout import FILTER_IDS
from dashboard.surveillance.page_state import parse_page_search
from dashboard.url_state import Catalogue, UrlState

#: Page parameters that survive a change of filters (a clinic focus may not).
KEPT_ON_CHANGE = ("chart", "rates")


def _catalogue() -> Catalogue:
    return directory(auth_context.current_scope()).catalogue


def clinic_options(regions: Sequence[str]) -> list[dict[str, str]]:
    """The user's clinics in the chosen regions (all without any), by name."""
    known = directory(auth_context.current_scope())
    options = [
        {"label": known.names.get(clinic, clinic), "value": clinic}
        for clinic, region in known.catalogue.clinic_regions.items()
        if not regions or region in regions
    ]
    return sorted(options, key=lambda option: option["label"])


def parse_filters(search: str | None, known: Catalogue) -> UrlState:
    """The filters of the page's query string (``queue`` without dates means all dates)."""
    return parse_page_search(search, known).url


URL_FILTERS = UrlFilters(
    bar=FILTER_IDS,
    location=ids.LOCATION,
    catalogue=_catalogue,
    clinic_options=clinic_options,
    parse=parse_filters,
    kept_on_change=KEPT_ON_CHANGE,
)


def register() -> None:
    """Register this module's callbacks with the app being built (call it from the page
    module, which Dash runs once per app)."""
    URL_FILTERS.register()
