"""The adverse-event page's callbacks called as plain functions, on an embedded database:
who may see and review what, the held-out network end to end, and the navbar badge."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import dash
import pytest

from dashboard import auth_context, runtime
from dashboard.app import create_app
from dashboard.surveillance import case_review, navbar_badge
from data_access.filters import Scope
from data_access.migrate import upgrade_to_head
from data_access.queries.case_reviews import review_history, unreviewed_serious_count
from data_access.roles import Role
from tests.conftest import make_settings
from tests.integration.heldout import MARKUP_EVENT, OUTLIER_NAME, load_heldout_network
from tests.unit.test_surveillance_figures import texts

DIRECTOR = auth_context.CurrentUser("dr.m", Role.MEDICAL_DIRECTOR, Scope.everything())
MANAGER = auth_context.CurrentUser(
    "manager", Role.REGIONAL_MANAGER, Scope(regions=frozenset({"Basin"}), suppress_small_cells=True)
)
STAFF = auth_context.CurrentUser("staff", Role.STAFF, Scope(clinics=frozenset({"HX-01"})))
SEARCH = "?start=2025-01-01&end=2025-12-31"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dash.Dash]:
    app = create_app(make_settings(tmp_path_factory.mktemp("ae-callbacks"), demo_on_empty=False))
    # Finish building the app as its first request would: that hands the callbacks Dash
    # collected while building it to this app, so none is left over for the next app.
    app._setup_server()
    engine = runtime.of(app.server).engine
    upgrade_to_head(engine)
    with engine.begin() as conn:
        load_heldout_network(conn)
    with app.server.test_request_context("/adverse-events"):
        yield app
    engine.dispose()


@pytest.fixture
def ae_page(app):
    """The page module as Dash ran it for this app (importing it again under its package
    name would register the page twice)."""
    return next(
        sys.modules[page["module"]]
        for page in dash.page_registry.values()
        if page["path"] == "/adverse-events"
    )


def test_director_sees_the_outlier_named_in_the_signals(ae_page):
    with auth_context.acting_as(DIRECTOR):
        summary, _notice, items, figure, note, disabled, _label = ae_page._render(SEARCH, True, 0)
    assert "procedures" in summary
    assert any(OUTLIER_NAME in text for text in texts(items))
    assert figure["layout"]["height"] == 420 and "φ" in note
    assert isinstance(disabled, bool)


def test_suppressed_users_get_a_sentence_not_the_figures(ae_page):
    with auth_context.acting_as(MANAGER):
        summary, _notice, items, *_ = ae_page._render(SEARCH, True, 0)
        assert ae_page._events(SEARCH, 0) == []
    assert summary == ae_page.RESTRICTED and items == ae_page.RESTRICTED


def test_staff_see_only_their_clinic(ae_page):
    with auth_context.acting_as(STAFF):
        rows = ae_page._events(SEARCH, 0)
    assert rows and {row["clinic_name"] for row in rows} == {"Held-out Clinic 01"}


def test_only_a_medical_director_records_a_review(app):
    opened = {"event_id": MARKUP_EVENT, "at": 1}
    with auth_context.acting_as(STAFF):
        feedback, *_ = case_review._save_review(1, opened, "expected", "related", "", 0)
    assert "cannot record case reviews" in texts(feedback)[0]
    with auth_context.acting_as(DIRECTOR):
        missing, *_ = case_review._save_review(1, opened, None, "related", "", 0)
        assert "Choose whether the event was expected" in texts(missing)[0]
        feedback, history, version, note = case_review._save_review(
            1, opened, "unexpected", "related", "Escalated.", 3
        )
    assert texts(feedback) == ["Review saved."] and version == 4 and note == ""
    assert any("Unexpected, related (dr.m," in text for text in texts(history))
    with runtime.current().connect() as conn:
        stored = review_history(conn=conn, event_id=MARKUP_EVENT)
    assert stored["reviewer"].tolist() == ["dr.m"] and stored["note"].tolist() == ["Escalated."]


def test_navbar_badge_counts_unreviewed_serious_events_for_directors_only(app):
    with runtime.current().connect() as conn:
        count = unreviewed_serious_count(conn=conn, filters=None, scope=Scope.everything())
    with auth_context.acting_as(DIRECTOR):
        assert navbar_badge._refresh_badge(0, 0) == (
            str(count),
            *navbar_badge.badge_text(count)[1:],
            False,
        )
    assert navbar_badge.badge_text(3) == ("3", "danger")
    assert navbar_badge.badge_text(0) == ("0", "secondary")
    with auth_context.acting_as(STAFF):
        assert navbar_badge._refresh_badge(0, 0)[2] is True
