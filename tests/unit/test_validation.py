"""Cell parsing, date-time conversion and formula neutralisation: pure functions, no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_access.batch_problems import ImportRejected, Problem
from data_access.contract import ADVERSE_EVENTS, CLINICS, FOLLOWUPS, PROCEDURES, REFERRALS
from data_access.csv_rows import neutralise_formula, restore_formula
from data_access.validation import REQUIRED, ColumnParser, Invalid, Stamp


def parse(spec_column: object, *cells: str) -> list[object]:
    parser = ColumnParser(spec_column)  # type: ignore[arg-type]
    return [
        value.reason if isinstance(value, Invalid) else value for value in parser.parse(list(cells))
    ]


def test_problem_text() -> None:
    assert str(Problem("procedures.csv", 7, "pain_after", "11 is outside 0–10")) == (
        "procedures.csv:7: pain_after: 11 is outside 0–10"
    )
    assert (
        str(Problem("referrals.csv", 3, "", "is not valid CSV"))
        == "referrals.csv:3: is not valid CSV"
    )
    assert str(Problem("/data/batch", 0, "", "no such folder")) == "/data/batch: no such folder"
    refused = ImportRejected([Problem("a.csv", 2, "x", "bad")])
    assert refused.problems == [Problem("a.csv", 2, "x", "bad")] and "a.csv:2: x: bad" in str(
        refused
    )


def test_integers() -> None:
    soreness = FOLLOWUPS.column("soreness")
    assert parse(soreness, "0", " 10 ", "3.0", "+4", "") == [0, 10, 3, 4, REQUIRED.reason]
    assert parse(soreness, "11", "-1", "3.5", "1e1", "three") == [
        "11 is outside 0–10",
        "-1 is outside 0–10",
        '"3.5" is not a whole number',
        '"1e1" is not a whole number',
        '"three" is not a whole number',
    ]
    assert parse(PROCEDURES.column("pain_after"), "") == [None]


def test_decimals_and_codes() -> None:
    assert parse(CLINICS.column("latitude"), "36.8", "-90", ".5", "90.0001", "nan", "1e3") == [
        36.8,
        -90.0,
        0.5,
        "90.0001 is outside -90 to 90",
        '"nan" is not a decimal number',
        '"1e3" is not a decimal number',
    ]
    assert parse(CLINICS.column("state"), "ky", " TX ", "ZZ") == [
        "KY",
        "TX",
        '"ZZ" is not a US state code',
    ]
    assert parse(FOLLOWUPS.column("relief"), "Partial", "some") == [
        "partial",
        '"some" is not one of: none, partial, complete',
    ]
    assert parse(ADVERSE_EVENTS.column("serious"), "TRUE", "no", "1", "0", "Yes", "y", "") == [
        True,
        False,
        True,
        False,
        True,
        '"y" is not a boolean (true/false, 1/0, yes/no)',
        None,
    ]


def test_text_is_trimmed_except_free_text_and_unneutralised() -> None:
    assert parse(CLINICS.column("name"), "  O'Neill  ", "'=1+1", "''=x", "'plain", "") == [
        "O'Neill",
        "=1+1",
        "'=x",
        "'plain",
        REQUIRED.reason,
    ]
    assert parse(ADVERSE_EVENTS.column("description"), "  keep \n", "'\tx", "") == [
        "  keep \n",
        "\tx",
        None,
    ]
    assert parse(CLINICS.column("clinic_id"), "c" * 65) == [
        "is 65 characters long, at most 64 are allowed"
    ]


def test_dates() -> None:
    assert parse(
        REFERRALS.column("referred_on"), "2025-02-28", "2025-02-29", "2025-3-1", "2025-03-01T10:00"
    ) == [
        date(2025, 2, 28),
        '"2025-02-29" is not a date (YYYY-MM-DD)',
        '"2025-3-1" is not a date (YYYY-MM-DD)',
        '"2025-03-01T10:00" is not a date (YYYY-MM-DD)',
    ]


@pytest.mark.parametrize(
    ("cell", "stamp"),
    [
        ("2025-03-14", Stamp(datetime(2025, 3, 14), False)),
        ("2025-03-14T09:30", Stamp(datetime(2025, 3, 14, 9, 30), True)),
        ("2025-03-14 09:30:15", Stamp(datetime(2025, 3, 14, 9, 30, 15), True)),
        ("2025-03-14T09:30:15.5", Stamp(datetime(2025, 3, 14, 9, 30, 15, 500000), True)),
        ("2025-03-14T02:00Z", Stamp(datetime(2025, 3, 14, 2), True, timedelta(0))),
        ("2025-03-14T09:30-05:00", Stamp(datetime(2025, 3, 14, 9, 30), True, timedelta(hours=-5))),
        (
            "2025-03-14T09:30+0530",
            Stamp(datetime(2025, 3, 14, 9, 30), True, timedelta(hours=5, minutes=30)),
        ),
        ("2025-03-14T09:30+01", Stamp(datetime(2025, 3, 14, 9, 30), True, timedelta(hours=1))),
    ],
)
def test_date_times_that_parse(cell: str, stamp: Stamp) -> None:
    assert parse(PROCEDURES.column("performed_at"), cell) == [stamp]


@pytest.mark.parametrize(
    "cell",
    [
        "2025-03-14Z",
        "2025-03-14T9:30",
        "2025-03-14T24:00",
        "2025-03-14T09:30+25:00",
        "20250314",
        "14.03.2025",
    ],
)
def test_date_times_that_do_not(cell: str) -> None:
    [reason] = parse(PROCEDURES.column("performed_at"), cell)
    assert isinstance(reason, str) and reason.endswith(
        "is not a date or date-time "
        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally with a UTC offset)"
    )


def test_an_offset_converts_to_the_clinic_zone_across_daylight_saving() -> None:
    winter = Stamp(datetime(2025, 1, 10, 4, 30), True, timedelta(0))
    summer = Stamp(datetime(2025, 7, 10, 4, 30), True, timedelta(0))
    assert winter.local("America/Chicago") == (date(2025, 1, 9), datetime(2025, 1, 9, 22, 30))
    assert summer.local("America/Chicago") == (date(2025, 7, 9), datetime(2025, 7, 9, 23, 30))
    assert summer.local("America/Phoenix") == (date(2025, 7, 9), datetime(2025, 7, 9, 21, 30))
    naive = Stamp(datetime(2025, 7, 10), False)
    assert naive.local(None) == (date(2025, 7, 10), None)
    with pytest.raises(ValueError, match="time zone"):
        summer.local(None)


@given(st.text())
def test_neutralise_and_restore_are_inverse(text: str) -> None:
    cell = neutralise_formula(text)
    assert restore_formula(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_neutralise_examples() -> None:
    assert [
        neutralise_formula(t) for t in ("=1", "-2", "@a", "+b", "\tc", "a=b", "'=x", "'x", "")
    ] == ["'=1", "'-2", "'@a", "'+b", "'\tc", "a=b", "''=x", "'x", ""]
