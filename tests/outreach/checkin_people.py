"""Shared set-up for check-in tests: a senior on a plan, their daughter, the befriending team's phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from care import directory
from care.models import Notification, RequestEvent, ServiceRequest
from outreach.checkin_tables import CheckinPlan, CheckinRound
from outreach.models import CallAttempt
from tests.console.test_console_commands import ok
from web.context import Hearthline

SENIOR = "+15550107001"
DAUGHTER = "+15550107002"
STAFF = "+15550107003"


@dataclass(frozen=True)
class People:
    senior_id: int
    plan_id: int


def setup(
    app: Flask,
    hl: Hearthline,
    *,
    family: bool = True,
    window: tuple[str, str] = ("10:00", "12:00"),
    extra: tuple[str, ...] = (),
) -> People:
    with hl.db.transaction() as session:
        senior = directory.add_senior(session, phone=SENIOR, name="Mrs Kim", locale="en", area="befriending")
        if family:
            daughter = directory.add_family_member(session, phone=DAUGHTER, name="Ana", locale="es")
            directory.link_family(session, senior=senior, family=daughter, consent_given_by="Mrs Kim")
        directory.add_staff(session, username="bea", name="Bea", team="befriending", phone=STAFF)
        senior_id = senior.id
    out = ok(
        app,
        "checkins",
        "add",
        "--senior",
        SENIOR,
        "--days",
        "daily",
        "--from",
        window[0],
        "--to",
        window[1],
        "--consent-by",
        "Mrs Kim",
        "--consent-how",
        "phone",
        *extra,
    )
    assert "Mrs Kim" in out
    with hl.db.sessions() as session:
        plan_id = session.scalar(select(CheckinPlan.id).where(CheckinPlan.senior_id == senior_id))
    assert plan_id is not None
    return People(senior_id, plan_id)


def attempts(hl: Hearthline) -> list[CallAttempt]:
    with hl.db.sessions() as session:
        return list(session.scalars(select(CallAttempt).order_by(CallAttempt.id)))


def rounds(hl: Hearthline) -> list[CheckinRound]:
    with hl.db.sessions() as session:
        return list(session.scalars(select(CheckinRound).order_by(CheckinRound.id)))


def history(hl: Hearthline, request_id: int) -> list[str]:
    with hl.db.sessions() as session:
        events = session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
        )
        return [f"{e.kind}:{e.note}" for e in events]


def request(hl: Hearthline, request_id: int) -> ServiceRequest:
    with hl.db.sessions() as session:
        found = session.get(ServiceRequest, request_id)
        assert found is not None
        session.expunge(found)
        return found


def texts_to(hl: Hearthline, phone: str) -> list[str]:
    with hl.db.sessions() as session:
        return list(
            session.scalars(select(Notification.body).where(Notification.to_phone == phone).order_by(Notification.id))
        )


def at(hour: int, minute: int = 0) -> datetime:
    """A moment on Friday 4 December 2026 in New York (the default zone), as stored (naive UTC)."""
    return datetime(2026, 12, 4, 5, minute) + timedelta(hours=hour)
