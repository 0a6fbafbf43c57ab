"""The demo's time axis: the covered period, clinic days, holidays and seasons.

Data-access layer (demo data). Pure functions of dates (no randomness), vectorised over the
period's days, so the generators can multiply whole clinic × day matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar

DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Period:
    """The inclusive range of days the demo covers."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, years: float) -> Period:
        days = max(1, round(years * 365.25))
        return cls(end - timedelta(days=days - 1), end)

    @property
    def days(self) -> np.ndarray:
        """Every day of the period as ``datetime64[D]``."""
        return np.arange(np.datetime64(self.start, "D"), np.datetime64(self.end, "D") + DAY)

    @property
    def first(self) -> np.datetime64:
        return np.datetime64(self.start, "D")

    @property
    def last(self) -> np.datetime64:
        return np.datetime64(self.end, "D")


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


def day_of_year(days: np.ndarray) -> np.ndarray:
    """1-based day of the year."""
    years = days.astype("datetime64[Y]")
    return (days - years.astype("datetime64[D]")).astype(np.int64) + 1


def federal_holidays(period: Period) -> np.ndarray:
    """US federal public holidays (observed dates) within the period: clinics are closed."""
    observed = USFederalHolidayCalendar().holidays(
        pd.Timestamp(period.start), pd.Timestamp(period.end)
    )
    return np.asarray(observed.values.astype("datetime64[D]"))


def seasonality(days: np.ndarray) -> np.ndarray:
    """Relative demand by date: a winter dip (deepest mid-January), a spring peak (late April)
    and the quiet week between Christmas and New Year."""
    doy = day_of_year(days)
    spring = 0.08 * np.cos(2 * np.pi * (doy - 112) / 365.25)
    from_mid_january = np.minimum(np.abs(doy - 15), 365 - np.abs(doy - 15))
    winter = -0.14 * np.exp(-0.5 * (from_mid_january / 28.0) ** 2)
    holiday_week = np.where(doy >= 358, -0.25, 0.0)
    return 1.0 + spring + winter + holiday_week


def winter(days: np.ndarray) -> np.ndarray:
    """True from December through February (snow closures in snowy regions)."""
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return (month == 12) | (month <= 2)
