"""Bringing a database to the latest schema with Alembic, from code rather than alembic.ini.

Data-access wiring used by ``clinicops init-db``, by the app on an empty embedded database,
and by the readiness check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@functools.cache
def include_object(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for comparing a ``dialect`` database with the code's
    schema: an object the code declares for some dialects only (``info["dialects"]``, created
    under ``ddl_if``) is left out elsewhere, where no migration creates it."""

    def include(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        dialects = getattr(obj, "info", {}).get("dialects")
        return dialects is None or dialect in dialects

    return include


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


#: Databases (by URL) seen at the latest migration by this process. A schema only moves
#: forward while a process runs, so a database once current is not asked again.
_SEEN_CURRENT: set[str] = set()


def schema_is_current(connection: Connection) -> bool:
    """Whether the database is at the migration this code expects. Code newer than its
    database (a deployment that has not run ``clinicops init-db`` yet) must not read the
    summary tables: their meaning may have changed (0004 changed ``summary_patients``)."""
    key = connection.engine.url.render_as_string(hide_password=True)
    if key in _SEEN_CURRENT:
        return True
    if current_revision(connection) != head_revision():
        return False
    _SEEN_CURRENT.add(key)
    return True


def is_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        return current_revision(connection) == head_revision()


def upgrade_to_head(engine: Engine, *, summarise: bool = True) -> None:
    """Apply every migration the database lacks, then build the summaries they queued (a
    migration that reshapes the summaries queues every cell instead of rebuilding them with
    code that may be newer than it), in one transaction. ``summarise=False`` leaves that to
    the caller (the app does it in the background); the queries read the base tables until
    then."""
    from data_access.summaries import compact_queues, refresh_summaries

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        refreshed = summarise and refresh_summaries(connection)
    if refreshed:
        compact_queues(engine)
