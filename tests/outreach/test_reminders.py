"""Reminders end to end over HTTP (issue 13): staff set one up with `flask reminders add`, the dialer calls with
the twilio client and the stand-in's number plan answers; "1" acknowledges, silence climbs the check-in ladder
with the reminder's own settings; a text reminder is acknowledged by replying 1; family only for a linked senior."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from care import directory
from care.models import FamilyMember, Senior, ServiceRequest, utcnow
from outreach import reminders
from outreach.ladder import Status
from outreach.models import CallAttempt
from outreach.reminder_tables import ReminderChannel, ReminderKind, ReminderRound
from outreach.reminders import NotLinked, ReminderRequest
from outreach.schedule import on_clock
from outreach.service import dialer_for
from outreach.states import AttemptStatus, Purpose
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.console.test_console_commands import ok
from tests.outreach.checkin_people import DAUGHTER, SENIOR, STAFF, attempts, history, texts_to
from tests.outreach.helpers import said, served, wait_for
from tests.outreach.test_checkins_calls import noon_zone
from tests.sms.people import text
from web.context import Hearthline

STRANGER = "+15550107009"


@contextmanager
def centre(
    make_app: Callable[..., Flask], standin: TwilioStandIn, *, by: str = "call", locale: str = "en", **extra: Any
) -> Iterator[tuple[Flask, Hearthline]]:
    """Mrs Kim, her linked daughter, the befriending team; a medication reminder due a minute ago."""
    app = make_app(dialer_calls_per_second=50, timezone=noon_zone(), **extra)
    with served(app, standin) as hl:
        with hl.db.transaction() as session:
            senior = directory.add_senior(session, phone=SENIOR, name="Mrs Kim", locale=locale, area="befriending")
            daughter = directory.add_family_member(session, phone=DAUGHTER, name="Ana", locale="es")
            directory.link_family(session, senior=senior, family=daughter, consent_given_by="Mrs Kim")
            directory.add_staff(session, username="bea", name="Bea", team="befriending", phone=STAFF)
        due = (on_clock(utcnow(), hl.settings.zone) - timedelta(minutes=1)).strftime("%H:%M")
        out = ok(app, "reminders", "add", "--senior", SENIOR, "--kind", "medication", "--by", by, "--times", due)
        assert f"Mrs Kim {SENIOR}: medication by {by}" in out
        assert "Mrs Kim" in ok(app, "reminders", "list")
        with hl.db.transaction() as session:
            assert reminders.send_due(session, hl.settings) == 1
            assert reminders.send_due(session, hl.settings) == 0  # one round per reminder and time
        yield app, hl


def dial(hl: Hearthline) -> None:
    assert dialer_for(hl).run_pass().dialled == 1
    wait_for(
        lambda: all(a.handled_at is not None for a in attempts(hl) if a.status != AttemptStatus.QUEUED),
        "the outcome handlers",
    )


def the_round(hl: Hearthline) -> ReminderRound:
    with hl.db.sessions() as session:
        [round_] = session.scalars(select(ReminderRound)).all()
        session.expunge(round_)
        return round_


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", "It is time for your midday pills. Press 1 when you have taken them."),
        ("ko", "점심 약 드실 시간이에요. 드신 후에 1번을 눌러 주세요."),
    ],
)
def test_a_call_reminder_acknowledged_with_1(
    make_app: Callable[..., Flask], standin: TwilioStandIn, locale: str, words: str
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.ANSWER, ("1",))
    with centre(make_app, standin, locale=locale) as (_app, hl):
        dial(hl)
        [call] = standin.calls.calls_to(SENIOR)
        heard = said(hl, call.sid)
    assert words in heard  # the noon zone: the reminder is at midday on the centre's clock
    round_ = the_round(hl)
    assert (round_.status, round_.request_id) == (Status.SAFE, None)
    assert round_.acknowledged_at is not None
    assert [a.answer for a in attempts(hl)] == ["taken"]


def retry_now(hl: Hearthline) -> None:
    """The retry gap passes: the queued reminder call may be placed now."""
    retry = [a for a in attempts(hl) if a.status == AttemptStatus.QUEUED]
    assert len(retry) == 1 and retry[0].not_before > utcnow() + timedelta(minutes=14)  # reminder_retry_minutes
    with hl.db.transaction() as session:
        session.execute(update(CallAttempt).where(CallAttempt.id == retry[0].id).values(not_before=utcnow()))


def test_a_call_reminder_not_acknowledged_climbs_the_ladder_to_family_then_staff(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.NO_ANSWER)
    with centre(make_app, standin, reminder_retries=1, reminder_family_wait_minutes=20) as (_app, hl):
        dial(hl)
        assert the_round(hl).status == Status.CALLING
        retry_now(hl)
        dial(hl)
        round_ = the_round(hl)
        assert round_.status == Status.FAMILY
        [family_text] = texts_to(hl, DAUGHTER)
        assert family_text.startswith("Hearthline: Mrs Kim no ha confirmado que se haya tomado hoy sus medicinas.")
        dial(hl)  # the family is called too, and does not answer
        [family_call] = standin.calls.calls_to(DAUGHTER)
        assert family_call.status == "no-answer"
        with hl.db.transaction() as session:
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=10)) == 0  # still waiting
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=21)) == 1
    round_ = the_round(hl)
    assert round_.status == Status.STAFF and round_.request_id is not None
    with hl.db.sessions() as session:
        task = session.get(ServiceRequest, round_.request_id)
        assert task is not None and task.urgent and task.team == "befriending"
    [alert] = texts_to(hl, STAFF)
    assert alert.startswith(f"URGENT {task.reference}: Mrs Kim {SENIOR} did not acknowledge a medication reminder")
    # Every rung is in the history of the round's request.
    assert history(hl, task.id)[-6:] == [
        "reminder:not_reached: no-answer",
        "reminder:retry: 2",
        "reminder:not_reached: no-answer",
        "reminder:family: -",
        f"reminder:family call to {DAUGHTER}: no-answer",
        "reminder:staff: family_silent",
    ]
    assert [(a.purpose, a.status) for a in attempts(hl)] == [
        (Purpose.REMINDER, AttemptStatus.NO_ANSWER),
        (Purpose.REMINDER, AttemptStatus.NO_ANSWER),
        (Purpose.REMINDER_FAMILY, AttemptStatus.NO_ANSWER),
    ]


@pytest.mark.parametrize(
    ("family_locale", "words"),
    [
        ("en", "Hello, this is Hearthline. Mrs Kim has not confirmed taking their medicine today."),
        ("zh", "您好，这里是 Hearthline。Mrs Kim今天还没有确认已经吃药"),
        ("ko", "안녕하세요, Hearthline입니다. Mrs Kim님이 오늘 약을 드셨는지 아직 확인되지 않았습니다."),
        ("es", "Hola, le llama Hearthline. Mrs Kim no ha confirmado que se haya tomado hoy sus medicinas."),
    ],
)
def test_every_rung_no_answer_busy_then_the_family_call_pressing_1_stops_the_ladder(
    make_app: Callable[..., Flask], standin: TwilioStandIn, family_locale: str, words: str
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.ANSWER, ("1",))
    with centre(make_app, standin, reminder_retries=1) as (_app, hl):
        with hl.db.transaction() as session:
            daughter = session.scalar(select(FamilyMember).where(FamilyMember.phone == DAUGHTER))
            assert daughter is not None
            daughter.locale = family_locale
        dial(hl)
        retry_now(hl)
        standin.calls.plan[SENIOR] = Callee(Pickup.BUSY)
        dial(hl)
        assert the_round(hl).status == Status.FAMILY
        dial(hl)  # the family call: she checked on her mother and presses 1
        [family_call] = standin.calls.calls_to(DAUGHTER)
        family_heard = said(hl, family_call.sid)
    assert words in family_heard
    round_ = the_round(hl)
    assert round_.status == Status.SAFE and round_.acknowledged_at is not None
    assert round_.request_id is not None
    assert history(hl, round_.request_id)[-5:] == [
        "reminder:not_reached: no-answer",
        "reminder:retry: 2",
        "reminder:not_reached: busy",
        "reminder:family: -",
        f"reminder:confirmed: family:{DAUGHTER} (call)",
    ]
    assert [a.answer for a in attempts(hl) if a.purpose == Purpose.REMINDER_FAMILY] == ["checked"]
    with hl.db.transaction() as session:  # the family wait runs out: nothing goes to staff
        assert reminders.sweep(session, hl.settings, utcnow() + timedelta(hours=2)) == 0
    assert texts_to(hl, STAFF) == []


def test_the_family_replying_1_by_text_withdraws_their_call_not_placed_yet(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    with centre(make_app, standin, by="sms", reminder_retries=0) as (app, hl):
        with hl.db.transaction() as session:
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=16)) == 1
        assert the_round(hl).status == Status.FAMILY
        [queued] = [a for a in attempts(hl) if a.purpose == Purpose.REMINDER_FAMILY]
        assert (queued.to_phone, queued.status) == (DAUGHTER, AttemptStatus.QUEUED)
        answer = text(app.test_client(), hl, DAUGHTER, "1")  # Ana rang her mother first
        assert answer.reply == "Gracias. Hemos anotado que Mrs Kim está bien."
    assert the_round(hl).status == Status.SAFE
    assert [a.status for a in attempts(hl) if a.purpose == Purpose.REMINDER_FAMILY] == [AttemptStatus.CANCELED]


def test_a_text_reminder_is_acknowledged_by_replying_1(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    with centre(make_app, standin, by="sms") as (app, hl):
        [reminder_text] = texts_to(hl, SENIOR)
        assert reminder_text == "Hearthline: it is time for your midday pills. Reply 1 when you have taken them."
        answer = text(app.test_client(), hl, SENIOR, "1")
        assert answer.reply == "Thank you, noted. Take care."
        round_ = the_round(hl)
        assert round_.status == Status.SAFE and round_.acknowledged_at is not None
        with hl.db.transaction() as session:  # the reply window passes: nothing is sent again
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(hours=1)) == 0
    assert attempts(hl) == [] and texts_to(hl, SENIOR) == [reminder_text]


def test_an_unanswered_text_reminder_is_sent_again_after_the_gap(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    with centre(make_app, standin, by="sms") as (_app, hl):
        with hl.db.transaction() as session:
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=5)) == 0
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=16)) == 1
        assert len(texts_to(hl, SENIOR)) == 2 and the_round(hl).calls == 2


def test_family_may_set_up_a_reminder_only_for_a_linked_senior(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    with centre(make_app, standin) as (_app, hl), hl.db.transaction() as session:
        stranger = directory.add_family_member(session, phone=STRANGER, name="Bo", locale="en")
        daughter = session.scalar(select(FamilyMember).where(FamilyMember.phone == DAUGHTER))
        assert daughter is not None
        senior = session.scalar(select(Senior).where(Senior.phone == SENIOR))
        assert senior is not None
        request = ReminderRequest(ReminderKind.APPOINTMENT, ReminderChannel.SMS, appointment_at=utcnow())
        with pytest.raises(NotLinked):
            reminders.add_for_family(session, stranger, senior, request)
        made = reminders.add_for_family(session, daughter, senior, request)
        assert made.created_by == f"family:{DAUGHTER}" and made.lead_minutes == 60


def test_the_family_replying_1_stops_an_unacknowledged_reminder(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    with centre(make_app, standin, by="sms", reminder_retries=0) as (app, hl):
        with hl.db.transaction() as session:
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(minutes=16)) == 1
        assert the_round(hl).status == Status.FAMILY
        answer = text(app.test_client(), hl, DAUGHTER, "1")
        assert answer.reply == "Gracias. Hemos anotado que Mrs Kim está bien."
        assert the_round(hl).status == Status.SAFE
        with hl.db.transaction() as session:  # the family wait runs out: nothing goes to staff
            assert reminders.sweep(session, hl.settings, utcnow() + timedelta(hours=2)) == 0
    assert texts_to(hl, STAFF) == []
