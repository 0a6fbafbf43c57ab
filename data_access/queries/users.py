"""Users and their assigned regions/clinics: creation, lookup, disabling, new passwords.

Data-access layer. Functions take a keyword-only ``conn`` and never commit: the caller owns the
transaction (the CLI's ``engine.begin()``, the sign-in view's). Passwords arrive in clear and
leave as Argon2id hashes (``data_access.passwords``); usernames are stored lower-case.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from data_access.filters import Scope
from data_access.passwords import hash_password
from data_access.roles import Role, RoleError, check_assignment, scope_for
from data_access.schema import clinics, user_scopes, users

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class UserRecord:
    user_id: int
    username: str
    role: Role
    disabled: bool
    regions: tuple[str, ...]
    clinics: tuple[str, ...]
    created_at: datetime
    password_changed_at: datetime
    password_hash: str

    def scope(self, *, suppressed_roles: Collection[str]) -> Scope:
        return scope_for(self.role, self.regions, self.clinics, suppressed_roles=suppressed_roles)


def utc_now() -> datetime:
    """Naive UTC, like every log time in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise UserError(
            f"{username!r} is not a valid username (1-64 of a-z 0-9 . _ @ -, starting with a "
            "letter or digit)"
        )
    return name


def _check_places(conn: Connection, regions: Collection[str], clinic_ids: Collection[str]) -> None:
    if regions:
        known = set(conn.execute(select(clinics.c.region).where(clinics.c.region.in_(regions))))
        missing = sorted(set(regions) - {row[0] for row in known})
        if missing:
            raise UserError(f"no such region: {', '.join(missing)}")
    if clinic_ids:
        rows = conn.execute(select(clinics.c.clinic_id).where(clinics.c.clinic_id.in_(clinic_ids)))
        missing = sorted(set(clinic_ids) - {row[0] for row in rows})
        if missing:
            raise UserError(f"no such clinic: {', '.join(missing)}")


def check_new_user(
    *,
    conn: Connection,
    username: str,
    role: Role | str,
    regions: Collection[str] = (),
    clinics: Collection[str] = (),
) -> tuple[str, Role]:
    """The normalised name and role of a user that may be created, or :class:`UserError`
    (bad name or role, assignments the role can't have or that don't exist, name taken)."""
    name = normalise_username(username)
    try:
        checked_role = Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}"
        ) from None
    try:
        check_assignment(checked_role, regions, clinics)
    except RoleError as exc:
        raise UserError(str(exc)) from None
    _check_places(conn, regions, clinics)
    if conn.execute(select(users.c.user_id).where(users.c.username == name)).first():
        raise UserError(f"user {name!r} already exists")
    return name, checked_role


def create_user(
    *,
    conn: Connection,
    username: str,
    password: str,
    role: Role | str,
    regions: Collection[str] = (),
    clinics: Collection[str] = (),
) -> int:
    """Create a user (checked: role, assignments that exist, unique name, password policy) and
    return its id."""
    name, role = check_new_user(
        conn=conn, username=username, role=role, regions=regions, clinics=clinics
    )
    now = utc_now()
    user_id = conn.execute(
        insert(users)
        .values(
            username=name,
            password_hash=hash_password(password),
            role=role.value,
            disabled=False,
            created_at=now,
            password_changed_at=now,
        )
        .returning(users.c.user_id)
    ).scalar_one()
    assignments = [{"user_id": user_id, "kind": "region", "value": r} for r in sorted(set(regions))]
    assignments += [
        {"user_id": user_id, "kind": "clinic", "value": c} for c in sorted(set(clinics))
    ]
    if assignments:
        conn.execute(insert(user_scopes), assignments)
    return int(user_id)


def _records(conn: Connection, condition: object | None = None) -> list[UserRecord]:
    statement = select(users).order_by(users.c.username)
    if condition is not None:
        statement = statement.where(condition)  # type: ignore[arg-type]
    rows = conn.execute(statement).all()
    if not rows:
        return []
    places: dict[int, list[tuple[str, str]]] = {row.user_id: [] for row in rows}
    for user_id, kind, value in conn.execute(
        select(user_scopes.c.user_id, user_scopes.c.kind, user_scopes.c.value)
        .where(user_scopes.c.user_id.in_(list(places)))
        .order_by(user_scopes.c.value)
    ):
        places[user_id].append((kind, value))
    return [record_of(row, places[row.user_id]) for row in rows]


def record_of(row: Any, scopes: Iterable[tuple[str, str]]) -> UserRecord:
    """A user from a row of ``users`` and its (kind, value) scope assignments in order."""
    assigned = list(scopes)
    return UserRecord(
        user_id=row.user_id,
        username=row.username,
        role=Role(row.role),
        disabled=bool(row.disabled),
        regions=tuple(value for kind, value in assigned if kind == "region"),
        clinics=tuple(value for kind, value in assigned if kind == "clinic"),
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
        password_hash=row.password_hash,
    )


def find_user(*, conn: Connection, username: str) -> UserRecord | None:
    """The user of this name (any case), or ``None``; also for disabled users."""
    found = _records(conn, users.c.username == username.strip().lower())
    return found[0] if found else None


def user_by_id(*, conn: Connection, user_id: int) -> UserRecord | None:
    found = _records(conn, users.c.user_id == user_id)
    return found[0] if found else None


def list_users(*, conn: Connection) -> list[UserRecord]:
    return _records(conn)


def count_users(*, conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def _existing(conn: Connection, username: str) -> str:
    name = username.strip().lower()
    if not conn.execute(select(users.c.user_id).where(users.c.username == name)).first():
        raise UserError(f"no such user: {username!r}")
    return name


def disable_user(*, conn: Connection, username: str) -> None:
    """Disable a user: sign-in is refused and open sessions end at their next request."""
    name = _existing(conn, username)
    conn.execute(update(users).where(users.c.username == name).values(disabled=True))


def enable_user(*, conn: Connection, username: str) -> None:
    name = _existing(conn, username)
    conn.execute(update(users).where(users.c.username == name).values(disabled=False))


def set_password(*, conn: Connection, username: str, password: str) -> None:
    """A new password; sessions signed in before the change end at their next request."""
    name = _existing(conn, username)
    conn.execute(
        update(users)
        .where(users.c.username == name)
        .values(password_hash=hash_password(password), password_changed_at=utc_now())
    )


def replace_hash(*, conn: Connection, user_id: int, password_hash: str) -> None:
    """Store a stronger hash of the same password (sign-in rehash); sessions stay valid."""
    conn.execute(
        update(users).where(users.c.user_id == user_id).values(password_hash=password_hash)
    )


def delete_user(*, conn: Connection, username: str) -> None:
    name = _existing(conn, username)
    conn.execute(delete(users).where(users.c.username == name))
