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


@pytest.fixture
def backends(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """This test's storage settings: none (SQLite files in its data folder, the queue beside them), or with
    --production-path a fresh PostgreSQL schema and a Redis queue of its own, shared by every app and worker
    the test starts (as its SQLite file is) and dropped afterwards."""
    if not request.config.getoption(PRODUCTION_PATH_OPTION):
        yield {}
        return
    from huey import RedisHuey

    name = f"hl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield {
            "database_url": f"{POSTGRES_URL}?options=-csearch_path%3D{name}",
            "redis_url": REDIS_URL,
            "queue_name": name,
        }
    finally:
        RedisHuey(name, url=REDIS_URL).flush()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def make_app(tmp_path: Path, standin: TwilioStandIn, backends: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's own data folder (and `backends`); keyword arguments override settings.

    A setting the test names (its own database, queue) wins over `backends`, on either path.
    """
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app({**base_config(tmp_path, standin), **backends, **overrides})
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
def pg_hearthline(postgres_url: str, make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, Hearthline]]:
    """An app whose database is a fresh schema of its own on the PostgreSQL server, dropped afterwards."""
    schema = f"hl_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        app = make_app(database_url=f"{postgres_url}?options=-csearch_path%3D{schema}")
        hl: Hearthline = app.extensions[EXTENSION_KEY]
        assert hl.db.engine.dialect.name == "postgresql"
        yield app, hl
        hl.db.dispose()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


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
