"""The audit trail: sign-ins, exports, case reviews and user changes, and the sign-in
failure counts that throttling reads.

Data-access layer. Keyword-only ``conn``; the caller owns the transaction. Free text from users
(attempted usernames, filter descriptions) is stored as given, truncated to the column sizes;
pages escape it when they show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select

from data_access.queries.users import UserRecord, record_of, utc_now
from data_access.schema import audit_log, user_scopes, users

SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
EXPORT = "export"
CASE_REVIEW = "case_review"
USER_CHANGE = "user_change"
ACCESS_DENIED = "access_denied"

FAILURE = "failure"
OK = "ok"
THROTTLED = "throttled"


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    username: str | None
    address: str | None
    action: str
    outcome: str
    detail: str


def record(
    *,
    conn: Connection,
    action: str,
    username: str | None,
    address: str | None,
    outcome: str = OK,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at or utc_now(),
            username=username[:64] if username is not None else None,
            address=address[:64] if address is not None else None,
            action=action[:32],
            outcome=outcome[:16],
            detail=detail[:4000],
        )
    )


def recent(*, conn: Connection, limit: int = 500, action: str | None = None) -> list[AuditEntry]:
    """The newest entries first."""
    statement = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc())
    if action:  # "export" also matches "export_adverse_events" and the like
        statement = statement.where(
            (audit_log.c.action == action)
            | audit_log.c.action.startswith(action + "_", autoescape=True)
        )
    return [
        AuditEntry(
            audit_id=row.audit_id,
            at=row.at,
            username=row.username,
            address=row.address,
            action=row.action,
            outcome=row.outcome,
            detail=row.detail,
        )
        for row in conn.execute(statement.limit(max(1, min(limit, 10_000))))
    ]


def _last_success(conn: Connection, username: str) -> datetime | None:
    value: datetime | None = conn.execute(
        select(func.max(audit_log.c.at)).where(
            audit_log.c.action == SIGN_IN,
            audit_log.c.username == username,
            audit_log.c.outcome == OK,
        )
    ).scalar_one()
    return value


def recent_sign_in_failures(
    *, conn: Connection, username: str | None, address: str | None, window: timedelta
) -> tuple[int, int]:
    """Failed sign-ins within ``window`` for this username (since its last success) and for
    this address. Throttling refuses further attempts past a limit on either."""
    since = utc_now() - window
    by_user = 0
    if username:
        user_since = max(since, _last_success(conn, username) or since)
        by_user = conn.execute(
            select(func.count()).where(
                audit_log.c.action == SIGN_IN,
                audit_log.c.username == username[:64],
                audit_log.c.outcome == FAILURE,
                audit_log.c.at > user_since,
            )
        ).scalar_one()
    by_address = 0
    if address:
        by_address = conn.execute(
            select(func.count()).where(
                audit_log.c.action == SIGN_IN,
                audit_log.c.address == address[:64],
                audit_log.c.outcome == FAILURE,
                audit_log.c.at > since,
            )
        ).scalar_one()
    return int(by_user), int(by_address)


def user_and_last_sign_out(
    *, conn: Connection, user_id: int
) -> tuple[UserRecord, datetime | None] | None:
    """The user of this id and when they last signed out (naive UTC; ``None`` if never), in
    one statement: the sign-in check asks on every request, and ends every session that began
    before the last sign-out, whichever browser holds it (index ``ix_audit_log_action_user_at``)."""
    signed_out = (
        select(func.max(audit_log.c.at))
        .where(audit_log.c.action == SIGN_OUT, audit_log.c.username == users.c.username)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(users, user_scopes.c.kind, user_scopes.c.value, signed_out.label("signed_out"))
        .select_from(users.outerjoin(user_scopes, user_scopes.c.user_id == users.c.user_id))
        .where(users.c.user_id == user_id)
        .order_by(user_scopes.c.value)
    ).all()
    if not rows:
        return None
    scopes = [(row.kind, row.value) for row in rows if row.kind is not None]
    return record_of(rows[0], scopes), rows[0].signed_out
