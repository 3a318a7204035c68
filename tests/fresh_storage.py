"""Fresh databases for tests without rebuilding the schema each time: a SQLite file copied from one the app built,
PostgreSQL schemas emptied and reused once they are checked to be exactly as the app builds them."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import psycopg

from care import schema
from care.db import Base, make_engine

# Creating the app's 40-odd tables and their indexes is most of what building an app for a test costs (on
# PostgreSQL about a second with the DROP SCHEMA after it, on SQLite a few hundred ms of fsyncs), and the suites
# build over a thousand apps each.

SQLITE_NAME = "hearthline.db"  # care.settings: the default database in the data folder


def build_sqlite_template(folder: Path) -> Path:
    """An empty database file made by the app's own start-up path (schema.ensure on an empty file), checkpointed."""
    path = folder / SQLITE_NAME
    engine = make_engine(f"sqlite:///{path}")
    try:
        schema.ensure(engine, Base.metadata, migrate=True)
    finally:
        engine.dispose()
    return path


def copy_sqlite_template(template: Path, data_dir: Path) -> None:
    """Give a test's data folder the template database, unless the test already put one there."""
    target = data_dir / template.name
    if not target.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)


# What makes two schemas the same to the app: relations with their columns, defaults and indexes, constraints,
# types, functions, triggers and the Alembic revision. Names come out unqualified (search_path is the schema).
_SHAPE_QUERIES = (
    """select c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), case when c.relkind = 'i' then pg_get_indexdef(c.oid) end
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
       where n.nspname = %(schema)s order by 1, 3""",
    """select c.relname, k.conname, pg_get_constraintdef(k.oid)
       from pg_constraint k join pg_namespace n on n.oid = k.connamespace
       left join pg_class c on c.oid = k.conrelid where n.nspname = %(schema)s order by 1, 2""",
    """select t.typname, t.typtype, e.enumlabel from pg_type t join pg_namespace n on n.oid = t.typnamespace
       left join pg_enum e on e.enumtypid = t.oid where n.nspname = %(schema)s order by 1, e.enumsortorder""",
    """select p.proname, p.prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = %(schema)s order by 1, 2""",
    """select c.relname, t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = %(schema)s order by 1, 2""",
)


def _shape(conn: psycopg.Connection[Any], name: str) -> tuple[list[tuple[Any, ...]], ...]:
    with conn.transaction():
        conn.execute(f'SET LOCAL search_path TO "{name}"')
        parts = [conn.execute(query, {"schema": name}).fetchall() for query in _SHAPE_QUERIES]
        if any(row[0] == "alembic_version" for row in parts[0]):
            parts.append(conn.execute("select version_num from alembic_version order by 1").fetchall())
    return tuple(parts)


class SchemaPool:
    """PostgreSQL schemas for the production-path pass, each as fresh as a new one when a test gets it.

    A schema comes back after its test; if it still has exactly the shape the app builds (checked against one
    built by schema.ensure at the start) its rows are deleted and its sequences restarted, and the next test gets
    it with the tables already there. One a test changed in any other way (a migration, a table of its own) or
    whose rows cannot be deleted is dropped, as every schema was before.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._ready: list[str] = []
        # Every schema this pool made and has not dropped, taken or ready: close() drops them all, so a test that
        # takes one and never gives it back (or a run stopped mid-test) leaves nothing in the database.
        self._made: set[str] = set()
        reference = self._create()
        engine = make_engine(schema_url(url, reference))
        try:
            schema.ensure(engine, Base.metadata, migrate=True)
        finally:
            engine.dispose()
        with psycopg.connect(url, autocommit=True) as conn:
            self._reference = _shape(conn, reference)
        self._ready.append(reference)
        # Children before parents, so no foreign key stops a delete.
        self._tables = [table.name for table in reversed(Base.metadata.sorted_tables)]

    def take(self) -> str:
        return self._ready.pop() if self._ready else self._create()

    def give_back(self, name: str) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            shape = _shape(conn, name)
            if not any(shape):
                self._ready.append(name)  # never built on: still empty
                return
            if shape == self._reference and self._empty(conn, name):
                self._ready.append(name)
                return
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self._made.discard(name)

    def close(self) -> None:
        """Drop every schema this pool made, the ones still taken included."""
        with psycopg.connect(self._url, autocommit=True) as conn:
            for name in sorted(self._made):
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self._made.clear()
        self._ready.clear()

    def _create(self) -> str:
        name = f"hl_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        self._made.add(name)
        return name

    def _empty(self, conn: psycopg.Connection[Any], name: str) -> bool:
        """Delete every row (the Alembic revision stays) and restart every sequence; False if that failed."""
        try:
            with conn.transaction():
                # A test that left a connection holding a lock would otherwise stall the suite here.
                conn.execute("SET LOCAL lock_timeout = '5s'")
                conn.execute(f'SET LOCAL search_path TO "{name}"')
                for table in self._tables:
                    conn.execute(f'DELETE FROM "{table}"')
                sequences = conn.execute(
                    "select sequencename, start_value from pg_sequences where schemaname = %s", (name,)
                ).fetchall()
                for sequence, start in sequences:
                    conn.execute("select setval(%s, %s, false)", (f'"{name}"."{sequence}"', start))
        except psycopg.Error:
            return False
        return True


def schema_url(url: str, name: str) -> str:
    """The database URL an app uses to live in schema `name` of the server at `url`."""
    return f"{url}?options=-csearch_path%3D{name}"
