"""The migrations build the schema the code describes, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from data_access.migrate import head_revision, include_object, is_at_head
from data_access.schema import metadata


def test_migrations_reach_head_and_create_every_table(engine: Engine) -> None:
    assert is_at_head(engine)
    assert head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_migrations_build_exactly_the_tables_the_code_describes(engine: Engine) -> None:
    """Every column, key and index of ``metadata`` as the migrations left them (a migration
    that forgot a column of a reshaped summary table fails here, not in a query)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object(connection.dialect.name)}
        )
        assert compare_metadata(context, metadata) == []
