"""The derived figures computed straight from the base tables: the reference implementation.

Data-access layer. Each module here has the same functions, signatures and output columns as
its namesake in :mod:`data_access.queries`, written as plain aggregates over ``procedures``,
``followups``, ``adverse_events`` and ``referrals`` (the code the dashboard ran before the
summary tables). The fast functions fall back to these while a write awaits summarising; the
property test (``tests/integration/test_summaries.py``) checks both give identical figures, and
``bench/`` times them as the "naive" column.
"""
