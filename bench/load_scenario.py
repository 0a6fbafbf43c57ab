"""What one simulated person does during the load test: sign in, open the dashboard, change
filters on the overview and now and then on the adverse-events page, with a pause between.

Benchmark support for :mod:`bench.load_users`. A person signs in through the real login form
(:func:`bench.dash_http.sign_in`: the page's CSRF token, then the POST), loads the page (its Dash
config carries the token the renderer adds to every callback URL), and from then on drives a
:class:`bench.callbacks.Tab`: opening a page is Dash's client-side navigation (the page
content and freshness callbacks, then the page's own URL callback and everything it feeds);
a filter change sets one control of the page's filter bar to a value taken from what the
server last put in it (its region and clinic options are the person's scope), exactly as a
click in the dropdown would. Every step is returned as a :class:`Step` with its requests.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import requests

from bench.callbacks import Callback, Exchange, Props, Tab
from bench.dash_http import sign_in
from dashboard.components.filter_bar import FilterBarIds
from dashboard.panels import ids as overview_ids
from dashboard.surveillance import ids as ae_ids
from dashboard.surveillance.layout import FILTER_IDS as AE_FILTER_IDS
from dashboard.surveillance.page_state import PATH as AE_PATH
from dashboard.url_state import Preset
from data_access.contract import ProcedureType
from data_access.roles import Role


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: Role
    regions: tuple[str, ...] = ()
    clinics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    location: str  # the prop holding the page's query string
    bar: FilterBarIds


OVERVIEW = Page("overview", "/", f"{overview_ids.URL}.search", overview_ids.FILTER_BAR)
ADVERSE_EVENTS = Page("adverse events", AE_PATH, f"{ae_ids.LOCATION}.search", AE_FILTER_IDS)
#: The app shell's router and navbar, whose callbacks a client-side navigation sends.
ROUTER_PROPS = ("_pages_location.pathname", "_pages_location.search", "shell-location.pathname")

#: How often each kind of filter change is picked (weights).
CHANGE_KINDS = {"preset": 6, "dates": 2, "regions": 4, "clinics": 4, "procedures": 3, "reset": 1}
SPANS_DAYS = (7, 30, 90, 180, 365, 730)


@dataclass
class Step:
    """One thing a person did, from the first request sent to the last answer."""

    user: str
    role: str
    page: str
    kind: str  # "sign-in", "open" or "change: <control>"
    started: float  # seconds since the run began
    seconds: float
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"{e.callback}: {e.error}" for e in self.exchanges if e.error]


def _values(options: Any) -> list[str]:
    return [o["value"] if isinstance(o, dict) else o for o in options or []]


def _some(rng: random.Random, choices: list[str], current: list[str], most: int) -> list[str]:
    """Another selection of up to ``most`` items (none counts: "all")."""
    for _ in range(5):
        picked = sorted(rng.sample(choices, rng.randint(0, min(most, len(choices)))))
        if picked != sorted(current or []):
            return picked
    return [] if current else choices[:1]


def pick_change(rng: random.Random, props: Props, page: Page) -> tuple[str, Props]:
    """A filter change a person could make in ``page``'s filter bar right now."""
    bar = page.bar
    kind = rng.choices(list(CHANGE_KINDS), weights=list(CHANGE_KINDS.values()))[0]
    if kind == "preset":
        current = props.get(f"{bar.preset}.value")
        return kind, {f"{bar.preset}.value": rng.choice([p.value for p in Preset if p != current])}
    if kind == "dates":
        first = date.fromisoformat(str(props[f"{bar.dates}.min_date_allowed"])[:10])
        last = date.fromisoformat(str(props[f"{bar.dates}.max_date_allowed"])[:10])
        span = timedelta(days=rng.choice(SPANS_DAYS))
        latest_start = max(first, last - span)
        start = first + timedelta(days=rng.randint(0, (latest_start - first).days))
        end = min(last, start + span)
        return kind, {
            f"{bar.dates}.start_date": start.isoformat(),
            f"{bar.dates}.end_date": end.isoformat(),
        }
    if kind in ("regions", "clinics"):
        control = bar.regions if kind == "regions" else bar.clinics
        choices = _values(props.get(f"{control}.options"))
        current = props.get(f"{control}.value") or []
        return kind, {f"{control}.value": _some(rng, choices, current, 2 if choices else 0)}
    if kind == "procedures":
        current = props.get(f"{bar.procedures}.value") or []
        types = [t.value for t in ProcedureType]
        return kind, {f"{bar.procedures}.value": _some(rng, types, current, 2)}
    return kind, {f"{bar.reset}.n_clicks": int(props.get(f"{bar.reset}.n_clicks") or 0) + 1}


def open_page(tab: Tab, page: Page, search: str) -> list[Exchange]:
    """Dash's client-side navigation to ``page``: the router's callbacks (the page's layout),
    then the new page's URL and everything that follows from it."""
    routed = tab.change(dict(zip(ROUTER_PROPS, (page.path, search, page.path), strict=True)))
    return routed + tab.change({page.location: search})


def _page_token(session: requests.Session, url: str) -> tuple[str, Exchange]:
    """GET the page as the browser does after sign-in; its Dash config holds ``end_id``."""
    began = time.perf_counter()
    try:
        answer = session.get(f"{url}/", timeout=120)
    except requests.RequestException as exc:
        return "", Exchange("page", 0, time.perf_counter() - began, type(exc).__name__)
    seconds = time.perf_counter() - began
    found = re.search(r'"end_id":\s*"([^"]+)"', answer.text)
    error = None if answer.status_code == 200 and found else f"HTTP {answer.status_code}"
    return (found.group(1) if found else ""), Exchange("page", answer.status_code, seconds, error)


@dataclass
class Plan:
    """What every person shares: the server, the callbacks of their role, the timing."""

    url: str
    callbacks: dict[Role, tuple[list[Callback], Props]]
    duration: float
    think: tuple[float, float]
    adverse_events_share: float
    signed_in: threading.Barrier
    clock: Callable[[], float]  # seconds since the run began (set when all are signed in)


def person(account: Account, plan: Plan, seed: int, record: Callable[[Step], None]) -> None:
    """One person's whole visit; every step goes to ``record`` as soon as it is done."""
    rng = random.Random(seed)

    def step(page: Page, kind: str, began: float, exchanges: list[Exchange]) -> None:
        ended = plan.clock()
        record(Step(account.username, account.role.value, page.name, kind, began,
                    ended - began, exchanges))  # fmt: skip

    began = time.perf_counter()
    try:
        session = sign_in(plan.url, account.username, account.password)
        signed_in = Exchange("sign-in", 302, time.perf_counter() - began)
        end_id, loaded = _page_token(session, plan.url)
    except (RuntimeError, requests.RequestException) as exc:
        signed_in = Exchange("sign-in", 0, time.perf_counter() - began, str(exc))
        session, end_id, loaded = requests.Session(), "", Exchange("page", 0, 0.0, "not signed in")
    plan.signed_in.wait()
    record(Step(account.username, account.role.value, OVERVIEW.name, "sign-in", 0.0,
                signed_in.seconds + loaded.seconds, [signed_in, loaded]))  # fmt: skip
    if signed_in.error or loaded.error:
        return
    callbacks, props = plan.callbacks[account.role]
    tab = Tab(session, plan.url, callbacks, props, end_id=end_id)
    try:
        here = OVERVIEW
        time.sleep(rng.uniform(0, plan.think[1]))  # people do not all click at the same instant
        started = plan.clock()
        step(here, "open", started, open_page(tab, here, ""))
        while plan.clock() < plan.duration:
            time.sleep(rng.uniform(*plan.think))
            if plan.clock() >= plan.duration:
                break
            there = ADVERSE_EVENTS if rng.random() < plan.adverse_events_share else OVERVIEW
            if there is not here:
                here, started = there, plan.clock()
                step(here, "open", started, open_page(tab, here, tab.props.get(here.location, "")))
            kind, changed = pick_change(rng, tab.props, here)
            started = plan.clock()
            step(here, f"change: {kind}", started, tab.change(changed))
    finally:
        tab.close()
