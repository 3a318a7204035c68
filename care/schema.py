"""The schema's version: Alembic migrations at deploy (`flask db upgrade`), a quick create on an empty database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The schema as the first release created it (create_all, before migrations): such a database is stamped with
# this revision and upgraded from there.
BASELINE = "0001"
# The key of the PostgreSQL advisory lock one start-up holds while it creates or migrates the schema ("HEARTH").
SCHEMA_LOCK_KEY = 0x484541525448


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision (None: never stamped) and the newest one this code knows."""

    current: str | None
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(engine: Engine, metadata: MetaData) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["metadata"] = metadata
    return config


def state(engine: Engine, metadata: MetaData) -> SchemaState:
    """The database's revision against the code's head."""
    head = ScriptDirectory.from_config(_config(engine, metadata)).get_current_head()
    assert head is not None
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names()) & set(metadata.tables)
    return SchemaState(current=current, head=head, has_tables=bool(tables))


def upgrade(engine: Engine, metadata: MetaData, revision: str = "head") -> SchemaState:
    """Bring the database to `revision`; a database of the first release (tables, no revision) starts at BASELINE."""
    config = _config(engine, metadata)
    before = state(engine, metadata)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Requests get a 4 s statement timeout (care.db); a migration may rewrite a large table for longer.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        config.attributes["connection"] = conn
        if before.current is None and before.has_tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
    after = state(engine, metadata)
    if after.current != before.current:
        log.info("database schema upgraded from %s to %s", before.current or "empty", after.current)
    return after


@contextmanager
def _one_start_at_a_time(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock while the schema is created or migrated; elsewhere, nothing.

    Processes that start together on one empty or older database (gunicorn workers without --preload, two test
    passes sharing a database) would otherwise both create or alter the same tables, and the second would fail
    on "already exists" while the first commits. SQLite serialises writers on its file lock already.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        # The lock waits as long as the other start-up's migration takes: past the requests' 4 s statement timeout.
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({SCHEMA_LOCK_KEY})")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({SCHEMA_LOCK_KEY})")
            conn.rollback()


def ensure(engine: Engine, metadata: MetaData, *, migrate: bool) -> SchemaState:
    """At start-up: create an empty database at once (stamped at head); migrate an older one only if `migrate`.

    Production migrates at deploy (`flask db upgrade`), so two instances never race to alter tables; a database
    left behind is logged loudly rather than silently altered.
    """
    now = state(engine, metadata)
    if now.up_to_date:
        return now
    with _one_start_at_a_time(engine):
        # Looked at again under the lock: another process may have done the work while this one waited.
        return _create_or_migrate(engine, metadata, state(engine, metadata), migrate=migrate)


def _create_or_migrate(engine: Engine, metadata: MetaData, now: SchemaState, *, migrate: bool) -> SchemaState:
    if now.up_to_date:
        return now
    if not now.has_tables and now.current is None:
        metadata.create_all(engine)
        with engine.begin() as conn:
            config = _config(engine, metadata)
            config.attributes["connection"] = conn
            command.stamp(config, "head")
        return state(engine, metadata)
    if migrate:
        return upgrade(engine, metadata)
    log.critical("database schema is at %s, this code needs %s: run `flask db upgrade`", now.current, now.head)
    return now
