"""Issue 12, landline seniors can close their requests: resolving a request for someone who cannot receive texts
places a confirmation call instead of texting "Reply 1"; 1 closes it, 2 reopens it and alerts staff, and after
the tries without an answer staff may close it with a note after the waiting days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from care.hours import ServiceHours
from care.lifecycle import RequestAction, TransitionRefused
from care.lines import TextsBy, receives_texts, set_receives_texts
from care.models import Channel, RequesterKind, RequestStatus, Senior, ServiceRequest, StaffMember, utcnow
from care.requests import NewRequest, apply_action, create_request
from outreach.attempts import attempts_for
from outreach.confirm import ConfirmProgramme
from outreach.dialer import Dialer, DialerPolicy
from outreach.models import CallAttempt
from outreach.placer import TwilioCallPlacer
from outreach.states import AttemptStatus, Purpose
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.outreach.helpers import said, served, wait_for
from web.context import Hearthline

MADRID_LANDLINE = "+34911234567"  # the numbering plan says fixed line
US_NUMBER = "+12025550111"  # the US plan cannot tell a landline from a mobile: staff say it
STAFF_PHONE = "+12025550999"


def noon_zone() -> str:
    """A time zone where it is about noon now, so calls are inside the calling hours whenever the test runs."""
    offset = 12 - datetime.now(UTC).hour
    offset = max(-11, min(12, offset))
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _settings(**extra: object) -> dict[str, object]:
    return {"dialer_calls_per_second": 50, "timezone": noon_zone(), "confirm_call_retry_minutes": 1, **extra}


def _resolved_request(hl: Hearthline, phone: str, locale: str = "en") -> int:
    with hl.db.transaction() as session:
        senior = Senior(phone=phone, name="Mrs Kim", locale=locale)
        session.add_all([senior, StaffMember(username="ana", name="Ana", phone=STAFF_PHONE, team="meals")])
        session.flush()
        request, _ = create_request(
            session,
            NewRequest(
                intent="meals",
                channel=Channel.VOICE,
                requester_phone=phone,
                source_key=f"call:{phone}",
                requester_kind=RequesterKind.SENIOR,
                senior_id=senior.id,
                locale=locale,
            ),
            zone=hl.settings.zone,
            hours=ServiceHours.from_settings(hl.settings),
        )
        request.reference = "501451"
        apply_action(session, request, RequestAction.RESOLVE, actor="staff:ana", note="Meals start Monday")
        return request.id


def _request(hl: Hearthline, request_id: int) -> ServiceRequest:
    with hl.db.sessions() as session:
        request = session.get(ServiceRequest, request_id)
        assert request is not None
        _ = list(request.events)
        session.expunge_all()
        return request


def _dialer(hl: Hearthline, later: float = 0.0) -> Dialer:
    return Dialer(
        hl.db,
        TwilioCallPlacer(hl.settings),
        hl.settings.public_base_url,
        DialerPolicy.from_settings(hl.settings),
        now=lambda: utcnow() + timedelta(seconds=later),
    )


def _handled(hl: Hearthline, request_id: int) -> int:
    with hl.db.sessions() as session:
        rows = session.scalars(select(CallAttempt).where(CallAttempt.subject_id == request_id))
        return sum(1 for row in rows if row.handled_at is not None)


def _calls(hl: Hearthline, request_id: int) -> list[AttemptStatus]:
    with hl.db.sessions() as session:
        return [v.status for v in attempts_for(session, Purpose.CONFIRM, request_id)]


@pytest.mark.parametrize("locale", ["en", "es", "zh", "ko"])
def test_a_landline_senior_presses_1_on_the_call_and_the_request_closes(
    make_app: Callable[..., Flask], standin: TwilioStandIn, locale: str
) -> None:
    standin.calls.plan[MADRID_LANDLINE] = Callee(Pickup.ANSWER, ("1",))
    with served(make_app(**_settings()), standin) as hl:
        request_id = _resolved_request(hl, MADRID_LANDLINE, locale)
        assert _dialer(hl).run_pass().dialled == 1
        wait_for(lambda: _request(hl, request_id).status == RequestStatus.CLOSED, "the request to close")
        [call] = standin.calls.calls_to(MADRID_LANDLINE)
        words = said(hl, call.sid)
    request = _request(hl, request_id)
    assert [e.actor for e in request.events if e.to_status == RequestStatus.CLOSED] == [f"caller:{MADRID_LANDLINE}"]
    # The question names the service and reads the reference digit by digit, in the senior's language.
    assert "5 0 1 4 5 1" in words
    assert {"en": "meal delivery", "es": "comida a domicilio", "zh": "送餐", "ko": "식사 배달"}[locale] in words
    # Nothing was texted to the landline ("Reply 1 if it is fixed" is what went there before).
    assert standin.messages_to(MADRID_LANDLINE) == []


def test_pressing_2_reopens_the_request_and_alerts_staff(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[MADRID_LANDLINE] = Callee(Pickup.ANSWER, ("2",))
    with served(make_app(**_settings()), standin) as hl:
        request_id = _resolved_request(hl, MADRID_LANDLINE)
        _dialer(hl).run_pass()
        wait_for(lambda: _request(hl, request_id).status == RequestStatus.REOPENED, "the request to reopen")
        hl.queue.wake_outbox()
        from care.delivery import deliver_due

        deliver_due(hl.db, hl.sender, None)
    [alert] = standin.messages_to(STAFF_PHONE)
    assert "501451" in alert and "not sorted" in alert and MADRID_LANDLINE in alert


def test_a_number_staff_marked_as_no_texts_gets_the_call_and_no_text(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.drive = False
    hl_app = make_app(**_settings())
    from web.context import EXTENSION_KEY

    hl: Hearthline = hl_app.extensions[EXTENSION_KEY]
    with hl.db.transaction() as session:
        assert receives_texts(session, US_NUMBER) == (True, TextsBy.GUESS)
        set_receives_texts(session, US_NUMBER, False, actor="staff:ana")
    with hl.db.transaction() as session:
        assert receives_texts(session, US_NUMBER) == (False, TextsBy.STAFF)
    request_id = _resolved_request(hl, US_NUMBER)
    assert _calls(hl, request_id) == [AttemptStatus.QUEUED]
    from care.delivery import deliver_due

    deliver_due(hl.db, hl.sender, None)
    assert standin.messages_to(US_NUMBER) == []


def test_no_answer_is_tried_again_then_staff_may_close_with_a_note_after_the_days(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan[MADRID_LANDLINE] = Callee(Pickup.NO_ANSWER)
    with served(make_app(**_settings(confirm_call_tries=3, confirm_close_after_days=2)), standin) as hl:
        request_id = _resolved_request(hl, MADRID_LANDLINE)
        for n in range(3):
            _dialer(hl, later=n * 90).run_pass()
            # Ended, and its handler has run (it queues the next try after the status is recorded).
            wait_for(lambda n=n: _handled(hl, request_id) == n + 1, f"call {n + 1} to end")
        assert _dialer(hl, later=600).run_pass().dialled == 0  # three tries, no fourth
        programme = ConfirmProgramme(hl.settings)
        with hl.db.transaction() as session:
            request = session.get(ServiceRequest, request_id)
            assert request is not None
            calls = programme.calls_for(session, request)
            assert calls.may_close_from is not None and not calls.may_close(utcnow())
            assert calls.may_close(utcnow() + timedelta(days=2, minutes=1))
            with pytest.raises(TransitionRefused):
                programme.close_unreached(session, request, actor="staff:ana", note="Spoke to her neighbour")
    request = _request(hl, request_id)
    notes = [e.note for e in request.events]
    assert request.status == RequestStatus.RESOLVED
    assert sum("Confirmation call" in note and "no answer" in note for note in notes) == 3
    assert any("Staff may close the request with a note from" in note for note in notes)
    assert len(standin.calls.calls_to(MADRID_LANDLINE)) == 3

    # With no waiting days configured, staff close it at once, with their note in the history.
    hl2_programme = ConfirmProgramme(replace(hl.settings, confirm_close_after_days=0))
    with hl.db.transaction() as session:
        request_row = session.get(ServiceRequest, request_id)
        assert request_row is not None
        hl2_programme.close_unreached(session, request_row, actor="staff:ana", note="Spoke to her neighbour")
    closed = _request(hl, request_id)
    assert closed.status == RequestStatus.CLOSED
    assert closed.events[-1].note.endswith(
        "Closed without confirmation (not reachable by phone): Spoke to her neighbour"
    )


def test_a_family_member_closing_it_first_withdraws_the_queued_call(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.drive = False
    from web.context import EXTENSION_KEY

    hl: Hearthline = make_app(**_settings()).extensions[EXTENSION_KEY]
    request_id = _resolved_request(hl, MADRID_LANDLINE)
    with hl.db.transaction() as session:
        request = session.get(ServiceRequest, request_id)
        assert request is not None
        apply_action(session, request, RequestAction.CLOSE, actor="family:+12025550122")
    assert _calls(hl, request_id) == [AttemptStatus.CANCELED]
    assert _dialer(hl).run_pass().dialled == 0


@pytest.mark.slow
@pytest.mark.parametrize("voice_path", ["record", "stream"])
def test_a_korean_senior_answers_the_confirmation_call_by_saying_yes(
    make_app: Callable[..., Flask],
    standin: TwilioStandIn,
    ko_model_root: Path,
    say: Callable[[str, str], bytes],
    voice_path: str,
) -> None:
    """Speech as well as keys: "네" said after the beep is recognised by the Korean model and closes the request.
    On the stream voice path too: outbound calls keep <Record> there (outreach/twiml.py)."""
    seoul_landline = "+8223456789"
    standin.calls.plan[seoul_landline] = Callee(Pickup.ANSWER, (say("네", "ko"),))
    app = make_app(vosk_model_dir=ko_model_root, voice_path=voice_path, **_settings())
    with served(app, standin) as hl:
        request_id = _resolved_request(hl, seoul_landline, "ko")
        _dialer(hl).run_pass()
        wait_for(lambda: _request(hl, request_id).status == RequestStatus.CLOSED, "the request to close", 60)
        with hl.db.sessions() as session:
            [view] = attempts_for(session, Purpose.CONFIRM, request_id)
    assert (view.answer, view.answer_via) == ("yes", "speech")
    assert "네" in view.heard


def test_a_confirmation_retry_that_would_fall_in_quiet_hours_waits_for_their_end(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    """One clock for outbound calls: confirmation calls keep the quiet-hours settings, as check-ins do (they used
    fixed 9:00-20:00 hours of their own, so a retry inside the settings' quiet hours rang anyway)."""
    zone = ZoneInfo(noon_zone())
    local_now = datetime.now(UTC).astimezone(zone)
    # Quiet hours start 30 minutes from now and end three hours from now (inside 9:00-20:00, where the old
    # clock allowed calls); the retry comes an hour after the first try, in the middle of them.
    quiet_from = (local_now + timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    quiet_until = (local_now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    standin.calls.plan[MADRID_LANDLINE] = Callee(Pickup.NO_ANSWER)
    app = make_app(
        **_settings(
            confirm_call_tries=2,
            confirm_call_retry_minutes=60,
            quiet_hours_start=f"{quiet_from:%H:%M}",
            quiet_hours_end=f"{quiet_until:%H:%M}",
        )
    )
    with served(app, standin) as hl:
        request_id = _resolved_request(hl, MADRID_LANDLINE)
        _dialer(hl).run_pass()
        wait_for(lambda: _handled(hl, request_id) == 1, "the first call to end")
        with hl.db.sessions() as session:
            retry = session.scalar(
                select(CallAttempt).where(CallAttempt.subject_id == request_id, CallAttempt.key.endswith(":2"))
            )
            assert retry is not None
            not_before = retry.not_before
        assert _dialer(hl, later=2 * 3600).run_pass().dialled == 0  # two hours on: still quiet, not rung
    morning = datetime.combine(local_now.date(), quiet_until, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    assert not_before == morning
    assert len(standin.calls.calls_to(MADRID_LANDLINE)) == 1
