"""The tests' ready-made databases (tests.fresh_storage) are what a new one would be: a reused PostgreSQL schema is
emptied with its ids starting again, one a test changed is dropped, and the SQLite template is the app's own."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select

from care.models import Senior
from tests.fresh_storage import SchemaPool, schema_url
from web.context import EXTENSION_KEY, Hearthline


@pytest.fixture
def pool(postgres_url: str) -> Iterator[SchemaPool]:
    made = SchemaPool(postgres_url)
    yield made
    made.close()


def _add_senior(hl: Hearthline, phone: str) -> int:
    with hl.db.transaction() as session:
        senior = Senior(phone=phone, name="Test Senior")
        session.add(senior)
        session.flush()
        return senior.id


def _app_in(make_app: Callable[..., Flask], postgres_url: str, name: str) -> Hearthline:
    hl: Hearthline = make_app(database_url=schema_url(postgres_url, name)).extensions[EXTENSION_KEY]
    return hl


def _exists(postgres_url: str, name: str) -> bool:
    with psycopg.connect(postgres_url) as conn:
        return conn.execute("select 1 from pg_namespace where nspname = %s", (name,)).fetchone() is not None


def test_a_schema_given_back_is_emptied_and_its_ids_start_again(
    pool: SchemaPool, postgres_url: str, make_app: Callable[..., Flask]
) -> None:
    name = pool.take()
    hl = _app_in(make_app, postgres_url, name)
    first = _add_senior(hl, "+15550100001")
    _add_senior(hl, "+15550100002")
    hl.db.dispose()
    pool.give_back(name)

    assert pool.take() == name
    again = _app_in(make_app, postgres_url, name)
    with again.db.sessions() as session:
        assert session.scalars(select(Senior)).all() == []
    assert _add_senior(again, "+15550100001") == first


def test_a_schema_a_test_changed_is_dropped_not_reused(
    pool: SchemaPool, postgres_url: str, make_app: Callable[..., Flask]
) -> None:
    name = pool.take()
    hl = _app_in(make_app, postgres_url, name)
    with hl.db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE seniors ADD COLUMN shoe_size integer")
    hl.db.dispose()
    pool.give_back(name)

    assert pool.take() != name
    assert not _exists(postgres_url, name)


def test_closing_the_pool_drops_every_schema_it_made_even_one_still_taken(postgres_url: str) -> None:
    # CI left two schemas of this file's tests behind each pass: the ones they took last and never gave back.
    made = SchemaPool(postgres_url)
    kept = made.take()
    given = made.take()
    made.give_back(given)
    made.close()
    assert not _exists(postgres_url, kept)
    assert not _exists(postgres_url, given)


def _schema_of(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("select type, name, tbl_name, sql from sqlite_master order by type, name").fetchall()
        revision = conn.execute("select version_num from alembic_version").fetchall()
    conn.close()
    return [*rows, *revision]


def test_the_sqlite_template_is_what_an_app_makes_of_an_empty_folder(
    sqlite_template: Path, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"  # another data folder than the test's own: nothing is copied there
    # Its own SQLite file on either pass (the production path's schema is not what this compares).
    make_app(data_dir=fresh, database_url="").extensions[EXTENSION_KEY].db.dispose()
    assert _schema_of(sqlite_template) == _schema_of(fresh / sqlite_template.name)
