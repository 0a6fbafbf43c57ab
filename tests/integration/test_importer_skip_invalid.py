"""The importer's ``--skip-invalid`` mode (rejects file, dependent rows) and batch-level
problems (folder, files, encoding, CSV syntax), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from data_access.importer import ImportRejected, ImportReport, import_batch
from data_access.schema import followups, procedures, referrals
from tests.integration.csv_batches import GOOD, TODAY, batch, snapshot, write_batch


def run(conn: Connection, directory: Path, **options: Any) -> ImportReport:
    return import_batch(conn=conn, directory=directory, today=TODAY, **options)


def rejects(path: Path | None) -> list[dict[str, str]]:
    assert path is not None
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_skip_invalid_imports_the_rest_and_writes_rejected_rows_unchanged(
    conn: Connection, tmp_path: Path
) -> None:
    clinic_lines = [*GOOD["clinics"], "C3,Bad Clinic,North,,ZZ,,,,"]
    procs = [
        *GOOD["procedures"],
        "P3,C1,pat-3,,2025-03-14,other,,,,, 11 ,",
        "P4,C3,pat-4,,2025-03-14,other,,,,,,",
    ]
    ups = [*GOOD["followups"], "F3,P3,2025-03-20,1,,,", "F4,P4,2025-03-20,1,,,"]
    directory = write_batch(
        tmp_path / "batch", batch(clinics=clinic_lines, procedures=procs, followups=ups)
    )
    report = run(conn, directory, skip_invalid=True)
    assert report.rejected == {
        "clinics": 1,
        "procedures": 2,
        "followups": 2,
        "adverse_events": 0,
        "referrals": 0,
    }
    assert report.inserted["procedures"] == 2 and report.inserted["followups"] == 2
    assert report.rejects_path is not None
    assert report.rejects_path.parent == directory and report.rejects_path.name.startswith(
        "rejects-"
    )
    rows = rejects(report.rejects_path)
    assert [(r["file"], r["line"], r["reason"]) for r in rows] == [
        ("clinics.csv", "4", 'state: "ZZ" is not a US state code'),
        ("procedures.csv", "4", "pain_before: 11 is outside 0–10"),
        ("procedures.csv", "5", 'clinic_id: clinic "C3" was rejected (clinics.csv:4)'),
        ("followups.csv", "4", 'procedure_id: procedure "P3" was rejected (procedures.csv:4)'),
        ("followups.csv", "5", 'procedure_id: procedure "P4" was rejected (procedures.csv:5)'),
    ]
    assert rows[1]["pain_before"] == " 11 " and rows[1]["procedure_type"] == "other"
    with report.rejects_path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["file", "line", "reason"]
    assert header[3:12] == GOOD["clinics"][0].split(",")
    # In all-or-nothing mode only the two real defects are listed, not the dependent rows.
    with pytest.raises(ImportRejected) as refused:
        run(conn, directory)
    assert [p.line for p in refused.value.problems] == [4, 4]


def test_a_ragged_row_is_rejected_with_its_cells(conn: Connection, tmp_path: Path) -> None:
    ups = [*GOOD["followups"], "F3,P1,2025-03-20,1,,,,surplus", "F4,P3"]
    out = tmp_path / "out" / "rejects.csv"
    report = run(
        conn, write_batch(tmp_path / "b", batch(followups=ups)), skip_invalid=True, rejects_path=out
    )
    assert report.rejects_path == out
    rows = rejects(out)
    assert [(r["line"], r["reason"], r["followup_id"], r["extra_1"]) for r in rows] == [
        ("4", "has 8 cells but the header has 7", "F3", "surplus"),
        ("5", "has 2 cells but the header has 7", "F4", ""),
    ]


def test_a_rejected_database_row_still_rejects_its_dependents(
    conn: Connection, tmp_path: Path
) -> None:
    run(conn, write_batch(tmp_path / "a", GOOD))
    procs = [GOOD["procedures"][0], "P1,C1,pat-1,dr-1,2025-03-14,bogus,,,,,,"]
    ups = [GOOD["followups"][0], "F9,P1,2025-03-20,1,,,"]
    report = run(
        conn,
        write_batch(tmp_path / "b", {"procedures": procs, "followups": ups}),
        skip_invalid=True,
    )
    assert report.rejected["followups"] == 1
    assert conn.execute(select(func.count()).select_from(followups)).scalar_one() == 2


def test_no_rejects_file_without_rejected_rows(conn: Connection, tmp_path: Path) -> None:
    report = run(conn, write_batch(tmp_path, GOOD), skip_invalid=True)
    assert report.rejects_path is None
    assert not list(tmp_path.glob("rejects-*"))


def test_a_missing_file_means_nothing_of_that_kind(conn: Connection, tmp_path: Path) -> None:
    report = run(
        conn, write_batch(tmp_path, batch(followups=None, adverse_events=None, referrals=None))
    )
    assert report.inserted["followups"] == report.inserted["referrals"] == 0
    assert conn.execute(select(func.count()).select_from(referrals)).scalar_one() == 0


def test_blank_lines_are_not_records(conn: Connection, tmp_path: Path) -> None:
    procs = [GOOD["procedures"][0], "", GOOD["procedures"][1], "", "", GOOD["procedures"][2], ""]
    report = run(conn, write_batch(tmp_path, batch(procedures=procs)))
    assert report.inserted["procedures"] == 2


def refusal(conn: Connection, directory: Path, skip_invalid: bool = False) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        run(conn, directory, skip_invalid=skip_invalid)
    return [str(problem) for problem in refused.value.problems]


def test_batch_level_problems_refuse_even_with_skip_invalid(
    conn: Connection, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    assert refusal(conn, missing, skip_invalid=True) == [f"{missing}: no such folder"]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello")
    assert refusal(conn, empty, skip_invalid=True) == [
        f"{empty}: no contract file in this folder (clinics.csv, procedures.csv, followups.csv, "
        "adverse_events.csv, referrals.csv)"
    ]
    latin = write_batch(tmp_path / "latin", batch())
    (latin / "clinics.csv").write_bytes(
        (GOOD["clinics"][0] + "\r\nC1,Espa\xf1ola,South,,,,,,\r\n").encode("latin-1")
    )
    assert refusal(conn, latin, skip_invalid=True) == ["clinics.csv:2: is not UTF-8 text"]
    broken = write_batch(
        tmp_path / "broken", batch(referrals=[*GOOD["referrals"], 'R2,C1,"p,2025-03-01,self'])
    )
    assert refusal(conn, broken, skip_invalid=True) == [
        "referrals.csv:3: is not valid CSV: unexpected end of data"
    ]
    assert all(rows == [] for rows in snapshot(conn).values())


def test_header_problems(conn: Connection, tmp_path: Path) -> None:
    twice = write_batch(
        tmp_path / "a",
        batch(referrals=["referral_id,clinic_id,patient_id,referred_on,source,source"]),
    )
    assert refusal(conn, twice) == ["referrals.csv:1: source: appears twice in the header"]
    semicolons = write_batch(
        tmp_path / "b", batch(referrals=["referral_id;clinic_id;patient_id;referred_on;source"])
    )
    assert refusal(conn, semicolons) == ["referrals.csv:1: the header has one column: use commas"]
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "referrals.csv").write_bytes(b"")
    assert refusal(conn, tmp_path / "c") == ["referrals.csv:1: is empty: the header row is missing"]


def test_a_clinic_without_state_takes_the_default_zone(conn: Connection, tmp_path: Path) -> None:
    procs = [GOOD["procedures"][0], "P2,C2,p,,2025-03-15T03:00Z,other,,,,,,"]
    run(
        conn,
        write_batch(tmp_path, batch(procedures=procs, followups=None, adverse_events=None)),
        default_timezone="Pacific/Honolulu",
    )
    assert conn.execute(select(procedures.c.performed_on)).scalar_one().isoformat() == "2025-03-14"


def test_a_procedure_moving_past_a_kept_followup_is_rejected_with_its_batch_dependents(
    conn: Connection, tmp_path: Path
) -> None:
    run(conn, write_batch(tmp_path / "a", batch(adverse_events=None)))
    before = snapshot(conn)
    moved = [GOOD["procedures"][0], "P1,C1,pat-1,dr-1,2025-03-20,tpi_saline,,,,,,"]
    ups = [GOOD["followups"][0], "F9,P1,2025-03-21,1,,,", "F8,P2,2025-03-21,1,,,"]
    report = run(
        conn,
        write_batch(tmp_path / "b", {"procedures": moved, "followups": ups}),
        skip_invalid=True,
    )
    assert (report.rejected["procedures"], report.rejected["followups"]) == (1, 1)
    assert report.inserted["followups"] == 1  # F8, of an untouched procedure
    assert [(r["file"], r["line"], r["reason"]) for r in rejects(report.rejects_path)] == [
        (
            "procedures.csv",
            "2",
            'performed_at: 2025-03-20 is after its follow-up "F1" of 2025-03-15',
        ),
        ("followups.csv", "2", 'procedure_id: procedure "P1" was rejected (procedures.csv:2)'),
    ]
    after = snapshot(conn)
    assert after["procedures"] == before["procedures"]
    assert [row[0] for row in after["followups"]] == ["F1", "F2", "F8"]
