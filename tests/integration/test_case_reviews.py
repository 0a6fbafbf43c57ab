"""Case reviews on SQLite and PostgreSQL: append-only history, latest review, validation,
the unreviewed-serious count, and scope.

Data: the hand-made network (``handmade.py``): E1 (C1, P1, vasovagal, not serious), E2 (C2,
P4, bleeding, serious, January), E3 (C2, P5, infection, not serious, February).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from data_access.filters import Filters, Scope
from data_access.queries.case_reviews import (
    NOTE_MAX_LENGTH,
    ReviewError,
    event_detail,
    events_with_reviews,
    latest_reviews,
    record_review,
    review_history,
    unreviewed_serious_count,
)
from data_access.schema import case_reviews
from tests.integration.handmade import load_handmade

JANUARY = Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
EVERYTHING = Scope.everything()
AT = datetime(2025, 2, 3, 9, 30)


@pytest.fixture
def network(conn):
    load_handmade(conn)
    return conn


def review(conn, event_id="E2", **overrides):
    values = {
        "reviewer": "director",
        "expectedness": "expected",
        "relatedness": "related",
        "note": "Known risk; pressure applied.",
        "at": AT,
    }
    values.update(overrides)
    return record_review(conn=conn, event_id=event_id, **values)


def test_history_is_kept_newest_first_and_never_overwritten(network):
    first = review(network)
    second = review(
        network,
        expectedness="unexpected",
        relatedness="not_related",
        note="On reflection: anticoagulant, not the needle.",
        at=AT + timedelta(days=1),
        reviewer="other.director",
    )
    assert second != first
    history = review_history(conn=network, event_id="E2")
    assert history["review_id"].tolist() == [second, first]
    assert history["expectedness"].tolist() == ["unexpected", "expected"]
    assert history["note"].iloc[1] == "Known risk; pressure applied."
    assert history["reviewer"].tolist() == ["other.director", "director"]
    count = network.execute(select(func.count()).select_from(case_reviews)).scalar_one()
    assert count == 2


def test_latest_review_is_the_newest_by_time_not_by_insertion(network):
    review(network, at=AT + timedelta(days=5), note="later")
    review(network, at=AT, note="backdated", expectedness="unexpected")
    latest = latest_reviews(conn=network, filters=JANUARY, scope=EVERYTHING)
    assert latest["event_id"].tolist() == ["E2"]
    assert latest["note"].iloc[0] == "later"
    assert latest["review_count"].iloc[0] == 2


def test_events_with_reviews_joins_the_current_review(network):
    review(network, note="first")
    review(network, note="second", at=AT + timedelta(hours=1), relatedness="not_related")
    events = events_with_reviews(conn=network, filters=JANUARY, scope=EVERYTHING)
    by_id = events.set_index("event_id")
    assert set(by_id.index) == {"E1", "E2"}
    assert bool(by_id.loc["E2", "reviewed"]) and not bool(by_id.loc["E1", "reviewed"])
    assert by_id.loc["E2", "note"] == "second"
    assert by_id.loc["E2", "relatedness"] == "not_related"
    assert by_id.loc["E1", "review_count"] == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expectedness", "maybe", "expectedness must be one of expected, unexpected"),
        ("expectedness", "Expected", "expectedness must be one of expected, unexpected"),
        ("relatedness", "unrelated", "relatedness must be one of related, not_related"),
        ("relatedness", None, "relatedness must be one of related, not_related"),
        ("reviewer", "  ", "reviewer must be a non-empty name"),
        ("reviewer", "x" * 65, "reviewer must be at most 64 characters"),
        ("note", None, "note must be text"),
        ("note", "x" * (NOTE_MAX_LENGTH + 1), "note must be at most"),
        ("at", "2025-02-03", "review time must be a datetime"),
    ],
)
def test_invalid_reviews_are_refused_with_a_clear_message(network, field, value, message):
    with pytest.raises(ReviewError, match=message):
        review(network, **{field: value})
    assert network.execute(select(func.count()).select_from(case_reviews)).scalar_one() == 0


def test_unknown_event_is_refused(network):
    with pytest.raises(ReviewError, match="no adverse event with id 'E404'"):
        review(network, event_id="E404")


def test_aware_times_are_stored_as_utc(network):
    chicago_winter = timezone(timedelta(hours=-6))
    review(network, at=datetime(2025, 2, 3, 9, 30, tzinfo=chicago_winter))
    stored = review_history(conn=network, event_id="E2")["reviewed_at"].iloc[0]
    assert stored.replace(tzinfo=None) == datetime(2025, 2, 3, 15, 30)
    review(network, at=datetime(2025, 2, 4, tzinfo=UTC))


def test_unreviewed_serious_count_follows_reviews_filters_and_scope(network):
    assert unreviewed_serious_count(conn=network, filters=None, scope=EVERYTHING) == 1
    assert unreviewed_serious_count(conn=network, filters=JANUARY, scope=EVERYTHING) == 1
    february = Filters(start=date(2025, 2, 1), end=date(2025, 2, 28))
    assert unreviewed_serious_count(conn=network, filters=february, scope=EVERYTHING) == 0
    only_c1 = Scope(clinics=frozenset({"C1"}))
    assert unreviewed_serious_count(conn=network, filters=None, scope=only_c1) == 0
    review(network)
    assert unreviewed_serious_count(conn=network, filters=None, scope=EVERYTHING) == 0


def test_event_detail_respects_scope_and_row_detail(network):
    found = event_detail(conn=network, event_id="E2", scope=EVERYTHING)
    assert found is not None
    assert found["clinic_name"] == "O'Neill Clinic"
    assert found["serious"] is True
    assert event_detail(conn=network, event_id="E2", scope=Scope(clinics=frozenset({"C1"}))) is None
    hidden = event_detail(conn=network, event_id="E1", scope=Scope(row_detail=False))
    assert hidden is not None and hidden["description"] is None
    assert event_detail(conn=network, event_id="nope", scope=EVERYTHING) is None
