"""Component ids of the overview page, as named constants and id builders.

Presentation layer. Single components have "overview-" string ids; the repeated parts of
panels (bodies, CSV buttons, downloads, clickable charts) have dict ids so that one
pattern-matching callback serves them all. The KPI value ids are fixed by the issue
(``kpi-procedures`` …) because checks outside the app read them.
"""

from __future__ import annotations

from typing import Final

from dashboard.components.filter_bar import FilterBarIds

PAGE: Final = "overview"

URL: Final = f"{PAGE}-url"
FILTERS: Final = f"{PAGE}-filters"
NOTICE: Final = f"{PAGE}-notice"
SCOPE_SUMMARY: Final = f"{PAGE}-scope-summary"
FILTER_BAR: Final = FilterBarIds.for_page(PAGE)

# Panel options.
MAP_MEASURE: Final = f"{PAGE}-map-measure"
VOLUME_PER_OPEN_DAY: Final = f"{PAGE}-volume-per-open-day"
REFERRAL_SHARES: Final = f"{PAGE}-referral-shares"

# Pattern-matching id types.
PANEL_BODY: Final = f"{PAGE}-panel-body"
PANEL_TITLE: Final = f"{PAGE}-panel-title"
CSV_BUTTON: Final = f"{PAGE}-csv"
CSV_DOWNLOAD: Final = f"{PAGE}-csv-download"
CLINIC_CHART: Final = f"{PAGE}-clinic-chart"  # clicking a point selects its clinic
TYPE_CHART: Final = f"{PAGE}-type-chart"  # clicking a point selects its procedure type
CHART: Final = f"{PAGE}-chart"  # not clickable


def body(panel: str) -> dict[str, str]:
    return {"type": PANEL_BODY, "panel": panel}


def title(panel: str) -> dict[str, str]:
    return {"type": PANEL_TITLE, "panel": panel}


def csv_button(panel: str) -> dict[str, str]:
    return {"type": CSV_BUTTON, "panel": panel}


def csv_download(panel: str) -> dict[str, str]:
    return {"type": CSV_DOWNLOAD, "panel": panel}


def clinic_chart(panel: str) -> dict[str, str]:
    return {"type": CLINIC_CHART, "panel": panel}


def type_chart(panel: str) -> dict[str, str]:
    return {"type": TYPE_CHART, "panel": panel}


def chart(panel: str) -> dict[str, str]:
    return {"type": CHART, "panel": panel}


# KPI value elements (the value alone) and their change elements.
KPI_PROCEDURES: Final = "kpi-procedures"
KPI_PATIENTS: Final = "kpi-patients"
KPI_AE_RATE: Final = "kpi-ae-rate"
KPI_FOLLOWUP_RATE: Final = "kpi-followup-rate"
KPI_MEDIAN_SORENESS: Final = "kpi-median-soreness"
KPI_REFERRALS: Final = "kpi-referrals"


def change_of(kpi_id: str) -> str:
    return f"{kpi_id}-change"
