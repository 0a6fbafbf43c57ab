"""Entry point: ``python app.py`` serves ClinicOps on http://127.0.0.1:8050 (Flask's server).

On the embedded default it creates the SQLite database and fills it with demo data on first
start. ``server`` is the WSGI application for a production server (``gunicorn app:server``).
"""

from __future__ import annotations

from dashboard import heap, runtime
from dashboard.app import create_app, prepare_database
from data_access.settings import SettingsError, get_settings

try:
    settings = get_settings()
    app = create_app(settings)
except SettingsError as exc:
    raise SystemExit(f"clinicops: configuration: {exc}") from None
server = app.server
# Each worker of ``gunicorn app:server`` (and this server) freezes its heap once warm.
heap.freeze_when_warm(server)

if __name__ == "__main__":
    prepare_database(settings, runtime.of(server).engine, background=True)
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
