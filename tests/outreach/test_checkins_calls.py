"""Check-in calls end to end over HTTP: the dialer places them with the twilio client, the stand-in's number
plan decides each outcome (answered with keys, no answer, busy, voicemail, failed), our signed webhooks take the
call through the hotline's check-in dialogue, and the ladder climbs to the family and staff."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select, update

from care.models import CallState, ServiceRequest, utcnow
from outreach import checkins
from outreach.checkin_tables import CheckinPlan, PlanStatus
from outreach.ladder import Status
from outreach.models import CallAttempt
from outreach.schedule import on_clock
from outreach.service import dialer_for
from outreach.states import AttemptStatus, Purpose
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.outreach.checkin_people import DAUGHTER, SENIOR, STAFF, attempts, history, rounds, setup, texts_to
from tests.outreach.helpers import served, wait_for
from tests.sms.people import text
from web.context import Hearthline


def noon_zone() -> str:
    """A time zone where it is about midday now, so a test's window never wraps midnight whenever it runs.

    Etc/GMT-N is N hours ahead of UTC (POSIX signs are inverted).
    """
    offset = 12 - utcnow().hour
    offset = max(-12, min(14, offset))
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def settings(**extra: Any) -> dict[str, Any]:
    return {"dialer_calls_per_second": 50, "timezone": noon_zone(), **extra}


@contextmanager
def centre(
    make_app: Callable[..., Flask], standin: TwilioStandIn, *, family: bool = True, **extra: Any
) -> Iterator[tuple[Flask, Hearthline]]:
    """The app served for the stand-in, Mrs Kim on a plan whose window is open now."""
    app = make_app(**settings(**extra))
    with served(app, standin) as hl:
        local = on_clock(utcnow(), hl.settings.zone)
        start = (local - timedelta(hours=2)).strftime("%H:%M")
        end = (local + timedelta(minutes=5)).strftime("%H:%M")
        setup(app, hl, family=family, window=(start, end))
        yield app, hl


def dial(hl: Hearthline, expected: int = 1) -> None:
    """One dialer pass, then wait until every call it placed has run its outcome handler."""
    report = dialer_for(hl).run_pass()
    assert report.dialled == expected, report
    wait_for(
        lambda: all(a.handled_at is not None for a in attempts(hl) if a.status != AttemptStatus.QUEUED),
        "the outcome handlers",
    )


def minutes_pass(hl: Hearthline) -> None:
    """The retry's ten minutes pass (the dialer's clock is the real one; the attempt is brought forward)."""
    with hl.db.transaction() as session:
        session.execute(
            update(CallAttempt).where(CallAttempt.status == AttemptStatus.QUEUED).values(not_before=utcnow())
        )


def plan(hl: Hearthline) -> None:
    with hl.db.transaction() as session:
        assert checkins.plan_today(session, hl.settings) == 1


def heard(hl: Hearthline, call_sid: str) -> str:
    with hl.db.sessions() as session:
        row = session.get(CallState, call_sid)
        assert row is not None
        return " ".join(row.state.get("said", []))


def test_answered_well_by_key_1_is_logged_with_a_warm_goodbye(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.ANSWER, ("1",))
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        dial(hl)
    [call] = standin.calls.calls_to(SENIOR)
    words = heard(hl, call.sid)
    assert words.startswith("Hello Mrs Kim, this is Hearthline's daily call. Are you well today?")
    assert "Or press 1 if you are well" in words and "I'm glad to hear that." in words
    assert call.posts and all(code in (200, 204) for _path, code in call.posts)
    [round_] = rounds(hl)
    assert (round_.status, round_.answer, round_.request_id) == (Status.SAFE, "well", None)
    assert len(attempts(hl)) == 1


def test_a_need_by_keys_becomes_a_request_as_on_an_inbound_call(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    # 2: "I need something" -> the hotline's service menu; 2 daily life; 1 meals.
    standin.calls.plan[SENIOR] = Callee(Pickup.ANSWER, ("2", "2", "1"))
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        dial(hl)
    with hl.db.sessions() as session:
        [request] = session.scalars(select(ServiceRequest)).all()
        assert (request.intent, request.senior_id is not None, request.channel) == ("meals", True, "voice")
        assert request.requester_phone == SENIOR
    assert rounds(hl)[0].answer == "low"


def test_an_emergency_by_key_9_dials_the_emergency_number(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.ANSWER, ("9",))
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        dial(hl)
    with hl.db.sessions() as session:
        [request] = session.scalars(select(ServiceRequest)).all()
        assert request.intent == "emergency" and request.urgent
    assert rounds(hl)[0].answer == "emergency"
    assert texts_to(hl, DAUGHTER)  # the emergency flow alerts the family as from the hotline


def test_opt_out_is_confirmed_the_plan_paused_and_staff_told(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.ANSWER, ("3", "1"))
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        dial(hl)
    [call] = standin.calls.calls_to(SENIOR)
    words = heard(hl, call.sid)
    assert "Would you like us to stop the daily calls?" in words and "we'll stop the daily calls" in words
    with hl.db.sessions() as session:
        plan_row = session.scalar(select(CheckinPlan))
        assert plan_row is not None and plan_row.status == PlanStatus.PAUSED
    [alert] = texts_to(hl, STAFF)
    assert "asked us to stop the daily calls; their plan is paused" in alert
    with hl.db.transaction() as session:
        assert checkins.plan_today(session, hl.settings, utcnow() + timedelta(days=1)) == 0


def test_every_rung_no_answer_busy_voicemail_then_the_family_call_confirms(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.ANSWER, ("1",))
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        dial(hl)
        minutes_pass(hl)
        standin.calls.plan[SENIOR] = Callee(Pickup.BUSY)
        dial(hl)
        minutes_pass(hl)
        standin.calls.plan[SENIOR] = Callee(Pickup.MACHINE)
        dial(hl)
        [round_] = rounds(hl)
        assert round_.status == Status.FAMILY
        [family_text] = texts_to(hl, DAUGHTER)
        assert "responda 1" in family_text  # Ana reads Spanish
        dial(hl)  # the family call
    calls = standin.calls.calls_to(SENIOR)
    assert [c.status for c in calls] == ["no-answer", "busy", "completed"]
    voicemail = heard(hl, calls[2].sid)
    assert "Mrs Kim" not in voicemail and "Hearthline" in voicemail  # no personal details on a tape
    [family_call] = standin.calls.calls_to(DAUGHTER)
    assert "No hemos podido hablar con Mrs Kim" in heard(hl, family_call.sid)
    [round_] = rounds(hl)
    assert round_.status == Status.SAFE
    assert round_.request_id is not None
    steps = history(hl, round_.request_id)
    assert [s.split(":", 1)[1] for s in steps[1:8]] == [
        "call 1 not answered (no-answer)",
        "calling again (2)",
        "call 2 not answered (busy)",
        "calling again (3)",
        "call 3 not answered (machine)",
        "family asked to check on them (text and call)",
        "confirmed all right by family:+15550107002 (call); ladder stopped",
    ]
    assert texts_to(hl, STAFF) == []


def test_nobody_answers_and_nobody_confirms_so_staff_get_an_urgent_task(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.FAIL)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.NO_ANSWER)
    with centre(make_app, standin) as (_app, hl):
        plan(hl)
        for _ in range(3):
            dial(hl)
            minutes_pass(hl)
        dial(hl)  # the family call, not answered
        with hl.db.transaction() as session:
            assert checkins.sweep(session, hl.settings, utcnow() + timedelta(minutes=31)) == 1
    [round_] = rounds(hl)
    assert round_.status == Status.STAFF
    with hl.db.sessions() as session:
        task = session.get(ServiceRequest, round_.request_id)
        assert task is not None and task.urgent and task.team == "befriending"
    assert [a.status for a in attempts(hl) if a.purpose == Purpose.CHECKIN] == [AttemptStatus.FAILED] * 3
    [alert] = texts_to(hl, STAFF)
    assert alert.startswith(f"URGENT {task.reference}: Mrs Kim {SENIOR} not reached for the daily call (3 calls)")
    assert history(hl, task.id)[-1] == "checkin:urgent task for staff (family_silent)"


def test_the_family_replying_1_by_text_stops_the_ladder(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.NO_ANSWER)
    with centre(make_app, standin, checkin_retries=0) as (app, hl):
        plan(hl)
        dial(hl)
        assert rounds(hl)[0].status == Status.FAMILY
        answer = text(app.test_client(), hl, DAUGHTER, "1")
        assert answer.reply == "Gracias. Hemos anotado que Mrs Kim está bien."
        assert rounds(hl)[0].status == Status.SAFE
        # Her family call, not placed yet, is withdrawn; nothing reaches staff.
        assert [a.status for a in attempts(hl) if a.purpose == Purpose.FAMILY] == [AttemptStatus.CANCELED]
        with hl.db.transaction() as session:
            assert checkins.sweep(session, hl.settings, utcnow() + timedelta(hours=1)) == 0
    assert texts_to(hl, STAFF) == []


def test_quiet_hours_no_call_is_planned_and_a_retry_is_skipped_for_the_family(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[SENIOR] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[DAUGHTER] = Callee(Pickup.NO_ANSWER)
    zone = noon_zone()
    local = on_clock(utcnow(), ZoneInfo(zone))
    quiet_from = (local + timedelta(minutes=5)).strftime("%H:%M")
    app = make_app(**settings(quiet_hours_start=quiet_from, quiet_hours_end="06:00", timezone=zone))
    with served(app, standin) as hl:
        start = (local - timedelta(hours=2)).strftime("%H:%M")
        setup(app, hl, window=(start, quiet_from))
        # Planned inside quiet hours (later tonight): nothing is called.
        with hl.db.transaction() as session:
            assert checkins.plan_today(session, hl.settings, utcnow() + timedelta(minutes=30)) == 0
        plan(hl)
        dial(hl)
    [round_] = rounds(hl)
    assert round_.status == Status.FAMILY  # the retry at +10 min would ring in quiet hours
    assert [a.purpose for a in attempts(hl)] == [Purpose.CHECKIN, Purpose.FAMILY]
    assert "checkin:not calling again (quiet: quiet hours or the daily cap)" in history(hl, round_.request_id or 0)


def test_hanging_up_on_the_emergency_question_of_a_check_in_raises_the_emergency(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    from care.models import RequestStatus
    from tests.twiml import signed_post
    from voice.dialogue import CallDialogState, Phase

    with centre(make_app, standin) as (app, hl), hl.db.transaction() as session:
        checkins.plan_today(session, hl.settings)
        row = session.scalar(select(CallAttempt))
        assert row is not None
        sid = "CA" + "e" * 32
        row.status, row.call_sid = AttemptStatus.IN_PROGRESS, sid
        # The senior said something like an emergency, weakly heard, and was asked "do you need help right now?"
        dialog = CallDialogState(
            phase=Phase.EMERGENCY_CHECK,
            locale="en",
            pending_intent="emergency",
            pending_transcript="I fell",
            pending_by="speech",
        )
        session.add(
            CallState(
                call_sid=sid,
                from_phone=SENIOR,
                state={"dialog": dialog.to_json(), "checkin_answers": ["emergency"]},
                turns=2,
            )
        )
        attempt_id = row.id
    form = {
        "AccountSid": hl.settings.twilio_account_sid,
        "CallSid": sid,
        "From": hl.settings.hotline_number,
        "To": SENIOR,
        "CallStatus": "completed",
        "Direction": "outbound-api",
    }
    response = signed_post(app.test_client(), hl, f"/voice/outbound/status?attempt={attempt_id}", form)
    assert response.status_code == 204
    with hl.db.sessions() as session:
        [request] = session.scalars(select(ServiceRequest)).all()
        assert (request.intent, request.urgent, request.status, request.requester_phone) == (
            "emergency",
            True,
            RequestStatus.NEW,
            SENIOR,
        )
    [round_] = rounds(hl)
    assert (round_.status, round_.answer) == (Status.SAFE, "emergency")
