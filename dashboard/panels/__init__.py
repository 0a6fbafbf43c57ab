"""The overview page's panels: each module owns its panels' layout and callbacks.

Presentation layer. A panel callback reads the filter store (and its own options), calls
cached queries and pure figure builders, and returns the panel bodies: a chart, a table or an
empty state in words. The panels of one section share a callback (one response, so the
browser lays the page out once per section instead of once per panel, which halved the
renderer's work); each panel still has its own loading state, and the sections and the two
KPI callbacks run in parallel. Callbacks are registered by each module's ``register()``,
which the page calls when Dash imports it, so every app built by ``create_app`` gets them.
"""
