"""The same behaviour on PostgreSQL (DATABASE_URL): texting, the life cycle, outbox delivery, concurrent workers."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

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
