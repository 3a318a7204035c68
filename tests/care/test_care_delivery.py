"""Outbox delivery through the real twilio client against the local Twilio stand-in over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app import create_schema
from care import directory
from care.db import Database
from care.delivery import DeliveryPolicy, deliver_due, pending_count
from care.models import Notification, NotificationStatus, SmsOptOut, utcnow
from care.outbox import Message, enqueue
from care.settings import Settings, load_settings
from simulator.twilio_standin import TwilioStandIn
from sms.sender import TwilioSender
from tests.conftest import base_config

FAST = DeliveryPolicy(retry_base_seconds=1, retry_cap_seconds=8, max_attempts=4, lease_seconds=30)


@pytest.fixture
def settings(tmp_path: Path, standin: TwilioStandIn, backends: dict[str, Any]) -> Settings:
    return load_settings({**base_config(tmp_path, standin), **backends}, environ={})


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.effective_database_url)
    create_schema(database, settings)
    yield database
    database.dispose()


@pytest.fixture
def sender(settings: Settings) -> TwilioSender:
    return TwilioSender(settings)


def _queue(db: Database, *messages: tuple[str, str]) -> list[int]:
    ids = []
    with db.transaction() as s:
        for n, (phone, body) in enumerate(messages):
            row = enqueue(s, Message(f"test:event:{n}", phone, body, kind="status"))
            assert row is not None
            s.flush()
            ids.append(row.id)
    return ids


def _rows(db: Database) -> list[Notification]:
    with db.sessions() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def test_pending_messages_are_sent_once_and_marked_sent(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    _queue(db, ("+15550002001", "Request 111111 is done."), ("+15550002002", "请求 222222 已完成。"))
    report = deliver_due(db, sender, sender, FAST)
    assert report.sent == 2
    assert standin.messages_to("+15550002001") == ["Request 111111 is done."]
    assert standin.messages_to("+15550002002") == ["请求 222222 已完成。"]
    rows = _rows(db)
    assert [r.status for r in rows] == ["sent", "sent"]
    assert all(r.provider_sid and r.provider_sid.startswith("SM") for r in rows)
    assert all(r.sent_at is not None and r.claimed_until is None for r in rows)
    # A second pass finds nothing to do: nothing is sent twice.
    assert deliver_due(db, sender, sender, FAST).handled == 0
    assert len(standin.messages) == 2


def test_the_same_event_is_queued_once(db: Database) -> None:
    with db.transaction() as s:
        assert enqueue(s, Message("request:1:event:7", "+15550002001", "x", kind="status")) is not None
        assert enqueue(s, Message("request:1:event:7", "+15550002001", "x", kind="status")) is None
        assert enqueue(s, Message("request:1:event:7", "+15550002002", "x", kind="status")) is not None
    assert len(_rows(db)) == 2


def test_twilio_down_messages_wait_with_backoff_and_go_when_it_is_back(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    [row_id] = _queue(db, ("+15550002001", "Request 333333: work has started."))
    standin.down = True
    start = utcnow()
    first = deliver_due(db, sender, sender, FAST, now=lambda: start)
    assert (first.retrying, first.sent) == (1, 0)
    [row] = _rows(db)
    assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=1)
    assert first.next_due == row.next_attempt_at

    # Not due yet: left alone. Due, still down: the wait doubles.
    assert deliver_due(db, sender, sender, FAST, now=lambda: start).handled == 0
    later = start + timedelta(seconds=1)
    deliver_due(db, sender, sender, FAST, now=lambda: later)
    [row] = _rows(db)
    assert row.attempts == 2 and row.next_attempt_at == later + timedelta(seconds=2)

    standin.down = False
    back = later + timedelta(seconds=2)
    assert deliver_due(db, sender, sender, FAST, now=lambda: back).sent == 1
    assert standin.messages_to("+15550002001") == ["Request 333333: work has started."]
    assert _rows(db)[0].status == "sent" and _rows(db)[0].id == row_id


def test_backoff_is_capped_and_a_message_fails_after_the_last_attempt(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    assert [FAST.backoff(n).total_seconds() for n in range(1, 6)] == [1, 2, 4, 8, 8]
    _queue(db, ("+15550002001", "Request 444444 is closed."))
    standin.fail_next = 100
    now = utcnow()
    for _ in range(FAST.max_attempts):
        now += timedelta(seconds=60)
        deliver_due(db, sender, sender, FAST, now=lambda at=now: at)  # type: ignore[misc]
    [row] = _rows(db)
    assert row.status == "failed" and row.attempts == FAST.max_attempts and "500" in row.last_error
    assert standin.messages == []


def test_a_refused_message_is_not_retried(db: Database, sender: TwilioSender, standin: TwilioStandIn) -> None:
    # The stand-in refuses an empty body with 400, as Twilio does (21604): retrying cannot help.
    _queue(db, ("+15550002001", " "))
    with db.transaction() as s:
        s.execute(update(Notification).values(body=""))
    report = deliver_due(db, sender, sender, FAST)
    assert report.failed == 1 and _rows(db)[0].status == "failed" and "400" in _rows(db)[0].last_error


def test_a_number_that_texted_stop_after_queueing_is_not_sent_to(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    _queue(db, ("+15550002001", "Request 555555: work has started."))
    with db.transaction() as s:
        s.add(SmsOptOut(phone="+15550002001", opted_out=True))
    assert deliver_due(db, sender, sender, FAST).suppressed == 1
    assert standin.messages == [] and _rows(db)[0].status == "suppressed"


def _expire_claim_of(db: Database, row_id: int) -> None:
    """Leave the row as a worker that died mid-send leaves it: SENDING, claim run out."""
    with db.transaction() as s:
        s.execute(
            update(Notification)
            .where(Notification.id == row_id)
            .values(status=NotificationStatus.SENDING, attempts=1, claimed_until=utcnow() - timedelta(seconds=1))
        )


def test_a_stale_claim_whose_message_already_reached_twilio_is_not_sent_again(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    [row_id] = _queue(db, ("+15550002001", "Request 666666 is done. Reply 1 if it is fixed, 2 if not."))
    # The dead worker's send did reach Twilio (its 201 was lost with the worker).
    sender.send("+15550002001", "Request 666666 is done. Reply 1 if it is fixed, 2 if not.")
    _expire_claim_of(db, row_id)
    report = deliver_due(db, sender, sender, FAST)
    assert (report.already_sent, report.sent) == (1, 0)
    assert len(standin.messages_to("+15550002001")) == 1
    assert _rows(db)[0].status == "sent"
    assert ("GET", f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json", 200) in standin.log


def test_a_stale_claim_whose_message_never_reached_twilio_is_sent_once(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    [row_id] = _queue(db, ("+15550002001", "Request 777777 is done."))
    _expire_claim_of(db, row_id)
    assert deliver_due(db, sender, sender, FAST).sent == 1
    assert standin.messages_to("+15550002001") == ["Request 777777 is done."]


def test_same_body_twice_to_one_phone_is_told_apart_by_our_own_books(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    # Two events with the same words ("open again" twice). Twilio's list cannot tell them apart, so the
    # check compares how many Twilio holds with how many of our other rows say SENT.
    body = "Request 888888 is open again. We are on it."
    first, second = _queue(db, ("+15550002001", body), ("+15550002001", body))
    one_at_a_time = DeliveryPolicy(batch_size=1, lease_seconds=30)
    assert deliver_due(db, sender, sender, one_at_a_time).sent == 1  # the first goes
    # The second's worker died before Twilio got it: Twilio holds 1, our books 1 (the first): send it.
    _expire_claim_of(db, second)
    assert deliver_due(db, sender, sender, one_at_a_time).sent == 1
    assert standin.messages_to("+15550002001") == [body, body]
    # Had it died after Twilio got it, Twilio would hold 2 against our 1: marked sent, not sent a third time.
    _expire_claim_of(db, second)
    report = deliver_due(db, sender, sender, one_at_a_time)
    assert (report.already_sent, report.sent) == (1, 0)
    assert standin.messages_to("+15550002001") == [body, body]
    assert [r.status for r in _rows(db)] == ["sent", "sent"] and _rows(db)[0].id == first


def test_while_twilio_cannot_be_asked_a_stale_claim_waits(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    [row_id] = _queue(db, ("+15550002001", "Request 999999 is done."))
    _expire_claim_of(db, row_id)
    standin.down = True
    report = deliver_due(db, sender, sender, FAST)
    assert report.retrying == 1 and standin.messages == []
    [row] = _rows(db)
    assert row.status == "sending" and row.claimed_until is not None and row.claimed_until > utcnow()
    standin.down = False
    later = utcnow() + timedelta(seconds=5)
    assert deliver_due(db, sender, sender, FAST, now=lambda: later).sent == 1
    assert standin.messages_to("+15550002001") == ["Request 999999 is done."]


def test_concurrent_workers_split_the_work_and_send_each_message_once(
    db: Database, settings: Settings, standin: TwilioStandIn
) -> None:
    _queue(db, *[(f"+1555000{2100 + n}", f"Request {100000 + n} is done.") for n in range(20)])
    errors: list[BaseException] = []

    def work() -> None:
        try:
            own = TwilioSender(settings)  # one REST client per worker thread, as each worker process has
            deliver_due(db, own, own, FAST)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert pending_count(db) == 0
    bodies = sorted(m["Body"] for m in standin.messages)
    assert bodies == sorted(f"Request {100000 + n} is done." for n in range(20))


def test_a_worker_whose_claim_was_taken_over_mid_batch_does_not_send(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    from care.delivery import _still_ours, claim_due

    _queue(db, ("+15550002001", "Request 121212 is done."))
    start = utcnow()
    [slow_claim] = claim_due(db, FAST, start)  # worker A claims, then stalls (Twilio slow on earlier rows)
    after_lease = start + timedelta(seconds=FAST.lease_seconds + 1)
    # Worker B finds the claim run out, asks Twilio (nothing there), and sends.
    assert deliver_due(db, sender, sender, FAST, now=lambda: after_lease).sent == 1
    # A wakes up: its claim is no longer its own, so it must not send.
    assert not _still_ours(db, slow_claim, FAST, after_lease + timedelta(seconds=1))
    assert standin.messages_to("+15550002001") == ["Request 121212 is done."]


def test_a_claim_near_its_end_is_renewed_before_sending(db: Database) -> None:
    from care.delivery import _still_ours, claim_due

    [row_id] = _queue(db, ("+15550002001", "Request 131313 is done."))
    start = utcnow()
    [claim] = claim_due(db, FAST, start)
    late = start + timedelta(seconds=FAST.lease_seconds - 1)  # inside the renewal margin
    assert _still_ours(db, claim, FAST, late)
    with db.sessions() as s:
        row = s.get(Notification, row_id)
        assert row is not None and row.claimed_until == late + timedelta(seconds=FAST.lease_seconds)


# --- a timeout after sending is an unknown outcome; a FAILED row alerts staff ---------------------------------------
def test_twilio_accepting_but_answering_after_the_client_timeout_sends_no_duplicates(
    db: Database, settings: Settings, standin: TwilioStandIn
) -> None:
    """Issue 11 #3: the stand-in stores each message and holds its 201 past the client's timeout (12 s against 10 s
    in production; 1.5 s against 0.5 s here). Each message must reach the phone exactly once."""
    impatient = TwilioSender(settings, timeout_seconds=0.5)
    phones = ["+15550002101", "+15550002102", "+15550002103"]
    _queue(db, *((phone, f"Request 77777{n} is done.") for n, phone in enumerate(phones)))
    standin.message_delay_seconds = 1.5
    first = deliver_due(db, impatient, impatient, FAST)
    assert first.sent == 0 and first.retrying == 3
    assert {r.status for r in _rows(db)} == {"sending"}  # not PENDING: only asking Twilio may clear a resend
    standin.message_delay_seconds = 0
    deadline = utcnow() + timedelta(seconds=20)
    while pending_count(db) and utcnow() < deadline:
        time.sleep(0.3)
        deliver_due(db, impatient, impatient, FAST)
    for phone in phones:
        assert len(standin.messages_to(phone)) == 1, standin.messages_to(phone)
    assert [r.status for r in _rows(db)] == ["sent"] * 3


def test_a_timeout_before_twilio_stored_the_message_is_sent_once_after_asking(
    db: Database, settings: Settings, standin: TwilioStandIn
) -> None:
    impatient = TwilioSender(settings, timeout_seconds=0.5)
    _queue(db, ("+15550002104", "Request 777779 is done."))
    standin.message_delay_seconds, standin.accept_before_delay = 1.5, False  # hung before storing anything
    deliver_due(db, impatient, impatient, FAST)
    time.sleep(1.5)  # the stand-in's held request ends and stores the message
    standin.message_delay_seconds = 0
    deadline = utcnow() + timedelta(seconds=20)
    while pending_count(db) and utcnow() < deadline:
        time.sleep(0.3)
        deliver_due(db, impatient, impatient, FAST)
    assert standin.messages_to("+15550002104") == ["Request 777779 is done."]


def test_a_message_that_fails_for_good_alerts_the_admins(
    db: Database, sender: TwilioSender, standin: TwilioStandIn
) -> None:
    admin_phone, bad_number = "+12025550144", "+15550002199"
    with db.transaction() as s:
        directory.add_staff(s, username="ada", name="Ada Admin", role="admin", phone=admin_phone)
        directory.add_staff(s, username="sam", name="Sam Staff", role="staff", phone="+12025550145")
    standin.refused_numbers.add(bad_number)
    _queue(db, (bad_number, "Request 888888 is done."))
    report = deliver_due(db, sender, sender, FAST)
    assert report.failed == 1
    rows = _rows(db)
    assert rows[0].status == "failed" and rows[1].kind == "delivery_alert" and rows[1].to_phone == admin_phone
    deliver_due(db, sender, sender, FAST)
    [alert] = standin.messages_to(admin_phone)
    assert "888888" in alert and bad_number in alert
    assert standin.messages_to("+12025550145") == []  # admins only
    # An alert that cannot be delivered does not alert about itself.
    standin.refused_numbers.add(admin_phone)
    with db.transaction() as s:
        enqueue(s, Message("test:event:second", bad_number, "Request 888889 is done.", kind="status"))
    deliver_due(db, sender, sender, FAST)
    deliver_due(db, sender, sender, FAST)
    kinds = [(r.kind, r.status) for r in _rows(db)]
    assert kinds.count(("delivery_alert", "failed")) == 1 and len(kinds) == 4
