"""Alembic environment: migrates the connection handed in by :mod:`data_access.migrate`."""

from __future__ import annotations

from alembic import context

from data_access.migrate import include_object
from data_access.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
