"""``/healthz`` and ``/readyz`` against a real database: ready only when reachable and
migrated, never a 500 when the database is gone."""

from __future__ import annotations

from pathlib import Path

from dashboard.app import create_app
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from tests.conftest import make_settings


def test_readiness_follows_the_database(fresh_database_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, fresh_database_url, secret_key="k" * 40)
    engine = make_engine(settings)
    client = create_app(settings, engine=engine).server.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    not_migrated = client.get("/readyz")
    assert not_migrated.status_code == 503
    assert "migration" in not_migrated.json["reason"]
    upgrade_to_head(engine)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"
    engine.dispose()


def test_unreachable_database_is_503_not_500(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        "postgresql://nobody@127.0.0.1:1/none",
        secret_key="k" * 40,
        connect_timeout_s=1,
    )
    client = create_app(settings).server.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database unreachable"}
