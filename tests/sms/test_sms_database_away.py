"""No text is lost while the database is unreachable: kept in the spool, answered "we got it", stored once, in
order, when it returns (PostgreSQL reached through a proxy the test cuts)."""

from __future__ import annotations

import time

from sqlalchemy import select

from care.db import UNAVAILABLE_SECONDS
from care.models import InboundMessage, Notification, ServiceRequest
from i18n.messages import translate
from sms.handling import kept_for_later
from tests.conftest import ProxiedApp
from tests.sms.people import ANN, JIN, add_people
from tests.twiml import parse_twiml, signed_post

# Twilio waits at most 15 s for a webhook answer (Twilio docs, "Webhooks: connection overrides").
TWILIO_WAIT_SECONDS = 15
TEXTS = [
    (ANN, "Mum's heating is broken"),
    (JIN, "엄마 병원 예약 부탁해요"),
    (ANN, "STATUS"),
    (JIN, "식사 배달 신청하고 싶어요"),
    (ANN, "She also needs a ride to the clinic"),
]


def _text(proxied: ProxiedApp, n: int, phone: str, body: str) -> tuple[str, str, float]:
    sid = f"SM{n:032d}"
    started = time.monotonic()
    response = signed_post(
        proxied.app.test_client(), proxied.hl, "/sms/incoming", {"MessageSid": sid, "From": phone, "Body": body}
    )
    took = time.monotonic() - started
    assert response.status_code == 200
    [verb] = parse_twiml(response)
    assert verb.tag == "Message"
    return sid, verb.text, took


def test_texts_while_the_database_is_unreachable_are_stored_once_in_order_when_it_returns(
    proxied_postgres: ProxiedApp,
) -> None:
    hl = proxied_postgres.hl
    add_people(hl)
    proxied_postgres.proxy.cut()
    sent = []
    for n, (phone, body) in enumerate(TEXTS):
        sid, reply, took = _text(proxied_postgres, n, phone, body)
        assert took < TWILIO_WAIT_SECONDS
        # The sender hears we have it (in the language the text is written in), not "text again".
        assert reply == kept_for_later(hl.settings, body)
        sent.append(sid)
    assert translate("sms", "sms.kept", "ko", emergency=hl.settings.emergency_number) in [
        kept_for_later(hl.settings, body) for _, body in TEXTS
    ]
    assert hl.spool.count() == len(TEXTS)

    proxied_postgres.proxy.restore()
    time.sleep(UNAVAILABLE_SECONDS + 0.1)  # the app's memory of the outage has passed
    # The next text replays the kept ones first, then is handled itself: the senders' order holds.
    later, reply, _ = _text(proxied_postgres, 99, ANN, "STATUS")
    assert reply != kept_for_later(hl.settings, "STATUS")
    sent.append(later)
    assert not hl.spool.pending()
    hl.queue.run_pending_jobs()  # the replay job queued at the outage finds nothing left: nothing twice

    with hl.db.sessions() as session:
        stored = list(session.scalars(select(InboundMessage).order_by(InboundMessage.received_at)))
        requests = list(session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))
        replies = list(session.scalars(select(Notification).where(Notification.kind == "reply")))
    assert [m.message_sid for m in stored] == sent  # every text, once, in the order sent
    made = [r.source_key.removeprefix("sms:") for r in requests]
    assert made and made == [sid for sid in sent if sid in made]  # requests made once each, in the texts' order
    # Each kept text's real answer goes to its sender by text (the webhook answer was "we got it").
    kept = {m.message_sid: m for m in stored if m.message_sid != later}
    assert sorted(n.event_key for n in replies) == sorted(f"sms:{sid}:reply:{kept[sid].from_phone}" for sid in kept)
    assert all(n.body == kept[n.event_key.split(":")[1]].reply for n in replies)
