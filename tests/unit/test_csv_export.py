"""CSV exports neutralise spreadsheet formulas and keep everything else as it was
(``dashboard.csv_export``)."""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.csv_export import neutralise, to_csv


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("O'Neill Clinic", "O'Neill Clinic"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_formula_prefixes_get_an_apostrophe(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_a_frame_round_trips_with_formulas_neutralised() -> None:
    frame = pd.DataFrame(
        {
            "clinic_id": ["C1", "C2", "C3"],
            "name": ["=cmd|' /C calc'!A0", 'Española "Pain", Clinic', "line\nbreak"],
            "procedures": [12, 0, -1],
            "rate": [6.125, np.nan, 0.5],
            "day": [pd.Timestamp("2025-01-31"), pd.NaT, pd.Timestamp("2025-02-01 09:30")],
            "serious": [True, False, np.bool_(True)],
            "when": [date(2025, 1, 1), None, date(2025, 3, 1)],
        }
    )
    text = to_csv(frame)
    assert text.endswith("\r\n")
    rows = read_back(text)
    assert rows[0] == ["clinic_id", "name", "procedures", "rate", "day", "serious", "when"]
    assert rows[1] == [
        "C1", "'=cmd|' /C calc'!A0", "12", "6.125", "2025-01-31", "true", "2025-01-01",
    ]  # fmt: skip
    assert rows[2] == ["C2", 'Española "Pain", Clinic', "0", "", "", "false", ""]
    assert rows[3] == [
        "C3",
        "line\nbreak",
        "-1",
        "0.5",
        "2025-02-01T09:30:00",
        "true",
        "2025-03-01",
    ]


def test_headers_are_neutralised_too_and_empty_frames_keep_them() -> None:
    rows = read_back(to_csv(pd.DataFrame(columns=["=a", "b"])))
    assert rows == [["'=a", "b"]]


def test_pandas_string_and_nullable_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series(["-x", None], dtype="string"),
            "count": pd.Series([1, None], dtype="Int64"),
        }
    )
    assert read_back(to_csv(frame))[1:] == [["'-x", "1"], ["", ""]]
