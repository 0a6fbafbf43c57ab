"""The migrations build the schema the code describes, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from data_access.migrate import head_revision, is_at_head
from data_access.schema import metadata


def test_migrations_reach_head_and_create_every_table(engine: Engine) -> None:
    assert is_at_head(engine)
    assert head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
