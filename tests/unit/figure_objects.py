"""Figure builders as the tests read them.

The builders return plain dicts (what ``dcc.Graph`` sends to the browser, see
``dashboard.figures.common.Figure``); the tests read their output as plotly graph objects,
built through the validating constructor, so that a test also fails on a property plotly
does not know.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import plotly.graph_objects as go

from dashboard.figures.common import Figure

P = ParamSpec("P")


def as_graph_objects(builder: Callable[P, Figure]) -> Callable[P, go.Figure]:
    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return go.Figure(builder(*args, **kwargs))

    return build
