"""Tiny hand-made contract batches for the importer and exporter tests, and table snapshots.

``GOOD`` is a valid batch of every file; tests copy it, change a cell or a line, and write it
into ``tmp_path`` with :func:`write_batch`. Lines are written exactly as given (CRLF or LF).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select

from data_access.contract import FILES
from data_access.schema import CONTRACT_TABLES

TODAY = date(2025, 6, 1)

GOOD: dict[str, list[str]] = {
    "clinics": [
        "clinic_id,name,region,city,state,latitude,longitude,ruca_code,opened_on",
        "C1,Harlan Pain & Wellness,North,Harlan,KY,36.84,-83.32,7,2019-05-01",
        "C2,O'Neill Clinic,South,,,,,,",
    ],
    "procedures": [
        "procedure_id,clinic_id,patient_id,provider_id,performed_at,procedure_type,cpt_code,"
        "body_region,indication,trigger_points,pain_before,pain_after",
        "P1,C1,pat-1,dr-1,2025-03-14T09:30,tpi_local_anesthetic,20552,neck,neck_pain,2,6,3",
        "P2,C2,pat-2,,2025-03-15,dry_needling,20560,lower_back,back_pain,,5,",
    ],
    "followups": [
        "followup_id,procedure_id,followup_at,soreness,pain,relief,channel",
        "F1,P1,2025-03-15T10:00,2,3,partial,phone",
        "F2,P2,2025-03-15,4,,,",
    ],
    "adverse_events": [
        "event_id,procedure_id,event_type,severity,serious,onset_at,outcome,description",
        "E1,P1,vasovagal,mild,,2025-03-14T09:45,resolved,Felt faint",
    ],
    "referrals": [
        "referral_id,clinic_id,patient_id,referred_on,source",
        "R1,C1,pat-1,2025-03-01,primary_care",
    ],
}


def batch(**changes: list[str] | None) -> dict[str, list[str]]:
    """``GOOD`` with some files replaced (a list of lines) or left out (None)."""
    files = {name: list(lines) for name, lines in GOOD.items()}
    for name, lines in changes.items():
        if lines is None:
            files.pop(name)
        else:
            files[name] = lines
    return files


def write_batch(directory: Path, files: dict[str, list[str]], newline: str = "\r\n") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        text = "".join(line + newline for line in lines)
        (directory / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    return directory


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every contract table, in key order."""
    found = {}
    for spec in FILES:
        table = CONTRACT_TABLES[spec.name]
        rows = conn.execute(select(table).order_by(table.c[spec.key])).all()
        found[spec.name] = [tuple(row) for row in rows]
    return found


def empty_tables(conn: Connection) -> None:
    for spec in reversed(FILES):
        conn.execute(delete(CONTRACT_TABLES[spec.name]))
