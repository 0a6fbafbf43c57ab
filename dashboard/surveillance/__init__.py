"""Adverse-event surveillance views for medical directors (the ``/adverse-events`` page).

Presentation layer. Figure builders (funnel, control chart, rates with intervals) are pure
functions; the signals list, event grid, case-review modal and navbar badge are components
with their callbacks beside them. The statistics live in ``data_access.surveillance``.
"""
