"""Medical directors' case reviews of adverse events: record, history, latest, unreviewed count.

Data-access layer. Reviews are append-only: :func:`record_review` validates and inserts a new
row and never updates one, so the history of every classification survives; an event's
current review is its newest row (latest ``reviewed_at``, then highest ``review_id``). As
everywhere in this layer, the caller owns the transaction and these functions never commit.
Events follow their procedure, so every listing intersects the caller's filters and scope.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, func, literal, select

from data_access.filters import Filters, Scope
from data_access.queries._sql import procedure_conditions, read_frame, scoped_clinic_ids
from data_access.queries.adverse_events import event_rows
from data_access.schema import adverse_events, case_reviews, clinics, procedures

#: Longest reviewer name the table holds (``case_reviews.reviewer``).
REVIEWER_MAX_LENGTH = 64
#: A note is free text, but not unbounded: a review is a judgement, not a report.
NOTE_MAX_LENGTH = 4000

REVIEW_COLUMNS = [
    "review_id",
    "event_id",
    "reviewed_at",
    "reviewer",
    "expectedness",
    "relatedness",
    "note",
]


class Expectedness(StrEnum):
    """Whether the event is a known, listed risk of the procedure."""

    EXPECTED = "expected"
    UNEXPECTED = "unexpected"


class Relatedness(StrEnum):
    """Whether the event was caused by the procedure, in the reviewer's judgement."""

    RELATED = "related"
    NOT_RELATED = "not_related"


class ReviewError(ValueError):
    """A review cannot be recorded; the message says which field and why."""


def _choice(value: object, allowed: type[StrEnum], what: str) -> str:
    choices = [member.value for member in allowed]
    if isinstance(value, str) and value in choices:
        return value
    raise ReviewError(f"{what} must be one of {', '.join(choices)}; got {value!r}")


def _utc_naive(at: datetime) -> datetime:
    """Every log time in the database is naive UTC; an aware time is converted to it."""
    if not isinstance(at, datetime):
        raise ReviewError(f"review time must be a datetime; got {at!r}")
    if at.tzinfo is not None:
        return at.astimezone(UTC).replace(tzinfo=None)
    return at


def record_review(
    *,
    conn: Connection,
    event_id: str,
    reviewer: str,
    expectedness: str,
    relatedness: str,
    note: str,
    at: datetime,
) -> int:
    """Validate and append one review of ``event_id``; returns the new ``review_id``.

    Never updates an existing review. Raises :class:`ReviewError` (nothing written) for an
    unknown event, an empty or over-long reviewer, a classification outside its choices, a
    note that is not text or too long, or a time that is not a datetime.
    """
    expected = _choice(expectedness, Expectedness, "expectedness")
    related = _choice(relatedness, Relatedness, "relatedness")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise ReviewError("reviewer must be a non-empty name")
    if len(reviewer) > REVIEWER_MAX_LENGTH:
        raise ReviewError(f"reviewer must be at most {REVIEWER_MAX_LENGTH} characters")
    if not isinstance(note, str):
        raise ReviewError(f"note must be text; got {type(note).__name__}")
    if len(note) > NOTE_MAX_LENGTH:
        raise ReviewError(f"note must be at most {NOTE_MAX_LENGTH} characters")
    reviewed_at = _utc_naive(at)
    exists = conn.execute(
        select(adverse_events.c.event_id).where(adverse_events.c.event_id == event_id)
    ).first()
    if exists is None:
        raise ReviewError(f"no adverse event with id {event_id!r}")
    result = conn.execute(
        case_reviews.insert()
        .values(
            event_id=event_id,
            reviewed_at=reviewed_at,
            reviewer=reviewer.strip(),
            expectedness=expected,
            relatedness=related,
            note=note,
        )
        .returning(case_reviews.c.review_id)
    )
    return int(result.scalar_one())


def review_history(*, conn: Connection, event_id: str) -> pd.DataFrame:
    """Every review of one event, newest first (the first row is the current review)."""
    statement = (
        select(*(case_reviews.c[name] for name in REVIEW_COLUMNS))
        .where(case_reviews.c.event_id == event_id)
        .order_by(case_reviews.c.reviewed_at.desc(), case_reviews.c.review_id.desc())
    )
    return read_frame(conn, statement, REVIEW_COLUMNS)


def _selected_event_conditions(
    conn: Connection, filters: Filters | None, scope: Scope
) -> list[ColumnElement[bool]]:
    """Conditions on procedures selecting the events of the filters (every date when
    ``filters`` is None) within the scope."""
    every_date = Filters(start=date.min, end=date.max)
    clinic_ids = scoped_clinic_ids(conn, filters=filters or every_date, scope=scope)
    if filters is None:
        return [procedures.c.clinic_id.in_(clinic_ids)] if clinic_ids is not None else []
    return procedure_conditions(clinic_ids, filters)


def latest_reviews(*, conn: Connection, filters: Filters, scope: Scope) -> pd.DataFrame:
    """The current (newest) review of each reviewed event of the selection, with
    ``review_count``, the number of reviews in its history. Unreviewed events are absent."""
    conditions = _selected_event_conditions(conn, filters, scope)
    newest_first = (case_reviews.c.reviewed_at.desc(), case_reviews.c.review_id.desc())
    ranked = (
        select(
            *(case_reviews.c[name] for name in REVIEW_COLUMNS),
            func.row_number()
            .over(partition_by=case_reviews.c.event_id, order_by=newest_first)
            .label("rank"),
            func.count().over(partition_by=case_reviews.c.event_id).label("review_count"),
        )
        .join_from(
            case_reviews, adverse_events, adverse_events.c.event_id == case_reviews.c.event_id
        )
        .join(procedures, procedures.c.procedure_id == adverse_events.c.procedure_id)
        .where(*conditions)
        .subquery()
    )
    statement = (
        select(*(ranked.c[name] for name in [*REVIEW_COLUMNS, "review_count"]))
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.event_id)
    )
    frame = read_frame(conn, statement, [*REVIEW_COLUMNS, "review_count"])
    frame["review_count"] = frame["review_count"].astype("int64")
    return frame


def events_with_reviews(
    *,
    conn: Connection,
    filters: Filters,
    scope: Scope,
    serious_only: bool = False,
    limit: int | None = 5000,
) -> pd.DataFrame:
    """The selection's events (as :func:`data_access.queries.adverse_events.event_rows`,
    newest first) with their current review: ``reviewed`` (bool), ``reviewed_at``,
    ``reviewer``, ``expectedness``, ``relatedness``, ``note`` and ``review_count``
    (0 and missing values for an unreviewed event)."""
    events = event_rows(
        conn=conn, filters=filters, scope=scope, serious_only=serious_only, limit=limit
    )
    reviews = latest_reviews(conn=conn, filters=filters, scope=scope).drop(columns="review_id")
    frame = events.merge(reviews, on="event_id", how="left")
    frame["review_count"] = frame["review_count"].fillna(0).astype("int64")
    frame["reviewed"] = frame["review_count"] > 0
    return frame


def event_detail(*, conn: Connection, event_id: str, scope: Scope) -> dict[str, Any] | None:
    """One event with its procedure and clinic (the columns of ``event_rows``), or None
    when it does not exist or lies outside the scope. The description is None unless the
    scope allows row-level detail."""
    description = (
        adverse_events.c.description if scope.row_detail else literal(None).label("description")
    )
    statement = (
        select(
            adverse_events.c.event_id,
            adverse_events.c.onset_on,
            procedures.c.performed_on,
            procedures.c.clinic_id,
            clinics.c.name.label("clinic_name"),
            procedures.c.procedure_type,
            adverse_events.c.event_type,
            adverse_events.c.severity,
            adverse_events.c.serious,
            adverse_events.c.outcome,
            description,
        )
        .join_from(
            adverse_events, procedures, procedures.c.procedure_id == adverse_events.c.procedure_id
        )
        .join(clinics, clinics.c.clinic_id == procedures.c.clinic_id)
        .where(
            adverse_events.c.event_id == event_id, *_selected_event_conditions(conn, None, scope)
        )
    )
    row = conn.execute(statement).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["serious"] = bool(found["serious"])
    return found


def unreviewed_serious_count(*, conn: Connection, filters: Filters | None, scope: Scope) -> int:
    """Serious events with no review yet, among the selection's events (every date when
    ``filters`` is None) within the scope: the medical director's to-do count."""
    reviewed = select(case_reviews.c.review_id).where(
        case_reviews.c.event_id == adverse_events.c.event_id
    )
    statement = (
        select(func.count())
        .select_from(adverse_events)
        .join(procedures, procedures.c.procedure_id == adverse_events.c.procedure_id)
        .where(
            adverse_events.c.serious.is_(True),
            ~reviewed.exists(),
            *_selected_event_conditions(conn, filters, scope),
        )
    )
    return int(conn.execute(statement).scalar_one())


__all__ = [
    "Expectedness",
    "Relatedness",
    "ReviewError",
    "event_detail",
    "events_with_reviews",
    "latest_reviews",
    "record_review",
    "review_history",
    "unreviewed_serious_count",
]
