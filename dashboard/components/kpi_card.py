"""KPI card: a headline figure, alone in its value element, with its change against the
previous period of the same length in a sibling element.

Presentation layer. The value texts are fixed formats that people and checks both read:
counts with thousands separators ("12,345"), the adverse-event rate with two decimals
("6.12"), the follow-up rate as a percent with one decimal ("78.4%"), soreness with one
decimal ("3.5"), and an em dash when the figure is undefined. They match ``clinicops
summary``'s table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import dash_bootstrap_components as dbc
from dash import html

EM_DASH = "—"


class Kind(StrEnum):
    """How a figure is written and how its change is expressed."""

    COUNT = "count"  # change as a relative percentage
    RATE_PER_1000 = "rate_per_1000"  # change in events per 1,000
    SHARE = "share"  # a fraction shown as a percent; change in percentage points
    SCORE = "score"  # a 0–10 score; change in points


class Tone(StrEnum):
    """Whether a rise is good news (shown green), bad news (red) or neither."""

    UP_IS_GOOD = "up_is_good"
    UP_IS_BAD = "up_is_bad"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Change:
    text: str
    class_name: str


def format_value(kind: Kind, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EM_DASH
    match kind:
        case Kind.COUNT:
            return f"{int(value):,}"
        case Kind.RATE_PER_1000:
            return f"{value:,.2f}"
        case Kind.SHARE:
            return f"{100 * value:.1f}%"
        case Kind.SCORE:
            return f"{value:.1f}"


def period_words(days: int) -> str:
    return "previous day" if days == 1 else f"previous {days:,} days"


def format_change(
    kind: Kind,
    current: float | None,
    previous: float | None,
    *,
    days: int,
    tone: Tone,
) -> Change:
    """The change from the previous period, e.g. "▲ 4.2% vs previous 90 days"; "n/a" when
    either figure is undefined (or, for counts, the previous one is zero)."""
    against = f"vs {period_words(days)}"
    if current is None or previous is None or (kind is Kind.COUNT and not previous):
        return Change(f"n/a {against}", "kpi-change kpi-change-na")
    assert current is not None and previous is not None
    delta = (current - previous) / previous if kind is Kind.COUNT else current - previous
    # The change as displayed, rounded as displayed: "0.0%" reads as no change.
    scale, digits, unit = {
        Kind.COUNT: (100, 1, "%"),
        Kind.RATE_PER_1000: (1, 2, ""),
        Kind.SHARE: (100, 1, " pts"),
        Kind.SCORE: (1, 1, ""),
    }[kind]
    shown = round(abs(scale * delta), digits)
    if shown == 0:
        return Change(f"no change {against}", "kpi-change kpi-change-flat")
    rising = delta > 0
    if tone is Tone.NEUTRAL:
        mood = "flat"
    else:
        mood = "good" if rising == (tone is Tone.UP_IS_GOOD) else "bad"
    arrow = "▲" if rising else "▼"
    return Change(f"{arrow} {shown:,.{digits}f}{unit} {against}", f"kpi-change kpi-change-{mood}")


def kpi_card(*, value_id: str, change_id: str, label: str, caption: str) -> dbc.Card:
    """A card whose value element (``value_id``) holds the value alone."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="kpi-label"),
                html.Div(EM_DASH, id=value_id, className="kpi-value"),
                html.Div(caption, className="kpi-caption"),
                html.Div("", id=change_id, className="kpi-change"),
            ]
        ),
        className="kpi-card h-100",
    )
