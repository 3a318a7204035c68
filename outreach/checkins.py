"""Daily check-in calls: plan the day, handle each call's outcome on the ladder, read answers over time.

The pure parts decide (outreach.schedule, outreach.ladder, outreach.trends); this module loads what they need,
carries out what they decide, and writes every rung into the history of the round's request.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from care.lifecycle import RequestAction, TransitionRefused
from care.models import (
    CallState,
    Channel,
    FamilyMember,
    RequesterKind,
    RequestEvent,
    Senior,
    ServiceRequest,
    utcnow,
)
from care.notices import STAFF_LOCALE
from care.outbox import Message
from care.outbox import enqueue as queue_text
from care.people import family_of, linked_seniors, staff_for_team
from care.requests import NewRequest, apply_action, create_request
from care.settings import Settings
from i18n.messages import translate
from intents import Intent
from outreach import ladder
from outreach.attempts import WAKE_FLAG, cancel, enqueue
from outreach.checkin_tables import CheckinPlan, CheckinRound, PlanStatus
from outreach.ladder import LadderState, Outcome, Policy, Rung, Status
from outreach.models import CallAttempt
from outreach.plans import PlanError, calendar_of, last_rounds
from outreach.registry import register
from outreach.schedule import PlanView, calls_for_day, on_clock, to_stored
from outreach.script import Choice, Question, Script
from outreach.states import FINAL, AttemptStatus, Purpose
from outreach.trends import Answer, Flag, Reason, TrendPolicy, flag_for, week_summary, worse
from outreach.view import AttemptView
from sms.handling import register_text_hook
from voice.dialogue import Speak
from web.context import Hearthline

log = logging.getLogger(__name__)

INTENT = "wellbeing"  # the request kind of a check-in that needs staff (care.routing)
ACTOR = "system:checkin"
EVENT_KIND = "checkin"  # history entries of the ladder's rungs
# An unreachable senior is worked like an emergency callback: the on-call promise of care.routing.
URGENT_WITHIN = timedelta(minutes=15)
# A family member's "1" counts for a round this long after the family were asked (a reply next morning to
# yesterday's text is still an answer; after that a bare "1" means something else to the SMS conversation).
FAMILY_REPLY_WINDOW = timedelta(hours=24)
# The weekly family text goes out on Sunday evening on the centre's clock, after that day's call.
WEEKLY_SUMMARY_DAY = 6
WEEKLY_SUMMARY_HOUR = 18

_RUNG_NOTES = {
    Rung.NOT_REACHED: "call {calls} not answered ({detail})",
    Rung.RETRY: "calling again ({detail})",
    Rung.NO_RETRY: "not calling again ({detail}: quiet hours or the daily cap)",
    Rung.FAMILY: "family asked to check on them (text and call)",
    Rung.STAFF: "urgent task for staff ({detail})",
    Rung.REACHED: "reached on call {calls}",
    Rung.CONFIRMED: "confirmed all right by {detail}; ladder stopped",
}


def policy_of(settings: Settings) -> Policy:
    return Policy(
        retries=settings.checkin_retries,
        retry_after=timedelta(minutes=settings.checkin_retry_minutes),
        family_wait=timedelta(minutes=settings.checkin_family_wait_minutes),
        max_calls_per_day=settings.outreach_max_calls_per_day,
    )


def trend_policy_of(settings: Settings) -> TrendPolicy:
    return TrendPolicy(
        low_in_a_row=settings.checkin_low_in_a_row,
        missed_in_a_row=settings.checkin_missed_in_a_row,
        answered_before=settings.checkin_answered_before,
    )


def attempt_key(plan_id: int, day: date, call: int) -> str:
    return f"checkin:{plan_id}:{day.isoformat()}:{call}"


# --- the day's plan ---------------------------------------------------------------------------------------
def calls_today(session: Session, settings: Settings, now: datetime) -> dict[int, int]:
    """Outbound calls each senior got (or has queued) today on the centre's clock, every purpose together."""
    local = on_clock(now, settings.zone)
    midnight = datetime.combine(local.date(), time(0, 0), tzinfo=settings.zone)
    start_utc = to_stored(midnight)
    rows = session.execute(
        select(CallAttempt.senior_id, func.count())
        .where(
            CallAttempt.senior_id.is_not(None),
            CallAttempt.created_at >= start_utc,
            CallAttempt.status != AttemptStatus.CANCELED,
        )
        .group_by(CallAttempt.senior_id)
    )
    return {int(senior_id): int(count) for senior_id, count in rows if senior_id is not None}


def plan_today(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Make today's rounds and queue their first calls (idempotent: a plan has one round a day); how many new.

    Set-wise, not row by row: one query for the plans, one insert for the rounds, one for their calls, so the
    day of 20,000 seniors is planned in seconds (`python -m bench outreach --part plan`).
    """
    now = now or utcnow()
    day = on_clock(now, settings.zone).date()
    calendar = calendar_of(settings)
    rows = session.execute(
        select(
            CheckinPlan.id,
            CheckinPlan.senior_id,
            CheckinPlan.days,
            CheckinPlan.window_start,
            CheckinPlan.window_end,
            CheckinPlan.call_on_holidays,
            CheckinPlan.locale,
            Senior.phone,
            Senior.name,
        )
        .join(Senior, Senior.id == CheckinPlan.senior_id)
        .where(CheckinPlan.status == PlanStatus.ACTIVE)
    ).all()
    done = set(session.scalars(select(CheckinRound.plan_id).where(CheckinRound.day == day)))
    views = [
        PlanView(row[0], row[1], frozenset(int(d) for d in row[2].split(",") if d), row[3], row[4], False, row[5])
        for row in rows
        if row[0] not in done
    ]
    by_plan = {row[0]: row for row in rows}
    planned = calls_for_day(views, day, calendar, calls_today(session, settings, now))
    local_now = on_clock(now, settings.zone).time()
    rounds: list[dict[str, object]] = []
    for call in planned:
        due = call.due_at
        if due < now:
            # Planned late (the worker was down): still call while the window lasts and it is not quiet.
            if local_now >= by_plan[call.plan_id][4] or calendar.quiet_at(now):
                continue
            due = now
        rounds.append(
            {
                "plan_id": call.plan_id,
                "senior_id": call.senior_id,
                "day": day,
                "due_at": due,
                "status": Status.CALLING.value,
                "calls": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not rounds:
        return 0
    # Core executemany (no RETURNING): the driver's own loop, several times faster than the ORM's per-row one.
    session.execute(insert(cast(Table, CheckinRound.__table__)), rounds)
    made = session.execute(select(CheckinRound.plan_id, CheckinRound.id).where(CheckinRound.day == day))
    ids = {plan_id: round_id for plan_id, round_id in made}
    calls = []
    for values in rounds:
        plan_id = int(str(values["plan_id"]))
        _, senior_id, _, _, _, _, locale, phone, name = by_plan[plan_id]
        calls.append(
            {
                "key": attempt_key(plan_id, day, 1),
                "purpose": Purpose.CHECKIN.value,
                "subject_id": ids[plan_id],
                "senior_id": senior_id,
                "to_phone": phone,
                "locale": locale,
                "priority": 0,
                "not_before": values["due_at"],
                "context": {"name": name},
                "status": AttemptStatus.QUEUED.value,
                "created_at": now,
            }
        )
    enqueue_many(session, calls)
    return len(rounds)


def enqueue_many(session: Session, attempts: list[dict[str, object]]) -> None:
    """outreach.attempts.enqueue for a day's worth of first calls at once: keys already queued are skipped
    (the same idempotency), the rest inserted in one statement, and the dialer woken after commit."""
    keys = [str(a["key"]) for a in attempts]
    existing: set[str] = set()
    for start in range(0, len(keys), 1000):  # bound the IN list (SQLite allows 32,766 variables)
        existing.update(session.scalars(select(CallAttempt.key).where(CallAttempt.key.in_(keys[start : start + 1000]))))
    fresh = [a for a in attempts if a["key"] not in existing]
    if fresh:
        session.execute(insert(cast(Table, CallAttempt.__table__)), fresh)
        session.info[WAKE_FLAG] = True


def _queue_call(session: Session, round_: CheckinRound, plan: CheckinPlan, at: datetime) -> None:
    senior = plan.senior
    enqueue(
        session,
        key=attempt_key(plan.id, round_.day, round_.calls),
        purpose=Purpose.CHECKIN,
        to_phone=senior.phone,
        locale=plan.locale,
        subject_id=round_.id,
        senior_id=senior.id,
        not_before=at,
        context={"name": senior.name},
    )
    round_.due_at = at


# --- the ladder -----------------------------------------------------------------------------------------
def _state(round_: CheckinRound) -> LadderState:
    return LadderState(Status(round_.status), round_.calls, round_.wait_until)


def on_checkin_outcome(session: Session, view: AttemptView, settings: Settings, now: datetime | None = None) -> None:
    """A check-in call reached its final status: read the answer, or climb the ladder."""
    now = now or utcnow()
    outcome = Outcome.of(view.status)
    round_ = session.get(CheckinRound, view.subject_id, with_for_update=True) if view.subject_id else None
    if outcome is None or round_ is None:
        return
    if outcome.reached:
        answers, stop = _call_answers(session, view)
        for answer in answers:
            round_.answer = worse(Answer(round_.answer) if round_.answer else None, answer)
        if round_.answer is None:
            round_.answer = Answer.UNCLEAR
        if stop:
            _stop_asked(session, settings, round_, now)
    has_family = bool(family_of(session, round_.senior_id))
    calendar = calendar_of(settings)
    state, decisions = ladder.call_ended(
        _state(round_),
        outcome,
        now,
        policy_of(settings),
        calls_today=calls_today(session, settings, now).get(round_.senior_id, 0),
        has_family=has_family,
        quiet_at=calendar.quiet_at,
    )
    _carry_out(session, settings, round_, state, decisions, now, detail=outcome.value)


def _call_answers(session: Session, view: AttemptView) -> tuple[list[Answer], bool]:
    """What the check-in dialogue noted on the call (voice.calls keeps it in the call's state)."""
    if view.call_sid is None:
        return [], False
    row = session.get(CallState, view.call_sid)
    if row is None:
        return [], False
    answers = [Answer(a) for a in row.state.get("checkin_answers", []) if a in Answer.__members__.values()]
    return answers, bool(row.state.get("checkin_stop"))


def on_family_outcome(session: Session, view: AttemptView, settings: Settings, now: datetime | None = None) -> None:
    """A family member's ladder call ended: "1" (they know the senior is all right) stops the ladder."""
    round_ = session.get(CheckinRound, view.subject_id, with_for_update=True) if view.subject_id else None
    if round_ is None:
        return
    if view.status is AttemptStatus.COMPLETED and view.answer == "confirmed":
        confirm(session, settings, round_, who=f"family:{view.to_phone} (call)", now=now)
    elif round_.request_id is not None:
        _note(session, round_, f"family call to {view.to_phone}: {view.status.value}", now or utcnow())


def confirm(
    session: Session, settings: Settings, round_: CheckinRound, *, who: str, now: datetime | None = None
) -> bool:
    """Someone says the senior is all right: the ladder stops (False when it had already stopped)."""
    now = now or utcnow()
    state, decisions = ladder.confirmed(_state(round_), who)
    if not decisions:
        return False
    _carry_out(session, settings, round_, state, decisions, now, detail=who)
    return True


def sweep(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Rounds whose family did not confirm in time go to staff; returns how many."""
    now = now or utcnow()
    waiting = session.scalars(
        select(CheckinRound).where(CheckinRound.status == Status.FAMILY, CheckinRound.wait_until <= now)
    )
    moved = 0
    for round_ in waiting:
        state, decisions = ladder.family_wait_over(_state(round_), now)
        if decisions:
            _carry_out(session, settings, round_, state, decisions, now, detail="family_silent")
            moved += 1
    return moved


def _carry_out(
    session: Session,
    settings: Settings,
    round_: CheckinRound,
    state: LadderState,
    decisions: Iterable[ladder.Decision],
    now: datetime,
    *,
    detail: str,
) -> None:
    before_calls = round_.calls
    plan = round_.plan
    for decision in decisions:
        if isinstance(decision, ladder.Record):
            _record(session, settings, round_, decision, now, calls=before_calls)
        elif isinstance(decision, ladder.CallAgain):
            round_.calls = state.calls
            _queue_call(session, round_, plan, decision.at)
        elif isinstance(decision, ladder.AskFamily):
            _ask_family(session, settings, round_, now)
        elif isinstance(decision, ladder.AlertStaff):
            _alert_staff(session, settings, round_, decision.reason, now)
        elif isinstance(decision, ladder.StopLadder):
            cancel(session, purpose=Purpose.CHECKIN, subject_id=round_.id)
            if state.status is Status.SAFE:
                cancel(session, purpose=Purpose.FAMILY, subject_id=round_.id)
    round_.status = state.status.value
    round_.calls = state.calls
    round_.wait_until = state.wait_until
    round_.updated_at = now
    if state.status is Status.SAFE:
        _close_request(session, round_, detail, now)
    if state.status in (Status.SAFE, Status.STAFF):
        _finish(session, settings, round_, now)


def _record(
    session: Session, settings: Settings, round_: CheckinRound, record: ladder.Record, now: datetime, *, calls: int
) -> None:
    if record.rung is Rung.REACHED and round_.request_id is None:
        return  # reached at the first call: nothing for staff, the answer is on the round
    if round_.request_id is None:
        _open_request(session, settings, round_, now)
    note = _RUNG_NOTES[record.rung].format(calls=calls, detail=record.note or "-")
    _note(session, round_, note, now)


def _note(session: Session, round_: CheckinRound, note: str, now: datetime) -> None:
    session.add(RequestEvent(request_id=round_.request_id, at=now, actor=ACTOR, kind=EVENT_KIND, note=note))


def _open_request(
    session: Session, settings: Settings, round_: CheckinRound, now: datetime, *, why: str = "not reached"
) -> ServiceRequest:
    """The request that carries a round's ladder: made quietly (the ladder tells the family in its own words)."""
    plan = round_.plan
    senior = plan.senior
    request, _ = create_request(
        session,
        NewRequest(
            intent=INTENT,
            channel=Channel.VOICE,
            requester_phone=senior.phone,
            source_key=f"checkin:{round_.id}",
            requester_kind=RequesterKind.SYSTEM,
            senior_id=senior.id,
            locale=plan.locale,
            transcript=f"daily check-in of {round_.day.isoformat()}: {why}",
            understood_by="",
            actor=ACTOR,
            team=plan.team,
            announce=False,
        ),
        zone=settings.zone,
        now=now,
    )
    round_.request_id = request.id
    return request


def _close_request(session: Session, round_: CheckinRound, who: str, now: datetime) -> None:
    """The senior is all right: their round's request is resolved and closed (nobody is texted about it)."""
    if round_.request_id is None:
        return
    request = session.get(ServiceRequest, round_.request_id)
    if request is None:
        return
    for action in (RequestAction.RESOLVE, RequestAction.CLOSE):
        # Refused: staff already moved it on; the history note says what happened.
        with contextlib.suppress(TransitionRefused):
            apply_action(session, request, action, actor=ACTOR, note=who, now=now, announce=False)


def _ask_family(session: Session, settings: Settings, round_: CheckinRound, now: datetime) -> None:
    senior = round_.plan.senior
    for member in family_of(session, senior.id):
        body = translate("notify", "notify.checkin.family", member.locale, name=senior.name)
        queue_text(
            session,
            Message(
                f"checkin:{round_.id}:family", member.phone, body, kind="checkin_family", request_id=round_.request_id
            ),
        )
        enqueue(
            session,
            key=f"checkin-family:{round_.id}:{member.id}",
            purpose=Purpose.FAMILY,
            to_phone=member.phone,
            locale=member.locale,
            subject_id=round_.id,
            senior_id=senior.id,
            priority=10,  # before the day's first calls: somebody may be lying on the floor
            not_before=now,
            context={"name": senior.name},
        )


def _alert_staff(session: Session, settings: Settings, round_: CheckinRound, reason: str, now: datetime) -> None:
    if round_.request_id is None:
        _open_request(session, settings, round_, now)
    request = session.get(ServiceRequest, round_.request_id)
    assert request is not None
    senior = round_.plan.senior
    request.urgent = True
    request.due_at = now + URGENT_WITHIN
    for member in staff_for_team(session, request.team):
        assert member.phone is not None
        body = translate(
            "notify",
            "notify.checkin.staff_unreached",
            STAFF_LOCALE,
            reference=request.reference,
            name=senior.name,
            phone=senior.phone,
            calls=str(round_.calls),
        )
        queue_text(session, Message(f"checkin:{round_.id}:staff", member.phone, body, "staff", request.id))


# --- what the call said ------------------------------------------------------------------------------------
def _stop_asked(session: Session, settings: Settings, round_: CheckinRound, now: datetime) -> None:
    """The senior confirmed "stop calling me": the plan is paused and staff are told (a request on the queue)."""
    plan = round_.plan
    plan.status = PlanStatus.PAUSED
    plan.status_note = f"paused: {plan.senior.name} asked on the call of {round_.day.isoformat()} to stop the calls"
    plan.updated_at = now
    _staff_request(session, settings, round_, "notify.checkin.staff_stop", "asked to stop the daily calls", now)


def _staff_request(
    session: Session, settings: Settings, round_: CheckinRound, key: str, note: str, now: datetime, **params: str
) -> ServiceRequest:
    """A (non-urgent) request for the plan's team about a round, with a text to the team."""
    plan, senior = round_.plan, round_.plan.senior
    request, created = create_request(
        session,
        NewRequest(
            intent=INTENT,
            channel=Channel.VOICE,
            requester_phone=senior.phone,
            source_key=f"checkin:{round_.id}:{key}",
            requester_kind=RequesterKind.SYSTEM,
            senior_id=senior.id,
            locale=plan.locale,
            transcript=note,
            actor=ACTOR,
            team=plan.team,
            announce=False,
        ),
        zone=settings.zone,
        now=now,
    )
    if created:
        for member in staff_for_team(session, request.team):
            assert member.phone is not None
            body = translate(
                "notify", key, STAFF_LOCALE, reference=request.reference, name=senior.name, phone=senior.phone, **params
            )
            queue_text(session, Message(f"request:{request.id}:{key}", member.phone, body, "staff", request.id))
    return request


def _finish(session: Session, settings: Settings, round_: CheckinRound, now: datetime) -> None:
    """A round is over: what it came to joins the senior's history, and a new trend is flagged for staff."""
    if round_.answer is None:
        round_.answer = Answer.NOT_REACHED
    session.flush()
    trend = trend_policy_of(settings)
    span = max(trend.low_in_a_row + 1, trend.missed_in_a_row + trend.answered_before)
    history = [Answer(r.answer) for r in last_rounds(session, round_.plan_id, span) if r.answer]
    flag = flag_for(history, trend)
    if flag is not None:
        _flag(session, settings, round_, flag, now)


def _flag(session: Session, settings: Settings, round_: CheckinRound, flag: Flag, now: datetime) -> None:
    count = flag.calls if flag.reason is Reason.LOW_STREAK else len(flag.answers)
    reason = translate("notify", f"notify.checkin.reason.{flag.reason.value}", STAFF_LOCALE, count=count)
    _staff_request(session, settings, round_, "notify.checkin.staff_trend", reason, now, reason=reason)


def weekly_summaries(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """On Sunday evening, text the linked family of each senior who agreed a line about the week's calls."""
    now = now or utcnow()
    local = on_clock(now, settings.zone)
    if local.weekday() != WEEKLY_SUMMARY_DAY or local.hour < WEEKLY_SUMMARY_HOUR:
        return 0
    week = local.date().isocalendar()
    since = local.date() - timedelta(days=6)
    sent = 0
    plans = session.scalars(
        select(CheckinPlan).where(CheckinPlan.weekly_summary, CheckinPlan.status == PlanStatus.ACTIVE)
    )
    for plan in plans:
        rounds = session.scalars(select(CheckinRound).where(CheckinRound.plan_id == plan.id, CheckinRound.day >= since))
        answers = [Answer(r.answer) for r in rounds if r.answer]
        if not answers:
            continue
        summary = week_summary(answers)
        key = "notify.checkin.weekly_fine" if summary.all_fine else "notify.checkin.weekly_mixed"
        for member in family_of(session, plan.senior_id):
            body = translate(
                "notify", key, member.locale, name=plan.senior.name, answered=summary.answered, calls=summary.calls
            )
            event = f"checkin-week:{plan.id}:{week.year}-{week.week}"
            if queue_text(session, Message(event, member.phone, body, kind="checkin_week")) is not None:
                sent += 1
    return sent


# --- a family member texts "1" -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FamilyReply:
    reply: str


def family_text(session: Session, settings: Settings, phone: str, body: str) -> FamilyReply | None:
    """A linked family member's "1" while a senior's round waits on them (or on staff): the ladder stops.

    None when the text is not that (the SMS conversation answers it as usual).
    """
    if body.strip().rstrip(".") != "1":
        return None
    member = session.scalar(select(FamilyMember).where(FamilyMember.phone == phone))
    if member is None:
        return None
    seniors = [s.id for s in linked_seniors(session, member)]
    if not seniors:
        return None
    since = utcnow() - FAMILY_REPLY_WINDOW
    rounds = list(
        session.scalars(
            select(CheckinRound).where(
                CheckinRound.senior_id.in_(seniors),
                CheckinRound.status.in_([Status.FAMILY, Status.STAFF]),
                CheckinRound.updated_at >= since,
            )
        )
    )
    if not rounds:
        return None
    names = []
    for round_ in rounds:
        if confirm(session, settings, round_, who=f"family:{phone} (text)"):
            names.append(round_.plan.senior.name)
    if not names:
        return None
    return FamilyReply(translate("notify", "notify.checkin.thanks", member.locale, name=", ".join(names)))


# --- staff call now ---------------------------------------------------------------------------------------------
# Why "Call now" can be refused: resume the plan first; a call is ringing or under way; quiet hours.
CALL_NOW_REFUSALS = ("not_active", "on_the_line", "quiet")


class CallNowRefused(PlanError):
    """Staff asked to call a senior now, and that cannot be done (`why`: the console says it in its words)."""

    def __init__(self, why: str, until: datetime | None = None) -> None:
        assert why in CALL_NOW_REFUSALS
        super().__init__(why)
        self.why = why
        self.until = until  # quiet: when the quiet hours end (UTC)


def call_now(
    session: Session, settings: Settings, plan: CheckinPlan, *, actor: str, now: datetime | None = None
) -> CheckinRound:
    """Staff ring a senior on a plan now (to try the call, or because they are worried); returns the round.

    It is today's check-in call, brought forward: placed by the dialer like any other, answered through the
    check-in dialogue, and, not reached, climbing the ladder. Today's round is made if the day has none yet; a
    round whose ladder is over gets one more call (its answer is noted, the ladder does not start again). Never
    in quiet hours (the emergency way to ring everyone at night is a crisis broadcast). Written into the
    round's history, with who asked.
    """
    now = now or utcnow()
    if plan.status != PlanStatus.ACTIVE:
        raise CallNowRefused("not_active")
    at = calendar_of(settings).next_allowed(now)
    if at > now:
        raise CallNowRefused("quiet", until=at)
    day = on_clock(now, settings.zone).date()
    round_ = session.scalar(
        select(CheckinRound).where(CheckinRound.plan_id == plan.id, CheckinRound.day == day).with_for_update()
    )
    if round_ is None:
        round_ = CheckinRound(
            plan_id=plan.id, senior_id=plan.senior_id, day=day, due_at=at, status=Status.CALLING, calls=1
        )
        round_.plan = plan
        session.add(round_)
        session.flush()
        _queue_call(session, round_, plan, at)
    else:
        pending = list(
            session.scalars(
                select(CallAttempt).where(
                    CallAttempt.purpose == Purpose.CHECKIN,
                    CallAttempt.subject_id == round_.id,
                    CallAttempt.status.not_in([s.value for s in FINAL]),
                )
            )
        )
        if any(a.status != AttemptStatus.QUEUED for a in pending):
            raise CallNowRefused("on_the_line")
        if pending:  # the next call of the ladder, still waiting: now instead
            for attempt in pending:
                attempt.not_before = at
            session.info[WAKE_FLAG] = True
            round_.due_at = at
        else:
            extra = session.scalar(
                select(func.count()).where(
                    CallAttempt.purpose == Purpose.CHECKIN,
                    CallAttempt.subject_id == round_.id,
                    CallAttempt.key.like(f"checkin:{plan.id}:{day.isoformat()}:now%"),
                )
            )
            enqueue(
                session,
                key=f"checkin:{plan.id}:{day.isoformat()}:now{int(extra or 0) + 1}",
                purpose=Purpose.CHECKIN,
                to_phone=plan.senior.phone,
                locale=plan.locale,
                subject_id=round_.id,
                senior_id=plan.senior_id,
                not_before=at,
                context={"name": plan.senior.name},
            )
    if round_.request_id is None:
        _open_request(session, settings, round_, now, why=f"called now by {actor}")
    _note(session, round_, f"call now asked by {actor}", now)
    round_.updated_at = now
    return round_


def stop_rounds(session: Session, plan: CheckinPlan, *, reason: str) -> None:
    """A plan was paused or removed: its open round stops calling (family and staff rungs already taken stay)."""
    rounds = session.scalars(
        select(CheckinRound).where(CheckinRound.plan_id == plan.id, CheckinRound.status == Status.CALLING)
    )
    for round_ in rounds:
        cancel(session, purpose=Purpose.CHECKIN, subject_id=round_.id)
        round_.status = Status.STOPPED
        if round_.request_id is not None:
            _note(session, round_, f"calls stopped: {reason}", utcnow())


def set_status(session: Session, plan: CheckinPlan, status: PlanStatus, *, actor: str, note: str = "") -> CheckinPlan:
    """Pause, resume or remove a plan; the reason and who did it stay on the plan."""
    if plan.status == PlanStatus.REMOVED and status is not PlanStatus.REMOVED:
        raise PlanError("a removed plan is added again (with consent), not resumed")
    plan.status = status.value
    plan.status_note = f"{status.value} by {actor}" + (f": {note}" if note else "")
    plan.updated_at = utcnow()
    if status is not PlanStatus.ACTIVE:
        stop_rounds(session, plan, reason=plan.status_note)
    return plan


# --- the programmes on the dialer ----------------------------------------------------------------------------
def checkin_script(view: AttemptView) -> Script:
    """An answered check-in call is the hotline's check-in dialogue (voice.dialogue.start_checkin): any answer in
    words or keys, a need taken as on an inbound call; a machine gets the voicemail, with no personal details."""
    name = str(view.context.get("name", ""))
    return Script(message=(Speak("voice.checkin.hello", (("name", name),)),), checkin_dialogue=True)


def family_script(view: AttemptView) -> Script:
    """The ladder's call to a linked family member: the senior could not be reached; "1" when they know all is well."""
    name = str(view.context.get("name", ""))
    return Script(
        message=(Speak("voice.checkin.family_message", (("name", name),)),),
        question=Question(
            prompts=(Speak("voice.checkin.family_question"),),
            choices=(Choice("1", "confirmed", Intent.YES, reply=(Speak("voice.checkin.family_thanks"),)),),
        ),
    )


def tick(hl: Hearthline, now: datetime | None = None) -> tuple[int, int, int]:
    """The minutely pass: today's rounds, family waits that ran out, the weekly family texts."""
    with hl.db.transaction() as session:
        planned = plan_today(session, hl.settings, now)
        moved = sweep(session, hl.settings, now)
        weekly = weekly_summaries(session, hl.settings, now)
    return planned, moved, weekly


def log_tick(hl: Hearthline) -> None:
    planned, moved, weekly = tick(hl)
    if planned or moved or weekly:
        log.info("check-ins: %s planned, %s to staff, %s weekly texts", planned, moved, weekly)


def register_outreach(hl: Hearthline) -> None:
    """The check-in and family-call programmes on the dialer, and the family's "1" by text (create_app)."""
    settings = hl.settings

    def family_one(session: Session, phone: str, body: str) -> str | None:
        answer = family_text(session, settings, phone, body)
        return None if answer is None else answer.reply

    register_text_hook("checkin-family", family_one)
    # Every minute on the worker: today's rounds (idempotent), family waits run out, Sunday's family texts.
    hl.queue.every_minute("checkins", lambda: log_tick(hl))
    register(
        Purpose.CHECKIN,
        script=checkin_script,
        on_outcome=lambda session, view: on_checkin_outcome(session, view, settings),
    )
    register(
        Purpose.FAMILY,
        script=family_script,
        on_outcome=lambda session, view: on_family_outcome(session, view, settings),
    )
