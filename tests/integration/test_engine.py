"""Transactions behave the same on both backends: a savepoint released inside an outer
transaction is still undone when the outer transaction rolls back."""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, select

from data_access.schema import clinics


def test_savepoint_does_not_commit_the_outer_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        savepoint = conn.begin_nested()
        conn.execute(insert(clinics).values(clinic_id="SP1", name="n", region="r", timezone="UTC"))
        savepoint.commit()
        outer.rollback()
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(clinics).where(clinics.c.clinic_id == "SP1")
        ).scalar_one()
    assert count == 0
