"""The tamper-evident history: `flask audit verify` finds rows edited, removed or inserted behind the app's back."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from flask import Flask
from sqlalchemy import Engine, select, text

from care.chain import GENESIS
from care.lifecycle import RequestAction
from care.models import RequestEvent, ServiceRequest
from care.requests import add_note, apply_action
from tests.console.test_console_commands import fails, ok, run
from tests.sms.people import ANN, add_people
from tests.sms.people import text as send_text
from web.context import EXTENSION_KEY, Hearthline


def _worked_request(app: Flask, hl: Hearthline) -> int:
    """A texted request (raised: no heating) moved through three more steps: five chained history entries."""
    add_people(hl)
    send_text(app.test_client(), hl, ANN, "Mum's heating is broken")
    with hl.db.transaction() as s:
        request = s.scalars(select(ServiceRequest)).one()
        apply_action(s, request, RequestAction.ASSIGN, actor="staff:admin", assignee="rae")
        add_note(s, request, actor="staff:rae", note="Boiler part ordered")
        apply_action(s, request, RequestAction.START, actor="staff:rae")
        return request.id


def _behind_the_apps_back(engine: Engine, sql: str, **params: object) -> None:
    # Straight SQL on the database, as someone with database access but not the app would do it.
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _events(hl: Hearthline, request_id: int) -> list[RequestEvent]:
    with hl.db.sessions() as s:
        return list(s.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id).order_by("id")))


def test_every_entry_is_chained_to_the_one_before(app: Flask, hearthline: Hearthline) -> None:
    request_id = _worked_request(app, hearthline)
    events = _events(hearthline, request_id)
    assert [e.kind for e in events] == ["created", "urgency", "status", "note", "status"]
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash and len(after.hash or "") == 64
    with hearthline.db.sessions() as s:
        assert s.get(ServiceRequest, request_id).history_head == events[-1].hash  # type: ignore[union-attr]
    out = ok(app, "audit", "verify")
    assert "history intact" in out and "checked 1 requests, 5 history entries" in out


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE request_events SET note = 'Nothing was ordered' WHERE kind = 'note'", "was changed after it"),
        ("UPDATE request_events SET actor = 'staff:mallory' WHERE kind = 'created'", "was changed after it"),
        ("DELETE FROM request_events WHERE kind = 'note'", "does not follow the entry before it"),
        (
            "DELETE FROM request_events WHERE id = (SELECT MAX(id) FROM request_events)",
            "last entries of its history are missing",
        ),
    ],
)
def test_an_edit_or_deletion_in_the_database_is_detected(
    app: Flask, hearthline: Hearthline, tamper: str, expected: str
) -> None:
    _worked_request(app, hearthline)
    assert run(app, "audit", "verify").exit_code == 0
    _behind_the_apps_back(hearthline.db.engine, tamper)
    out = fails(app, "audit", "verify")
    assert "TAMPERED request" in out and expected in out, out


def test_an_inserted_entry_is_detected(app: Flask, hearthline: Hearthline) -> None:
    request_id = _worked_request(app, hearthline)
    last = _events(hearthline, request_id)[-1]
    # A forger who copies the last hash into prev_hash still cannot make the request's head point at the row.
    _behind_the_apps_back(
        hearthline.db.engine,
        "INSERT INTO request_events (request_id, at, actor, kind, note, prev_hash, hash) "
        "VALUES (:rid, :at, 'staff:mallory', 'note', 'closed by phone', :prev, :hash)",
        rid=request_id,
        at=last.at,
        prev=last.hash,
        hash="f" * 64,
    )
    out = fails(app, "audit", "verify")
    assert "was changed after it was written" in out and "last entries of its history" in out


def test_a_deleted_request_changes_the_anchor(app: Flask, hearthline: Hearthline) -> None:
    _worked_request(app, hearthline)
    first = ok(app, "audit", "verify")
    anchor = first.split("anchor ")[1].split()[0]
    assert "history intact" in ok(app, "audit", "verify", "--anchor", anchor)
    _behind_the_apps_back(hearthline.db.engine, "DELETE FROM notifications")
    _behind_the_apps_back(hearthline.db.engine, "DELETE FROM request_events")
    _behind_the_apps_back(hearthline.db.engine, "DELETE FROM service_requests")
    # Nothing is left to contradict itself, but the anchor kept outside the database no longer matches.
    assert "the anchor differs" in fails(app, "audit", "verify", "--anchor", anchor)


@pytest.fixture
def pg_app(postgres_url: str, make_app: Callable[..., Flask]) -> Iterator[Flask]:
    schema = f"hl_audit_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        app = make_app(database_url=f"{postgres_url}?options=-csearch_path%3D{schema}")
        yield app
        app.extensions[EXTENSION_KEY].db.dispose()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_the_chain_holds_and_catches_an_edit_on_postgresql(pg_app: Flask) -> None:
    hl: Hearthline = pg_app.extensions[EXTENSION_KEY]
    _worked_request(pg_app, hl)
    assert "history intact" in ok(pg_app, "audit", "verify")
    _behind_the_apps_back(hl.db.engine, "UPDATE request_events SET note = 'edited' WHERE kind = 'note'")
    assert "was changed after it was written" in fails(pg_app, "audit", "verify")


def test_concurrent_writers_do_not_fork_the_chain_on_postgresql(pg_app: Flask) -> None:
    import threading

    hl: Hearthline = pg_app.extensions[EXTENSION_KEY]
    request_id = _worked_request(pg_app, hl)
    start = threading.Barrier(8)

    def note(n: int) -> None:
        start.wait()
        with hl.db.transaction() as s:
            request = s.get(ServiceRequest, request_id)
            assert request is not None
            add_note(s, request, actor=f"staff:s{n}", note=f"visit {n}")

    threads = [threading.Thread(target=note, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = _events(hl, request_id)
    assert len(events) == 5 + 8
    assert len({e.prev_hash for e in events}) == len(events)  # no two entries chained to the same one
    assert "history intact" in ok(pg_app, "audit", "verify")
