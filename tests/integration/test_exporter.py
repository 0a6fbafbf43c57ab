"""The exporter: contract files, filters, formula neutralisation, and the export -> import round
trip into an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from data_access.exporter import export_batch
from data_access.importer import import_batch
from tests.integration.csv_batches import GOOD, TODAY, batch, empty_tables, snapshot, write_batch

NASTY = '"Quoted", \'; DROP TABLE adverse_events; --\r\n<script>alert(1)</script>\n  '

RICH = batch(
    clinics=[
        *GOOD["clinics"],
        'C3,"=HYPERLINK(""http://x"")",+East,\'\'=twice,NM,0.00001,-106.5,4,2020-01-01',
    ],
    procedures=[
        *GOOD["procedures"],
        "-P3,C3,@pat,@dr,2025-03-14T09:30:15,other,-20552,,,1000,0,10",
        "P4,C1,pat-4,,2025-03-14T23:30:00.250+02:00,tpi_saline,,hip,other,,,",
    ],
    followups=[*GOOD["followups"], "F3,'-P3,2025-03-15T08:00Z,0,10,none,portal"],
    adverse_events=[
        *GOOD["adverse_events"],
        'E2,-P3,other,severe,yes,2025-03-16,unknown,"' + NASTY.replace('"', '""') + '"',
        "E3,P4,bleeding,moderate,0,2025-03-14,not_resolved,'=SUM(A1)",
        'E4,P4,bleeding,moderate,0,2025-03-14,,"\tindented"',
    ],
    referrals=[*GOOD["referrals"], "R2,C3,=pat,2025-04-01,other_specialist"],
)


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_export_then_import_into_an_empty_database_reproduces_the_data(
    conn: Connection, tmp_path: Path
) -> None:
    import_batch(conn=conn, directory=write_batch(tmp_path / "in", RICH), today=TODAY)
    original = snapshot(conn)
    written = export_batch(conn=conn, directory=tmp_path / "out")
    assert written == {name: len(rows) for name, rows in original.items()}
    empty_tables(conn)
    report = import_batch(conn=conn, directory=tmp_path / "out", today=TODAY)
    assert report.inserted == written and report.warnings == []
    assert snapshot(conn) == original
    # Text of every kind came through verbatim, and exporting again gives the same bytes.
    assert [row[8] for row in original["adverse_events"]][1:] == [NASTY, "=SUM(A1)", "\tindented"]
    assert original["clinics"][2][1:4] == ('=HYPERLINK("http://x")', "+East", "'=twice")
    export_batch(conn=conn, directory=tmp_path / "again")
    for name in written:
        first, second = tmp_path / "out" / f"{name}.csv", tmp_path / "again" / f"{name}.csv"
        assert first.read_bytes() == second.read_bytes()


def test_cells_a_spreadsheet_would_run_are_neutralised(conn: Connection, tmp_path: Path) -> None:
    import_batch(conn=conn, directory=write_batch(tmp_path / "in", RICH), today=TODAY)
    export_batch(conn=conn, directory=tmp_path / "out")
    clinic = read(tmp_path / "out" / "clinics.csv")[3]
    assert clinic[:4] == ["C3", '\'=HYPERLINK("http://x")', "'+East", "''=twice"]
    assert clinic[5:7] == ["0.00001", "-106.5"]  # numbers are not text: no apostrophe
    procedure = next(row for row in read(tmp_path / "out" / "procedures.csv") if row[0] == "'-P3")
    assert procedure[:7] == [
        "'-P3",
        "C3",
        "'@pat",
        "'@dr",
        "2025-03-14T09:30:15",
        "other",
        "'-20552",
    ]
    descriptions = [row[7] for row in read(tmp_path / "out" / "adverse_events.csv")[1:]]
    assert descriptions == ["Felt faint", NASTY, "'=SUM(A1)", "'\tindented"]
    raw = (tmp_path / "out" / "adverse_events.csv").read_bytes()
    assert raw.startswith(b"event_id,procedure_id,event_type,severity,serious,onset_at,")
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")


def test_contract_formats(conn: Connection, tmp_path: Path) -> None:
    import_batch(conn=conn, directory=write_batch(tmp_path / "in", RICH), today=TODAY)
    export_batch(conn=conn, directory=tmp_path / "out")
    procs = {row[0]: row for row in read(tmp_path / "out" / "procedures.csv")[1:]}
    # 23:30:00.250 at UTC+2 is 17:30:00.250 in Kentucky (EDT).
    assert [procs[p][4] for p in ("P1", "P2", "P4")] == [
        "2025-03-14T09:30",
        "2025-03-15",
        "2025-03-14T17:30:00.250000",
    ]
    events = {row[0]: row for row in read(tmp_path / "out" / "adverse_events.csv")[1:]}
    assert [events[e][4] for e in ("E1", "E2", "E3")] == ["false", "true", "false"]
    assert read(tmp_path / "out" / "clinics.csv")[2] == [
        "C2",
        "O'Neill Clinic",
        "South",
        "",
        "",
        "",
        "",
        "",
        "",
    ]


def test_filters_choose_procedures_and_their_dependents(conn: Connection, tmp_path: Path) -> None:
    import_batch(conn=conn, directory=write_batch(tmp_path / "in", RICH), today=TODAY)
    out = tmp_path / "out"
    written = export_batch(
        conn=conn,
        directory=out,
        start=date(2025, 3, 14),
        end=date(2025, 3, 14),
        clinics=["C1", "C2"],
    )
    assert written == {
        "clinics": 2,
        "procedures": 2,
        "followups": 1,
        "adverse_events": 3,
        "referrals": 0,
    }
    assert [row[0] for row in read(out / "procedures.csv")[1:]] == ["P1", "P4"]
    assert [row[0] for row in read(out / "followups.csv")[1:]] == ["F1"]
    written = export_batch(conn=conn, directory=out, start=date(2025, 3, 15))
    assert written == {
        "clinics": 3,
        "procedures": 1,
        "followups": 1,
        "adverse_events": 0,
        "referrals": 1,
    }
    assert read(out / "adverse_events.csv") == [GOOD["adverse_events"][0].split(",")]
    written = export_batch(conn=conn, directory=out, clinics=["C3"], end=date(2025, 3, 31))
    assert written == {
        "clinics": 1,
        "procedures": 1,
        "followups": 1,
        "adverse_events": 1,
        "referrals": 0,
    }


def test_an_empty_database_exports_headers_only(conn: Connection, tmp_path: Path) -> None:
    written = export_batch(conn=conn, directory=tmp_path / "new" / "folder")
    assert set(written.values()) == {0}
    assert read(tmp_path / "new" / "folder" / "referrals.csv") == [GOOD["referrals"][0].split(",")]
