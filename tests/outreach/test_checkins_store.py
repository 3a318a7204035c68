"""Check-ins against the real database: plans by `flask checkins`, the day's rounds, each rung of the ladder.

The attempts' outcomes are set here as the dialer would; tests/outreach/test_checkins_calls.py drives the same
ladder end to end over HTTP with the Twilio stand-in's number plan.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update

from care.models import CallState, RequestStatus
from outreach import checkins
from outreach.checkin_tables import CheckinPlan, PlanStatus
from outreach.ladder import Status
from outreach.models import CallAttempt
from outreach.states import AttemptStatus, Purpose
from outreach.view import AttemptView
from tests.console.test_console_commands import fails, ok
from tests.outreach.checkin_people import (
    DAUGHTER,
    SENIOR,
    STAFF,
    at,
    attempts,
    history,
    request,
    rounds,
    setup,
    texts_to,
)
from tests.sms.people import text
from web.context import Hearthline


def end_call(
    hl: Hearthline, key: str, status: AttemptStatus, now, *, answers: list[str] | None = None, stop: bool = False
) -> None:
    """The dialer's side: the attempt reached a final status; its purpose's handler runs once."""
    with hl.db.transaction() as session:
        row = session.scalar(select(CallAttempt).where(CallAttempt.key == key))
        assert row is not None
        row.status = status
        row.call_sid = f"CA{row.id:032x}"
        if answers is not None:
            session.add(
                CallState(
                    call_sid=row.call_sid,
                    from_phone=row.to_phone,
                    state={"checkin_answers": answers, "checkin_stop": stop},
                )
            )
        row.handled_at = now
        handler = checkins.on_checkin_outcome if row.purpose == Purpose.CHECKIN else checkins.on_family_outcome
        handler(session, AttemptView.of(row), hl.settings, now)


def test_plans_are_added_with_consent_listed_paused_and_resumed(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    listed = ok(app, "checkins", "list")
    assert "Mrs Kim" in listed and "consent Mrs Kim (phone)" in listed and "10:00-12:00" in listed
    assert "already has" in fails(
        app, "checkins", "add", "--senior", SENIOR, "--consent-by", "x", "--consent-how", "phone"
    )
    ok(app, "checkins", "pause", "--senior", SENIOR, "--note", "in hospital")
    assert "paused by staff:cli: in hospital" in ok(app, "checkins", "list")
    ok(app, "checkins", "resume", "--senior", SENIOR)
    with hearthline.db.sessions() as session:
        plan = session.scalar(select(CheckinPlan))
        assert plan is not None and plan.status == PlanStatus.ACTIVE and plan.consent_how == "phone"


def test_a_window_in_quiet_hours_and_missing_consent_are_refused(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    ok(app, "checkins", "remove", "--senior", SENIOR)
    out = fails(
        app,
        "checkins",
        "add",
        "--senior",
        SENIOR,
        "--from",
        "21:30",
        "--to",
        "23:00",
        "--consent-by",
        "Mrs Kim",
        "--consent-how",
        "phone",
    )
    assert "quiet hours" in out
    assert "consent" in fails(app, "checkins", "add", "--senior", SENIOR, "--consent-by", " ", "--consent-how", "phone")


def test_the_day_is_planned_once_inside_the_window(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        assert checkins.plan_today(session, hearthline.settings, at(6)) == 1
    with hearthline.db.transaction() as session:
        assert checkins.plan_today(session, hearthline.settings, at(7)) == 0
    [attempt] = attempts(hearthline)
    assert attempt.purpose == Purpose.CHECKIN and attempt.to_phone == SENIOR
    assert at(10) <= attempt.not_before <= at(11, 40)
    assert attempt.context == {"name": "Mrs Kim"}


def test_every_rung_of_the_ladder_is_in_the_history_and_the_family_text_stops_it(
    app: Flask, hearthline: Hearthline, client
) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    day = "2026-12-04"
    plan_id = rounds(hearthline)[0].plan_id
    end_call(hearthline, f"checkin:{plan_id}:{day}:1", AttemptStatus.NO_ANSWER, at(10, 30))
    [_first, second] = attempts(hearthline)
    assert second.key == f"checkin:{plan_id}:{day}:2" and second.not_before == at(10, 40)
    end_call(hearthline, second.key, AttemptStatus.BUSY, at(10, 41))
    third = attempts(hearthline)[-1]
    assert third.not_before == at(10, 51)
    end_call(hearthline, third.key, AttemptStatus.MACHINE, at(10, 52))
    [round_] = rounds(hearthline)
    assert round_.status == Status.FAMILY and round_.wait_until == at(11, 22)
    family_call = attempts(hearthline)[-1]
    assert family_call.purpose == Purpose.FAMILY and family_call.to_phone == DAUGHTER
    [family_text] = texts_to(hearthline, DAUGHTER)
    assert "Mrs Kim" in family_text and "1" in family_text  # in Spanish, the daughter's language
    assert "responda 1" in family_text
    assert round_.request_id is not None
    assert request(hearthline, round_.request_id).urgent is False
    # The daughter texts 1 at 11:00 that day (a "1" counts for a day after the family were asked, by the wall
    # clock: unmoved, this test began to fail a day after the date it is set on): the ladder stops, her family
    # call is withdrawn, the request closes quietly.
    with time_machine.travel(at(11).replace(tzinfo=UTC)):
        answer = text(client, hearthline, DAUGHTER, "1")
    assert answer.reply.startswith("Gracias")
    [round_] = rounds(hearthline)
    assert round_.status == Status.SAFE and round_.answer == "not_reached"
    assert attempts(hearthline)[-1].status == AttemptStatus.CANCELED
    steps = history(hearthline, round_.request_id)
    assert steps == [
        "created:daily check-in of 2026-12-04: not reached",
        "checkin:call 1 not answered (no-answer)",
        "checkin:calling again (2)",
        "checkin:call 2 not answered (busy)",
        "checkin:calling again (3)",
        "checkin:call 3 not answered (machine)",
        "checkin:family asked to check on them (text and call)",
        "checkin:confirmed all right by family:+15550107002 (text); ladder stopped",
        "status:resolve: family:+15550107002 (text)",
        "status:close: family:+15550107002 (text)",
    ]
    assert request(hearthline, round_.request_id).status == RequestStatus.CLOSED
    assert texts_to(hearthline, STAFF) == []  # staff were never needed
    # A second "1" is the SMS conversation's again (no round is waiting).
    with time_machine.travel(at(11, 5).replace(tzinfo=UTC)):
        assert not text(client, hearthline, DAUGHTER, "1").reply.startswith("Gracias")


def test_nobody_confirms_in_time_and_staff_get_an_urgent_task(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    for n, minute in ((1, 30), (2, 41), (3, 52)):
        end_call(hearthline, f"checkin:{plan_id}:2026-12-04:{n}", AttemptStatus.NO_ANSWER, at(10, minute))
    with hearthline.db.transaction() as session:
        assert checkins.sweep(session, hearthline.settings, at(11, 21)) == 0
    with hearthline.db.transaction() as session:
        assert checkins.sweep(session, hearthline.settings, at(11, 23)) == 1
    [round_] = rounds(hearthline)
    assert round_.status == Status.STAFF and round_.request_id is not None
    task = request(hearthline, round_.request_id)
    assert task.urgent and task.team == "befriending" and task.due_at == at(11, 38)
    assert history(hearthline, task.id)[-1] == "checkin:urgent task for staff (family_silent)"
    [alert] = texts_to(hearthline, STAFF)
    assert alert.startswith(f"URGENT {task.reference}: Mrs Kim {SENIOR} not reached")
    # The family call answered with 1 later still stands staff down.
    end_call(hearthline, f"checkin-family:{round_.id}:1", AttemptStatus.COMPLETED, at(11, 40))
    assert rounds(hearthline)[0].status == Status.STAFF  # no "confirmed" answer on that call
    with hearthline.db.transaction() as session:
        row = session.scalar(select(CallAttempt).where(CallAttempt.purpose == Purpose.FAMILY))
        assert row is not None
        row.answer = "confirmed"
        checkins.on_family_outcome(session, AttemptView.of(row), hearthline.settings, at(11, 45))
    assert rounds(hearthline)[0].status == Status.SAFE


def test_without_family_the_third_miss_goes_straight_to_staff(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline, family=False)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    for n, minute in ((1, 30), (2, 41), (3, 52)):
        end_call(hearthline, f"checkin:{plan_id}:2026-12-04:{n}", AttemptStatus.FAILED, at(10, minute))
    [round_] = rounds(hearthline)
    assert round_.status == Status.STAFF
    assert len(texts_to(hearthline, STAFF)) == 1


def test_a_retry_in_quiet_hours_goes_to_the_family_instead(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline, window=("20:00", "20:55"))
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    end_call(hearthline, f"checkin:{plan_id}:2026-12-04:1", AttemptStatus.NO_ANSWER, at(20, 55))
    [round_] = rounds(hearthline)
    assert round_.status == Status.FAMILY  # 21:05 is quiet: no second call to the senior
    assert [a.purpose for a in attempts(hearthline)] == [Purpose.CHECKIN, Purpose.FAMILY]
    assert "checkin:not calling again (quiet: quiet hours or the daily cap)" in history(
        hearthline, round_.request_id or 0
    )


def test_answered_well_leaves_nothing_for_staff(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    end_call(hearthline, f"checkin:{plan_id}:2026-12-04:1", AttemptStatus.COMPLETED, at(10, 30), answers=["well"])
    [round_] = rounds(hearthline)
    assert (round_.status, round_.answer, round_.request_id) == (Status.SAFE, "well", None)
    assert len(attempts(hearthline)) == 1


def test_stop_calling_me_pauses_the_plan_and_tells_staff(app: Flask, hearthline: Hearthline) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    end_call(
        hearthline, f"checkin:{plan_id}:2026-12-04:1", AttemptStatus.COMPLETED, at(10, 30), answers=["stop"], stop=True
    )
    with hearthline.db.sessions() as session:
        plan = session.get(CheckinPlan, plan_id)
        assert plan is not None and plan.status == PlanStatus.PAUSED and "asked on the call" in plan.status_note
    [alert] = texts_to(hearthline, STAFF)
    assert "asked us to stop the daily calls" in alert
    with hearthline.db.transaction() as session:
        assert checkins.plan_today(session, hearthline.settings, at(6) + timedelta(days=1)) == 0


def test_three_low_days_in_a_row_are_flagged_for_staff(app: Flask, hearthline: Hearthline) -> None:
    people = setup(app, hearthline)
    for day, answer in enumerate(("low", "lonely", "unwell")):
        now = at(6) + timedelta(days=day)
        with hearthline.db.transaction() as session:
            assert checkins.plan_today(session, hearthline.settings, now) == 1
        key = f"checkin:{people.plan_id}:{(now - timedelta(hours=5)).date().isoformat()}:1"
        end_call(hearthline, key, AttemptStatus.COMPLETED, now + timedelta(hours=5), answers=[answer])
    [alert] = texts_to(hearthline, STAFF)
    assert "felt unwell, lonely or low on 3 daily calls in a row" in alert


def test_the_senior_who_always_answered_and_stops_is_flagged(app: Flask, hearthline: Hearthline) -> None:
    people = setup(app, hearthline, family=False)
    for day in range(7):
        now = at(6) + timedelta(days=day)
        with hearthline.db.transaction() as session:
            checkins.plan_today(session, hearthline.settings, now)
        prefix = f"checkin:{people.plan_id}:{(now - timedelta(hours=5)).date().isoformat()}"
        if day < 5:
            end_call(hearthline, f"{prefix}:1", AttemptStatus.COMPLETED, now + timedelta(hours=5), answers=["well"])
            continue
        for n in (1, 2, 3):
            end_call(hearthline, f"{prefix}:{n}", AttemptStatus.NO_ANSWER, now + timedelta(hours=5, minutes=11 * n))
    alerts = texts_to(hearthline, STAFF)
    assert any("has not answered the last 2 daily calls, after always answering" in a for a in alerts)


def test_the_weekly_family_text_needs_the_seniors_agreement(app: Flask, hearthline: Hearthline) -> None:
    people = setup(app, hearthline, extra=("--weekly-summary",))
    for day in range(7):
        now = at(6) - timedelta(days=6 - day)
        with hearthline.db.transaction() as session:
            checkins.plan_today(session, hearthline.settings, now)
        prefix = f"checkin:{people.plan_id}:{(now - timedelta(hours=5)).date().isoformat()}"
        end_call(hearthline, f"{prefix}:1", AttemptStatus.COMPLETED, now + timedelta(hours=5), answers=["well"])
    with hearthline.db.transaction() as session:
        assert checkins.weekly_summaries(session, hearthline.settings, at(17)) == 0  # Friday
        sunday = at(18) + timedelta(days=2)
        assert checkins.weekly_summaries(session, hearthline.settings, sunday) == 1
        assert checkins.weekly_summaries(session, hearthline.settings, sunday + timedelta(hours=1)) == 0
    # The week is Monday 30 November to Sunday 6 December: the five calls of it so far, all fine (the outbox
    # writes Spanish in GSM-7 where it can, so "contestó" goes as "contesto").
    assert texts_to(hearthline, DAUGHTER)[-1] == (
        "Hearthline: Mrs Kim contesto 5 de 5 llamadas diarias esta semana; todo bien."
    )


def test_staff_resolving_the_task_neither_texts_nor_calls_the_senior_to_confirm(
    app: Flask, hearthline: Hearthline
) -> None:
    from care.lifecycle import RequestAction
    from care.lines import set_receives_texts
    from care.models import ServiceRequest
    from care.requests import apply_action

    setup(app, hearthline, family=False)
    with hearthline.db.transaction() as session:
        set_receives_texts(session, SENIOR, False, actor="staff:bea")  # a landline
        checkins.plan_today(session, hearthline.settings, at(6))
    plan_id = rounds(hearthline)[0].plan_id
    for n, minute in ((1, 30), (2, 41), (3, 52)):
        end_call(hearthline, f"checkin:{plan_id}:2026-12-04:{n}", AttemptStatus.NO_ANSWER, at(10, minute))
    [round_] = rounds(hearthline)
    assert round_.status == Status.STAFF
    with hearthline.db.transaction() as session:
        task = session.get(ServiceRequest, round_.request_id)
        assert task is not None
        apply_action(session, task, RequestAction.RESOLVE, actor="staff:bea", note="neighbour found her well")
    assert texts_to(hearthline, SENIOR) == []
    assert [a.purpose for a in attempts(hearthline)] == [Purpose.CHECKIN] * 3  # no confirmation call


def test_the_centres_holidays_close_the_staff_line_and_skip_check_ins(make_app, standin) -> None:
    from care.hours import ServiceHours
    from care.settings import load_settings

    assert load_settings({"holidays": "2026-12-25, 2026-12-04"}, environ={}).holidays[0].isoformat() == "2026-12-04"
    app = make_app(holidays="2026-12-04")
    hl = app.extensions["hearthline"]
    setup(app, hl)
    with hl.db.transaction() as session:
        assert checkins.plan_today(session, hl.settings, at(6)) == 0
        assert checkins.plan_today(session, hl.settings, at(6) + timedelta(days=1)) == 1
    hours = ServiceHours.from_settings(hl.settings)
    assert not hours.is_open(at(11))  # a Friday, but a holiday
    assert hours.next_opening(at(11)).date().isoformat() == "2026-12-07"  # Monday


def test_call_now_brings_today_s_call_forward_once_and_calls_again_after_the_ladder(
    app: Flask, hearthline: Hearthline
) -> None:
    """Staff's "Call now" (console): today's planned call is placed now, not twice; a finished round gets one more."""
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        checkins.plan_today(session, hearthline.settings, at(6))
    with hearthline.db.transaction() as session:
        plan = session.scalar(select(CheckinPlan))
        assert plan is not None
        checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(9))
    [first] = attempts(hearthline)
    assert (first.not_before, first.status) == (at(9), AttemptStatus.QUEUED)  # the planned 10-12 call, now
    end_call(hearthline, first.key, AttemptStatus.COMPLETED, at(9, 2), answers=["well"])
    [round_] = rounds(hearthline)
    assert round_.status == Status.SAFE and round_.request_id is not None
    assert request(hearthline, round_.request_id).status == RequestStatus.CLOSED
    with hearthline.db.transaction() as session:
        plan = session.scalar(select(CheckinPlan))
        assert plan is not None
        checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(13))
        checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(13, 1))  # a double click
    again = attempts(hearthline)[1:]
    assert [(a.key, a.not_before) for a in again] == [(f"checkin:{plan.id}:2026-12-04:now1", at(13, 1))]
    assert history(hearthline, round_.request_id) == [
        "created:daily check-in of 2026-12-04: called now by staff:sam",
        "checkin:call now asked by staff:sam",
        "checkin:reached on call 1",
        "status:resolve: answered",
        "status:close: answered",
        "checkin:call now asked by staff:sam",
        "checkin:call now asked by staff:sam",
    ]


def test_call_now_is_refused_for_a_paused_plan_in_quiet_hours_and_while_a_call_rings(
    app: Flask, hearthline: Hearthline
) -> None:
    setup(app, hearthline)
    with hearthline.db.transaction() as session:
        plan = session.scalar(select(CheckinPlan))
        assert plan is not None
        with pytest.raises(checkins.CallNowRefused) as quiet:
            checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(22))
        assert (quiet.value.why, quiet.value.until) == ("quiet", at(8) + timedelta(days=1))
        checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(9))
        session.execute(update(CallAttempt).values(status=AttemptStatus.RINGING))
        with pytest.raises(checkins.CallNowRefused) as ringing:
            checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(9, 1))
        assert ringing.value.why == "on_the_line"
        checkins.set_status(session, plan, PlanStatus.PAUSED, actor="staff:sam")
        with pytest.raises(checkins.CallNowRefused) as paused:
            checkins.call_now(session, hearthline.settings, plan, actor="staff:sam", now=at(9, 2))
        assert paused.value.why == "not_active"
    assert len(attempts(hearthline)) == 1
