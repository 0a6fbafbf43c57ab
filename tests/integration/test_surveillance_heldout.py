"""The held-out network on SQLite and PostgreSQL, through the page's own path (queries,
analysis, signals, the signals list): the clinic at five times the rate is named, and no
other clinic is flagged."""

from __future__ import annotations

from datetime import timedelta

from dashboard.surveillance.analysis import analyse, load_frames, signals
from dashboard.surveillance.signals_view import signals_list
from data_access.filters import Filters, Scope
from data_access.queries.case_reviews import events_with_reviews
from data_access.statistics import FunnelZone
from tests.integration.heldout import MARKUP, MARKUP_EVENT, OUTLIER_ID, load_heldout_network
from tests.unit.test_surveillance_figures import texts


def test_five_fold_clinic_is_named_in_the_signals(conn):
    heldout = load_heldout_network(conn)
    scope = Scope.everything()
    # The whole year and its last six months (shorter ranges hold too few events to tell).
    for start in (heldout.start, heldout.end - timedelta(days=181)):
        filters = Filters(start=start, end=heldout.end)
        frames = load_frames(conn=conn, filters=filters, scope=scope)
        for adjust in (True, False):
            analysis = analyse(frames, adjust_for_overdispersion=adjust)
            table = analysis.funnel.table.set_index("clinic_id")
            assert table.loc[OUTLIER_ID, "zone"] == FunnelZone.ALARM_HIGH
            others = table.drop(index=OUTLIER_ID)
            assert not others["zone"].isin([FunnelZone.ALARM_HIGH]).any()
        serious = events_with_reviews(conn=conn, filters=filters, scope=scope, serious_only=True)
        found = signals(analysis, serious, filters.end)
        funnel_rows = found[found["kind"] == "clinic_high"]
        assert funnel_rows["subject_name"].tolist() == [heldout.outlier_name]
        words = texts(signals_list(found, lambda _signal: "#"))
        assert any(heldout.outlier_name in word for word in words)


def test_markup_in_a_description_comes_back_verbatim(conn):
    heldout = load_heldout_network(conn)
    events = events_with_reviews(
        conn=conn, filters=Filters(start=heldout.start, end=heldout.end), scope=Scope()
    )
    row = events.set_index("event_id").loc[MARKUP_EVENT]
    assert row["description"] == MARKUP
    assert bool(row["serious"])
