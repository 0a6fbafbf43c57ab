"""The adverse-event page's URL: the shared filters plus the page's own view parameters.

Presentation layer, pure apart from :func:`load_directory`. The filters (``start``, ``end``,
repeated ``region``, ``clinic``, ``procedure``) are the overview's and are parsed by
``dashboard.url_state``; this page adds ``chart`` (the control chart's subject: ``network``,
``region:NAME`` or ``clinic:ID``), ``focus`` (a clinic ringed on the funnel), ``rates`` (the
open rates tab), ``event`` (an event whose case review opens) and ``queue`` (the review queue:
all dates, serious unreviewed events first). Links from the signals list are built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Connection

from dashboard.url_state import Catalogue, Preset, UrlState, parse_search, preset_range, to_search
from data_access.filters import Filters, Scope
from data_access.queries.clinics import (
    clinic_directory,
    earliest_procedure_date,
    latest_procedure_date,
)

PATH = "/adverse-events"
PAGE_PARAMETERS = ("chart", "focus", "rates", "event", "queue")
RATE_TABS = ("clinic", "procedure_type", "event_type", "severity")


@dataclass(frozen=True)
class PageState:
    url: UrlState
    chart: str | None = None
    focus: str | None = None
    rates: str = "clinic"
    event: str | None = None
    queue: bool = False

    @property
    def filters(self) -> Filters:
        return self.url.filters


@dataclass(frozen=True)
class Directory:
    """What the URL may name (regions, clinics, data dates) and the clinics' names, all
    within the signed-in user's scope."""

    catalogue: Catalogue
    names: dict[str, str]


def load_directory(*, conn: Connection, scope: Scope) -> Directory:
    clinics = clinic_directory(conn=conn, scope=scope)
    catalogue = Catalogue(
        clinic_regions=dict(zip(clinics["clinic_id"], clinics["region"], strict=True)),
        earliest=earliest_procedure_date(conn=conn, scope=scope),
        latest=latest_procedure_date(conn=conn, scope=scope),
    )
    return Directory(catalogue, dict(zip(clinics["clinic_id"], clinics["name"], strict=True)))


def parse_page_search(search: str | None, catalogue: Catalogue) -> PageState:
    """Filters and page parameters from a query string; unusable values are dropped (the
    filters' with a reason, the page's silently, since they only choose a view)."""
    shared: list[tuple[str, str]] = []
    own: dict[str, str] = {}
    for name, value in parse_qsl((search or "").lstrip("?"), keep_blank_values=True):
        if name in PAGE_PARAMETERS:
            own.setdefault(name, value)
        else:
            shared.append((name, value))
    has_dates = any(name in ("start", "end") for name, _ in shared)
    if "queue" in own and not has_dates:
        start, end = preset_range(Preset.ALL_TIME, catalogue)
        shared += [("start", start.isoformat()), ("end", end.isoformat())]
    url = parse_search(urlencode(shared), catalogue)
    rates = own.get("rates", "clinic")
    return PageState(
        url=url,
        chart=own.get("chart") or None,
        focus=own.get("focus") if own.get("focus") in catalogue.clinic_regions else None,
        rates=rates if rates in RATE_TABS else "clinic",
        event=own.get("event") or None,
        queue="queue" in own,
    )


def page_href(
    filters: Filters, catalogue: Catalogue, anchor: str = "", **params: str | None
) -> str:
    """This page's address for ``filters`` plus page parameters, with an optional anchor.
    The dates are always written, so that a link keeps its range when the data grow."""
    search = to_search(filters, catalogue).lstrip("?")
    pairs = parse_qsl(search)
    if not any(name == "start" for name, _ in pairs):
        pairs = [("start", filters.start.isoformat()), ("end", filters.end.isoformat()), *pairs]
    pairs += [(name, value) for name, value in params.items() if value]
    return f"{PATH}?{urlencode(pairs)}" + (f"#{anchor}" if anchor else "")


def signal_href(signal: dict[str, object], filters: Filters, catalogue: Catalogue) -> str:
    """Where a signal is shown: a clinic's funnel dot (and its control chart), a procedure
    type's rate, a chart, or a serious event's case review."""
    kind = str(signal["kind"])
    key = str(signal["subject_key"])
    if kind in ("clinic_high", "clinic_low"):
        return page_href(filters, catalogue, "ae-funnel", focus=key, chart=f"clinic:{key}")
    if kind.startswith("procedure_type"):
        return page_href(filters, catalogue, "ae-rates", rates="procedure_type")
    if kind == "serious_event":
        return page_href(filters, catalogue, "ae-events", event=str(signal["event_id"]))
    subject_kind = str(signal["subject_kind"])
    token = "network" if subject_kind == "network" else f"{subject_kind}:{key}"
    focus = key if subject_kind == "clinic" else None
    return page_href(filters, catalogue, "ae-chart", chart=token, focus=focus)
