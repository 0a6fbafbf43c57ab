"""Shared page components: navbar, filter bar, KPI card, panel frame, empty state, downloads.

Presentation layer. Each is a function returning Dash components for ids it is given, so any
page can reuse it; none queries data or registers page-specific callbacks.
"""
