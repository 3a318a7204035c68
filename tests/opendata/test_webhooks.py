"""Partner webhooks through an outage: signed, retried with backoff, nothing lost, nothing sent twice."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from care.lifecycle import RequestAction
from care.models import utcnow
from care.requests import apply_action, find_by_reference
from opendata import webhooks
from opendata.models import PartnerDelivery
from tests.console.test_console_commands import fails, ok
from tests.opendata.support import SENIOR_NAME, TRANSCRIPT, add_mary, called_in, make_key
from web.context import Hearthline

PORTS = range(7810, 7900)  # this helper's port range


@dataclass
class Receiver:
    """A partner's endpoint: records what arrives; answers 503 while `failing`."""

    failing: bool = False
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                if receiver.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 7810-7899")


class Endpoint:
    """The partner's address; `start()` binds and serves it (until then nothing listens: connection refused)."""

    def __init__(self, state: Receiver) -> None:
        self.state = state
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.state.handler())
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, Endpoint]]:
    state = Receiver()
    endpoint = Endpoint(state)
    yield state, endpoint
    endpoint.stop()


def _rows(hl: Hearthline) -> list[PartnerDelivery]:
    with hl.db.sessions() as s:
        return list(s.scalars(select(PartnerDelivery).order_by(PartnerDelivery.id)))


def test_events_wait_out_an_outage_then_arrive_once_each_signed(
    app: Flask, hearthline: Hearthline, receiver: tuple[Receiver, Endpoint]
) -> None:
    state, endpoint = receiver
    url = endpoint.url
    out = ok(app, "partners", "add", "county case system", url)
    secret = out.strip().splitlines()[-1]
    assert len(secret) == 64
    # The partner is down (nothing listens yet): a call and a status change happen meanwhile.
    reference = called_in(hearthline, add_mary(hearthline))
    with hearthline.db.transaction() as s:
        apply_action(s, find_by_reference(s, reference), RequestAction.START, actor="staff:bo")
    policy = webhooks.Policy(base_seconds=30, cap_seconds=3600, max_attempts=10, timeout_seconds=2)
    t0 = utcnow()
    first = webhooks.deliver_due(hearthline.db, policy, now=lambda: t0)
    assert (first.sent, first.retrying) == (0, 2)
    rows = _rows(hearthline)
    assert [r.event_type for r in rows] == ["request.created", "request.status"]
    assert all(r.status == "pending" and r.next_attempt_at == t0 + timedelta(seconds=30) for r in rows)
    # Not due again before its backoff.
    assert webhooks.deliver_due(hearthline.db, policy, now=lambda: t0 + timedelta(seconds=10)).retrying == 0
    # Up, but answering 503: another retry, the wait doubles.
    endpoint.start()
    state.failing = True
    second = webhooks.deliver_due(hearthline.db, policy, now=lambda: t0 + timedelta(seconds=31))
    assert second.retrying == 2 and state.received == []
    assert {r.last_error for r in _rows(hearthline)} == {"HTTP 503"}
    state.failing = False
    later = t0 + timedelta(minutes=5)
    third = webhooks.deliver_due(hearthline.db, policy, now=lambda: later)
    assert third.sent == 2
    # Passes after that send nothing again.
    assert webhooks.deliver_due(hearthline.db, policy, now=lambda: later + timedelta(days=1)).sent == 0
    endpoint.stop()
    assert len(state.received) == 2
    ids = [got["headers"][webhooks.DELIVERY_HEADER] for got in state.received]
    assert len(set(ids)) == 2
    for got in state.received:
        headers, body = got["headers"], got["body"]
        assert webhooks.verify(
            secret,
            headers[webhooks.TIMESTAMP_HEADER],
            body,
            headers[webhooks.SIGNATURE_HEADER],
            now=time.time(),
        )
        assert not webhooks.verify(
            "wrong", headers[webhooks.TIMESTAMP_HEADER], body, headers[webhooks.SIGNATURE_HEADER], now=time.time()
        )
        assert not webhooks.verify(
            secret, headers[webhooks.TIMESTAMP_HEADER], body + b" ", headers[webhooks.SIGNATURE_HEADER], now=time.time()
        )
        event = json.loads(body)
        assert event["id"] == headers[webhooks.DELIVERY_HEADER]
        assert event["request"]["service_request_id"] == reference
        # A partner without scopes gets the public view.
        assert SENIOR_NAME not in body.decode() and TRANSCRIPT not in body.decode()
    kinds = [json.loads(got["body"])["type"] for got in state.received]
    assert kinds == ["request.created", "request.status"]
    second_event = json.loads(state.received[1]["body"])
    # The payload shows the request as the event left it (built mid-flush, from the session's objects).
    assert second_event["to_status"] == "in_progress" == second_event["request"]["status_notes"]
    assert "sent" in ok(app, "partners", "list")


def test_two_workers_at_once_send_each_event_once(
    app: Flask, hearthline: Hearthline, receiver: tuple[Receiver, Endpoint]
) -> None:
    state, endpoint = receiver
    url = endpoint.url
    endpoint.start()
    state.delay = 0.2
    ok(app, "partners", "add", "city", url)
    senior_id = add_mary(hearthline)
    for n in range(6):
        called_in(hearthline, senior_id, "meals", f"CA{n}")
    policy = webhooks.Policy(timeout_seconds=5)
    reports: list[webhooks.Report] = []
    workers = [
        threading.Thread(target=lambda: reports.append(webhooks.deliver_due(hearthline.db, policy))) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    endpoint.stop()
    assert sum(r.sent for r in reports) == 6
    ids = [got["headers"][webhooks.DELIVERY_HEADER] for got in state.received]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_a_worker_that_died_mid_send_is_taken_over_with_the_same_delivery_id(
    app: Flask, hearthline: Hearthline, receiver: tuple[Receiver, Endpoint]
) -> None:
    state, endpoint = receiver
    url = endpoint.url
    endpoint.start()
    ok(app, "partners", "add", "city", url)
    called_in(hearthline, add_mary(hearthline))
    policy = webhooks.Policy(timeout_seconds=2)
    t0 = utcnow()
    # A claim made and never finished (the worker was killed): the row stays SENDING until its lease runs out.
    claims = webhooks._claim(hearthline.db, policy, t0)
    assert len(claims) == 1
    assert webhooks.deliver_due(hearthline.db, policy, now=lambda: t0 + timedelta(seconds=1)).sent == 0
    taken = webhooks.deliver_due(hearthline.db, policy, now=lambda: t0 + policy.lease + timedelta(seconds=1))
    endpoint.stop()
    assert taken.sent == 1
    assert state.received[0]["headers"][webhooks.DELIVERY_HEADER] == claims[0].delivery_id


def test_scoped_partner_sees_names_and_bad_subscriptions_are_refused(app: Flask, hearthline: Hearthline) -> None:
    ok(app, "partners", "add", "case system", "https://cases.example.org/hook", "--scope", "names")
    fails(app, "partners", "add", "case system", "https://cases.example.org/hook")
    fails(app, "partners", "add", "ftp", "ftp://example.org/")
    called_in(hearthline, add_mary(hearthline))
    (row,) = _rows(hearthline)
    assert json.loads(row.body)["request"]["senior_name"] == SENIOR_NAME
    ok(app, "partners", "remove", "case system")
    called_in(hearthline, None, "meals", "CA9")
    assert len(_rows(hearthline)) == 1  # a stopped partner gets nothing new


def test_a_partner_that_never_answers_is_marked_failed_after_the_last_attempt(
    app: Flask, hearthline: Hearthline
) -> None:
    ok(app, "partners", "add", "gone", f"http://127.0.0.1:{_free_port()}/nobody")
    called_in(hearthline, None, "meals")
    policy = webhooks.Policy(base_seconds=1, cap_seconds=1, max_attempts=3, timeout_seconds=1)
    moment = datetime(2030, 1, 1)
    for n in range(3):
        webhooks.deliver_due(hearthline.db, policy, now=lambda n=n: moment + timedelta(seconds=10 * n))  # type: ignore[misc]
    (row,) = _rows(hearthline)
    assert (row.status, row.attempts) == ("failed", 3) and "ConnectionError" in row.last_error


def test_a_posted_requests_created_event_carries_what_was_posted(app: Flask, hearthline: Hearthline) -> None:
    # The created event was built when the request row was flushed, before the POST's own details were stored:
    # a partner allowed names and addresses saw neither in the event that told it about the request.
    ok(
        app,
        "partners",
        "add",
        "case system",
        "https://cases.example.org/hook",
        "--scope",
        "names",
        "--scope",
        "addresses",
    )
    token = make_key(hearthline, "city", "submit")
    form = {
        "api_key": token,
        "service_code": "meals",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address_string": "7 Secret Lane",
    }
    response = app.test_client().post("/open311/v2/requests.json", data=form)
    assert response.status_code == 201, response.data
    created = [json.loads(row.body) for row in _rows(hearthline) if row.event_type == "request.created"]
    assert len(created) == 1
    assert created[0]["request"]["requester_name"] == "Ada Lovelace"
    assert created[0]["request"]["address"] == "7 Secret Lane"
