"""Shared fixtures: a real app on a temporary SQLite file (or, with --production-path, on PostgreSQL and Redis),
a local Twilio stand-in over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask

from app import create_app
from simulator.tcp_proxy import TcpProxy, target_of
from simulator.twilio_standin import TwilioStandIn
from tests.backends import POSTGRES_URL, REDIS_URL, postgres_reason, redis_reason
from tests.fresh_storage import SchemaPool, build_sqlite_template, copy_sqlite_template, schema_url
from web.context import EXTENSION_KEY, Hearthline

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://hotline.example.org"
PRODUCTION_PATH_OPTION = "--production-path"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        PRODUCTION_PATH_OPTION,
        action="store_true",
        help="build every app on a fresh PostgreSQL schema with its job queue on Redis (the production path), "
        "at HEARTHLINE_TEST_POSTGRES_URL and HEARTHLINE_TEST_REDIS_URL",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption(PRODUCTION_PATH_OPTION):
        reasons = [reason for reason in (postgres_reason(), redis_reason()) if reason]
        if reasons:
            raise pytest.UsageError(f"{PRODUCTION_PATH_OPTION} needs both servers: " + "; ".join(reasons))


def pytest_report_header(config: pytest.Config) -> str:
    if config.getoption(PRODUCTION_PATH_OPTION):
        return f"production path: apps on PostgreSQL ({POSTGRES_URL}) and Redis ({REDIS_URL})"
    return "apps on SQLite (pass --production-path for PostgreSQL and Redis)"


@pytest.fixture
def standin() -> Iterator[TwilioStandIn]:
    fake = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
    fake.start()
    yield fake
    fake.stop()


def base_config(data_dir: Path, standin: TwilioStandIn) -> dict[str, Any]:
    return {
        "data_dir": data_dir,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_api_base": standin.base_url,
        "public_base_url": PUBLIC_BASE_URL,
        "secret_key": "test-secret-key-" + "x" * 32,
        "vosk_model_dir": data_dir / "models",
    }


@pytest.fixture(scope="session")
def schema_pool(request: pytest.FixtureRequest) -> Iterator[SchemaPool | None]:
    """With --production-path, the PostgreSQL schemas the tests' apps live in (tests.fresh_storage), else None."""
    if not request.config.getoption(PRODUCTION_PATH_OPTION):
        yield None
        return
    pool = SchemaPool(POSTGRES_URL)
    yield pool
    pool.close()


@pytest.fixture
def backends(schema_pool: SchemaPool | None) -> Iterator[dict[str, Any]]:
    """This test's storage settings: none (SQLite files in its data folder, the queue beside them), or with
    --production-path a PostgreSQL schema as fresh as a new one and a Redis queue of its own, shared by every app
    and worker the test starts (as its SQLite file is) and emptied afterwards."""
    if schema_pool is None:
        yield {}
        return
    from huey import RedisHuey

    name = schema_pool.take()
    queue = f"hl_test_{uuid.uuid4().hex[:12]}"
    try:
        yield {"database_url": schema_url(POSTGRES_URL, name), "redis_url": REDIS_URL, "queue_name": queue}
    finally:
        RedisHuey(queue, url=REDIS_URL).flush()
        schema_pool.give_back(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database an app's first start writes into an empty data folder, made once (tests.fresh_storage)."""
    return build_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture
def make_app(
    tmp_path: Path, standin: TwilioStandIn, backends: dict[str, Any], sqlite_template: Path
) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's own data folder (and `backends`); keyword arguments override settings.

    A setting the test names (its own database, queue) wins over `backends`, on either path. An app on the
    default SQLite file of this folder finds it already made (copied from `sqlite_template`), unless the test
    put one there first.
    """
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        config = {**base_config(tmp_path, standin), **backends, **overrides}
        if not config.get("database_url") and config["data_dir"] == tmp_path:
            copy_sqlite_template(sqlite_template, tmp_path)
        app = create_app(config)
        app.config["TESTING"] = True
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions[EXTENSION_KEY].db.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def hearthline(app: Flask) -> Hearthline:
    return app.extensions[EXTENSION_KEY]  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL for tests of that path; skipped, saying why, where no server answers."""
    reason = postgres_reason()
    if reason:
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL for tests of that path; skipped, saying why, where no server answers."""
    reason = redis_reason()
    if reason:
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A fresh empty schema of this test's own on the PostgreSQL server, dropped afterwards."""
    schema = f"hl_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_hearthline(
    postgres_url: str, pg_schema: str, make_app: Callable[..., Flask]
) -> Iterator[tuple[Flask, Hearthline]]:
    """An app whose database is a fresh schema of its own on the PostgreSQL server, dropped afterwards."""
    app = make_app(database_url=f"{postgres_url}?options=-csearch_path%3D{pg_schema}")
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    assert hl.db.engine.dialect.name == "postgresql"
    yield app, hl
    hl.db.dispose()


@dataclass(frozen=True)
class ProxiedApp:
    """An app whose PostgreSQL is reached through a TCP proxy the test can cut or hang (simulator.tcp_proxy)."""

    app: Flask
    hl: Hearthline
    proxy: TcpProxy
    database_url: str


@pytest.fixture
def proxied_postgres(postgres_url: str, make_app: Callable[..., Flask]) -> Iterator[ProxiedApp]:
    """An app on a fresh PostgreSQL schema of its own, reached only through a proxy; dropped afterwards."""
    schema = f"hl_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    proxy = TcpProxy(target_of(postgres_url, 5432))
    url = proxy.url(postgres_url) + f"?options=-csearch_path%3D{schema}"
    try:
        app = make_app(database_url=url)
        hl: Hearthline = app.extensions[EXTENSION_KEY]
        yield ProxiedApp(app, hl, proxy, url)
        hl.db.dispose()
    finally:
        proxy.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
