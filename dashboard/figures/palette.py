"""One fixed colour per procedure type, adverse-event type and referral source, for every chart.

Presentation layer. Colours come from colour-blind-safe qualitative schemes: Okabe & Ito
(2008) for the five procedure types, Paul Tol's "bright" scheme for the seven event types and
Tol's twelve-colour qualitative scheme for the eleven referral sources. A code missing from a
mapping (a future enumeration value) falls back to neutral grey rather than a random colour.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from data_access.contract import EventType, ProcedureType, ReferralSource

FALLBACK: Final = "#9E9E9E"

#: Okabe–Ito: blue, orange, reddish purple, bluish green, grey.
PROCEDURE_TYPE_COLORS: Final = MappingProxyType(
    {
        ProcedureType.TPI_LOCAL_ANESTHETIC.value: "#0072B2",
        ProcedureType.TPI_CORTICOSTEROID.value: "#E69F00",
        ProcedureType.TPI_SALINE.value: "#CC79A7",
        ProcedureType.DRY_NEEDLING.value: "#009E73",
        ProcedureType.OTHER.value: "#999999",
    }
)

#: Tol "bright": the serious rarities (pneumothorax, infection) get the strongest hues.
EVENT_TYPE_COLORS: Final = MappingProxyType(
    {
        EventType.INJECTION_SITE_PAIN.value: "#66CCEE",
        EventType.INFECTION.value: "#CCBB44",
        EventType.BLEEDING.value: "#AA3377",
        EventType.ALLERGIC_REACTION.value: "#228833",
        EventType.VASOVAGAL.value: "#4477AA",
        EventType.PNEUMOTHORAX.value: "#EE6677",
        EventType.OTHER.value: "#BBBBBB",
    }
)

#: Tol's twelve-colour qualitative scheme (eleven used), "other" in grey.
REFERRAL_SOURCE_COLORS: Final = MappingProxyType(
    {
        ReferralSource.PRIMARY_CARE.value: "#332288",
        ReferralSource.ORTHOPEDICS.value: "#6699CC",
        ReferralSource.NEUROLOGY.value: "#88CCEE",
        ReferralSource.CHIROPRACTIC.value: "#44AA99",
        ReferralSource.PHYSICAL_THERAPY.value: "#117733",
        ReferralSource.EMERGENCY_DEPARTMENT.value: "#CC6677",
        ReferralSource.OTHER_SPECIALIST.value: "#999933",
        ReferralSource.SELF.value: "#DDCC77",
        ReferralSource.WEBSITE.value: "#AA4499",
        ReferralSource.INSURER.value: "#661100",
        ReferralSource.OTHER.value: "#BBBBBB",
    }
)

#: Accent for single-series charts (clinic rankings) and the reference lines drawn on them.
ACCENT: Final = "#0F5C6E"
REFERENCE_LINE: Final = "#444444"


#: Sequential scales for the map, light to dark, as explicit stops (named scales are not
#: safe here: the figures skip plotly.py's validation, and plotly.js defines some names,
#: YlOrRd among them, in the opposite direction). Higher adverse-event rates are warmer,
#: higher follow-up rates darker, and rurality runs from urban (light) to remote (dark);
#: all are monotonic in lightness, readable with any colour-vision deficiency.
def _stops(colors: tuple[str, ...]) -> tuple[tuple[float, str], ...]:
    last = len(colors) - 1
    return tuple((round(index / last, 4), color) for index, color in enumerate(colors))


AE_RATE_SCALE: Final = _stops(
    ("#FFFFCC", "#FFEDA0", "#FED976", "#FEB24C", "#FD8D3C", "#FC4E2A", "#E31A1C", "#BD0026",
     "#800026")
)  # fmt: skip
FOLLOWUP_SCALE: Final = _stops(
    ("#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C",
     "#08306B")
)  # fmt: skip
RURALITY_SCALE: Final = _stops(
    ("#FDE725", "#ADDC30", "#5EC962", "#28AE80", "#21918C", "#2C728E", "#3B528B", "#472D7B",
     "#440154")
)  # fmt: skip


def procedure_color(code: str) -> str:
    return PROCEDURE_TYPE_COLORS.get(code, FALLBACK)


def event_color(code: str) -> str:
    return EVENT_TYPE_COLORS.get(code, FALLBACK)


def source_color(code: str) -> str:
    return REFERRAL_SOURCE_COLORS.get(code, FALLBACK)
