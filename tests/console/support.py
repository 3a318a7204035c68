"""Shared set-up of the console tests (and the browser tests): people on file, a request, logging in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from care import directory
from care.models import Channel, RequesterKind, ServiceRequest
from care.requests import NewRequest, create_request
from web.context import Hearthline

ADMIN = ("ada", "admin password 1")
STAFF = ("sam", "staff password 1")
SENIOR_PHONE = "+12025550111"  # Washington DC numbers: phonenumbers says fixed line or mobile, so texts go
FAMILY_PHONE = "+12025550122"
SENIOR_NAME = "May Lee"
FAMILY_NAME = "Dana Lee"


@dataclass(frozen=True)
class Seeded:
    senior_id: int
    family_id: int
    admin_id: int
    staff_id: int


def seed_people(hl: Hearthline) -> Seeded:
    """An admin, a staff member on the meals team, a senior and their daughter linked with consent."""
    with hl.db.transaction() as db:
        admin = directory.add_staff(db, username=ADMIN[0], name="Ada Admin", password=ADMIN[1], role="admin")
        staff = directory.add_staff(
            db, username=STAFF[0], name="Sam Staff", password=STAFF[1], role="staff", team="meals"
        )
        senior = directory.add_senior(db, phone=SENIOR_PHONE, name=SENIOR_NAME, address="1 Elm St", area="North")
        family = directory.add_family_member(db, phone=FAMILY_PHONE, name=FAMILY_NAME)
        directory.link_family(
            db, senior=senior, family=family, consent_given_by=SENIOR_NAME, relationship_label="daughter"
        )
        return Seeded(senior.id, family.id, admin.id, staff.id)


def make_request(
    hl: Hearthline,
    *,
    intent: str = "meals",
    phone: str = SENIOR_PHONE,
    senior_id: int | None = None,
    key: str = "test:1",
    transcript: str = "I need meals delivered please",
    understood_by: str = "speech",
    now: datetime | None = None,
    kind: RequesterKind = RequesterKind.SENIOR,
) -> str:
    """Create a request through the domain code (as a call would); return its reference."""
    with hl.db.transaction() as db:
        request, _ = create_request(
            db,
            NewRequest(
                intent=intent,
                channel=Channel.VOICE,
                requester_phone=phone,
                source_key=key,
                requester_kind=kind,
                senior_id=senior_id,
                transcript=transcript,
                understood_by=understood_by,
            ),
            zone=hl.settings.zone,
            now=now,
        )
        return request.reference


def get_request(hl: Hearthline, reference: str) -> ServiceRequest:
    from care.requests import find_by_reference

    with hl.db.sessions() as db:
        found = find_by_reference(db, reference)
        found.events  # noqa: B018  (load the history while the session is open)
        return found


def csrf_of(response: TestResponse) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str) -> str:
    """Log in through the form; return the session's CSRF token for later posts."""
    token = csrf_of(client.get("/console/login"))
    response = client.post("/console/login", data={"csrf_token": token, "username": username, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return csrf_of(client.get("/console/"))


def seed_activity(hl: Hearthline, days: int = 14) -> None:
    """A fortnight of calls and texts (different numbers each day), for pages that chart them."""
    from datetime import timedelta

    from care.models import CallState, InboundMessage, utcnow

    now = utcnow()
    with hl.db.transaction() as db:
        for day in range(days):
            at = now - timedelta(days=day)
            for n in range((day * 7) % 5 + 1):
                db.add(CallState(call_sid=f"CA-seed-{day}-{n}", from_phone=SENIOR_PHONE, created_at=at))
            for n in range((day * 3) % 4):
                db.add(
                    InboundMessage(message_sid=f"SM-seed-{day}-{n}", from_phone=FAMILY_PHONE, body="x", received_at=at)
                )
    for index, (intent, way) in enumerate([("meals", "keypad"), ("transport", "speech"), ("medical", "sms")]):
        make_request(hl, intent=intent, key=f"seed-{index}", understood_by=way, now=now - timedelta(days=index))
