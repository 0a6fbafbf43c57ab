"""The audit trail: sign-ins, exports, case reviews and user changes, and the sign-in
failure counts that throttling reads.

Data-access layer. Keyword-only ``conn``; the caller owns the transaction. Free text from users
(attempted usernames, filter descriptions) is stored as given, truncated to the column sizes;
pages escape it when they show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select

from data_access.queries.clinics import latest_import, version_of
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


@dataclass(frozen=True)
class RequestState:
    """What the sign-in check reads on every request."""

    user: UserRecord
    #: When the user last signed out (naive UTC), ``None`` if never.
    signed_out: datetime | None
    #: The data version (``data_access.queries.clinics.data_version``).
    data_version: str


_REQUEST_STATE: list[Select[Any]] = []


def _request_state_statement() -> Select[Any]:
    """Built once: every request runs it, and building it cost more than running it."""
    if not _REQUEST_STATE:
        signed_out = (
            select(func.max(audit_log.c.at))
            .where(audit_log.c.action == SIGN_OUT, audit_log.c.username == users.c.username)
            .scalar_subquery()
        )
        import_id, imported_at = latest_import()
        _REQUEST_STATE.append(
            select(
                users,
                user_scopes.c.kind,
                user_scopes.c.value,
                signed_out.label("signed_out"),
                import_id.label("latest_import_id"),
                imported_at.label("latest_imported_at"),
            )
            .select_from(users.outerjoin(user_scopes, user_scopes.c.user_id == users.c.user_id))
            .where(users.c.user_id == bindparam("user_id"))
            .order_by(user_scopes.c.value)
        )
    return _REQUEST_STATE[0]


def request_state(*, conn: Connection, user_id: int) -> RequestState | None:
    """The user of this id, when they last signed out and the data version, in one
    statement: the sign-in check asks on every request (and ends every session that began
    before the last sign-out, whichever browser holds it: index
    ``ix_audit_log_action_user_at``), and the request's figures are cached under the data
    version. ``None`` when there is no such user."""
    rows = conn.execute(_request_state_statement(), {"user_id": user_id}).all()
    if not rows:
        return None
    first = rows[0]
    scopes = [(row.kind, row.value) for row in rows if row.kind is not None]
    return RequestState(
        user=record_of(first, scopes),
        signed_out=first.signed_out,
        data_version=version_of(first.latest_import_id, first.latest_imported_at),
    )
