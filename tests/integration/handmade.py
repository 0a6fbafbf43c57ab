"""A tiny clinic network whose every figure is worked out by hand in the tests' comments.

January 2025 (clinic-local dates):
  C1 North: P1 pat A 01-10 local anesthetic (pain 6->3), P2 pat B 01-10 dry needling (5->4),
            P3 pat A 01-20 dry needling (3->2)
  C2 North: P4 pat C 01-31 corticosteroid (no pain scores); P5 pat D 02-01 saline (February)
  C3 South: P6 pat E 01-15 other (10->8)
Follow-ups: F1 P1 day 1 sore 2; F2 P1 day 2 sore 1; F3 P2 day 0 sore 6; F4 P3 day 21 sore 9;
            F5 P4 day 14 sore 4; F6 P6 day 1 sore 3; F05 P6 day 1 sore 0 (same day, smaller id)
Events: E1 P1 vasovagal mild; E2 P4 bleeding moderate serious; E3 P5 infection mild
Referrals: R1 C1 pat A 01-05 primary_care (-> P1 after 5 days); R2 C1 pat Z 01-06 chiropractic
           (never treated); R3 C3 pat E 01-01 self (-> P6 after 14 days); R4 C2 pat D 2024-12-20
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, insert

from data_access.schema import adverse_events, clinics, followups, procedures, referrals

D = date.fromisoformat


def _uniform(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """executemany wants every row to name the same columns: absent ones are NULL."""
    keys = {key for row in rows for key in row}
    return [{key: row.get(key) for key in keys} for row in rows]


def load_handmade(conn: Connection) -> None:
    conn.execute(
        insert(clinics),
        _uniform(
            [
                {
                    "clinic_id": "C1",
                    "name": "Harlan Pain & Wellness",
                    "region": "North",
                    "state": "KY",
                    "latitude": 36.8,
                    "longitude": -83.3,
                    "ruca_code": 7,
                    "timezone": "America/New_York",
                },
                {
                    "clinic_id": "C2",
                    "name": "O'Neill Clinic",
                    "region": "North",
                    "timezone": "America/Chicago",
                },
                {
                    "clinic_id": "C3",
                    "name": "Española Clinic",
                    "region": "South",
                    "state": "NM",
                    "timezone": "America/Denver",
                },
            ]
        ),
    )

    def proc(
        pid: str,
        clinic: str,
        patient: str,
        day: str,
        kind: str,
        before: int | None = None,
        after: int | None = None,
    ) -> dict[str, object]:
        return {
            "procedure_id": pid,
            "clinic_id": clinic,
            "patient_id": patient,
            "performed_on": D(day),
            "performed_at": datetime.fromisoformat(day + "T09:30"),
            "procedure_type": kind,
            "pain_before": before,
            "pain_after": after,
        }

    conn.execute(
        insert(procedures),
        [
            proc("P1", "C1", "A", "2025-01-10", "tpi_local_anesthetic", 6, 3),
            proc("P2", "C1", "B", "2025-01-10", "dry_needling", 5, 4),
            proc("P3", "C1", "A", "2025-01-20", "dry_needling", 3, 2),
            proc("P4", "C2", "C", "2025-01-31", "tpi_corticosteroid"),
            proc("P5", "C2", "D", "2025-02-01", "tpi_saline"),
            proc("P6", "C3", "E", "2025-01-15", "other", 10, 8),
        ],
    )

    def fu(fid: str, pid: str, day: str, soreness: int) -> dict[str, object]:
        return {
            "followup_id": fid,
            "procedure_id": pid,
            "followup_on": D(day),
            "soreness": soreness,
        }

    conn.execute(
        insert(followups),
        [
            fu("F1", "P1", "2025-01-11", 2),
            fu("F2", "P1", "2025-01-12", 1),
            fu("F3", "P2", "2025-01-10", 6),
            fu("F4", "P3", "2025-02-10", 9),
            fu("F5", "P4", "2025-02-14", 4),
            fu("F6", "P6", "2025-01-16", 3),
            fu("F05", "P6", "2025-01-16", 0),
        ],
    )

    def event(
        eid: str, pid: str, day: str, kind: str, severity: str, serious: bool = False
    ) -> dict[str, object]:
        return {
            "event_id": eid,
            "procedure_id": pid,
            "event_type": kind,
            "severity": severity,
            "serious": serious,
            "onset_on": D(day),
            "description": f'<b>{eid}</b> "x"',
        }

    conn.execute(
        insert(adverse_events),
        [
            event("E1", "P1", "2025-01-10", "vasovagal", "mild"),
            event("E2", "P4", "2025-02-01", "bleeding", "moderate", serious=True),
            event("E3", "P5", "2025-02-02", "infection", "mild"),
        ],
    )

    def referral(rid: str, clinic: str, patient: str, day: str, source: str) -> dict[str, object]:
        return {
            "referral_id": rid,
            "clinic_id": clinic,
            "patient_id": patient,
            "referred_on": D(day),
            "source": source,
        }

    conn.execute(
        insert(referrals),
        [
            referral("R1", "C1", "A", "2025-01-05", "primary_care"),
            referral("R2", "C1", "Z", "2025-01-06", "chiropractic"),
            referral("R3", "C3", "E", "2025-01-01", "self"),
            referral("R4", "C2", "D", "2024-12-20", "primary_care"),
        ],
    )
