"""A lock another transaction holds is the database answering someone else, not the database gone away.

Only a database that stopped answering makes the app skip it for a few seconds (texts spooled, recordings and
the console worked around it). On a loaded CI machine a lock wait once ran past PostgreSQL's statement timeout,
read as an outage, and sent the next 39 texts to the spool.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import exc
from sqlalchemy import text as sql_text

import care.db
from care.db import Database, contended, unreachable


@pytest.fixture
def rows(postgres_url: str, pg_schema: str) -> str:
    """One table with one row in this test's own schema (tests.conftest.pg_schema); the schema's name."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{pg_schema}".rows (id int PRIMARY KEY, body text)')
        conn.execute(f"INSERT INTO \"{pg_schema}\".rows VALUES (1, 'one')")
    return pg_schema


def test_a_row_lock_held_past_our_wait_on_postgresql_is_contention_not_an_outage(
    postgres_url: str, rows: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(care.db, "LOCK_TIMEOUT_MS", 300)  # the real wait is seconds; the rule is the same
    db = Database(f"{postgres_url}?options=-csearch_path%3D{rows}")
    try:
        with psycopg.connect(postgres_url) as holder:
            holder.execute(f'SELECT * FROM "{rows}".rows WHERE id = 1 FOR UPDATE')  # held until the end
            with pytest.raises(exc.OperationalError) as raised, db.transaction() as session:
                session.execute(sql_text("UPDATE rows SET body = 'two' WHERE id = 1"))
        assert getattr(raised.value.orig, "sqlstate", None) == "55P03"  # lock_not_available, not a timeout
        assert contended(raised.value)
        assert unreachable(raised.value)  # a text that met it is still kept, not refused
        assert db.available  # but nobody else skips a database that answers
        with db.transaction() as session:  # and once the lock is gone the same write goes through
            session.execute(sql_text("UPDATE rows SET body = 'two' WHERE id = 1"))
    finally:
        db.dispose()


def test_a_statement_past_the_timeout_on_postgresql_is_an_outage(postgres_url: str, rows: str) -> None:
    db = Database(f"{postgres_url}?options=-csearch_path%3D{rows}")
    try:
        with pytest.raises(exc.OperationalError) as raised, db.transaction() as session:
            session.execute(sql_text("SET LOCAL statement_timeout = 100"))
            session.execute(sql_text("SELECT pg_sleep(2)"))  # a database that stopped answering looks like this
        assert not contended(raised.value)
        assert not db.available
    finally:
        db.dispose()


def test_the_sqlite_write_lock_held_past_the_busy_timeout_is_contention_not_an_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(care.db, "SQLITE_BUSY_TIMEOUT_SECONDS", 1)
    path = tmp_path / "busy.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        with db.transaction() as session:
            session.execute(sql_text("CREATE TABLE rows (id integer PRIMARY KEY, body text)"))
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process writing
            with pytest.raises(exc.OperationalError) as raised, db.transaction() as session:
                session.execute(sql_text("INSERT INTO rows VALUES (1, 'one')"))
        finally:
            holder.close()
        assert "database is locked" in str(raised.value)
        assert contended(raised.value) and unreachable(raised.value)
        assert db.available
    finally:
        db.dispose()
