"""Shared fixtures: a real app on a temporary SQLite file, a local Twilio stand-in over HTTP, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask

from app import create_app
from simulator.twilio_standin import TwilioStandIn
from web.context import EXTENSION_KEY, Hearthline

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://hotline.example.org"
POSTGRES_URL = os.environ.get("HEARTHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HEARTHLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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
def make_app(tmp_path: Path, standin: TwilioStandIn) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's own data folder; keyword arguments override settings."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app({**base_config(tmp_path, standin), **overrides})
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


def _postgres_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=2):
            return None
    except Exception as exc:  # any failure means: no usable server here
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL for tests of that path; skipped, saying why, where no server answers."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL for tests of that path; skipped, saying why, where no server answers."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
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
