"""Migrations: an empty database upgraded step by step matches the models; a first-release database is upgraded."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Engine, create_engine, select, text

import app as app_module  # registers every package's tables on Base
from care import schema
from care.audit import verify
from care.db import Base, Database
from care.models import RequestEvent
from tests.console.test_console_commands import ok

assert app_module.create_app  # the import is for its side effect: every table registered


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


def _first_release_database(engine: Engine) -> None:
    """A database as the first release left it: tables created without migrations, and a request with history."""
    schema.upgrade(engine, Base.metadata, schema.BASELINE)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO service_requests (id, reference, source_key, requester_phone, requester_kind, channel,"
                " intent, urgent, locale, transcript, details, understood_by, status, team, due_at, created_at,"
                " updated_at) VALUES (1, '501451', 'sms:SM1', '+15550000001', 'family', 'sms', 'meals', false,"
                " 'en', 'lunch please', '', 'sms', 'new', 'meals', '2026-12-01 12:00:00', '2026-12-01 10:00:00',"
                " '2026-12-01 10:00:00')"
            )
        )
        for n, kind in enumerate(["created", "note", "note"], start=1):
            conn.execute(
                text(
                    "INSERT INTO request_events (id, request_id, at, actor, kind, note)"
                    " VALUES (:id, 1, :at, 'system', :kind, :note)"
                ),
                {"id": n, "at": f"2026-12-01 10:0{n}:00.123456", "kind": kind, "note": f"entry {n}"},
            )


def _sqlite(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'hl.db'}")


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    name = f"hl_schema_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = "postgresql+psycopg://" + postgres_url.removeprefix("postgresql://")
    engine = create_engine(f"{url}?options=-csearch_path%3D{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_from_empty_match_the_models(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    engine = _sqlite(tmp_path) if backend == "sqlite" else request.getfixturevalue("pg_engine")
    after = schema.upgrade(engine, Base.metadata)
    assert after.up_to_date and after.current == after.head
    assert _differences(engine) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_first_release_database_is_upgraded_and_its_history_chained(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    engine = _sqlite(tmp_path) if backend == "sqlite" else request.getfixturevalue("pg_engine")
    _first_release_database(engine)
    before = schema.state(engine, Base.metadata)
    assert before.current is None and before.has_tables
    schema.upgrade(engine, Base.metadata)
    assert _differences(engine) == []
    db = Database(str(engine.url.render_as_string(hide_password=False)).replace("+psycopg", ""))
    with db.sessions() as s:
        report = verify(s)
        assert report.intact and report.events == 3, report.problems
        assert [e.note for e in s.scalars(select(RequestEvent).order_by(RequestEvent.id))] == [
            "entry 1",
            "entry 2",
            "entry 3",
        ]
    db.dispose()


def test_production_start_leaves_an_old_database_alone_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = _sqlite(tmp_path)
    _first_release_database(engine)
    with caplog.at_level("CRITICAL"):
        after = schema.ensure(engine, Base.metadata, migrate=False)
    assert after.current is None and not after.up_to_date
    assert "run `flask db upgrade`" in caplog.text


def test_development_start_migrates_and_db_current_says_so(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    _first_release_database(engine)
    dev = make_app(database_url=f"sqlite:///{tmp_path / 'hl.db'}")
    head = schema.state(engine, Base.metadata).head
    assert f"schema at {head} (code's head {head})" in ok(dev, "db", "current")
    assert f"schema at {head}" in ok(dev, "db", "upgrade")


def test_processes_starting_together_on_an_empty_postgresql_database_all_start(
    pg_engine: Engine, postgres_url: str
) -> None:
    """Four start-ups at the same moment on one empty schema (gunicorn workers without --preload, or the two test
    passes sharing a database): each gets the schema at head; none fails on a table the other just created."""
    starting = threading.Barrier(4)
    failures: list[BaseException] = []
    states: list[schema.SchemaState] = []

    def start() -> None:
        engine = create_engine(pg_engine.url)
        try:
            starting.wait()
            states.append(schema.ensure(engine, Base.metadata, migrate=True))
        except BaseException as failure:  # what the race raised is the finding
            failures.append(failure)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [s.up_to_date for s in states] == [True] * 4
    assert _differences(pg_engine) == []
