"""Fuzzing the importer (``data_access.importer.import_batch``) cell by cell: whatever text a
clinic's export puts in any column of a small batch, the import either succeeds or raises
:class:`ImportRejected` whose every problem names ``file.csv:line: column: reason``, so the data
manager can find the cell; never another exception (which the CLI would show as a traceback).

Runs on SQLite only: the checks under test are the importer's own, shared by both backends,
and the PostgreSQL path is covered example by example in ``test_importer.py``.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from data_access import importer
from data_access.importer import ImportRejected, import_batch
from tests.integration.csv_batches import GOOD, TODAY, write_batch

PROBLEM = re.compile(r"^[a-z_]+\.csv:\d+: [a-z_]+: .+", re.DOTALL)

#: Every (file, data line, column) cell of the good batch.
CELLS = [
    (name, row, column)
    for name, lines in GOOD.items()
    for column in next(csv.reader([lines[0]]))
    for row in range(1, len(lines))
]

#: Text near the contract's forms (ids, codes, numbers, dates, booleans) and arbitrary text.
_near_valid = st.sampled_from(
    [
        "",
        " ",
        "C1",
        "C2",
        "C3",
        "P1",
        "P9",
        "pat-1",
        "0",
        "-1",
        "3.0",
        "3.5",
        "10",
        "11",
        "1e3",
        "nan",
        "inf",
        "-0",
        "99999999999999999999",
        "2025-03-14",
        "2025-02-29",
        "2025-03-14T09:30",
        "2025-03-14T09:30:00+05:00",
        "2025-03-14T25:00",
        "0001-01-01",
        "9999-12-31",
        "2099-01-01",
        "true",
        "FALSE",
        "yes",
        "KY",
        "ky",
        "ZZ",
        "=1+1",
        "'=1",
        "-83.32",
        "181",
        "dry_needling",
        "Dry_Needling",
        "primary_care",
        "partial",
        "\u00a0C1",
        "\u0000",
    ]
)
_cell_text = st.one_of(_near_valid, st.text(max_size=30))


def _good() -> dict[str, list[str]]:
    return {key: list(lines) for key, lines in GOOD.items()}


def _set_cell(files: dict[str, list[str]], cell: tuple[str, int, str], value: str) -> None:
    """Replace one cell, writing the line as proper CSV (quoted where needed), so the fuzzed
    text reaches the cell checks instead of breaking the file's structure."""
    name, row, column = cell
    header = next(csv.reader([files[name][0]]))
    cells = next(csv.reader([files[name][row]]))
    cells[header.index(column)] = value
    buffer = io.StringIO()
    # The writer quotes only cells holding its own line terminator's characters: keep CRLF.
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    files[name][row] = buffer.getvalue().removesuffix("\r\n")


def _import_or_refuse(conn: Connection, files: dict[str, list[str]]) -> None:
    savepoint = conn.begin_nested()  # each example starts from the same empty tables
    try:
        with tempfile.TemporaryDirectory() as folder:
            try:
                import_batch(conn=conn, directory=write_batch(Path(folder), files), today=TODAY)
            except ImportRejected as refused:
                assert refused.problems
                for problem in refused.problems:
                    assert PROBLEM.match(str(problem)), str(problem)
    finally:
        savepoint.rollback()


@pytest.fixture
def sqlite_conn(backend: str, request: pytest.FixtureRequest) -> Connection:
    # Skip before asking for ``conn``, so no PostgreSQL database is made just to be skipped.
    if backend != "sqlite":
        pytest.skip(
            "fuzzed on SQLite only: ~150 imports, and the checks are shared by both backends"
        )
    return request.getfixturevalue("conn")


@pytest.fixture
def without_summaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the summary refresh after a successful import: it costs ~0.4 s an import, which
    would leave only a dozen examples in the time box, and it is fuzzed separately below
    (``test_accepted_cells_also_refresh_the_summaries``) and tested in ``test_summaries.py``."""
    monkeypatch.setattr(importer, "refresh_summaries", lambda conn: None)


@settings(
    derandomize=True,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cell=st.sampled_from(CELLS), value=_cell_text)
def test_any_text_in_any_cell_imports_or_is_refused_cell_by_cell(
    sqlite_conn: Connection, without_summaries: None, cell: tuple[str, int, str], value: str
) -> None:
    files = _good()
    _set_cell(files, cell, value)
    _import_or_refuse(sqlite_conn, files)


@settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=st.lists(st.tuples(st.sampled_from(CELLS), _cell_text), min_size=2, max_size=5))
def test_several_bad_cells_at_once_are_each_named(
    sqlite_conn: Connection,
    without_summaries: None,
    changes: list[tuple[tuple[str, int, str], str]],
) -> None:
    files = _good()
    for cell, value in changes:
        _set_cell(files, cell, value)
    _import_or_refuse(sqlite_conn, files)


@settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cell=st.sampled_from(CELLS), value=_near_valid)
def test_accepted_cells_also_refresh_the_summaries(
    sqlite_conn: Connection, cell: tuple[str, int, str], value: str
) -> None:
    files = _good()
    _set_cell(files, cell, value)
    _import_or_refuse(sqlite_conn, files)
