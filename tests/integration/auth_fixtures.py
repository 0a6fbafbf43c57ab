"""A signed-in test client over the hand-made network, with one user per role.

Users (password ``PASSWORD`` for all): ``admin``; ``director`` (all clinics); ``manager``
(regional manager of North: C1, C2); ``staff`` (clinic C1 only); ``gone`` (staff of C1,
disabled). For tests of other modules: ``signed_in(app, "staff")`` returns a logged-in Flask
test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from flask.testing import FlaskClient

from dashboard.app import create_app
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.queries.users import create_user, disable_user
from data_access.settings import Settings
from tests.conftest import make_settings
from tests.integration.handmade import load_handmade

PASSWORD = "a long test password"
USERS = {
    "admin": ("admin", (), ()),
    "director": ("medical_director", (), ()),
    "manager": ("regional_manager", ("North",), ()),
    "staff": ("staff", (), ("C1",)),
    "gone": ("staff", (), ("C1",)),
}
OTHER_CLINIC_NAMES = ("O'Neill Clinic", "Española Clinic", "O&#39;Neill", "Espa\\u00f1ola")


def build_app(tmp_path: Path, **overrides: object) -> tuple[dash.Dash, Settings]:
    settings = make_settings(tmp_path, demo_on_empty=False, **overrides)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    with engine.begin() as conn:
        load_handmade(conn)
        for username, (role, regions, clinics) in USERS.items():
            create_user(
                conn=conn,
                username=username,
                password=PASSWORD,
                role=role,
                regions=regions,
                clinics=clinics,
            )
        disable_user(conn=conn, username="gone")
    app = create_app(settings, engine=engine)
    return app, settings


def csrf_of(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client), **extra},
    )


def signed_in(app: dash.Dash, username: str) -> FlaskClient:
    client = app.server.test_client()
    response = sign_in(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def auth_app(tmp_path: Path) -> Iterator[dash.Dash]:
    app, _ = build_app(tmp_path, login_max_failures_per_user=3, login_max_failures_per_address=6)
    yield app
