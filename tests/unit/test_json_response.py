"""Callback answers encoded by ``dashboard.json_response``: the same JSON as plotly's encoder,
and really used by Dash's dispatcher."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

import dash
import numpy as np
from dash import Input, Output, dcc, html
from plotly.io.json import to_json_plotly

from dashboard import json_response


def _answer() -> dict[str, object]:
    figure = {
        "data": [
            {
                "type": "bar",
                "x": np.array(["North", "South </script>"], dtype=object),
                "y": np.array([1.5, float("nan")]),
                "customdata": np.arange(2),
            }
        ],
        "layout": {"title": {"text": "Procedures\u2028<b>by clinic</b>"}},
    }
    body = html.Div(
        [html.P("Data through 24 Nov 2026", className="note"), dcc.Graph(figure=figure)],
        id={"type": "overview-panel-body", "panel": "clinic-map"},
    )
    return {
        "multi": True,
        "response": {"panel": {"children": body}},
        "dates": [date(2026, 11, 24), datetime(2026, 11, 24, 8, 30)],
        "counts": {1: np.int64(3), "share": np.float64(0.25)},
    }


def test_an_answer_with_components_and_arrays_encodes_as_plotly_does() -> None:
    ours = json_response.to_json(_answer())
    assert json.loads(ours) == json.loads(to_json_plotly(_answer()))
    # Escaped for a page as plotly escapes it: no raw "<", ">", "/" or line separators.
    for unsafe in ("<", ">", "/", "\u2028"):
        assert unsafe not in ours


def test_what_orjson_cannot_encode_falls_back_to_plotly() -> None:
    answer = {"total": Decimal("1.5"), "body": html.Span("x")}
    assert json.loads(json_response.to_json(answer)) == json.loads(to_json_plotly(answer))


def test_dash_dispatches_callback_answers_through_it() -> None:
    app = dash.Dash(__name__)
    app.layout = html.Div([dcc.Input(id="in", value="a"), html.Div(id="out")])

    @app.callback(Output("out", "children"), Input("in", "value"))
    def echo(value: str) -> html.Component:
        return html.B(value)

    json_response.install()
    body = {
        "output": "out.children",
        "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "in", "property": "value", "value": "</b>"}],
        "changedPropIds": ["in.value"],
    }
    with mock.patch.object(json_response, "_component", wraps=json_response._component) as seen:
        answer = app.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code == 200
    assert seen.called, "Dash no longer encodes callback answers through dash._callback.to_json"
    assert answer.get_json()["response"]["out"]["children"]["props"]["children"] == "</b>"
