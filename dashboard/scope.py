"""The data scope of the person using the dashboard: the one place that decides it.

Presentation layer. Every callback passes ``current_scope()`` to the query functions, so when
sign-in and per-user scopes arrive only this function changes.
"""

from __future__ import annotations

from collections.abc import Hashable

from data_access.filters import Scope


def current_scope() -> Scope:
    """The scope of the request being handled: the signed-in user's (``dashboard.auth_context``)."""
    from dashboard import auth_context

    return auth_context.current_scope()


def scope_key(scope: Scope) -> Hashable:
    """A stable cache-key part for a scope (frozensets have no stable order or repr)."""
    return (
        None if scope.regions is None else tuple(sorted(scope.regions)),
        None if scope.clinics is None else tuple(sorted(scope.clinics)),
        scope.row_detail,
        getattr(scope, "suppress_small_cells", False),
    )
