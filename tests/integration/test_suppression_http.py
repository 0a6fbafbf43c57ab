"""Small-cell suppression through the overview's real callbacks: a regional manager of North
(C1 with 3 procedures in January, C2 with 1) sees "<11" on the KPI cards and in CSV exports;
staff of C1 see their own figures as they are. Exports are audited."""

from __future__ import annotations

import json
from datetime import date

import dash
from flask.testing import FlaskClient

from dashboard import runtime
from dashboard.panels.data import filters_to_store
from data_access.filters import Filters
from data_access.queries import audit
from tests.integration.auth_fixtures import auth_app, signed_in

__all__ = ["auth_app"]
STORE = filters_to_store(Filters(start=date(2025, 1, 1), end=date(2025, 1, 31)))


def kpi_values(client: FlaskClient) -> dict[str, object]:
    callbacks = client.get("/_dash-dependencies").json
    assert callbacks is not None
    (output,) = [
        c["output"]
        for c in callbacks
        if "kpi-procedures.children" in c["output"] and "change" not in c["output"]
    ]
    parts = [part.rsplit(".", 1) for part in output.strip(".").split("...")]
    body = {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in parts],
        "inputs": [{"id": "overview-filters", "property": "data", "value": STORE}],
        "state": [],
        "changedPropIds": ["overview-filters.data"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {key: value["children"] for key, value in response.json["response"].items()}


def csv_of(client: FlaskClient, panel: str) -> str:
    button = {"panel": panel, "type": "overview-csv"}
    body = {
        "output": '{"panel":["MATCH"],"type":"overview-csv-download"}.data',
        "outputs": {"id": {"panel": panel, "type": "overview-csv-download"}, "property": "data"},
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [{"id": "overview-filters", "property": "data", "value": STORE}],
        "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    content: str = response.json["response"][
        f'{{"panel":"{panel}","type":"overview-csv-download"}}'
    ]["data"]["content"]
    return content


def test_a_regional_manager_sees_small_counts_as_less_than_eleven(auth_app: dash.Dash) -> None:
    manager = signed_in(auth_app, "manager")
    values = kpi_values(manager)
    assert values["kpi-procedures"] == "<11"  # 4 procedures in North in January
    assert values["kpi-ae-rate"] == "—"  # the rate of a hidden count is blank
    table = csv_of(manager, "volume-by-clinic")
    assert "<11" in table and "Harlan Pain & Wellness" in table
    assert "Española" not in table  # South is not the manager's region
    with runtime.of(auth_app.server).connect() as conn:
        (entry,) = audit.recent(conn=conn, action=audit.EXPORT)
    assert entry.username == "manager" and "volume-by-clinic" in entry.detail


def test_staff_see_their_own_small_counts(auth_app: dash.Dash) -> None:
    staff = signed_in(auth_app, "staff")
    values = kpi_values(staff)
    assert values["kpi-procedures"] == "3"
    table = csv_of(staff, "volume-by-clinic")
    assert "<11" not in table and "Harlan" in table and "O'Neill" not in table
