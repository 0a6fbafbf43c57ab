"""The importer against the data contract's rules, on SQLite and PostgreSQL.

Each test writes a tiny batch into ``tmp_path`` (see ``csv_batches``) and imports it inside
the ``conn`` fixture's rolled-back transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select
from sqlalchemy.engine.interfaces import CacheStats

from data_access import import_run
from data_access.importer import ImportRejected, ImportReport, import_batch
from data_access.schema import adverse_events, clinics, followups, import_log, procedures
from tests.integration.csv_batches import GOOD, TODAY, batch, snapshot, write_batch


def run(conn: Connection, directory: Path, **options: Any) -> ImportReport:
    return import_batch(conn=conn, directory=directory, today=TODAY, **options)


def problems_of(conn: Connection, directory: Path) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        run(conn, directory)
    return [str(problem) for problem in refused.value.problems]


def test_a_good_batch_imports_every_row(conn: Connection, tmp_path: Path) -> None:
    report = run(conn, write_batch(tmp_path, GOOD))
    assert report.inserted == {
        "clinics": 2,
        "procedures": 2,
        "followups": 2,
        "adverse_events": 1,
        "referrals": 1,
    }
    assert sum(report.updated.values()) == sum(report.rejected.values()) == 0
    assert report.rejects_path is None and report.warnings == []
    p1, p2 = conn.execute(select(procedures).order_by(procedures.c.procedure_id)).all()
    assert (p1.performed_on, p1.performed_at) == (date(2025, 3, 14), datetime(2025, 3, 14, 9, 30))
    assert (p2.performed_on, p2.performed_at, p2.trigger_points) == (date(2025, 3, 15), None, None)
    zones = dict(conn.execute(select(clinics.c.clinic_id, clinics.c.timezone)).all())
    assert zones == {"C1": "America/New_York", "C2": "America/Chicago"}
    assert conn.execute(select(adverse_events.c.serious)).scalar_one() is False
    log = conn.execute(select(import_log).where(import_log.c.import_id == report.import_id)).one()
    assert (log.rows_inserted, log.rows_updated, log.rows_rejected) == (8, 0, 0)


def test_importing_the_same_batch_twice_changes_nothing(conn: Connection, tmp_path: Path) -> None:
    directory = write_batch(tmp_path, GOOD)
    first = run(conn, directory)
    before = snapshot(conn)
    second = run(conn, directory)
    assert snapshot(conn) == before
    assert sum(second.inserted.values()) == sum(second.updated.values()) == 0
    assert second.unchanged == first.inserted
    assert second.import_id is not None and first.import_id is not None
    assert second.import_id > first.import_id


def test_an_existing_id_is_updated_in_place(conn: Connection, tmp_path: Path) -> None:
    run(conn, write_batch(tmp_path / "a", GOOD))
    events = [GOOD["adverse_events"][0], GOOD["adverse_events"][1].replace(",mild,", ",severe,")]
    report = run(conn, write_batch(tmp_path / "b", {"adverse_events": events}))
    assert (report.inserted["adverse_events"], report.updated["adverse_events"]) == (0, 1)
    rows = conn.execute(select(adverse_events.c.event_id, adverse_events.c.severity)).all()
    assert [tuple(row) for row in rows] == [("E1", "severe")]


def test_problems_are_file_line_column_reason_and_the_header_is_line_1(
    conn: Connection, tmp_path: Path
) -> None:
    followup = [
        "followup_id,procedure_id,followup_at,soreness",
        "F1,P1,2025-03-15,2",
        "F2,P1,2025-03-15,11",
    ]
    procedures_without_patient = [
        "procedure_id,clinic_id,performed_at,procedure_type",
        "P1,C1,2025-03-14,other",
    ]
    assert problems_of(conn, write_batch(tmp_path / "a", batch(followups=followup))) == [
        "followups.csv:3: soreness: 11 is outside 0–10"
    ]
    assert problems_of(
        conn, write_batch(tmp_path / "b", batch(procedures=procedures_without_patient))
    ) == ["procedures.csv:1: patient_id: required column missing from the header"]


def test_every_problem_of_every_file_is_listed_and_nothing_is_written(
    conn: Connection, tmp_path: Path
) -> None:
    procs = [
        *GOOD["procedures"],
        "P3,C1,pat-3,,2025-13-01,dry_needling,,,,,,",
        "P4,C9,pat-4,,2025-03-01,other,,,,,,",
    ]
    events = [*GOOD["adverse_events"], "E2,P2,bleeding,awful,,2025-03-16,,"]
    found = problems_of(conn, write_batch(tmp_path, batch(procedures=procs, adverse_events=events)))
    assert found == [
        'procedures.csv:4: performed_at: "2025-13-01" is not a date or date-time '
        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally with a UTC offset)",
        'procedures.csv:5: clinic_id: clinic "C9" is neither in the database nor in clinics.csv',
        'adverse_events.csv:3: severity: "awful" is not one of: mild, moderate, severe',
    ]
    assert all(rows == [] for rows in snapshot(conn).values())
    assert conn.execute(select(func.count()).select_from(import_log)).scalar_one() == 0


def test_a_record_spanning_lines_is_reported_where_it_starts(
    conn: Connection, tmp_path: Path
) -> None:
    events = [
        GOOD["adverse_events"][0],
        'E1,P1,vasovagal,mild,,2025-03-14,,"two\nlines"',
        'E2,P1,vasovagal,mild,maybe,2025-03-14,,"three\n\nlines"',
        "E3,P1,vasovagal,mild,,2025-03-14,gone,",
    ]
    assert problems_of(conn, write_batch(tmp_path, batch(adverse_events=events))) == [
        'adverse_events.csv:4: serious: "maybe" is not a boolean (true/false, 1/0, yes/no)',
        'adverse_events.csv:7: outcome: "gone" is not one of: resolved, resolving, not_resolved, '
        "fatal, unknown",
    ]


CLINIC_HEADER = GOOD["clinics"][0]
PROC_HEADER = GOOD["procedures"][0]
FOLLOWUP_HEADER = "followup_id,procedure_id,followup_at,soreness,pain,relief,channel"


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        ("clinics", "C3,X,North,,KY,36.8,-83.3,11,", "ruca_code: 11 is outside 1–10"),
        ("clinics", "C3,X,North,,KY,91,-83.3,,", "latitude: 91 is outside -90 to 90"),
        (
            "clinics",
            "C3,X,North,,KY,36.8,,,",
            "longitude: is empty but latitude is given (both or neither)",
        ),
        ("clinics", "C3,,North,,KY,,,,", "name: is required but empty"),
        ("clinics", "C3,X,North,,XX,,,,", 'state: "XX" is not a US state code'),
        (
            "clinics",
            "C3,X,North,,,,,,2025-06-03",
            "opened_on: 2025-06-03 is more than one day in the future",
        ),
        (
            "clinics",
            "C3," + "n" * 201 + ",North,,,,,,",
            "name: is 201 characters long, at most 200 are allowed",
        ),
        (
            "procedures",
            "P3,C1,p,,2025-03-14,other,,,,,3.5,",
            'pain_before: "3.5" is not a whole number',
        ),
        ("procedures", "P3,C1,p,,2025-03-14,other,,,,0,,", "trigger_points: 0 is outside 1–1000"),
        (
            "procedures",
            "P3,C1,p,,2025-03-14,laser,,,,,,",
            'procedure_type: "laser" is not one of: '
            "tpi_local_anesthetic, tpi_corticosteroid, tpi_saline, dry_needling, other",
        ),
        (
            "procedures",
            "P3,C1,p,,2025-06-03T08:00,other,,,,,,",
            "performed_at: 2025-06-03 is more than one day in the future",
        ),
        (
            "procedures",
            "P3,C1,p,,14/03/2025,other,,,,,,",
            'performed_at: "14/03/2025" is not a date or date-time',
        ),
        (
            "followups",
            "F3,P1,2025-03-13,2,,,",
            "followup_at: 2025-03-13 is before the date of its procedure (2025-03-14)",
        ),
        (
            "followups",
            "F3,P9,2025-03-16,2,,,",
            'procedure_id: procedure "P9" is neither in the database nor in procedures.csv',
        ),
        ("followups", "F3,P1,2025-03-16,,,,", "soreness: is required but empty"),
        ("followups", "F1,P1,2025-03-16,2,,,", 'followup_id: duplicate id "F1": also on line 2'),
        ("followups", "F3,P1,2025-03-16", "has 3 cells but the header has 7"),
    ],
)
def test_each_rule_names_the_column_and_the_reason(
    conn: Connection, tmp_path: Path, file: str, line: str, expected: str
) -> None:
    lines = [*GOOD[file], line]
    found = problems_of(conn, write_batch(tmp_path, batch(**{file: lines})))
    assert len(found) == 1
    assert found[0].startswith(f"{file}.csv:{len(lines)}: {expected}")


def test_lenient_where_the_meaning_is_clear(conn: Connection, tmp_path: Path) -> None:
    """BOM, header case and spaces, column order, LF endings, 3.0, padded cells, code case."""
    clinic_lines = [" Region ,Clinic_ID,NAME,State", "North, C1 ,Harlan,ky"]
    procs = [
        "procedure_type,performed_at,patient_id,clinic_id,procedure_id,pain_before",
        "Dry_Needling, 2025-03-14 09:30:15 ,p,C1,P1,3.0",
    ]
    events = [
        "event_id,procedure_id,event_type,severity,serious,onset_at",
        "E1,P1,other,MILD,Yes,2025-03-14",
    ]
    directory = write_batch(
        tmp_path, {"clinics": clinic_lines, "procedures": procs, "adverse_events": events}, "\n"
    )
    path = directory / "clinics.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = run(conn, directory)
    assert report.inserted["procedures"] == 1
    row = conn.execute(select(procedures)).one()
    assert (row.clinic_id, row.procedure_type, row.pain_before) == ("C1", "dry_needling", 3)
    assert row.performed_at == datetime(2025, 3, 14, 9, 30, 15)
    assert conn.execute(select(clinics.c.state)).scalar_one() == "KY"
    assert conn.execute(select(adverse_events.c.severity, adverse_events.c.serious)).one() == (
        "mild",
        True,
    )


def test_unknown_columns_are_ignored_with_a_warning(conn: Connection, tmp_path: Path) -> None:
    referrals = [
        "referral_id,clinic_id,colour,patient_id,referred_on,source,notes",
        "R1,C1,red,p,2025-03-01,self,x",
    ]
    report = run(conn, write_batch(tmp_path, batch(referrals=referrals)))
    assert report.warnings == ["referrals.csv: unknown columns ignored: colour, notes"]
    assert report.inserted["referrals"] == 1


def test_references_resolve_against_the_database_too(conn: Connection, tmp_path: Path) -> None:
    run(conn, write_batch(tmp_path / "a", batch(followups=None, adverse_events=None)))
    later = {
        "followups": [FOLLOWUP_HEADER, "F9,P2,2025-03-20,1,,,"],
        "procedures": [PROC_HEADER, "P9,C2,p,,2025-04-01,other,,,,,,"],
    }
    report = run(conn, write_batch(tmp_path / "b", later))
    assert (report.inserted["procedures"], report.inserted["followups"]) == (1, 1)
    early = {"followups": [FOLLOWUP_HEADER, "F8,P2,2025-03-14,1,,,"]}
    assert problems_of(conn, write_batch(tmp_path / "c", early)) == [
        "followups.csv:2: followup_at: 2025-03-14 is before the date of its procedure (2025-03-15)"
    ]


def test_a_utc_offset_becomes_the_clinic_local_date(conn: Connection, tmp_path: Path) -> None:
    procs = [
        PROC_HEADER,
        "P1,C1,p,,2025-03-14T02:00Z,other,,,,,,",
        "P2,C2,p,,2025-03-14T09:30-05:00,other,,,,,,",
    ]
    ups = [FOLLOWUP_HEADER, "F1,P1,2025-03-14T03:59:59+01:00,1,,,", "F2,P2,2025-03-15T04:30Z,1,,,"]
    directory = write_batch(tmp_path, batch(procedures=procs, followups=ups, adverse_events=None))
    run(conn, directory, default_timezone="America/Denver")
    rows = conn.execute(
        select(procedures.c.performed_on, procedures.c.performed_at).order_by(
            procedures.c.procedure_id
        )
    ).all()
    # C1 is in Kentucky (New York time, EDT from 9 March); C2 has no state: the default zone.
    assert [tuple(r) for r in rows] == [
        (date(2025, 3, 13), datetime(2025, 3, 13, 22, 0)),
        (date(2025, 3, 14), datetime(2025, 3, 14, 8, 30)),
    ]
    ups_rows = conn.execute(
        select(followups.c.followup_on, followups.c.followup_at).order_by(followups.c.followup_id)
    ).all()
    assert [tuple(r) for r in ups_rows] == [
        (date(2025, 3, 13), datetime(2025, 3, 13, 22, 59, 59)),
        (date(2025, 3, 14), datetime(2025, 3, 14, 22, 30)),
    ]


def test_free_text_is_stored_verbatim(conn: Connection, tmp_path: Path) -> None:
    nasty = 'He said "ouch"; \'; DROP TABLE procedures; --\n<script>alert(1)</script>  '
    quoted = '"' + nasty.replace('"', '""') + '"'
    events = [
        GOOD["adverse_events"][0],
        f"E1,P1,other,mild,no,2025-03-14,,{quoted}",
        "E2,P1,other,mild,no,2025-03-14,,'=SUM(A1)",
    ]
    run(conn, write_batch(tmp_path, batch(adverse_events=events)))
    texts = (
        conn.execute(select(adverse_events.c.description).order_by(adverse_events.c.event_id))
        .scalars()
        .all()
    )
    assert texts == [nasty, "=SUM(A1)"]
    assert conn.execute(select(func.count()).select_from(procedures)).scalar_one() == 2


def test_a_procedure_may_not_move_past_its_followups(conn: Connection, tmp_path: Path) -> None:
    run(conn, write_batch(tmp_path / "a", GOOD))
    moved = [
        PROC_HEADER,
        "P1,C1,pat-1,dr-1,2025-03-16T09:30,tpi_local_anesthetic,20552,neck,neck_pain,2,6,3",
    ]
    directory = write_batch(tmp_path / "b", {"procedures": moved})
    assert problems_of(conn, directory) == [
        'procedures.csv:2: performed_at: 2025-03-16 is after its adverse event "E1" of 2025-03-14, '
        'follow-up "F1" of 2025-03-15'
    ]
    report = run(conn, directory, skip_invalid=True)
    assert report.rejected["procedures"] == 1
    assert conn.execute(
        select(procedures.c.performed_on).where(procedures.c.procedure_id == "P1")
    ).scalar_one() == date(2025, 3, 14)
    # Moving the follow-up and the event along in the same batch makes it fine.
    along = {
        "procedures": moved,
        "followups": [FOLLOWUP_HEADER, "F1,P1,2025-03-17,2,3,partial,phone"],
        "adverse_events": [
            GOOD["adverse_events"][0],
            "E1,P1,vasovagal,mild,,2025-03-16T09:45,resolved,Felt faint",
        ],
    }
    report = run(conn, write_batch(tmp_path / "c", along))
    assert (
        report.updated["procedures"],
        report.updated["followups"],
        report.updated["adverse_events"],
    ) == (1, 1, 1)


def test_chunks_do_not_hide_duplicates_or_change_counts(
    conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_run, "CHUNK_ROWS", 2)
    procs = [
        PROC_HEADER,
        *(f"P{n},C1,p,,2025-03-14,other,,,,,," for n in range(1, 6)),
        "P2,C1,p,,2025-03-14,other,,,,,,",
    ]
    assert problems_of(
        conn,
        write_batch(tmp_path / "a", batch(procedures=procs, followups=None, adverse_events=None)),
    ) == ['procedures.csv:7: procedure_id: duplicate id "P2": also on line 3']
    seen: list[int] = []
    report = run(
        conn,
        write_batch(
            tmp_path / "b", batch(procedures=procs[:-1], followups=None, adverse_events=None)
        ),
        progress=seen.append,
    )
    assert report.inserted["procedures"] == 5
    assert sum(seen) == 2 + 5 + 1 and max(seen) == 2


def test_a_repeated_import_reuses_its_compiled_statements(conn: Connection, tmp_path: Path) -> None:
    """The second import of the same shape compiles no SQL: its staging and work tables are
    the same ``Table`` objects, which SQLAlchemy's statement cache is keyed by (new objects
    per import made every statement compile afresh, about 40 % of a small import's CPU)."""
    run(conn, write_batch(tmp_path / "first", GOOD))
    # New rows a month later: the same statements, other values.
    later = {
        name: [
            lines[0],
            *(
                re.sub(r"\b([PFER])(\d)\b", r"\g<1>1\2", line).replace("2025-03", "2025-04")
                for line in lines[1:]
            ),
        ]
        for name, lines in GOOD.items()
    }
    compiled: list[str] = []

    def note(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if context is not None and context.cache_hit is CacheStats.CACHE_MISS:
            compiled.append(statement)

    event.listen(conn, "after_cursor_execute", note)
    try:
        run(conn, write_batch(tmp_path / "second", later))
    finally:
        event.remove(conn, "after_cursor_execute", note)
    assert conn.execute(select(func.count()).select_from(procedures)).scalar_one() == 4
    assert compiled == []
