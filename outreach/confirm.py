"""Confirmation calls (issue 12): a requester who cannot receive texts is asked by phone whether a resolved
request is sorted. 1 closes it, 2 reopens it and alerts staff; no answer after the tries lets staff close it
with a note after some days (settings confirm_call_tries, confirm_call_retry_minutes, confirm_close_after_days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.lifecycle import RequestAction, TransitionRefused
from care.lines import receives_texts
from care.models import RequesterKind, RequestEvent, RequestStatus, ServiceRequest, utcnow
from care.notices import STAFF_LOCALE, listen_for_status, service_name
from care.outbox import Message
from care.outbox import enqueue as enqueue_text
from care.people import staff_for_team
from care.requests import add_note, apply_action
from care.settings import Settings
from i18n.clock import written_datetime
from i18n.messages import translate
from intents import Intent
from outreach.attempts import attempts_for, cancel, enqueue
from outreach.plans import calendar_of
from outreach.registry import register
from outreach.script import PERSON_ANSWER, Choice, Question, Script
from outreach.states import FINAL, AttemptStatus, Purpose
from outreach.view import AttemptView
from voice.dialogue import Speak

YES, NO = "yes", "no"
SYSTEM = "system"
URGENT_PRIORITY = 10  # urgent requests are asked first when many calls wait


def script(view: AttemptView) -> Script:
    """ "Your meal delivery, request 5 0 1 4 5 1: is it sorted? Press 1 if yes, 2 if not." """
    params = (("service", str(view.context.get("service", ""))), ("reference", str(view.context.get("reference", ""))))
    return Script(
        message=(Speak("voice.outreach.confirm.intro"),),
        question=Question(
            prompts=(Speak("voice.outreach.confirm.question", params),),
            choices=(
                Choice("1", YES, Intent.YES, reply=(Speak("voice.outreach.confirm.closed"),)),
                Choice("2", NO, Intent.NO, reply=(Speak("voice.outreach.confirm.reopened"),)),
            ),
        ),
    )


def _note(key: str, **params: object) -> str:
    return translate("notify", key, STAFF_LOCALE, **params)


@dataclass(frozen=True)
class ConfirmCalls:
    """A resolved request's confirmation calls as staff see them."""

    attempts: tuple[AttemptView, ...]
    tries: int
    unreached_since: datetime | None  # when the last try ended without an answer (None: still trying, or answered)
    may_close_from: datetime | None  # when staff may close it with a note (None: not applicable)

    def may_close(self, now: datetime) -> bool:
        return self.may_close_from is not None and now >= self.may_close_from


class ConfirmProgramme:
    """The confirmation-call purpose, on one app's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # --- asking -------------------------------------------------------------------------------------------------
    def on_status(self, session: Session, request: ServiceRequest, event_id: int) -> None:
        """A status changed: on RESOLVED to a requester who cannot text, ask by phone; otherwise stop asking."""
        if request.status != RequestStatus.RESOLVED:
            cancel(session, purpose=Purpose.CONFIRM, subject_id=request.id)
            return
        if receives_texts(session, request.requester_phone)[0]:
            return
        if request.requester_kind == RequesterKind.SYSTEM:
            return  # Hearthline opened it (a check-in that needed staff): nobody asked, nobody to ask
        tries = self.settings.confirm_call_tries
        add_note(session, request, actor=SYSTEM, note=_note("notify.confirm_call.asking", tries=tries))
        self._ask(session, request, resolution=event_id, attempt=1, at=utcnow())

    def _ask(self, session: Session, request: ServiceRequest, *, resolution: int, attempt: int, at: datetime) -> None:
        enqueue(
            session,
            key=f"confirm:{request.id}:{resolution}:{attempt}",
            purpose=Purpose.CONFIRM,
            to_phone=request.requester_phone,
            locale=request.locale,
            subject_id=request.id,
            senior_id=request.senior_id,
            priority=URGENT_PRIORITY if request.urgent else 0,
            not_before=calendar_of(self.settings).next_allowed(at),
            context={
                "reference": request.reference,
                "service": request.intent,
                "resolution": resolution,
                "attempt": attempt,
            },
        )

    # --- the outcome -----------------------------------------------------------------------------------------------
    def on_outcome(self, session: Session, view: AttemptView) -> None:
        request = session.get(ServiceRequest, view.subject_id) if view.subject_id is not None else None
        if request is None:
            return
        attempt, tries = int(view.context.get("attempt", 1)), self.settings.confirm_call_tries
        still_asking = request.status == RequestStatus.RESOLVED and self._current(session, request, view)
        caller = f"caller:{view.to_phone}"
        if view.answer == YES and still_asking:
            apply_action(session, request, RequestAction.CLOSE, actor=caller, note=_note("notify.confirm_call.yes"))
        elif view.answer == NO and still_asking:
            apply_action(session, request, RequestAction.REOPEN, actor=caller, note=_note("notify.confirm_call.no"))
            self._alert_staff(session, request)
        elif view.answer == PERSON_ANSWER:
            add_note(session, request, actor=caller, note=_note("notify.confirm_call.person"))
        elif view.answer in (YES, NO):
            # Answered after the request moved on (staff or family closed or reopened it meanwhile): recorded only.
            late = "notify.confirm_call.late_yes" if view.answer == YES else "notify.confirm_call.late_no"
            add_note(session, request, actor=caller, note=_note(late))
        elif still_asking:
            outcome = _note(f"notify.call_outcome.{_outcome(view)}")
            add_note(
                session,
                request,
                actor=SYSTEM,
                note=_note("notify.confirm_call.unreached", attempt=attempt, tries=tries, outcome=outcome),
            )
            if attempt < tries:
                later = utcnow() + timedelta(minutes=self.settings.confirm_call_retry_minutes)
                resolution = int(view.context.get("resolution", 0))
                self._ask(session, request, resolution=resolution, attempt=attempt + 1, at=later)
            else:
                may_close = utcnow() + timedelta(days=self.settings.confirm_close_after_days)
                when = written_datetime(may_close, STAFF_LOCALE, self.settings.zone)
                add_note(
                    session, request, actor=SYSTEM, note=_note("notify.confirm_call.gave_up", tries=tries, when=when)
                )

    def _current(self, session: Session, request: ServiceRequest, view: AttemptView) -> bool:
        """Whether this call asks about the request's latest resolution (not an earlier one, since reopened)."""
        latest = session.scalar(
            select(RequestEvent.id)
            .where(RequestEvent.request_id == request.id, RequestEvent.to_status == RequestStatus.RESOLVED)
            .order_by(RequestEvent.id.desc())
            .limit(1)
        )
        return latest is not None and int(view.context.get("resolution", 0)) == latest

    def _alert_staff(self, session: Session, request: ServiceRequest) -> None:
        body = translate(
            "notify",
            "notify.confirm_call.staff_alert",
            STAFF_LOCALE,
            reference=request.reference,
            service=service_name(request.intent, STAFF_LOCALE),
            phone=request.requester_phone,
        )
        for member in staff_for_team(session, request.team):
            assert member.phone is not None
            event = f"request:{request.id}:confirm-call-no:{request.updated_at.isoformat()}"
            enqueue_text(session, Message(event, member.phone, body, kind="staff", request_id=request.id))

    # --- what staff see ----------------------------------------------------------------------------------------------
    def calls_for(self, session: Session, request: ServiceRequest) -> ConfirmCalls:
        views = tuple(attempts_for(session, Purpose.CONFIRM, request.id))
        tries = self.settings.confirm_call_tries
        current = [v for v in views if self._current(session, request, v)]
        finished = [v for v in current if v.status in FINAL and v.status is not AttemptStatus.CANCELED]
        unreached = [v for v in finished if v.answer is None]
        exhausted = (
            request.status == RequestStatus.RESOLVED and len(unreached) >= tries and len(finished) == len(unreached)
        )
        since = max((v.finished_at for v in unreached if v.finished_at), default=None) if exhausted else None
        close_from = since + timedelta(days=self.settings.confirm_close_after_days) if since else None
        return ConfirmCalls(views, tries, since, close_from)

    def close_unreached(self, session: Session, request: ServiceRequest, *, actor: str, note: str) -> None:
        """Staff close a request whose requester the calls could not reach, after the waiting days; the note
        says why. Raises TransitionRefused before then (or when the calls reached them)."""
        if not note.strip():
            raise ValueError("a note is needed")
        if not self.calls_for(session, request).may_close(utcnow()):
            raise TransitionRefused("the confirmation calls have not run their course")
        apply_action(
            session,
            request,
            RequestAction.CLOSE,
            actor=actor,
            note=_note("notify.confirm_call.closed_unreached", note=note),
        )


def _outcome(view: AttemptView) -> str:
    if view.status is AttemptStatus.COMPLETED:
        return "no_answer_given"
    return view.status.value.replace("-", "_")


def register_confirm(settings: Settings) -> ConfirmProgramme:
    """Register the confirmation call's purpose and its status listener (create_app, once per app)."""
    programme = ConfirmProgramme(settings)
    register(Purpose.CONFIRM, script=script, on_outcome=programme.on_outcome)
    listen_for_status("outreach.confirm", programme.on_status)
    return programme
