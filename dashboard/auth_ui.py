"""The signed-in user's menu for the navbar: name, role, "Audit log" (admins), "Sign out".

Presentation layer (the app shell). :func:`user_menu` returns an empty placeholder that a
callback fills when the page loads, so it works in a layout built once at start-up as well
as in a per-request layout: the user is read from the request, never from the layout.
Call :func:`register` once per app where the menu is mounted.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, html

from dashboard.auth_context import CurrentUser, current_user_or_none

USER_MENU = "shell-user-menu"


def menu_items(user: CurrentUser | None) -> list[object]:
    if user is None:
        return []
    items: list[object] = [
        html.Span(
            [html.Span(user.username, className="fw-semibold"), f" · {user.role_label}"],
            className="navbar-text user-name",
            title=f"Signed in as {user.username} ({user.role_label}; {user.scope.label})",
        )
    ]
    if user.is_admin:
        items.append(dbc.NavLink("Audit log", href="/audit"))
    # A full page load, not Dash's client-side routing: /logout is a Flask view.
    items.append(dbc.NavLink("Sign out", href="/logout", external_link=True))
    return items


def user_menu() -> html.Div:
    return html.Div(id=USER_MENU, className="user-menu")


def _fill_user_menu(_id: str) -> list[object]:
    return menu_items(current_user_or_none())


def register() -> None:
    """Register the menu's callback with the app ``create_app`` is building (once per app:
    a decorator at import would register it once per process, for the first app only)."""
    dash.callback(Output(USER_MENU, "children"), Input(USER_MENU, "id"))(_fill_user_menu)
