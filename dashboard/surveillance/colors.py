"""Colours and words of the surveillance views: funnel zones and control-chart signals.

Presentation layer, pure. Built on the house palette (``dashboard.figures.palette`` and the
adverse-event red of ``dashboard.figures.adverse_events``) so the page matches the overview:
"more events than chance" is always that red, "fewer" always Okabe–Ito blue, and a clinic
within its limits the house accent. Every colour is paired with a word or a label in the
views, so none carries meaning by hue alone.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from dashboard.figures import palette
from dashboard.figures.adverse_events import RATE_COLOR
from data_access.statistics import FunnelZone

HIGH: Final = RATE_COLOR
ALERT_HIGH: Final = "#E69F00"  # Okabe–Ito orange
LOW: Final = "#0072B2"  # Okabe–Ito blue
ALERT_LOW: Final = "#56B4E9"  # Okabe–Ito sky blue
WITHIN: Final = palette.ACCENT
RUN: Final = "#E69F00"

ZONE_COLORS: Final = MappingProxyType(
    {
        FunnelZone.ALARM_HIGH.value: HIGH,
        FunnelZone.ALERT_HIGH.value: ALERT_HIGH,
        FunnelZone.WITHIN.value: WITHIN,
        FunnelZone.ALERT_LOW.value: ALERT_LOW,
        FunnelZone.ALARM_LOW.value: LOW,
    }
)

#: How each zone reads in a legend or table ("vs the selection").
ZONE_WORDS: Final = MappingProxyType(
    {
        FunnelZone.ALARM_HIGH.value: "Above 99.8% limit: higher than chance explains",
        FunnelZone.ALERT_HIGH.value: "Above 95% limit only: watch",
        FunnelZone.WITHIN.value: "Within limits: consistent with chance",
        FunnelZone.ALERT_LOW.value: "Below 95% limit only",
        FunnelZone.ALARM_LOW.value: "Below 99.8% limit: lower than chance explains",
    }
)

#: Short verdicts for tables.
ZONE_VERDICTS: Final = MappingProxyType(
    {
        FunnelZone.ALARM_HIGH.value: "Higher than chance explains",
        FunnelZone.ALERT_HIGH.value: "Somewhat high (watch)",
        FunnelZone.WITHIN.value: "Consistent with chance",
        FunnelZone.ALERT_LOW.value: "Somewhat low",
        FunnelZone.ALARM_LOW.value: "Lower than chance explains",
    }
)
