"""One demo user per role for the embedded demo database, with random passwords.

Presentation-layer start-up (``prepare_database``). On first start with the demo, when the
database has clinics but no users, it creates ``admin``, ``director``, ``manager`` (regional
manager of the first region) and ``staff`` (of that region's first clinic) with passwords from
``secrets.token_urlsafe``, writes them to ``<data_dir>/demo-users.txt`` (owner-only) and names
that file on the console. No password is hard-coded or printed.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from data_access.queries import audit
from data_access.queries.users import count_users, create_user, utc_now
from data_access.roles import Role
from data_access.schema import clinics
from data_access.settings import Settings

FILE_NAME = "demo-users.txt"


def ensure_demo_users(settings: Settings, engine: Engine, *, echo: bool = True) -> Path | None:
    """Create the demo users if the embedded demo database has none; the file's path, or
    ``None`` when nothing was created."""
    if not settings.is_embedded or not settings.demo_on_empty:
        return None
    path = settings.data_dir / FILE_NAME
    with engine.begin() as conn:
        if count_users(conn=conn):
            if echo and path.exists():
                print(f"Demo users' passwords are in {path}", file=sys.stderr)
            return None
        first = conn.execute(
            select(clinics.c.region, clinics.c.clinic_id, clinics.c.name)
            .order_by(clinics.c.region, clinics.c.name, clinics.c.clinic_id)
            .limit(1)
        ).first()
        if first is None:
            return None
        region, clinic_id, clinic_name = first
        people = [
            ("admin", Role.ADMIN, (), (), "all clinics; users; audit log"),
            ("director", Role.MEDICAL_DIRECTOR, (), (), "all clinics, event detail"),
            ("manager", Role.REGIONAL_MANAGER, (region,), (), f"region {region} (suppressed)"),
            ("staff", Role.STAFF, (), (clinic_id,), f"clinic {clinic_id} {clinic_name}"),
        ]
        lines = [
            f"# ClinicOps demo users, created {utc_now():%Y-%m-%d %H:%M} UTC.",
            f"# Sign in at http://{settings.host}:{settings.port}/login",
            "# username\trole\tpassword\tsees",
        ]
        for username, role, regions, clinic_ids, sees in people:
            password = secrets.token_urlsafe(12)
            create_user(
                conn=conn,
                username=username,
                password=password,
                role=role,
                regions=regions,
                clinics=clinic_ids,
            )
            audit.record(
                conn=conn,
                action=audit.USER_CHANGE,
                username="demo-setup",
                address=None,
                detail=f"created demo user {username} ({role.value})",
            )
            lines.append(f"{username}\t{role.value}\t{password}\t{sees}")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        path.chmod(0o600)
    if echo:
        print(
            f"Demo users (admin, director, manager, staff) created: their passwords are in {path}",
            file=sys.stderr,
        )
    return path
