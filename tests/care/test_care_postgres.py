"""The same behaviour on PostgreSQL (DATABASE_URL): texting, the life cycle, outbox delivery, concurrent workers."""

from __future__ import annotations

import os
import threading

from flask import Flask
from sqlalchemy import select
from sqlalchemy import text as sql_text

from care.delivery import DeliveryPolicy, deliver_due, pending_count
from care.lifecycle import RequestAction
from care.models import Notification, RequestEvent, ServiceRequest
from care.outbox import Message, enqueue
from care.requests import apply_action, find_by_reference
from simulator.twilio_standin import TwilioStandIn
from sms.sender import TwilioSender
from tests.sms.people import ANN, SAM, add_people, text
from web.context import Hearthline


def test_texting_and_the_life_cycle_on_postgresql(pg_hearthline: tuple[Flask, Hearthline]) -> None:
    app, hl = pg_hearthline
    add_people(hl)
    client = app.test_client()
    created = text(client, hl, ANN, "Mum's heating is broken", sid="SM" + "p" * 32)
    again = text(client, hl, ANN, "Mum's heating is broken", sid="SM" + "p" * 32)
    assert again.reply == created.reply
    with hl.db.sessions() as s:
        [request] = list(s.scalars(select(ServiceRequest)))
    assert request.intent == "home_repair" and request.reference in created.reply
    with hl.db.transaction() as s:
        apply_action(s, find_by_reference(s, request.reference), RequestAction.RESOLVE, actor="staff:rae")
    text(client, hl, ANN, "1")
    text(client, hl, ANN, "5")
    with hl.db.sessions() as s:
        row = s.get(ServiceRequest, request.id)
        assert row is not None and (row.status, row.rating) == ("closed", 5)
        kinds = [e.kind for e in s.scalars(select(RequestEvent).order_by(RequestEvent.id))]
        assert kinds == ["created", "urgency", "status", "status", "rating"]
        to_sam = [n.body for n in s.scalars(select(Notification).where(Notification.to_phone == SAM))]
    assert len(to_sam) == 3 and all(request.reference in body for body in to_sam)


def test_concurrent_delivery_on_postgresql_sends_each_message_once(
    pg_hearthline: tuple[Flask, Hearthline], standin: TwilioStandIn
) -> None:
    _app, hl = pg_hearthline
    with hl.db.transaction() as s:
        for n in range(30):
            enqueue(s, Message(f"pg:{n}", f"+1555000{3000 + n}", f"Request {200000 + n} is done.", kind="status"))
    policy = DeliveryPolicy(batch_size=10)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            own = TwilioSender(hl.settings)
            while deliver_due(hl.db, own, own, policy).handled:
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert pending_count(hl.db) == 0
    assert sorted(m["Body"] for m in standin.messages) == sorted(f"Request {200000 + n} is done." for n in range(30))


def test_a_forked_worker_never_talks_on_the_parents_database_connections(
    pg_hearthline: tuple[Flask, Hearthline],
) -> None:
    # gunicorn --preload: the app (and its pool) is built in the master, then the workers fork. Two processes on
    # one connection garble each other's statements, so a child must open connections of its own.
    _, hl = pg_hearthline
    with hl.db.engine.connect() as conn:
        parent_backend = conn.execute(sql_text("SELECT pg_backend_pid()")).scalar_one()
    assert hl.db.engine.pool.checkedin() >= 1  # the parent's connection waits in the pool
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report which server process answers it, then leave without running any cleanup
        status = 1
        try:
            with hl.db.engine.connect() as conn:
                os.write(write, str(conn.execute(sql_text("SELECT pg_backend_pid()")).scalar_one()).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    child_backend = int(os.read(read, 64) or b"0")
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_backend not in (0, parent_backend)
    with hl.db.engine.connect() as conn:  # and the parent's own connections still work (the pool may hold several)
        assert conn.execute(sql_text("SELECT pg_backend_pid()")).scalar_one() not in (0, child_backend)
