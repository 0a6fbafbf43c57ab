"""CSV text of a panel's data, safe to open in a spreadsheet.

Presentation layer, pure. Clinic data carry free text (event descriptions, clinic names) that
a spreadsheet would run as a formula if it began with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return, which some spreadsheets skip before looking): such a cell gets a leading
apostrophe (OWASP "CSV injection"). Numbers stay numbers: a negative number is not text and
is written as it is.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value itself, or for text that a spreadsheet would evaluate, ``'`` + the text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if pd.api.types.is_bool(value):
        return "true" if value else "false"
    return neutralise(value)


def to_csv(frame: pd.DataFrame) -> str:
    """RFC 4180 CSV (header row first, ``\\r\\n`` line ends) with formula-like text
    neutralised, dates as ISO 8601 and missing values as empty cells."""
    header = [neutralise(str(column)) for column in frame.columns]
    cells = pd.DataFrame(
        [[_cell(value) for value in row] for row in frame.itertuples(index=False, name=None)],
        columns=header,
    )
    return cells.to_csv(index=False, lineterminator="\r\n")
