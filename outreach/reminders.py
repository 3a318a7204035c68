"""Medication and appointment reminders (issue 13): by call or text at a set time, acknowledged with "1"; not
acknowledged, the check-in ladder (outreach.ladder) with the reminder's own settings: again, family, staff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import Channel, FamilyMember, RequesterKind, RequestEvent, Senior, ServiceRequest, utcnow
from care.notices import STAFF_LOCALE
from care.outbox import Message
from care.outbox import enqueue as queue_text
from care.people import family_of, linked_seniors, staff_for_team
from care.requests import NewRequest, create_request
from care.settings import LOCALES, Settings
from i18n.clock import spoken_time, written_datetime
from i18n.messages import translate
from intents import Intent
from outreach import ladder
from outreach.attempts import cancel, enqueue
from outreach.checkins import URGENT_WITHIN, calls_today
from outreach.ladder import LadderState, Outcome, Policy, Status
from outreach.plans import calendar_of
from outreach.registry import register
from outreach.reminder_tables import Reminder, ReminderChannel, ReminderKind, ReminderRound
from outreach.schedule import on_clock, to_stored
from outreach.script import Choice, Question, Script
from outreach.states import AttemptStatus, Purpose
from outreach.view import AttemptView
from sms.handling import register_text_hook
from voice.dialogue import Speak
from web.context import Hearthline

log = logging.getLogger(__name__)

ACTOR = "system:reminder"
INTENT = "wellbeing"  # the request kind of a reminder nobody acknowledged (care.routing), as for check-ins
TAKEN = "taken"
CHECKED = "checked"  # a family member pressed 1 on the ladder's call: they checked on the senior
# A reminder made late (the worker was down) is still sent this long after its time; later it would confuse.
LATE_LIMIT = timedelta(hours=1)
# Medication reminders name the time of day, as people say it ("your evening pills"): hours on the centre's clock.
_SLOTS = ((time(0, 0), "night"), (time(5, 0), "morning"), (time(11, 0), "midday"), (time(15, 0), "evening"))


class ReminderError(ValueError):
    """A reminder that cannot be set up as asked (the message says why, for staff or family)."""


class NotLinked(ReminderError):
    """A family member tried to set up a reminder for a senior they are not linked to."""


@dataclass(frozen=True)
class ReminderRequest:
    kind: ReminderKind
    channel: ReminderChannel
    times: tuple[time, ...] = ()  # medication
    appointment_at: datetime | None = None  # appointment, UTC naive
    lead_minutes: int = 60
    locale: str | None = None
    team: str | None = None


def policy_of(settings: Settings) -> Policy:
    return Policy(
        retries=settings.reminder_retries,
        retry_after=timedelta(minutes=settings.reminder_retry_minutes),
        family_wait=timedelta(minutes=settings.reminder_family_wait_minutes),
        max_calls_per_day=settings.outreach_max_calls_per_day,
    )


def slot_of(moment: time) -> str:
    return [name for start, name in _SLOTS if moment >= start][-1]


# --- setting them up --------------------------------------------------------------------------------------
def add_reminder(session: Session, senior: Senior, request: ReminderRequest, *, actor: str) -> Reminder:
    """Staff set up a reminder for a senior."""
    if request.kind is ReminderKind.MEDICATION and not request.times:
        raise ReminderError("a medication reminder needs at least one time (HH:MM)")
    if request.kind is ReminderKind.APPOINTMENT and request.appointment_at is None:
        raise ReminderError("an appointment reminder needs the appointment's date and time")
    if request.lead_minutes < 0:
        raise ReminderError("the lead time cannot be negative")
    locale = request.locale or senior.locale or "en"
    if locale not in LOCALES:
        raise ReminderError(f"language must be one of {', '.join(LOCALES)}")
    reminder = Reminder(
        senior_id=senior.id,
        kind=request.kind.value,
        channel=request.channel.value,
        times=",".join(f"{t:%H:%M}" for t in sorted(request.times)),
        appointment_at=request.appointment_at,
        lead_minutes=request.lead_minutes if request.kind is ReminderKind.APPOINTMENT else 0,
        locale=locale,
        team=request.team or senior.area or "general",
        created_by=actor,
    )
    session.add(reminder)
    session.flush()
    return reminder


def add_for_family(session: Session, member: FamilyMember, senior: Senior, request: ReminderRequest) -> Reminder:
    """A family member sets up a reminder: only for a senior they are linked to (actively, with consent)."""
    if senior.id not in {s.id for s in linked_seniors(session, member)}:
        raise NotLinked("you can set up reminders only for someone you are linked to")
    return add_reminder(session, senior, request, actor=f"family:{member.phone}")


def remove_reminder(session: Session, reminder: Reminder, *, actor: str) -> None:
    reminder.active = False
    reminder.note = f"removed by {actor}"
    for round_ in session.scalars(
        select(ReminderRound).where(ReminderRound.reminder_id == reminder.id, ReminderRound.status == Status.CALLING)
    ):
        cancel(session, purpose=Purpose.REMINDER, subject_id=round_.id)
        round_.status = Status.STOPPED


def _due_moments(reminder: Reminder, day: date, settings: Settings) -> list[datetime]:
    if reminder.kind == ReminderKind.APPOINTMENT:
        if reminder.appointment_at is None:
            return []
        return [reminder.appointment_at - timedelta(minutes=reminder.lead_minutes)]
    moments = []
    for raw in reminder.times.split(","):
        if raw:
            local = datetime.combine(day, time.fromisoformat(raw), tzinfo=settings.zone)
            moments.append(to_stored(local))
    return moments


# --- sending them -----------------------------------------------------------------------------------------
def send_due(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Start every reminder whose time has come (idempotent: one round per reminder and moment); how many."""
    now = now or utcnow()
    day = on_clock(now, settings.zone).date()
    started = 0
    for reminder in session.scalars(select(Reminder).where(Reminder.active)):
        for due in _due_moments(reminder, day, settings):
            if not (due <= now < due + LATE_LIMIT):
                continue
            exists = session.scalar(
                select(ReminderRound.id).where(ReminderRound.reminder_id == reminder.id, ReminderRound.due_at == due)
            )
            if exists is not None:
                continue
            round_ = ReminderRound(
                reminder_id=reminder.id, senior_id=reminder.senior_id, due_at=due, status=Status.CALLING, calls=1
            )
            round_.reminder = reminder
            session.add(round_)
            session.flush()
            _send(session, settings, round_, now)
            started += 1
    return started


def _context(reminder: Reminder, due: datetime, settings: Settings) -> dict[str, object]:
    if reminder.kind == ReminderKind.MEDICATION:
        return {"kind": "medication", "slot": slot_of(on_clock(due, settings.zone).time())}
    at = reminder.appointment_at or due
    return {"kind": "appointment", "time": spoken_time(on_clock(at, settings.zone), reminder.locale)}


def _send(session: Session, settings: Settings, round_: ReminderRound, at: datetime) -> None:
    """The senior's reminder, call or text, for this round's try (round_.calls)."""
    reminder = round_.reminder
    senior = reminder.senior
    context = _context(reminder, round_.due_at, settings)
    if reminder.channel == ReminderChannel.CALL:
        enqueue(
            session,
            key=f"reminder:{round_.id}:{round_.calls}",
            purpose=Purpose.REMINDER,
            to_phone=senior.phone,
            locale=reminder.locale,
            subject_id=round_.id,
            senior_id=senior.id,
            priority=5,  # a time-bound reminder before the day's check-ins
            not_before=calendar_of(settings).next_allowed(at),
            context=context,
        )
        return
    if context["kind"] == "medication":
        body = translate("notify", f"notify.reminder.medication.{context['slot']}", reminder.locale)
    else:
        when = written_datetime(reminder.appointment_at or round_.due_at, reminder.locale, settings.zone)
        body = translate("notify", "notify.reminder.appointment", reminder.locale, when=when)
    queue_text(session, Message(f"reminder:{round_.id}:{round_.calls}", senior.phone, body, kind="reminder"))
    round_.wait_until = at + timedelta(minutes=settings.reminder_retry_minutes)


def script(view: AttemptView) -> Script:
    """ "It is time for your evening pills. Press 1 when you have taken them." """
    if view.context.get("kind") == "appointment":
        message = Speak("voice.reminder.appointment", (("time", str(view.context.get("time", ""))),))
        question = Speak("voice.reminder.heard")
    else:
        message = Speak(f"voice.reminder.medication.{view.context.get('slot', 'morning')}")
        question = Speak("voice.reminder.taken")
    return Script(
        message=(message,),
        question=Question(
            prompts=(question,),
            choices=(Choice("1", TAKEN, Intent.YES, reply=(Speak("voice.reminder.thanks"),)),),
        ),
    )


def family_script(view: AttemptView) -> Script:
    """The ladder's call to a linked family member: the reminder was not acknowledged; "1" once they checked."""
    name = str(view.context.get("name", ""))
    kind = "appointment" if view.context.get("kind") == "appointment" else "medication"
    return Script(
        message=(Speak(f"voice.reminder.family_message.{kind}", (("name", name),)),),
        question=Question(
            prompts=(Speak("voice.reminder.family_question"),),
            choices=(Choice("1", CHECKED, Intent.YES, reply=(Speak("voice.checkin.family_thanks"),)),),
        ),
    )


# --- the ladder -------------------------------------------------------------------------------------------
def _state(round_: ReminderRound) -> LadderState:
    wait = round_.wait_until if round_.status == Status.FAMILY else None
    return LadderState(Status(round_.status), round_.calls, wait)


def on_outcome(session: Session, view: AttemptView, settings: Settings, now: datetime | None = None) -> None:
    """A reminder call ended: "1" acknowledges it; anything else climbs the ladder."""
    now = now or utcnow()
    round_ = session.get(ReminderRound, view.subject_id, with_for_update=True) if view.subject_id else None
    outcome = Outcome.of(view.status)
    if round_ is None or outcome is None:
        return
    if outcome.reached and view.answer == TAKEN:
        acknowledge(session, settings, round_, who=f"senior:{view.to_phone} (call)", now=now)
        return
    if outcome.reached:
        outcome = Outcome.NO_ANSWER  # answered but not acknowledged: not reached, for a reminder
    _not_reached(session, settings, round_, outcome, now)


def on_family_outcome(session: Session, view: AttemptView, settings: Settings, now: datetime | None = None) -> None:
    """A family member's ladder call ended: "1" stops the ladder; anything else goes into the history only (the
    family wait, then staff, carries on)."""
    now = now or utcnow()
    round_ = session.get(ReminderRound, view.subject_id, with_for_update=True) if view.subject_id else None
    if round_ is None:
        return
    if view.status is AttemptStatus.COMPLETED and view.answer == CHECKED:
        acknowledge(session, settings, round_, who=f"family:{view.to_phone} (call)", now=now)
    elif round_.request_id is not None and view.status is not AttemptStatus.CANCELED:
        _note(session, settings, round_, f"family call to {view.to_phone}: {view.status.value}", now)


def _not_reached(session: Session, settings: Settings, round_: ReminderRound, outcome: Outcome, now: datetime) -> None:
    calendar = calendar_of(settings)
    state, decisions = ladder.call_ended(
        _state(round_),
        outcome,
        now,
        policy_of(settings),
        calls_today=calls_today(session, settings, now).get(round_.senior_id, 0),
        has_family=bool(family_of(session, round_.senior_id)),
        quiet_at=calendar.quiet_at,
    )
    _carry_out(session, settings, round_, state, decisions, now)


def acknowledge(
    session: Session, settings: Settings, round_: ReminderRound, *, who: str, now: datetime | None = None
) -> bool:
    """The senior (or family) says it is done: the ladder stops (False when it had already stopped)."""
    now = now or utcnow()
    state, decisions = ladder.confirmed(_state(round_), who)
    if not decisions:
        return False
    round_.acknowledged_at = now
    _carry_out(session, settings, round_, state, decisions, now)
    return True


def sweep(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Texts nobody answered in time climb the ladder; family waits that ran out go to staff. How many moved."""
    now = now or utcnow()
    moved = 0
    waiting = session.scalars(
        select(ReminderRound).where(
            ReminderRound.status.in_([Status.CALLING, Status.FAMILY]), ReminderRound.wait_until <= now
        )
    )
    for round_ in list(waiting):
        if round_.status == Status.FAMILY:
            state, decisions = ladder.family_wait_over(_state(round_), now)
            _carry_out(session, settings, round_, state, decisions, now)
        elif round_.reminder.channel == ReminderChannel.SMS:
            _not_reached(session, settings, round_, Outcome.NO_ANSWER, now)
        moved += 1
    return moved


def _carry_out(
    session: Session,
    settings: Settings,
    round_: ReminderRound,
    state: LadderState,
    decisions: Iterable[ladder.Decision],
    now: datetime,
) -> None:
    for decision in decisions:
        if isinstance(decision, ladder.Record):
            if round_.request_id is not None or decision.rung not in (ladder.Rung.REACHED, ladder.Rung.CONFIRMED):
                _note(session, settings, round_, f"{decision.rung.value}: {decision.note or '-'}", now)
        elif isinstance(decision, ladder.CallAgain):
            round_.calls = state.calls
            # A call waits the gap; a text is re-sent now: the gap already passed waiting for the reply.
            by_call = round_.reminder.channel == ReminderChannel.CALL
            _send(session, settings, round_, decision.at if by_call else now)
        elif isinstance(decision, ladder.AskFamily):
            _ask_family(session, settings, round_, now)
        elif isinstance(decision, ladder.AlertStaff):
            _alert_staff(session, settings, round_, now)
        elif isinstance(decision, ladder.StopLadder):
            cancel(session, purpose=Purpose.REMINDER, subject_id=round_.id)
            if state.status is Status.SAFE:  # acknowledged: a family call not placed yet is not needed
                cancel(session, purpose=Purpose.REMINDER_FAMILY, subject_id=round_.id)
    round_.status = state.status.value
    round_.calls = state.calls
    if state.status is Status.FAMILY:
        round_.wait_until = state.wait_until
    elif state.status is not Status.CALLING:
        round_.wait_until = None
    round_.updated_at = now


def _note(session: Session, settings: Settings, round_: ReminderRound, note: str, now: datetime) -> None:
    """Every rung goes into the history of the round's request (opened at the first miss)."""
    if round_.request_id is None:
        reminder = round_.reminder
        senior = reminder.senior
        request, _ = create_request(
            session,
            NewRequest(
                intent=INTENT,
                channel=Channel.VOICE if reminder.channel == ReminderChannel.CALL else Channel.SMS,
                requester_phone=senior.phone,
                source_key=f"reminder:{round_.id}",
                requester_kind=RequesterKind.SYSTEM,
                senior_id=senior.id,
                locale=reminder.locale,
                transcript=f"{reminder.kind} reminder of {round_.due_at:%Y-%m-%d %H:%M} UTC: not acknowledged",
                actor=ACTOR,
                team=reminder.team,
                announce=False,
            ),
            zone=settings.zone,
            now=now,
        )
        round_.request_id = request.id
    session.add(RequestEvent(request_id=round_.request_id, at=now, actor=ACTOR, kind="reminder", note=note))


def _ask_family(session: Session, settings: Settings, round_: ReminderRound, now: datetime) -> None:
    """Text and call each linked family member, as the check-in ladder does: their "1" either way stops it."""
    reminder = round_.reminder
    senior = reminder.senior
    for member in family_of(session, senior.id):
        body = translate("notify", f"notify.reminder.family.{reminder.kind}", member.locale, name=senior.name)
        event = f"reminder:{round_.id}:family"
        queue_text(session, Message(event, member.phone, body, kind="reminder_family", request_id=round_.request_id))
        enqueue(
            session,
            key=f"reminder-family:{round_.id}:{member.id}",
            purpose=Purpose.REMINDER_FAMILY,
            to_phone=member.phone,
            locale=member.locale,
            subject_id=round_.id,
            senior_id=senior.id,
            priority=5,  # with the reminders: time-bound, before the day's check-ins
            # Unlike a check-in nobody answered (someone may be on the floor), a missed pill waits out the night.
            not_before=calendar_of(settings).next_allowed(now),
            context={"name": senior.name, "kind": reminder.kind},
        )


def _alert_staff(session: Session, settings: Settings, round_: ReminderRound, now: datetime) -> None:
    request = session.get(ServiceRequest, round_.request_id) if round_.request_id else None
    if request is None:
        return
    senior = round_.reminder.senior
    request.urgent = True
    request.due_at = now + URGENT_WITHIN
    body = translate(
        "notify",
        "notify.reminder.staff",
        STAFF_LOCALE,
        reference=request.reference,
        name=senior.name,
        phone=senior.phone,
        kind=round_.reminder.kind,
    )
    for member in staff_for_team(session, request.team):
        assert member.phone is not None
        queue_text(session, Message(f"reminder:{round_.id}:staff", member.phone, body, "staff", request.id))


# --- "1" by text --------------------------------------------------------------------------------------------
def reply_text(session: Session, settings: Settings, phone: str, body: str) -> str | None:
    """A "1" from a senior whose text reminder waits for it, or from linked family once asked: acknowledged.

    None when the text is not that (the SMS conversation, and the check-in family hook, answer it as usual).
    """
    if body.strip().rstrip(".") != "1":
        return None
    now = utcnow()
    senior = session.scalar(select(Senior).where(Senior.phone == phone))
    if senior is not None:
        rounds = session.scalars(
            select(ReminderRound)
            .join(Reminder, Reminder.id == ReminderRound.reminder_id)
            .where(
                ReminderRound.senior_id == senior.id,
                ReminderRound.status == Status.CALLING,
                Reminder.channel == ReminderChannel.SMS,
            )
        )
        if [r for r in rounds if acknowledge(session, settings, r, who=f"senior:{phone} (text)", now=now)]:
            return translate("notify", "notify.reminder.thanks", senior.locale or "en")
    member = session.scalar(select(FamilyMember).where(FamilyMember.phone == phone))
    if member is None:
        return None
    seniors = [s.id for s in linked_seniors(session, member)]
    asked = session.scalars(
        select(ReminderRound).where(
            ReminderRound.senior_id.in_(seniors), ReminderRound.status.in_([Status.FAMILY, Status.STAFF])
        )
    )
    names = [
        r.reminder.senior.name
        for r in asked
        if acknowledge(session, settings, r, who=f"family:{phone} (text)", now=now)
    ]
    if not names:
        return None
    return translate("notify", "notify.checkin.thanks", member.locale, name=", ".join(names))


def tick(hl: Hearthline, now: datetime | None = None) -> tuple[int, int]:
    with hl.db.transaction() as session:
        return send_due(session, hl.settings, now), sweep(session, hl.settings, now)


def register_reminders(hl: Hearthline) -> None:
    """The reminder programme on the dialer, its minutely pass and the "1" by text (create_app)."""
    settings = hl.settings

    def one(session: Session, phone: str, body: str) -> str | None:
        return reply_text(session, settings, phone, body)

    def log_tick() -> None:
        started, moved = tick(hl)
        if started or moved:
            log.info("reminders: %s started, %s moved on the ladder", started, moved)

    register_text_hook("reminder", one)
    hl.queue.every_minute("reminders", log_tick)
    register(Purpose.REMINDER, script=script, on_outcome=lambda session, view: on_outcome(session, view, settings))
    register(
        Purpose.REMINDER_FAMILY,
        script=family_script,
        on_outcome=lambda session, view: on_family_outcome(session, view, settings),
    )
