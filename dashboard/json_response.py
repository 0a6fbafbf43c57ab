"""Callback answers serialised by orjson in one pass, Dash components included.

Presentation layer, installed by :func:`dashboard.app.create_app`. Dash turns every callback
answer into JSON with plotly's ``to_json_plotly``, which tries ``orjson.dumps`` first, but a
panel's answer holds Dash components (a ``Div`` around a ``Graph``), which orjson cannot
encode; plotly then walks the whole answer in Python (``clean_to_json_compatible``, every
number of every trace) before encoding it. That walk was a sixth of a panel callback's time
on a warm cache. Here orjson encodes components itself through ``default`` (a component's
``to_plotly_json()``, as Dash's own encoder does), with the same options and the same escaping
of ``<``, ``>``, ``/``, U+2028 and U+2029 as plotly. Anything else orjson cannot encode
(a ``Decimal``, say) falls back to plotly's encoder unchanged.

Dash has no public hook for its response encoder: this replaces ``dash._callback.to_json``,
the name its dispatcher calls, and ``tests/unit/test_json_response.py`` fails if a Dash
release stops calling it there.
"""

from __future__ import annotations

from typing import Any

import dash._callback
import orjson
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
#: What plotly escapes in its orjson output, so the JSON is safe inside an HTML page.
_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("/", "\\u002f"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def _component(value: object) -> Any:
    if isinstance(value, Component):
        return value.to_plotly_json()
    raise TypeError(type(value).__name__)


def to_json(value: Any) -> str:
    """``value`` as plotly's encoder would write it, without walking it in Python first."""
    try:
        text = orjson.dumps(value, default=_component, option=_OPTIONS).decode()
    except TypeError:
        return str(to_json_plotly(value))
    for unsafe, escaped in _ESCAPES:
        if unsafe in text:
            text = text.replace(unsafe, escaped)
    return text


def install() -> None:
    """Make Dash's callback dispatcher use :func:`to_json` (idempotent)."""
    dash._callback.to_json = to_json  # type: ignore[attr-defined]
