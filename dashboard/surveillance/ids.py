"""Component ids of the adverse-event surveillance page, in one place, all prefixed ``ae-``.

Presentation layer. The signals list keeps the id ``ae-signals`` (tests and links rely on
it); dict ids with a ``type`` serve the pattern-matching callbacks of repeated items.
"""

from __future__ import annotations

from typing import Final

LOCATION: Final = "ae-location"
NOTICE: Final = "ae-notice"
SUMMARY: Final = "ae-summary"
RANGE_LINKS: Final = "ae-range-links"
SIGNALS: Final = "ae-signals"
FUNNEL_SECTION: Final = "ae-funnel"
FUNNEL_GRAPH: Final = "ae-funnel-graph"
FUNNEL_NOTE: Final = "ae-funnel-note"
ADJUST_SWITCH: Final = "ae-adjust"
RATES_SECTION: Final = "ae-rates"
RATES_TABS: Final = "ae-rates-tabs"
RATES_BODY: Final = "ae-rates-body"
CHART_SECTION: Final = "ae-chart"
CHART_SUBJECT: Final = "ae-chart-subject"
CHART_METHOD: Final = "ae-chart-method"
CHART_GRAPH: Final = "ae-chart-graph"
CHART_NOTE: Final = "ae-chart-note"
EVENTS_SECTION: Final = "ae-events"
EVENT_GRID: Final = "ae-event-grid"
EVENT_CSV: Final = "ae-event-csv"
EVENT_DOWNLOAD: Final = "ae-event-download"
REVIEWS_VERSION: Final = "ae-reviews-version"
SCROLLED: Final = "ae-scrolled"
REVIEW_MODAL: Final = "ae-review-modal"
REVIEW_EVENT: Final = "ae-review-event"
REVIEW_DETAILS: Final = "ae-review-details"
REVIEW_HISTORY: Final = "ae-review-history"
REVIEW_EXPECTEDNESS: Final = "ae-review-expectedness"
REVIEW_RELATEDNESS: Final = "ae-review-relatedness"
REVIEW_NOTE: Final = "ae-review-note"
REVIEW_SAVE: Final = "ae-review-save"
REVIEW_FEEDBACK: Final = "ae-review-feedback"
BADGE: Final = "ae-navbar-badge"
BADGE_COUNT: Final = "ae-navbar-badge-count"
BADGE_REFRESH: Final = "ae-navbar-badge-refresh"
BADGE_POLL: Final = "ae-navbar-badge-poll"
