"""Who is asking: the signed-in user of the current request, their role and data scope.

Presentation layer. ``dashboard.auth`` loads the user from the session and the database on
every request (before any view or callback runs) and keeps it on ``flask.g``; pages, callbacks
and exports read it here and pass :func:`current_scope` to every query function, so a crafted
request can never widen what comes back. Outside a request (tests calling callbacks as plain
functions) :func:`acting_as` supplies the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import flask
from werkzeug.exceptions import Unauthorized

from data_access.filters import Scope
from data_access.queries.users import UserRecord
from data_access.roles import Role, may_administer, may_review_cases
from data_access.settings import Settings

G_KEY = "clinicops_user"


@dataclass(frozen=True)
class CurrentUser:
    username: str
    role: Role
    scope: Scope
    #: Small-cell threshold for this user's figures, ``None`` when they are not suppressed.
    suppression_threshold: int | None = None

    @property
    def can_review_cases(self) -> bool:
        return may_review_cases(self.role)

    @property
    def is_admin(self) -> bool:
        return may_administer(self.role)

    @property
    def role_label(self) -> str:
        return self.role.value.replace("_", " ")


class NotSignedIn(Unauthorized):
    description = "sign-in required"


_acting: ContextVar[CurrentUser | None] = ContextVar("clinicops_acting_user", default=None)


def user_for(record: UserRecord, settings: Settings) -> CurrentUser:
    scope = record.scope(suppressed_roles=settings.suppression_roles)
    return CurrentUser(
        username=record.username,
        role=record.role,
        scope=scope,
        suppression_threshold=settings.suppression_threshold
        if scope.suppress_small_cells
        else None,
    )


def current_user_or_none() -> CurrentUser | None:
    acting = _acting.get()
    if acting is not None:
        return acting
    if flask.has_app_context():
        user: CurrentUser | None = flask.g.get(G_KEY)
        return user
    return None


def current_user() -> CurrentUser:
    """The signed-in user; raises :class:`NotSignedIn` (HTTP 401) when there is none."""
    user = current_user_or_none()
    if user is None:
        raise NotSignedIn()
    return user


def current_username() -> str:
    return current_user().username


def current_scope() -> Scope:
    """What the caller may see: pass it as ``scope=`` to every query function."""
    return current_user().scope


def cell_threshold() -> int | None:
    """The small-cell threshold for the caller's figures (``None``: show counts as they are).
    Pass it to every ``dashboard.suppression`` function."""
    return current_user().suppression_threshold


def can_review_cases() -> bool:
    user = current_user_or_none()
    return user is not None and user.can_review_cases


def is_admin() -> bool:
    user = current_user_or_none()
    return user is not None and user.is_admin


@contextmanager
def acting_as(user: CurrentUser) -> Iterator[CurrentUser]:
    """Run code as this user outside a signed-in request (tests, scripts)."""
    token = _acting.set(user)
    try:
        yield user
    finally:
        _acting.reset(token)


def audit(action: str, detail: str = "", *, outcome: str = "ok") -> None:
    """Record an action of the current user (an export with its filters, a case review) in
    the audit trail, in its own transaction."""
    from dashboard import runtime
    from data_access.queries.audit import record

    user = current_user_or_none()
    address = flask.request.remote_addr if flask.has_request_context() else None
    with runtime.current().engine.begin() as conn:
        record(
            conn=conn,
            action=action,
            username=user.username if user else None,
            address=address,
            outcome=outcome,
            detail=detail,
        )
