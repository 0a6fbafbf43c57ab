"""ClinicOps data-access layer: settings, engine, schema, queries, importer and exporter.

Nothing in this package knows about Dash; the dashboard and the CLI call into it.
"""
