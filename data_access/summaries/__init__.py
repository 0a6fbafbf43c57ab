"""Summary tables kept exactly in line with the base tables.

Data-access layer. ``refresh_summaries(conn)`` recomputes, inside the caller's transaction,
the summary cells that writes to the base tables touched (triggers note them in the
``summary_pending_*`` tables); ``summaries_pending(conn)`` says whether any write is not
summarised yet, in which case the query layer answers from the base tables instead;
``compact_queues(engine)``, after the commit, gives back the emptied queues' pages. Table
definitions are in :mod:`data_access.schema_summaries`; how the queries read them, in
:mod:`data_access.queries._summary` and :mod:`data_access.queries.patients`.
"""

from data_access.summaries.refresh import (
    compact_queues,
    mark_everything_pending,
    pending_condition,
    refresh_summaries,
    summaries_pending,
    triggers_suspended,
)

__all__ = [
    "compact_queues",
    "mark_everything_pending",
    "pending_condition",
    "refresh_summaries",
    "summaries_pending",
    "triggers_suspended",
]
