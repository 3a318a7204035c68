"""A database that hangs or is down: every webhook still answers inside Twilio's 15 s, callers hear an apology and
a person, the app starts without it and recovers when it returns."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing

import psycopg
import pytest
from flask import Flask

from care.db import UNAVAILABLE_SECONDS
from simulator.tcp_proxy import Line, TcpProxy, target_of
from tests.twiml import Verb, flatten, parse_twiml, signed_post
from web.context import EXTENSION_KEY, Hearthline

# Twilio waits at most 15 s for a webhook answer (Twilio docs, "Webhooks: connection overrides", default timeout).
TWILIO_WAIT_SECONDS = 15
CALL = {"CallSid": "CA" + "d" * 32, "From": "+15551234567", "To": "+15550100000", "AccountSid": "AC" + "1" * 32}


@pytest.fixture
def hung_postgres() -> Iterator[TcpProxy]:
    server = TcpProxy(line=Line.HANG)
    yield server
    server.close()


def _timed(action: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def _dials_a_person(verbs: list[Verb], hl: Hearthline) -> bool:
    return any(
        v.tag == "Dial" and hl.settings.staff_line_number in (v.text, *(c.text for c in v.children))
        for v in flatten(verbs)
    )


def test_a_hung_postgresql_still_lets_the_app_start_and_every_caller_reach_a_person(
    make_app: Callable[..., Flask], hung_postgres: TcpProxy
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{hung_postgres.port}/hearthline"
    app, booted = _timed(lambda: make_app(database_url=url))
    assert isinstance(app, Flask) and booted < TWILIO_WAIT_SECONDS
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    client = app.test_client()
    for path in ("/voice/incoming", "/voice/fallback", "/voice/answer?t=1&via=keys"):
        response, took = _timed(lambda p=path: signed_post(client, hl, p, {**CALL, "Digits": "1"}))
        assert took < TWILIO_WAIT_SECONDS, (path, took)
        assert _dials_a_person(parse_twiml(response), hl), path  # type: ignore[arg-type]
    sms = {"MessageSid": "SM" + "d" * 32, "From": "+15551234567", "To": "+15550100000", "Body": "help"}
    response, took = _timed(lambda: signed_post(client, hl, "/sms/incoming", sms))
    assert took < TWILIO_WAIT_SECONDS and response.status_code == 200  # type: ignore[attr-defined]


def test_the_fallback_answers_without_touching_the_database(
    make_app: Callable[..., Flask], hung_postgres: TcpProxy
) -> None:
    app = make_app(database_url=f"postgresql://postgres@127.0.0.1:{hung_postgres.port}/hearthline")
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    time.sleep(UNAVAILABLE_SECONDS + 0.1)  # the boot's failure is forgotten: nothing keeps it from trying again
    before = hung_postgres.accepted
    verbs = parse_twiml(signed_post(app.test_client(), hl, "/voice/fallback", CALL))
    assert _dials_a_person(verbs, hl)
    assert hung_postgres.accepted == before  # not one connection attempt


def test_a_locked_sqlite_database_gives_an_apology_well_inside_twilios_wait(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    if not hl.settings.effective_database_url.startswith("sqlite:///"):
        pytest.skip("a SQLite lock: the production-path pass runs on PostgreSQL, tested above with a hung server")
    path = hl.settings.effective_database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock and never lets go
        response, took = _timed(lambda: signed_post(app.test_client(), hl, "/voice/incoming", CALL))
        other.execute("ROLLBACK")
    assert took < TWILIO_WAIT_SECONDS - 5, took
    assert _dials_a_person(parse_twiml(response), hl)  # type: ignore[arg-type]


def test_the_app_starts_while_postgresql_is_down_and_recovers_when_it_returns(
    make_app: Callable[..., Flask], postgres_url: str
) -> None:
    schema = f"hl_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    proxy = TcpProxy(target_of(postgres_url, 5432), line=Line.DOWN)  # the server is down
    url = proxy.url(postgres_url) + f"?options=-csearch_path%3D{schema}"
    try:
        app = make_app(database_url=url)
        hl: Hearthline = app.extensions[EXTENSION_KEY]
        client = app.test_client()
        assert _dials_a_person(parse_twiml(signed_post(client, hl, "/voice/incoming", CALL)), hl)
        proxy.restore()
        deadline = time.monotonic() + 10
        verbs: list[Verb] = []
        while time.monotonic() < deadline:
            verbs = parse_twiml(signed_post(client, hl, "/voice/incoming", {**CALL, "CallSid": "CA" + "e" * 32}))
            if not _dials_a_person(verbs, hl):
                break
            time.sleep(0.5)
        assert any(v.tag in {"Gather", "Record"} for v in flatten(verbs)), verbs  # an ordinary first turn
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
            ).fetchone()
        assert tables is not None and tables[0] >= 10  # the schema was created once the database came back
    finally:
        proxy.close()
        hl_app = locals().get("hl")
        if hl_app is not None:
            hl_app.db.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
