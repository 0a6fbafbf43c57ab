"""Sign-in, sign-out and the gate in front of every route (pages, callbacks, downloads).

Presentation-layer wiring. ``init_app`` installs on the Flask server: a signed session cookie
(HttpOnly, SameSite=Lax, Secure over HTTPS or when configured), the ``/login`` and ``/logout``
views (a plain HTML form that works without JavaScript, CSRF-protected by a per-session token),
sign-in throttling counted in the audit log (so it holds across gunicorn workers), and a
``before_request`` hook that loads the signed-in user from the database on every request and
refuses anonymous ones: 401 JSON for Dash's endpoints, a redirect to ``/login`` for pages.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import auth_context, runtime, security_headers
from dashboard.login_page import LOGIN_TEMPLATE
from data_access.passwords import needs_rehash, verify_password
from data_access.queries import audit
from data_access.queries.users import find_user, replace_hash
from data_access.settings import Settings

PUBLIC_PATHS = frozenset({"/login", "/logout", "/healthz", "/readyz", "/_favicon.ico"})
#: The sign-in page's stylesheet and Dash's static bundles hold no clinic data.
PUBLIC_PREFIXES = ("/assets/",)

SESSION_USER, SESSION_STAMP, SESSION_SINCE, SESSION_CSRF = "uid", "pwd", "since", "csrf"

blueprint = flask.Blueprint("auth", __name__)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure whenever the request came over HTTPS."""

    def __init__(self, always_secure: bool) -> None:
        self.always_secure = always_secure

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return self.always_secure or (flask.has_request_context() and flask.request.is_secure)


def init_app(app: dash.Dash, settings: Settings) -> None:
    server = app.server
    server.config.update(
        SESSION_COOKIE_NAME="clinicops_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
    )
    server.session_interface = _SessionInterface(settings.secure_cookies)
    if settings.trusted_proxy_hops:
        hops = settings.trusted_proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops)
    server.register_blueprint(blueprint)
    server.before_request(_require_sign_in)
    security_headers.install(app)


def _settings() -> Settings:
    return runtime.current().settings


def _require_sign_in() -> Any:
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    user = _signed_in_user()
    if user is None:
        if path.startswith("/_dash-") or flask.request.method != "GET":
            return flask.jsonify(error="sign-in required"), 401
        target = flask.request.full_path if flask.request.query_string else path
        return flask.redirect(flask.url_for("auth.login", next=target))
    flask.g.setdefault(auth_context.G_KEY, user)
    return None


def _signed_in_user() -> auth_context.CurrentUser | None:
    """The session's user, re-read from the database: a disabled user, a changed password or
    an expired session ends the session at once."""
    session = flask.session
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    settings = _settings()
    since = session.get(SESSION_SINCE, 0)
    if time.time() - float(since) > settings.session_hours * 3600:
        session.clear()
        return None
    with runtime.current().connect() as conn:
        found = audit.request_state(conn=conn, user_id=user_id)
    if found is None:
        session.clear()
        return None
    record, signed_out = found.user, found.signed_out
    if (
        record.disabled
        or session.get(SESSION_STAMP) != record.password_changed_at.isoformat()
        # Signing out ends every session that began before, server-side: the cookie is only
        # signed, so a copy of it (or a callback answered after the sign-out, which sends the
        # cookie again) would otherwise still be signed in.
        or (signed_out is not None and signed_out.replace(tzinfo=UTC).timestamp() >= float(since))
    ):
        session.clear()
        return None
    # Read with the user (one round trip per request): the callback's figures are cached
    # under this version.
    runtime.remember_data_version(found.data_version)
    return auth_context.user_for(record, settings)


def csrf_token() -> str:
    token = flask.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        flask.session[SESSION_CSRF] = token
    return token


def _csrf_ok() -> bool:
    expected = flask.session.get(SESSION_CSRF)
    given = flask.request.form.get("csrf_token", "")
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), given.encode())


def safe_next(value: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ch in value for ch in "\r\n\\"):
        return "/"
    return value


def _page(message: str = "", status: int = 200, username: str = "") -> tuple[str, int]:
    return (
        flask.render_template_string(
            LOGIN_TEMPLATE,
            message=message,
            username=username,
            next=safe_next(flask.request.values.get("next")),
            csrf_token=csrf_token(),
        ),
        status,
    )


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if flask.request.method == "GET":
        if _signed_in_user() is not None:
            return flask.redirect(safe_next(flask.request.args.get("next")))
        return _page()
    username = flask.request.form.get("username", "").strip().lower()[:64]
    password = flask.request.form.get("password", "")
    if not _csrf_ok():
        return _page("The sign-in form expired. Please try again.", 400, username)
    settings = _settings()
    address = flask.request.remote_addr
    engine = runtime.current().engine
    with engine.begin() as conn:
        by_user, by_address = audit.recent_sign_in_failures(
            conn=conn,
            username=username,
            address=address,
            window=timedelta(minutes=settings.login_window_minutes),
        )
        if (
            by_user >= settings.login_max_failures_per_user
            or by_address >= settings.login_max_failures_per_address
        ):
            audit.record(
                conn=conn,
                action=audit.SIGN_IN,
                username=username,
                address=address,
                outcome=audit.THROTTLED,
                detail="too many failed sign-ins",
            )
            minutes = settings.login_window_minutes
            return _page(
                f"Too many failed sign-ins. Try again in {minutes} minutes.", 429, username
            )
        record = find_user(conn=conn, username=username) if username else None
    matches = verify_password(record.password_hash if record else None, password)
    with engine.begin() as conn:
        if record is None or not matches or record.disabled:
            reason = "unknown user" if record is None else "wrong password"
            if record is not None and matches:
                reason = "user disabled"
            audit.record(
                conn=conn,
                action=audit.SIGN_IN,
                username=username,
                address=address,
                outcome=audit.FAILURE,
                detail=reason,
            )
            return _page("Wrong username or password.", 401, username)
        if needs_rehash(record.password_hash):
            from data_access.passwords import hash_password

            replace_hash(conn=conn, user_id=record.user_id, password_hash=hash_password(password))
        audit.record(conn=conn, action=audit.SIGN_IN, username=record.username, address=address)
    flask.session.clear()  # a new session: nothing of the anonymous one survives
    flask.session.permanent = True
    flask.session.update(
        {
            SESSION_USER: record.user_id,
            SESSION_STAMP: record.password_changed_at.isoformat(),
            SESSION_SINCE: time.time(),
            SESSION_CSRF: secrets.token_urlsafe(32),
        }
    )
    return flask.redirect(safe_next(flask.request.form.get("next")))


@blueprint.route("/logout", methods=["GET", "POST"])
def logout() -> Any:
    user = _signed_in_user()
    if user is not None:
        with runtime.current().engine.begin() as conn:
            audit.record(
                conn=conn,
                action=audit.SIGN_OUT,
                username=user.username,
                address=flask.request.remote_addr,
            )
    flask.session.clear()
    return flask.redirect(flask.url_for("auth.login"))
