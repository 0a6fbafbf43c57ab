"""Sign-in and scope enforcement over HTTP: the Flask test client against ``create_app`` on a
hand-made SQLite network (C1 and C2 in North, C3 in South)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import dash
import flask
from sqlalchemy import event, insert, update

from dashboard import runtime
from dashboard.auth import safe_next
from dashboard.auth_context import current_scope, current_user
from data_access.filters import Filters
from data_access.queries import audit
from data_access.queries.adverse_events import event_rows
from data_access.queries.clinics import clinic_directory, data_version
from data_access.queries.kpis import kpi_totals
from data_access.schema import import_log, users
from tests.integration.auth_fixtures import (
    OTHER_CLINIC_NAMES,
    PASSWORD,
    auth_app,
    build_app,
    csrf_of,
    sign_in,
    signed_in,
)

__all__ = ["auth_app"]
JANUARY = Filters(start=date(2025, 1, 1), end=date(2025, 2, 28))


def audit_entries(app: dash.Dash, action: str = audit.SIGN_IN) -> list[audit.AuditEntry]:
    with runtime.of(app.server).connect() as conn:
        return audit.recent(conn=conn, action=action)


def test_anonymous_requests_get_the_sign_in_page_or_401(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    page = client.get("/")
    assert page.status_code == 302 and page.location.endswith("/login?next=/")
    deep = client.get("/adverse-events?clinic=C3")
    assert deep.status_code == 302 and "/login?next=" in deep.location
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    callback = client.post("/_dash-update-component", json={"output": "x.children"})
    assert callback.status_code == 401 and callback.json == {"error": "sign-in required"}
    assert client.get("/healthz").status_code == 200
    with client.get("/assets/bootstrap.min.css") as stylesheet:
        assert stylesheet.status_code == 200
    login = client.get("/login")
    assert login.status_code == 200
    html = login.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'type="submit"' in html


def test_sign_in_sets_a_hardened_session_cookie_and_sign_out_ends_it(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    response = sign_in(client, "Staff", next="/adverse-events")
    assert response.status_code == 302 and response.location == "/adverse-events"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/logout").status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    actions = [(e.username, e.outcome) for e in audit_entries(auth_app)]
    assert actions == [("staff", "ok")]
    assert [e.username for e in audit_entries(auth_app, audit.SIGN_OUT)] == ["staff"]


def test_a_copy_of_the_session_cookie_is_dead_after_sign_out(auth_app: dash.Dash) -> None:
    """The cookie is signed, not stored: a copy kept from before the sign-out (or sent again by
    a callback answered after it) must not sign anyone back in. A new sign-in works."""
    client = signed_in(auth_app, "staff")
    copy = auth_app.server.test_client()
    name = auth_app.server.config["SESSION_COOKIE_NAME"]
    copy.set_cookie(name, client.get_cookie(name).value)  # type: ignore[union-attr]
    assert copy.get("/_dash-layout").status_code == 200
    assert client.get("/logout").status_code == 302
    assert copy.get("/_dash-layout").status_code == 401
    again = signed_in(auth_app, "staff")
    assert again.get("/_dash-layout").status_code == 200


def test_cookie_is_secure_over_https(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_wrong_passwords_are_audited_and_throttled(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    for _ in range(3):
        assert sign_in(client, "staff", "wrong password!!").status_code == 401
    refused = sign_in(client, "staff")  # the right password, but too late
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    outcomes = [(e.username, e.outcome, e.detail) for e in audit_entries(auth_app)]
    assert outcomes[0][:2] == ("staff", "throttled")
    assert outcomes[1:] == [("staff", "failure", "wrong password")] * 3
    # Other users from the same address are refused once the address reaches its limit.
    for name in ("nobody1", "nobody2", "nobody3"):
        assert sign_in(client, name, "whatever it is").status_code == 401
    assert sign_in(client, "admin").status_code == 429
    assert audit_entries(auth_app)[1].detail == "unknown user"


def test_disabled_users_and_missing_csrf_are_refused(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    assert sign_in(client, "gone").status_code == 401
    csrf_of(client)
    no_token = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert no_token.status_code == 400
    bad_token = client.post(
        "/login", data={"username": "staff", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert bad_token.status_code == 400


def test_disabling_or_a_new_password_ends_open_sessions(auth_app: dash.Dash) -> None:
    staff, director = signed_in(auth_app, "staff"), signed_in(auth_app, "director")
    with runtime.of(auth_app.server).engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "staff").values(disabled=True))
        conn.execute(
            update(users)
            .where(users.c.username == "director")
            .values(password_changed_at=date(2030, 1, 1))
        )
    assert staff.get("/_dash-layout").status_code == 401
    assert director.get("/_dash-layout").status_code == 401


def test_security_headers(auth_app: dash.Dash) -> None:
    client = signed_in(auth_app, "admin")
    for path in ("/login", "/", "/_dash-layout"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self' 'unsafe-eval' 'sha256-" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
    assert client.get("/_dash-layout").headers["Cache-Control"] == "no-store"


def test_free_text_on_the_sign_in_page_is_escaped(auth_app: dash.Dash) -> None:
    client = auth_app.server.test_client()
    html = sign_in(client, "<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_next_never_leaves_the_site() -> None:
    assert safe_next("/adverse-events?clinic=C1") == "/adverse-events?clinic=C1"
    for bad in ("//evil.example/x", "https://evil.example", "/\\evil.example", "evil", None):
        assert safe_next(bad) == "/"


def test_staff_scope_never_returns_another_clinic(auth_app: dash.Dash) -> None:
    client = signed_in(auth_app, "staff")
    with client:
        assert client.get("/_dash-layout").status_code == 200
        user, scope = current_user(), current_scope()
        assert (user.username, user.suppression_threshold) == ("staff", None)
        crafted = Filters(
            start=JANUARY.start, end=JANUARY.end, regions=("South",), clinics=("C2", "C3")
        )
        with runtime.of(auth_app.server).connect() as conn:
            assert kpi_totals(conn=conn, filters=crafted, scope=scope).procedures == 0
            assert list(clinic_directory(conn=conn, scope=scope)["clinic_id"]) == ["C1"]
            events = event_rows(conn=conn, filters=JANUARY, scope=scope)
            assert set(events["clinic_id"]) == {"C1"}
            assert kpi_totals(conn=conn, filters=JANUARY, scope=scope).procedures == 3


def test_the_sign_in_check_reads_the_data_version_with_the_user(auth_app: dash.Dash) -> None:
    """One statement per request reads the user, their last sign-out and the data version
    the request's figures are cached under; an import is seen by the next request."""
    client = signed_in(auth_app, "director")
    engine = runtime.of(auth_app.server).engine
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    with engine.connect() as conn:
        before = data_version(conn=conn)
    event.listen(engine, "before_cursor_execute", record)
    try:
        with client:
            assert client.get("/_dash-layout").status_code == 200
            assert flask.g.get(runtime.VERSION_KEY) == before  # known before any figure
            versions = [text for text in statements if "import_log" in text]
            assert len(versions) == 1 and "users" in versions[0]
            assert runtime.current().data_version() == before  # no second read
            assert sum("import_log" in text for text in statements) == 1
        with engine.begin() as conn:
            conn.execute(
                insert(import_log).values(
                    imported_at=datetime(2026, 11, 24, 18, 0),
                    source="test",
                    rows_inserted=0,
                    rows_updated=0,
                    rows_rejected=0,
                )
            )
        with client:
            client.get("/_dash-layout")
            newer = runtime.current().data_version()
        assert newer != before and newer.endswith("@2026-11-24T18:00:00")
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_regional_manager_is_suppressed_and_has_no_row_detail(auth_app: dash.Dash) -> None:
    client = signed_in(auth_app, "manager")
    with client:
        client.get("/_dash-layout")
        user = current_user()
        assert user.suppression_threshold == 11
        assert not user.scope.row_detail and user.scope.regions == {"North"}
        assert not flask.g.get("nothing")


def crafted_value(prop: str, variant: int) -> object:
    """Values a hand-made request might put in, naming the clinics and region staff of C1
    must never see."""
    other = ["C2", "C3"] if variant else "C3"
    return {
        "pathname": "/adverse-events" if variant else "/",
        "search": "?clinic=C3&clinics=C2,C3&region=South&regions=South",
        "href": "http://localhost/?clinic=C3&region=South",
        "value": other,
        "data": {"clinics": ["C2", "C3"], "regions": ["South"], "clinic": "C3"},
        "n_clicks": 1,
        "start_date": "2025-01-01",
        "end_date": "2025-02-28",
    }.get(prop, other)


def component_id(text: str) -> object:
    return json.loads(text) if text.startswith("{") else text


def test_replayed_callbacks_naming_other_clinics_return_none_of_their_data(
    auth_app: dash.Dash,
) -> None:
    client = signed_in(auth_app, "staff")
    dependencies = client.get("/_dash-dependencies").json
    assert dependencies is not None
    tried = 0
    for callback in dependencies:
        output = callback["output"]
        if (
            "ALL" in output
            or "MATCH" in output
            or any("ALL" in str(i["id"]) or "MATCH" in str(i["id"]) for i in callback["inputs"])
        ):
            continue  # wildcard callbacks: see the browser replay test
        outputs = [
            {"id": component_id(part.rsplit(".", 1)[0]), "property": part.rsplit(".", 1)[1]}
            for part in output.strip(".").split("...")
        ]
        for variant in (0, 1):
            body = {
                "output": output,
                "outputs": outputs if output.startswith("..") else outputs[0],
                "inputs": [
                    {**i, "value": crafted_value(i["property"], variant)}
                    for i in callback["inputs"]
                ],
                "state": [
                    {**s, "value": crafted_value(s["property"], variant)} for s in callback["state"]
                ],
                "changedPropIds": [f"{i['id']}.{i['property']}" for i in callback["inputs"]][:1],
            }
            response = client.post("/_dash-update-component", json=body)
            text = response.get_data(as_text=True)
            assert not any(name in text for name in OTHER_CLINIC_NAMES), (output, text[:500])
            tried += 1
    assert tried >= 2  # at least the user menu and the audit page's refresh


def test_the_audit_page_and_its_callback_are_for_admins_only(auth_app: dash.Dash) -> None:
    body = {
        "output": "audit-grid.rowData",
        "outputs": {"id": "audit-grid", "property": "rowData"},
        "inputs": [
            {"id": "audit-refresh", "property": "n_clicks", "value": 1},
            {"id": "audit-action", "property": "value", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["audit-refresh.n_clicks"],
    }
    staff = signed_in(auth_app, "staff")
    refused = staff.post("/_dash-update-component", json=body)
    assert json.loads(refused.get_data(as_text=True))["response"]["audit-grid"]["rowData"] == []
    admin = signed_in(auth_app, "admin")
    rows = admin.post("/_dash-update-component", json=body).json["response"]["audit-grid"]
    assert {row["username"] for row in rows["rowData"]} >= {"staff", "admin"}
    assert audit_entries(auth_app, audit.ACCESS_DENIED)[0].username == "staff"


def test_settings_make_admins_suppressed_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, _ = build_app(tmp_path, suppression_roles=("regional_manager", "admin"))
    client = signed_in(app, "admin")
    with client:
        client.get("/_dash-layout")
        assert current_user().suppression_threshold == 11


def test_every_app_in_a_process_fills_its_own_user_menu(tmp_path: Path) -> None:
    """The menu's callback is registered per app, not once at import for the first app only
    (the browser tests build several apps in one process)."""
    body = {
        "output": "shell-user-menu.children",
        "outputs": {"id": "shell-user-menu", "property": "children"},
        "inputs": [{"id": "shell-user-menu", "property": "id", "value": "shell-user-menu"}],
        "state": [],
        "changedPropIds": ["shell-user-menu.id"],
    }
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        app, _ = build_app(tmp_path / name)
        response = signed_in(app, "admin").post("/_dash-update-component", json=body)
        assert response.status_code == 200, (name, response.status_code)
        assert "Sign out" in response.get_data(as_text=True), name
