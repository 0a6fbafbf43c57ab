"""One browser tab's Dash callbacks, without the browser: what it sends after a change.

Benchmark support. The callback requests of a page load are recorded once with headless
Chromium (:func:`bench.dash_http.capture`); they give every callback's shape (outputs, inputs with
pattern-matching ids expanded, state) and the props of a freshly opened page. A :class:`Tab`
then plays the Dash renderer's part for one signed-in user: given the props a person changed
(a preset, a region …) it sends each callback that takes one of them as input, fills every
request with the tab's current props, applies each answer's outputs to the props and sends
the callbacks those outputs feed in turn, as the renderer does: a callback fires at most once
per change (so the URL callback is not echoed back), waits while one of its inputs is still
the output of a callback that has yet to answer (the control chart waits for its subject
list), and at most :data:`bench.dash_http.BROWSER_PARALLEL` requests are in flight at once.
Values come from the server's answers, so the requests are those of a real browser for
that user's scope. Every request is checked: an HTTP status other than 200/204, a body that
is not Dash's JSON, an ``error`` in it, or the "database unavailable" notice is an error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import requests

from bench.dash_http import BROWSER_PARALLEL, CALLBACK_PATH, Captured, panel_name
from dashboard.outage import ALERT_ID

Props = dict[str, Any]


def prop_key(component_id: str | Mapping[str, Any], prop: str) -> str:
    """The renderer's name of a prop: ``id.prop``, a dict id as sorted compact JSON."""
    if isinstance(component_id, Mapping):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"{component_id}.{prop}"


def _items(dependencies: Iterable[Any]) -> list[dict[str, Any]]:
    """Inputs or state, with the lists of pattern-matching (ALL) inputs flattened."""
    flat: list[dict[str, Any]] = []
    for item in dependencies:
        flat += item if isinstance(item, list) else [item]
    return flat


def _outputs(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    outputs = body.get("outputs", [])
    return _items(outputs if isinstance(outputs, list) else [outputs])


@dataclass(frozen=True, eq=False)
class Callback:
    """One callback as the page's renderer sends it (a captured request body); compared and
    hashed by identity."""

    body: Mapping[str, Any]
    name: str
    inputs: frozenset[str]
    outputs: frozenset[str]

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> Callback:
        return cls(
            body=body,
            name=panel_name(body),
            inputs=frozenset(prop_key(i["id"], i["property"]) for i in _items(body["inputs"])),
            outputs=frozenset(prop_key(o["id"], o["property"]) for o in _outputs(body)),
        )

    def request(self, props: Props, changed: Iterable[str]) -> dict[str, Any]:
        """The request body with the tab's current values."""

        def fill(item: Any) -> Any:
            if isinstance(item, list):
                return [fill(i) for i in item]
            key = prop_key(item["id"], item["property"])
            return {**item, "value": props[key]} if key in props else dict(item)

        body = dict(self.body)
        body["inputs"] = [fill(i) for i in self.body["inputs"]]
        if "state" in self.body:
            body["state"] = [fill(i) for i in self.body["state"]]
        triggers = sorted(changed)
        body["changedPropIds"] = triggers
        body["parsedChangedPropsIds"] = triggers
        return body


def callbacks_and_props(captured: Iterable[Captured]) -> tuple[list[Callback], Props]:
    """Every distinct callback of the captured page loads (the last request of each) and the
    props their requests carried, later values winning."""
    by_output: dict[str, Mapping[str, Any]] = {}
    props: Props = {}
    for page in captured:
        for body in page.bodies:
            by_output[str(body["output"])] = body
            for item in _items([*body["inputs"], *body.get("state", [])]):
                if "value" in item:
                    props[prop_key(item["id"], item["property"])] = item["value"]
    return [Callback.of(body) for body in by_output.values()], props


@dataclass
class Exchange:
    """One callback request: what it was for, how long it took, and what went wrong."""

    callback: str
    status: int
    seconds: float
    error: str | None = None


def check(status: int, payload: Any) -> str | None:
    """Why an answer counts as an error, or None."""
    if status not in (200, 204):
        return f"HTTP {status}"
    if status == 204:
        return None
    if not isinstance(payload, Mapping) or "response" not in payload:
        return "not a Dash callback answer"
    if "error" in payload or "errors" in payload:
        return f"callback error: {payload.get('error') or payload.get('errors')}"
    side = payload.get("sideUpdate") or {}
    if isinstance(side, Mapping) and (side.get(ALERT_ID) or {}).get("is_open"):
        return "database unavailable notice"
    return None


class Tab:
    """A signed-in user's open dashboard: its session, page-load token and props."""

    def __init__(
        self,
        session: requests.Session,
        url: str,
        callbacks: list[Callback],
        props: Props,
        *,
        end_id: str = "",
        timeout: float = 120,
    ) -> None:
        self.session = session
        self.target = f"{url}{CALLBACK_PATH}" + (f"?endId={end_id}" if end_id else "")
        self.callbacks = callbacks
        self.props = dict(props)
        self.timeout = timeout
        self.pool = ThreadPoolExecutor(max_workers=BROWSER_PARALLEL)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def _send(self, callback: Callback, changed: Iterable[str]) -> tuple[Exchange, Props]:
        body = callback.request(self.props, changed)
        began = time.perf_counter()
        try:
            answer = self.session.post(self.target, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            seconds = time.perf_counter() - began
            return Exchange(callback.name, 0, seconds, f"{type(exc).__name__}: {exc}"), {}
        seconds = time.perf_counter() - began
        try:
            payload = answer.json() if answer.status_code == 200 else None
        except ValueError:
            payload = None
        error = check(answer.status_code, payload)
        if error and answer.status_code != 200:
            error += f" {answer.text[:200]!r}"
        updates: Props = {}
        if error is None and payload is not None:
            for component, values in payload["response"].items():
                for prop, value in values.items():
                    updates[f"{component}.{prop}"] = value
        return Exchange(callback.name, answer.status_code, seconds, error), updates

    def change(self, changed: Props) -> list[Exchange]:
        """Set ``changed`` (what the person did) and send every callback that follows from
        it, each as soon as its inputs are settled; returns when the last one has answered."""
        self.props.update(changed)
        triggered: dict[Callback, set[str]] = {}
        fired: set[Callback] = set()
        in_flight: dict[Future[tuple[Exchange, Props]], Callback] = {}
        exchanges: list[Exchange] = []

        def trigger(keys: Iterable[str]) -> None:
            keys = set(keys)
            for callback in self.callbacks:
                if callback not in fired and callback.inputs & keys:
                    triggered.setdefault(callback, set()).update(callback.inputs & keys)

        def launch() -> None:
            pending = set(triggered)
            busy = [c.outputs for c in in_flight.values()]
            ready = [
                c
                for c in pending
                if not any(c.inputs & o.outputs for o in pending if o is not c)
                and not any(c.inputs & outputs for outputs in busy)
            ]
            if not ready and not in_flight:
                ready = list(pending)  # inputs feeding each other: the renderer sends all
            for callback in ready:
                fired.add(callback)
                future = self.pool.submit(self._send, callback, triggered.pop(callback))
                in_flight[future] = callback

        trigger(changed)
        launch()
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                in_flight.pop(future)
                exchange, updates = future.result()
                exchanges.append(exchange)
                self.props.update(updates)
                trigger(updates)
            launch()
        return exchanges
