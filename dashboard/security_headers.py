"""Security headers on every response: a Content-Security-Policy Dash works under, no MIME
sniffing, no framing, a same-origin referrer, and no caching of clinic data.

Presentation-layer wiring. Dash renders one inline script (``new DashRenderer(...)``) plus the
inline scripts of clientside callbacks; rather than ``'unsafe-inline'`` the policy allows
exactly those by their SHA-256 hashes (``Dash.csp_hashes``), recomputed when the set changes.
``'unsafe-eval'`` is needed by dash-ag-grid, which evaluates its column and row expressions.
Its JSON config block is ``type="application/json"`` and never executed. Styles need
``'unsafe-inline'``: React and Plotly set style attributes and inject ``<style>`` elements.
"""

from __future__ import annotations

import dash
import flask

#: Paths whose responses hold no clinic data and may be cached by the browser.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        # 'unsafe-eval': dash-ag-grid compiles its expression strings (getRowId, row styles,
        # value formatters) with ``new Function``. Inline scripts stay limited to the hashes.
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install(app: dash.Dash) -> None:
    cached: dict[int, str] = {}

    def policy() -> str:
        # Clientside callbacks add inline scripts when pages register: hash the current set.
        count = len(app._inline_scripts)  # Dash has no public count
        if count not in cached:
            cached.clear()
            cached[count] = content_security_policy(list(app.csp_hashes()))
        return cached[count]

    def _headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not flask.request.path.startswith(STATIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
        if flask.request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    app.server.after_request(_headers)
